"""Legacy DOC and WPS -> DOCX with LibreOffice headless (Debian ``libreoffice-writer-nogui``).

Word 97-2003 ``.doc`` and Kingsoft WPS ``.wps`` files are OLE2 compound documents; both open
in LibreOffice Writer, which writes them back as DOCX for ``docx.py`` (tables, merged cells and
all). Bytes in, bytes out: the conversion runs in a private temporary directory with its own
LibreOffice profile (so concurrent conversions never share one), under a timeout.
About 1-1.5 s a document on the project's machines.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .model import ParseError
from .vocab import Method, ParseStatus

TIMEOUT = 90  # seconds; a report converts in ~1 s
SOFFICE_CANDIDATES = ("soffice", "libreoffice", "/usr/lib/libreoffice/program/soffice")  # not vocabulary: a program name


def soffice() -> str | None:
    for name in SOFFICE_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def libreoffice_convert(data: bytes, source_ext: str, target: str = "docx",
                        timeout: float = TIMEOUT) -> bytes:
    """Convert ``data`` (a file whose type LibreOffice detects, named ``*.source_ext``)."""
    binary = soffice()
    if binary is None:
        raise ParseError(ParseStatus.UNSUPPORTED, "LibreOffice (soffice) is not installed: "
                         "apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory(prefix="renfang-lo-") as tmp:
        tmp_path = Path(tmp)
        source = tmp_path / f"document.{source_ext}"
        source.write_bytes(data)
        out = tmp_path / "out"
        env = {**os.environ, "HOME": tmp, "SAL_USE_VCLPLUGIN": "svp"}
        cmd = [binary, "--headless", "--norestore", "--nolockcheck", "--nodefault",
               f"-env:UserInstallation={tmp_path.joinpath('profile').as_uri()}",
               "--convert-to", target, "--outdir", str(out), str(source)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as e:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice -> oosplash -> soffice.bin: all of them
            proc.communicate()
            raise ParseError(ParseStatus.TIMEOUT, f"LibreOffice did not convert within {timeout:g} s") from e
        produced = sorted(out.glob(f"*.{target.split(':')[0]}")) if out.exists() else []
        if not produced or produced[0].stat().st_size == 0:
            message = (stderr or stdout).decode("utf-8", "replace").strip()
            raise ParseError(ParseStatus.CORRUPT, f"LibreOffice could not read it ({source_ext}): "
                             f"{message[-300:] or 'no output'}")
        return produced[0].read_bytes()


def extract_ole2(data: bytes):
    """Word 97-2003 .doc and Kingsoft WPS .wps (both OLE2): LibreOffice -> DOCX -> docx.py."""
    from .docx import extract_docx
    from .sniff import OLE2

    if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in data[:1 << 20] and \
            b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" not in data[:1 << 20]:
        raise ParseError(ParseStatus.UNSUPPORTED, "an OLE2 spreadsheet (.xls/.et), not a text document")
    ex = extract_docx(libreoffice_convert(data, "doc", "docx"))
    ex.media_type = OLE2
    ex.method = Method.LIBREOFFICE
    return ex

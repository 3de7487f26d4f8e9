"""Documents inside archives: a ``.zip`` attachment's members, each a document of its own.

Portals attach reports as a zip holding the PDF and the Word file, sometimes a zip inside the
zip. ``unpack(data)`` reads one with Python's ``zipfile`` (no container format is parsed by
hand here) and returns every file member, nested archives opened in turn, each either with its
bytes or refused with the reason:

* more than ``MAX_MEMBERS`` members, or members whose sizes add up to more than
  ``MAX_TOTAL_BYTES`` (over the whole nest), one larger than ``MAX_MEMBER_BYTES`` (the
  parser's own limit), or one that inflates more than ``MAX_RATIO`` times (over 1 MiB): a zip
  bomb; the sizes the directory declares are checked before anything is inflated, and a
  member is read to at most its limit, so a directory that lies costs nothing either;
* encrypted (password-protected) members: not opened;
* names that climb out of the archive (``../``, an absolute path, a drive letter);
* archives nested deeper than ``MAX_DEPTH``;
* a member that does not inflate to what its CRC says (damaged; ``zipfile`` never inflates more
  than the size the directory declares).

Pure: bytes in, :class:`Member` list out; the archive (``archive/unpack.py``) stores each
extracted member as a document linked to the attachment it came from, and records each
refusal. Parsing the archive itself (``extract_archive``) says what it holds.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from .model import ParseError
from .sniff import ZIP, sniff_media_type
from .vocab import MemberStatus, ParseStatus

MAX_MEMBERS = 500
MAX_MEMBER_BYTES = 100 * 1024 * 1024     # parsers.MAX_BYTES: nothing larger is parsed anyway
MAX_TOTAL_BYTES = 300 * 1024 * 1024      # everything one attachment may unpack to, nested ones included
MAX_RATIO = 100                          # inflated / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024                # small members (a short text file) compress far better
MAX_DEPTH = 3                            # the attachment is depth 1; a zip in it depth 2 …
ARCHIVES = (ZIP,)                        # media types unpacked


@dataclass
class Member:
    """One file member of an archive: its path in its own archive (decoded as the archiver
    wrote it: UTF-8 when flagged, else GBK as Chinese Windows writes it), its bytes (None when
    refused), and, for a member that is an archive itself, its own members."""
    name: str
    data: bytes | None
    size: int                       # bytes as extracted, or as declared when refused
    compressed: int
    status: str                     # MemberStatus
    reason: str | None = None
    refusal: str | None = None      # a refused member's ParseStatus: encrypted, too_large, corrupt
    media_type: str | None = None
    members: list["Member"] = field(default_factory=list)


@dataclass
class _Budget:
    left: int = field(default_factory=lambda: MAX_TOTAL_BYTES)


class ArchiveError(ValueError):
    """The archive itself cannot be read (not a zip, a damaged directory)."""


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its archiver meant it: zipfile decodes names without the UTF-8 flag
    as CP437; Chinese Windows tools write GBK there."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", "replace")
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return info.filename


_UNSAFE = re.compile(r"(^|[\\/])\.\.([\\/]|$)|^[\\/]|^[A-Za-z]:")


def unsafe_name(name: str) -> bool:
    """A name that would land outside the archive's folder: ``../``, ``/etc``, ``C:\\``."""
    return bool(_UNSAFE.search(name))


def unpack(data: bytes, depth: int = 1, budget: _Budget | None = None) -> list[Member]:
    """Every file member of the zip ``data`` (directories skipped), nested archives opened."""
    budget = budget or _Budget()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise ArchiveError(f"not a readable zip: {e}") from e
    if len(infos) > MAX_MEMBERS:
        raise ArchiveError(f"{len(infos)} members, more than {MAX_MEMBERS}: not opened (a zip bomb?)")
    members = []
    for info in infos:
        members.append(_member(zf, info, depth, budget))
    return members


def _refused(info: zipfile.ZipInfo, name: str, reason: str, refusal: str) -> Member:
    return Member(name, None, info.file_size, info.compress_size, MemberStatus.REFUSED, reason, refusal=refusal)


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, depth: int, budget: _Budget) -> Member:
    name = member_name(info)
    if unsafe_name(name):
        return _refused(info, name, "unsafe name (it climbs out of the archive): not extracted",
                        ParseStatus.UNSUPPORTED)
    if info.flag_bits & 0x1:
        return _refused(info, name, "encrypted (password-protected): not opened", ParseStatus.ENCRYPTED)
    declared = _limit_problem(info.file_size, info.compress_size, budget)
    if declared:
        return _refused(info, name, declared + " (as the archive's directory declares): not inflated",
                        ParseStatus.TOO_LARGE)
    limit = min(MAX_MEMBER_BYTES, budget.left)
    try:
        with zf.open(info) as f:
            body = f.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as e:
        return _refused(info, name, f"damaged: {e}", ParseStatus.CORRUPT)
    if len(body) > limit:   # (zipfile stops at the declared size; this is the budget's limit)
        return _refused(info, name, f"inflates to more than {limit} bytes: not kept", ParseStatus.TOO_LARGE)
    budget.left -= len(body)
    media_type = sniff_media_type(body)
    member = Member(name, body, len(body), info.compress_size, MemberStatus.EXTRACTED, media_type=media_type)
    if media_type in ARCHIVES:
        if depth >= MAX_DEPTH:
            member.reason = f"an archive nested deeper than {MAX_DEPTH} levels: its members not opened"
        else:
            try:
                member.members = unpack(body, depth + 1, budget)
            except ArchiveError as e:
                member.reason = str(e)
    return member


def _limit_problem(size: int, compressed: int, budget: _Budget) -> str | None:
    if size > MAX_MEMBER_BYTES:
        return f"{size} bytes, more than {MAX_MEMBER_BYTES}"
    if size > budget.left:
        return f"{size} bytes, beyond the {MAX_TOTAL_BYTES} bytes one attachment may unpack to"
    if size > RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1):
        return f"inflates {size // max(compressed, 1)} times ({compressed} -> {size} bytes): a zip bomb"
    return None


def walk(members: list[Member], prefix: str = ""):
    """(path, member) of every member at every depth; a nested member's path is its archive's
    path, ``#``, then its own name."""
    for m in members:
        path = f"{prefix}#{m.name}" if prefix else m.name
        yield path, m
        yield from walk(m.members, path)


def extract_archive(data: bytes):
    """Parsing an archive: it is no report itself, its members are (``archive/unpack.py``
    stores each as a document of its own). Always raises ParseError, saying what it holds."""
    try:
        members = list(walk(unpack(data)))
    except ArchiveError as e:
        raise ParseError(ParseStatus.CORRUPT, f"an archive: {e}") from e
    kept = [p for p, m in members if m.status == MemberStatus.EXTRACTED and m.media_type not in ARCHIVES]
    refused = [(p, m) for p, m in members if m.status == MemberStatus.REFUSED]
    said = "; ".join(f"{p}: {m.reason}" for p, m in refused[:5])
    if not kept and refused:
        # the status of the report's document: what every refusal was, else the gravest one
        kinds = {m.refusal for _, m in refused}
        status = next(s for s in (ParseStatus.TOO_LARGE, ParseStatus.CORRUPT, ParseStatus.ENCRYPTED,
                                  ParseStatus.UNSUPPORTED) if s in kinds) if len(kinds) > 1 else kinds.pop()
        raise ParseError(status, f"an archive whose {len(refused)} member(s) were refused: {said}")
    if not kept:
        raise ParseError(ParseStatus.EMPTY, "an archive with no file in it")
    names = ", ".join(posixpath.basename(p) for p in kept[:5])
    raise ParseError(ParseStatus.UNSUPPORTED, f"an archive: its {len(kept)} document(s) are parsed as documents "
                     f"of their own ({names})" + (f"; {len(refused)} refused: {said}" if refused else ""))

"""Media type from the bytes themselves.

Servers label attachments badly (PDFs as text/html, DOCX as application/octet-stream), so the
archive and the parser both trust magic bytes, never the Content-Type or the file name.
"""
from __future__ import annotations

import io
import re
import zipfile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"
OLE2 = "application/msword"  # .doc (also .xls/.wps: OLE2 alone cannot tell them apart)
HTML = "text/html"
TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
TIFF = "image/tiff"
BMP = "image/bmp"
OFD = "application/ofd"  # GB/T 33190: a zip whose root holds OFD.xml
JSON = "application/json"  # a CMS API's answer: an article of a single-page app, its body inside
OCTET = "application/octet-stream"

_HTML_RE = re.compile(rb"<(!doctype\s+html|html|head|body|meta|title|table|div|p)[\s>/]", re.I)


def sniff_media_type(data: bytes) -> str:
    head = data[:2048]
    if b"%PDF-" in data[:1024]:  # some servers prepend junk before the header
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE2
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"BM") and len(head) > 18 and head[14:18] in (
            b"\x0c\x00\x00\x00", b"(\x00\x00\x00", b"l\x00\x00\x00", b"|\x00\x00\x00"):
        return BMP
    if not data:
        return OCTET
    text_head = _decode_head(head)
    if text_head is None:
        return OCTET
    if text_head.lstrip("\ufeff \t\r\n")[:1] in ("{", "[") and _is_json(data):
        return JSON
    if _HTML_RE.search(text_head.lstrip("\ufeff \t\r\n").encode("utf-8", "replace")[:1024]):
        return HTML
    return TEXT


def _is_json(data: bytes) -> bool:
    import json
    try:
        json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def _sniff_zip(data: bytes) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return ZIP  # a truncated zip still *is* a zip; the parser reports it as corrupt
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if any(n.lstrip("/").lower() == "ofd.xml" for n in names):
        return OFD
    return ZIP


# control characters but tab, line feed, form feed and carriage return: binary, not text
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _decode_head(head: bytes) -> str | None:
    """The head as text if it is UTF-8 / UTF-16 / GB18030 text without binary control bytes."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    for enc in ("utf-8", "gb18030"):
        try:
            text = _decode_prefix(head, enc)
        except UnicodeDecodeError:
            continue
        if len(_CONTROLS.findall(text)) <= len(text) // 100:
            return text
        return None
    return None


def _decode_prefix(head: bytes, enc: str) -> str:
    # a 2048-byte head may end inside a multi-byte character: allow dropping 3 trailing bytes
    cuts = range(4) if len(head) == 2048 else range(1)
    for cut in cuts:
        try:
            return head[:len(head) - cut].decode(enc)
        except UnicodeDecodeError as e:
            error = e
    raise error

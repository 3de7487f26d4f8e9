"""Which encoding a Chinese government page is really in.

Declarations are often missing or wrong: GBK bytes served as ``charset=UTF-8``,
a ``<meta charset="utf-8">`` over GB2312 bytes, or nothing at all. The rule:
GB2312/GBK/GB18030 declarations mean GB18030 (the superset); a declaration is
believed only when the bytes decode under it; with no usable declaration, bytes
that decode as UTF-8 are UTF-8 and anything else is GB18030.
"""
from __future__ import annotations

import re

_GB = {"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def _norm(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    if name in _GB:
        return "gb18030"
    if name in ("utf8", "utf-8"):
        return "utf-8"
    if name in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "windows-1252"):
        return "cp1252"  # servers' default when nobody set anything: not a real declaration
    return name


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def declared(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """(charset in the Content-Type header, charset in the first <meta> with one), normalised."""
    header = _HEADER.search(content_type or "")
    meta = _META.search(body[:4096])
    return (_norm(header.group(1)) if header else None,
            _norm(meta.group(1).decode("ascii", "replace")) if meta else None)


def choose_encoding(body: bytes, content_type: str | None = None) -> str:
    """The encoding to decode ``body`` with (``utf-8``, ``gb18030`` or another declared one)."""
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    header, meta = declared(body, content_type)
    for candidate in (header, meta):
        if candidate and candidate != "cp1252" and _decodes(body, candidate):
            return candidate
    if _decodes(body, "utf-8"):
        return "utf-8"
    if _decodes(body, "gb18030"):
        return "gb18030"
    # undecodable either way: the declaration if any, else GB18030 with replacement characters
    return next((c for c in (header, meta) if c and c != "cp1252"), "gb18030")

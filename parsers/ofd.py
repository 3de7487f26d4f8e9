"""OFD (GB/T 33190-2016, the national fixed-layout e-document format) -> grids + text.

An OFD is a zip of XML: ``OFD.xml`` names the document root (``Doc_0/Document.xml``), which
lists the pages; each page's ``Content.xml`` holds layers of ``TextObject`` (a ``Boundary``
``x y w h`` in millimetres and ``TextCode`` runs) and ``PathObject`` (``AbbreviatedData``
``M x y L x y …`` relative to its boundary). Tables are drawn as path lines, exactly like a
PDF: the lines become cells with pdfplumber's edge algorithm (``layout.py``, shared with OCR), text runs go
to the cell holding their centre, and everything else is the page text. Coordinates are
converted to points so bboxes read like those of PDFs.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile

from lxml import etree

from .docx import check_zip
from .grid import Extracted
from .layout import Word, rulings_to_tables, table_grids, text_with_tables
from .model import ParseError
from .normalize import fix_radicals
from .sniff import OFD
from .vocab import ParseStatus

MM = 72 / 25.4
MAX_PAGES = 300
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(el, name):
    return next((c for c in el.iter() if _local(c.tag) == name), None)


def _read(z: zipfile.ZipFile, path: str) -> etree._Element:
    path = path.lstrip("/")
    try:
        return etree.fromstring(z.read(path), _PARSER)
    except KeyError as e:
        raise ParseError(ParseStatus.CORRUPT, f"OFD member missing: {path}") from e


def _nums(text: str | None) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?", text or "")]


def extract_ofd(data: bytes) -> Extracted:
    check_zip(data)
    z = zipfile.ZipFile(io.BytesIO(data))
    names = {n.lstrip("/").lower(): n for n in z.namelist()}
    root = _read(z, names.get("ofd.xml", "OFD.xml"))
    doc_root = _find(root, "DocRoot")
    if doc_root is None or not (doc_root.text or "").strip():
        raise ParseError(ParseStatus.CORRUPT, "OFD.xml names no DocRoot")
    doc_path = doc_root.text.strip().lstrip("/")
    document = _read(z, doc_path)
    base = posixpath.dirname(doc_path)
    title = None
    info = _find(root, "Title")
    if info is not None and (info.text or "").strip():
        title = info.text.strip()
    pages = [p for p in document.iter() if _local(p.tag) == "Page" and p.get("BaseLoc")]
    if len(pages) > MAX_PAGES:
        raise ParseError(ParseStatus.TOO_LARGE, f"{len(pages)} pages")
    page_texts, grids = [], []
    for number, page in enumerate(pages, start=1):
        loc = page.get("BaseLoc").lstrip("/")
        path = loc if loc.startswith(base + "/") or not base else posixpath.join(base, loc)
        words, edges = _page_objects(_read(z, path))
        horizontal = [e for e in edges if e[0] == "h"]
        vertical = [e for e in edges if e[0] == "v"]
        tables = rulings_to_tables([(a, b, y) for _, a, b, y in horizontal],
                                   [(x, a, b) for _, a, b, x in vertical], block=1)
        # an OFD's text runs are exact: no repair, no confidences
        page_grids, rest = table_grids(tables, words, number, 1.0)
        page_texts.append(fix_radicals(text_with_tables(rest, page_grids, tables)))
        grids.extend(page_grids)
    if not pages:
        raise ParseError(ParseStatus.EMPTY, "OFD without pages")
    return Extracted(OFD, grids, page_texts, pages=len(pages), title_hint=title)


def _page_objects(content) -> tuple[list[Word], list[tuple]]:
    """Text runs as Words and straight path segments as ('h'|'v', a, b, pos), in points."""
    words: list[Word] = []
    edges: list[tuple] = []
    for el in content.iter():
        kind = _local(el.tag)
        if kind == "TextObject":
            x, y, w, h = (_nums(el.get("Boundary")) + [0, 0, 0, 0])[:4]
            size = (_nums(el.get("Size")) or [h])[0]
            for code in el:
                if _local(code.tag) != "TextCode" or not (code.text or "").strip():
                    continue
                cx = x + ((_nums(code.get("X")) or [0])[0])
                cy = y + ((_nums(code.get("Y")) or [size])[0])
                deltas = _expand_deltas(code.get("DeltaX"), len(code.text))
                # the boundary's width when given (digits are half-width), else the advances
                width = w if w > 0 else (sum(deltas) + size if deltas else size * len(code.text))
                words.append(Word(code.text, cx * MM, (cy - size) * MM, (cx + width) * MM,
                                  cy * MM, (0, 0, 0), 100.0))
        elif kind == "PathObject":
            bx, by = (_nums(el.get("Boundary")) + [0, 0])[:2]
            data = _find(el, "AbbreviatedData")
            edges.extend(_segments(data.text if data is not None else "", bx, by))
    return words, edges


def _expand_deltas(value: str | None, n: int) -> list[float]:
    """DeltaX "g 3 4.5 2" = 4.5, 4.5, 4.5, 2 (the 'g' repeat notation of GB/T 33190)."""
    if not value:
        return []
    tokens, out = value.split(), []
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            out += [float(tokens[i + 2])] * int(float(tokens[i + 1]))
            i += 3
        else:
            try:
                out.append(float(tokens[i]))
            except ValueError:
                pass
            i += 1
    return out[:max(0, n - 1)]


def _segments(data: str, bx: float, by: float) -> list[tuple]:
    out = []
    tokens = (data or "").split()
    cur = start = None
    i = 0
    while i < len(tokens):
        op = tokens[i]
        if op in ("M", "L") and i + 2 < len(tokens):
            try:
                pt = (float(tokens[i + 1]) + bx, float(tokens[i + 2]) + by)
            except ValueError:
                break
            if op == "L" and cur is not None:
                out.append(_edge(cur, pt))
            else:
                start = pt
            cur = pt
            i += 3
        elif op == "C" and cur is not None and start is not None:
            out.append(_edge(cur, start))
            cur = start
            i += 1
        else:
            i += 1
    return [e for e in out if e]


def _edge(a, b):
    (x0, y0), (x1, y1) = a, b
    if abs(y0 - y1) < 0.2 and abs(x1 - x0) > 1:
        return ("h", min(x0, x1) * MM, max(x0, x1) * MM, y0 * MM)
    if abs(x0 - x1) < 0.2 and abs(y1 - y0) > 1:
        return ("v", min(y0, y1) * MM, max(y0, y1) * MM, x0 * MM)
    return None

"""PDF -> grids + text.

Tables come from pdfplumber's ruling-line finder (``find_tables``), so every cell keeps its page
and bbox. Text comes from pypdfium2: 15-40x faster than pdfminer and it normalises fonts that
pdfminer misreads (TECH-NOTES "PDFs"); pdfplumber's text is only the fallback.

The ruling lines and characters pdfplumber's finder reads are, on most pages, built from the
objects pdfium has already parsed (``pdfium_page.py``): the same table algorithm without
pdfminer's content-stream interpreter, 3-4x faster. Whenever that page could read differently
(fonts, fake bold, rotation, pdfium's doubts) pdfplumber reads the page itself, as before.
"""
from __future__ import annotations

import functools
import io
import re

import pdfplumber
import pypdfium2 as pdfium
from pdfplumber.utils import dedupe_chars as _dedupe
from pdfminer.pdfdocument import PDFPasswordIncorrect

from .grid import Extracted, Grid, GridRow
from .model import ParseError
from .normalize import fix_radicals
from .pdfium_page import (FastPage, extract_table, find_tables, fonts_unsure, read_page,
                          streams_unsure)
from .sniff import PDF
from .vocab import Method, ParseStatus

MAX_PAGES = 300  # reports run 3-30 pages; hundreds means a bundle or a trap


MAX_OCR_PAGES = 60  # a scanned report runs 3-30 pages; OCR costs ~3 s a page
GARBAGE_SHARE = 0.15  # a page whose text is more unreadable than this is not trusted
_CID = re.compile(r"\(cid:\d+\)")
_WHITE_SPACE = frozenset(" \t\n\r\f\u00a0\u3000")


def _unreadable(ch: str) -> bool:
    """A character no Chinese report prints: U+FFFD, private use, control characters, and the
    accented Latin letters and typographic oddments (‡ ƒ ™ …) that glyph codes of an unmapped
    font turn into when read as a single-byte encoding."""
    code = ord(ch)
    return (ch == "\ufffd" or 0xE000 <= code <= 0xF8FF or code < 32 or 0x7F <= code <= 0x9F
            or 0xC0 <= code <= 0x24F or ch in "‡†ƒ™‰‹›¤¦¨¯´¸¹²³ªº¬")


def garbage_share(text: str) -> float:
    """Share of unreadable characters in a page's text (0 = clean, 1 = all garbage).

    Counted as unreadable: ``(cid:NNN)`` codes of fonts without a ToUnicode map (each code
    counts as one character), U+FFFD, private-use and control characters, and characters
    doubled by fake bold (``政政府府``: the second of each identical pair, when pairs are the
    rule rather than the exception).
    """
    cids = len(_CID.findall(text))
    text = _CID.sub("", text)
    # str.isspace() also holds for \x1c-\x1f, which unmapped glyphs come out as: only real
    # white space is left out of the count
    chars = [ch for ch in text if ch not in _WHITE_SPACE]
    total = len(chars) + cids
    if total == 0:
        return 0.0
    bad = cids + sum(1 for ch in chars if _unreadable(ch))
    pairs = sum(1 for a, b in zip(chars, chars[1:]) if a == b and "\u4e00" <= a <= "\u9fff")
    if len(chars) >= 20 and pairs / len(chars) > 0.3:
        bad += pairs
    return bad / total


_garbage = functools.lru_cache(maxsize=64)(garbage_share)  # a page's text is asked up to 4x


def _cells_garbage(grids: list[Grid]) -> bool:
    cells = [c for g in grids for r in g.rows for c in r.cells if c]
    return garbage_share("".join(cells)) > GARBAGE_SHARE if cells else False


def _doubled(text: str) -> bool:
    chars = [ch for ch in text if not ch.isspace()]
    pairs = sum(1 for a, b in zip(chars, chars[1:]) if a == b)
    return len(chars) >= 10 and pairs / len(chars) > 0.1


def extract_pdf(data: bytes, allow_ocr: bool = True) -> Extracted:
    doc = _open_pdfium(data)
    try:
        return _extract(data, doc, allow_ocr)
    finally:
        doc.close()


def _extract(data: bytes, doc: pdfium.PdfDocument, allow_ocr: bool) -> Extracted:
    page_texts, title, ruled, fast = _pdfium_text(doc)
    grids_by_page: dict[int, list[Grid]] = {}
    suspect: list[int] = []  # pages whose text layer is missing or garbage
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect as e:
        raise ParseError(ParseStatus.ENCRYPTED, "PDF needs a password") from e
    except Exception as e:
        if "password" in str(e).lower() or "encrypt" in str(e).lower():
            raise ParseError(ParseStatus.ENCRYPTED, str(e)) from e
        raise ParseError(ParseStatus.CORRUPT, f"pdfplumber: {e}") from e
    with pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise ParseError(ParseStatus.TOO_LARGE, f"{len(pdf.pages)} pages")
        if len(pdf.pages) != len(ruled):
            fast = {}  # the two parsers disagree on the pages: no page-by-page shortcut
        for number, fp in fast.items():  # before pdfminer decodes any stream (a fallback page)
            if not fp.unsure:
                fp.unsure = _streams_unsure(pdf.pages[number - 1])
        for number, page in enumerate(pdf.pages, start=1):
            while number > len(page_texts):
                page_texts.append("")
            text = page_texts[number - 1]
            if number - 1 < len(ruled) and not ruled[number - 1] and text.strip() \
                    and _garbage(text) <= GARBAGE_SHARE:
                # no ruling drawn on the page: pdfplumber's ruling finder cannot find a table
                # there, and the fast pdfium text is good - skip pdfminer's layout analysis
                grids_by_page[number] = []
                continue
            grids = _fast_grids(fast.get(number), page, number, text)
            if grids is None:  # pdfplumber itself (pdfminer's layout analysis)
                if _doubled(text):
                    page = page.dedupe_chars()  # fake bold prints every glyph twice
                grids = page_to_grids(page, number)
            grids_by_page[number] = grids
            if not text.strip() or _garbage(text) > GARBAGE_SHARE:
                # the other text layer: pdfminer reads some fonts pdfium cannot, and dedupes
                other = page.extract_text() or ""
                if other.strip() and _garbage(other) <= GARBAGE_SHARE:
                    text = other
                elif _garbage(other) < _garbage(text) or not text.strip():
                    text = other
                page_texts[number - 1] = text
            if (not text.strip() or _garbage(text) > GARBAGE_SHARE
                    or _cells_garbage(grids_by_page[number])):
                suspect.append(number)
    ocr_pages: list[int] = []
    suspect = _worth_ocr(doc, suspect, page_texts) if allow_ocr else []
    if suspect:
        if len(suspect) > MAX_OCR_PAGES:
            raise ParseError(ParseStatus.TOO_LARGE, f"{len(suspect)} pages would need OCR")
        from .ocr import ocr_pdf_pages

        for number, (text, grids) in ocr_pdf_pages(data, suspect).items():
            page_texts[number - 1] = text
            grids_by_page[number] = grids
            ocr_pages.append(number)
    if not any(t.strip() for t in page_texts):
        raise ParseError(ParseStatus.EMPTY, "no text layer, and OCR found no text")
    method = Method.TEXT if not ocr_pages else (Method.OCR if len(ocr_pages) == len(page_texts) else Method.MIXED)
    grids = [g for n in sorted(grids_by_page) for g in grids_by_page[n]]
    return Extracted(PDF, grids, [fix_radicals(t) for t in page_texts],
                     pages=len(page_texts), title_hint=title, ocr_pages=sorted(ocr_pages),
                     method=method)


def _fast_grids(fp: FastPage | None, page, number: int, text: str) -> list[Grid] | None:
    """The page's grids from pdfium's objects (pdfium_page.py), or None when pdfplumber must
    read the page: the fast objects were unsure, the fonts may read differently in pdfminer,
    the page is fake bold (pdfplumber would dedupe), or the cells come out unreadable."""
    if fp is None or fp.unsure:
        return None
    try:
        if fonts_unsure(page.page_obj.resources) or page.rotation \
                or tuple(page.mediabox[:2]) != (0, 0) or abs(page.height - fp.height) > 0.01:
            return None
        if page.height != fp.height or page.width != fp.width:
            fp.flip(page.width, page.height)  # pdfplumber's double, not pdfium's float32
        if _doubled(text) and len(_dedupe(fp.chars, tolerance=1.5, extra_attrs=None)) \
                != len(fp.chars):
            return None  # pdfplumber's dedupe_chars would drop characters: let it
        grids = []
        for table in find_tables(fp):
            rows, texts = extract_table(table, fp.chars)
            grids.append(Grid([GridRow(list(cells), number, list(row.cells))
                               for cells, row in zip(texts, rows)]))
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - the fast path is never the reason a parse fails
        return None
    if _cells_garbage(grids) or any("(cid:" in (c or "") for g in grids for r in g.rows
                                    for c in r.cells):
        return None
    return grids


def _streams_unsure(page) -> str | None:
    try:
        return streams_unsure(page.page_obj)
    except MemoryError:
        raise
    except Exception as e:  # noqa: BLE001 - a damaged page dictionary: pdfplumber's to judge
        return f"streams: {type(e).__name__}"


def _open_pdfium(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        message = str(e)
        if "password" in message.lower():
            raise ParseError(ParseStatus.ENCRYPTED, message) from e
        raise ParseError(ParseStatus.CORRUPT, message) from e


def _worth_ocr(doc: pdfium.PdfDocument, suspect: list[int], page_texts: list[str]) -> list[int]:
    """The ``suspect`` pages worth OCR: those that hold something to read (an image, or glyphs
    drawn as paths, or some text); a blank text-less page stays blank."""
    keep = []
    for number in suspect:
        page = doc[number - 1]
        drawn = any(obj.type in (pdfium.raw.FPDF_PAGEOBJ_IMAGE, pdfium.raw.FPDF_PAGEOBJ_PATH)
                    for obj in page.get_objects(max_depth=2))
        page.close()
        if drawn or page_texts[number - 1].strip():
            keep.append(number)
    return keep


def page_to_grids(page, number: int) -> list[Grid]:
    return _tables_to_grids(page.find_tables(), number)


def _tables_to_grids(tables, number: int) -> list[Grid]:
    grids = []
    for table in tables:
        texts = table.extract()
        grid = Grid()
        for cells, row in zip(texts, table.rows):
            grid.rows.append(GridRow(list(cells), number, list(row.cells)))
        grids.append(grid)
    return grids


def _pdfium_text(doc: pdfium.PdfDocument) -> tuple[list[str], str | None, list[bool],
                                                  dict[int, FastPage]]:
    """Page texts, the /Title when it is a report title, which pages draw paths/rules, and
    pdfplumber-compatible objects of the ruled pages whose text is good (the fast path)."""
    if len(doc) > MAX_PAGES:
        raise ParseError(ParseStatus.TOO_LARGE, f"{len(doc)} pages")
    texts, ruled, fast = [], [], {}
    for i in range(len(doc)):
        page = doc[i]
        textpage = page.get_textpage()
        text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
        texts.append(text)
        ruled.append(any(obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH
                         for obj in page.get_objects(max_depth=3)))
        if ruled[-1] and text.strip() and _garbage(text) <= GARBAGE_SHARE:
            try:
                fast[i + 1] = read_page(page, textpage)
            except MemoryError:
                raise
            except Exception:  # noqa: BLE001 - whatever pdfium says, pdfplumber reads the page
                pass
        textpage.close()
        page.close()
    title = (doc.get_metadata_dict().get("Title") or "").strip() or None
    # WPS/Word often leave a template or file name as /Title: trust only a report title
    if title and not re.search(r"(19|20)\d{2}.*(年度报告|年报)", title):
        title = None
    return texts, title, ruled, fast

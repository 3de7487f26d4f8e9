"""PDF -> grids + text.

Tables come from pdfplumber's ruling-line finder (``find_tables``), so every cell keeps its page
and bbox. Text comes from pypdfium2: 15-40x faster than pdfminer and it normalises fonts that
pdfminer misreads (TECH-NOTES "PDFs"); pdfplumber's text is only the fallback.
"""
from __future__ import annotations

import io
import re

import pdfplumber
import pypdfium2 as pdfium
from pdfminer.pdfdocument import PDFPasswordIncorrect

from .grid import Extracted, Grid, GridRow
from .model import ParseError
from .normalize import fix_radicals
from .sniff import PDF

MAX_PAGES = 300  # reports run 3-30 pages; hundreds means a bundle or a trap


MAX_OCR_PAGES = 60  # a scanned report runs 3-30 pages; OCR costs ~3 s a page
GARBAGE_SHARE = 0.15  # a page whose text is more unreadable than this is not trusted
_CID = re.compile(r"\(cid:\d+\)")


def garbage_share(text: str) -> float:
    """Share of unreadable characters in a page's text (0 = clean, 1 = all garbage).

    Counted as unreadable: ``(cid:NNN)`` codes of fonts without a ToUnicode map (each code
    counts as one character), U+FFFD, private-use and control characters, and characters
    doubled by fake bold (``政政府府``: the second of each identical pair, when pairs are the
    rule rather than the exception).
    """
    cids = len(_CID.findall(text))
    text = _CID.sub("", text)
    chars = [ch for ch in text if not ch.isspace()]
    total = len(chars) + cids
    if total == 0:
        return 0.0
    bad = cids + sum(1 for ch in chars if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff"
                     or (ord(ch) < 32))
    pairs = sum(1 for a, b in zip(chars, chars[1:]) if a == b and "\u4e00" <= a <= "\u9fff")
    if len(chars) >= 20 and pairs / len(chars) > 0.3:
        bad += pairs
    return bad / total


def _cells_garbage(grids: list[Grid]) -> bool:
    cells = [c for g in grids for r in g.rows for c in r.cells if c]
    return garbage_share("".join(cells)) > GARBAGE_SHARE if cells else False


def _doubled(text: str) -> bool:
    chars = [ch for ch in text if not ch.isspace()]
    pairs = sum(1 for a, b in zip(chars, chars[1:]) if a == b)
    return len(chars) >= 10 and pairs / len(chars) > 0.1


def extract_pdf(data: bytes, allow_ocr: bool = True) -> Extracted:
    page_texts, title, ruled = _pdfium_text(data)
    grids_by_page: dict[int, list[Grid]] = {}
    suspect: list[int] = []  # pages whose text layer is missing or garbage
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect as e:
        raise ParseError("encrypted", "PDF needs a password") from e
    except Exception as e:
        if "password" in str(e).lower() or "encrypt" in str(e).lower():
            raise ParseError("encrypted", str(e)) from e
        raise ParseError("corrupt", f"pdfplumber: {e}") from e
    with pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise ParseError("too_large", f"{len(pdf.pages)} pages")
        for number, page in enumerate(pdf.pages, start=1):
            while number > len(page_texts):
                page_texts.append("")
            text = page_texts[number - 1]
            if number - 1 < len(ruled) and not ruled[number - 1] and text.strip() \
                    and garbage_share(text) <= GARBAGE_SHARE:
                # no ruling drawn on the page: pdfplumber's ruling finder cannot find a table
                # there, and the fast pdfium text is good - skip pdfminer's layout analysis
                grids_by_page[number] = []
                continue
            if _doubled(text):
                page = page.dedupe_chars()  # fake bold prints every glyph twice
            grids_by_page[number] = page_to_grids(page, number)
            if not text.strip() or garbage_share(text) > GARBAGE_SHARE:
                # the other text layer: pdfminer reads some fonts pdfium cannot, and dedupes
                other = page.extract_text() or ""
                if other.strip() and garbage_share(other) <= GARBAGE_SHARE:
                    text = other
                elif garbage_share(other) < garbage_share(text) or not text.strip():
                    text = other
                page_texts[number - 1] = text
            if (not text.strip() or garbage_share(text) > GARBAGE_SHARE
                    or _cells_garbage(grids_by_page[number])):
                suspect.append(number)
    ocr_pages: list[int] = []
    if suspect and allow_ocr and _worth_ocr(data, suspect, page_texts):
        if len(suspect) > MAX_OCR_PAGES:
            raise ParseError("too_large", f"{len(suspect)} pages would need OCR")
        from .ocr import ocr_pdf_pages

        for number, (text, grids) in ocr_pdf_pages(data, suspect).items():
            page_texts[number - 1] = text
            grids_by_page[number] = grids
            ocr_pages.append(number)
    if not any(t.strip() for t in page_texts):
        raise ParseError("empty", "no text layer, and OCR found no text")
    method = "text" if not ocr_pages else ("ocr" if len(ocr_pages) == len(page_texts) else "mixed")
    grids = [g for n in sorted(grids_by_page) for g in grids_by_page[n]]
    return Extracted(PDF, grids, [fix_radicals(t) for t in page_texts],
                     pages=len(page_texts), title_hint=title, ocr_pages=sorted(ocr_pages),
                     method=method)


def _worth_ocr(data: bytes, suspect: list[int], page_texts: list[str]) -> bool:
    """OCR only pages that hold something to read (an image, or glyphs drawn as paths):
    a blank text-less page stays blank."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return False
    try:
        keep = []
        for number in suspect:
            page = doc[number - 1]
            drawn = any(obj.type in (pdfium.raw.FPDF_PAGEOBJ_IMAGE, pdfium.raw.FPDF_PAGEOBJ_PATH)
                        for obj in page.get_objects(max_depth=2))
            page.close()
            if drawn or page_texts[number - 1].strip():
                keep.append(number)
        suspect[:] = keep
        return bool(keep)
    finally:
        doc.close()


def page_to_grids(page, number: int) -> list[Grid]:
    grids = []
    for table in page.find_tables():
        texts = table.extract()
        grid = Grid()
        for cells, row in zip(texts, table.rows):
            grid.rows.append(GridRow(list(cells), number, list(row.cells)))
        grids.append(grid)
    return grids


def _pdfium_text(data: bytes) -> tuple[list[str], str | None, list[bool]]:
    """Page texts, the /Title when it is a report title, and which pages draw paths/rules."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        message = str(e)
        if "password" in message.lower():
            raise ParseError("encrypted", message) from e
        raise ParseError("corrupt", message) from e
    try:
        if len(doc) > MAX_PAGES:
            raise ParseError("too_large", f"{len(doc)} pages")
        texts, ruled = [], []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            textpage.close()
            ruled.append(any(obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH
                             for obj in page.get_objects(max_depth=3)))
            page.close()
        title = (doc.get_metadata_dict().get("Title") or "").strip() or None
        # WPS/Word often leave a template or file name as /Title: trust only a report title
        if title and not re.search(r"(19|20)\d{2}.*(年度报告|年报)", title):
            title = None
        return texts, title, ruled
    finally:
        doc.close()

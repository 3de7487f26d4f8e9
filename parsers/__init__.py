"""Parse one annual disclosure report (PDF, DOCX, HTML or text bytes) into facts and checks.

    from parsers import parse_document
    report = parse_document(open("report.pdf", "rb").read())
    report.to_json()

Pipeline: sniff -> format module (pdf/docx/html/plaintext: bytes -> grids + text) ->
tables.grids_to_facts (by meaning, codes.py) -> checks.compute_checks -> meta (title, dates).
"""
from __future__ import annotations

import re

from . import docx as _docx
from . import html as _html
from . import ocr as _ocr
from . import ofd as _ofd
from . import pdf as _pdf
from . import plaintext as _plaintext
from .checks import compute_checks
from .convert import libreoffice_convert
from .grid import Extracted
from .meta import (count_section_headings, find_agency, find_document_number, find_published,
                   find_sections, find_title, find_year, text_lines)
from .model import PARSER_VERSION, Check, Fact, ParsedReport, ParseError, Section
from .normalize import text_fingerprint
from .sentences import sentence_facts
from .sniff import (DOCX, GIF, HTML, JPEG, OFD, OLE2, PDF, PNG, TEXT, TIFF, BMP,
                    sniff_media_type)
from .tables import grids_to_facts, layout_version

__all__ = ["parse_document", "sniff_media_type", "ParsedReport", "Fact", "Check", "ParseError",
           "PARSER_VERSION"]

MAX_BYTES = 100 * 1024 * 1024  # nothing a 人防办 publishes comes near this

def _extract_ole2(data: bytes) -> Extracted:
    """Word 97-2003 .doc and Kingsoft WPS .wps (both OLE2): LibreOffice -> DOCX -> docx.py."""
    if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in data[:1 << 20] and \
            b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" not in data[:1 << 20]:
        raise ParseError("unsupported", "an OLE2 spreadsheet (.xls/.et), not a text document")
    converted = libreoffice_convert(data, "doc", "docx")
    ex = _docx.extract_docx(converted)
    ex.media_type = OLE2
    ex.method = "libreoffice"
    return ex


def _extract_image(data: bytes) -> Extracted:
    pages = _ocr.ocr_image_bytes(data)
    texts = [text for text, _ in pages]
    grids = [g for _, page_grids in pages for g in page_grids]
    return Extracted(sniff_media_type(data), grids, texts, pages=len(pages),
                     ocr_pages=list(range(1, len(pages) + 1)), method="ocr")


_EXTRACTORS = {
    PDF: _pdf.extract_pdf,
    DOCX: _docx.extract_docx,
    HTML: _html.extract_html,
    TEXT: _plaintext.extract_text,
    OLE2: _extract_ole2,
    OFD: _ofd.extract_ofd,
    PNG: _extract_image,
    JPEG: _extract_image,
    GIF: _extract_image,
    TIFF: _extract_image,
    BMP: _extract_image,
}


def parse_document(data: bytes, filename: str | None = None) -> ParsedReport:
    """Parse report bytes. Raises ParseError (and only ParseError) when that is impossible.

    ``filename`` is informational only: the type comes from the bytes (sniff.py).
    """
    if not data or not data.strip():
        raise ParseError("empty", "no bytes")
    if len(data) > MAX_BYTES:
        raise ParseError("too_large", f"{len(data)} bytes")
    media_type = sniff_media_type(data)
    extract = _EXTRACTORS.get(media_type)
    if extract is None:
        raise ParseError("unsupported", f"{media_type} ({filename or 'no name'})")
    try:
        extracted = extract(data)
        return _build_report(extracted)
    except ParseError:
        raise
    except MemoryError as e:
        raise ParseError("too_large", "memory limit reached while parsing") from e
    except Exception as e:  # pdfminer/pdfium/docx/lxml raise anything on damaged input
        raise ParseError("corrupt", f"{type(e).__name__}: {e}") from e


def _build_report(ex: Extracted) -> ParsedReport:
    text = ex.text
    if not text.strip() and not ex.grids:
        raise ParseError("empty", "no text (a blank scan?)")
    facts = grids_to_facts(ex.grids)
    lines = text_lines(text)
    if not facts and not _looks_like_report(ex, text):
        raise ParseError("not_report", "no disclosure tables and no report wording")
    title = find_title(lines, ex.title_hint)
    year = find_year(title, text)
    version = layout_version(facts)
    if year is not None and year < 2019:
        version = "pre2019"  # the national layout begins with the 2019 reports
    elif version is None:
        version = ("2021" if year and year >= 2021 else "2019") if facts else "pre2019"
    if version == "pre2019":
        # free-text reports: only the figures a sentence states plainly, never guessed ones
        have = {(f.table, f.row, f.column) for f in facts}
        facts += [f for f in sentence_facts(ex.page_texts, bool(ex.pages))
                  if (f.table, f.row, f.column) not in have]
    return ParsedReport(
        title=title,
        agency=find_agency(title, lines, ex.agency_hint),
        year=year,
        format_version=version,
        published=find_published(lines, ex.date_hint),
        document_number=find_document_number(lines),
        media_type=ex.media_type,
        pages=ex.pages,
        text=text,
        facts=facts,
        checks=compute_checks(facts),
        text_sha256=text_fingerprint(text),
        method=ex.method,
        ocr_pages=list(ex.ocr_pages),
        sections=[Section(code, heading, body) for code, heading, body in find_sections(text)],
    )


def _looks_like_report(ex: Extracted, text: str) -> bool:
    wording = "政府信息公开" in text and ("年度报告" in text or "年报" in text)
    if ex.media_type != HTML:
        return wording
    # An HTML article page can carry the report's title and only say 详见附件: it is the
    # report's *link*, not the report. Require its body to be the report: section headings,
    # numbered sections of a free outline (一、概述 二、… in pre-2019 reports), or enough prose.
    numbered = len(re.findall(r"^\s*[一二三四五六七八九十]{1,2}、", text, re.M))
    return wording and (count_section_headings(text) >= 2 or numbered >= 2 or len(text) >= 1500)

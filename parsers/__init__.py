"""Parse one annual disclosure report (PDF, DOCX, HTML or text bytes) into facts and checks.

    from parsers import parse_document
    report = parse_document(open("report.pdf", "rb").read())
    report.to_json()

Pipeline: sniff -> format module (pdf/docx/html/plaintext: bytes -> grids + text) ->
tables.grids_to_facts (by meaning, codes.py) -> checks.compute_checks -> meta (title, dates).
"""
from __future__ import annotations

import importlib

from .checks import compute_checks, text_checks, weigh_confidence
from .codes import TEXT_CHECK_SECTIONS
from .grid import Extracted
from .meta import (find_agency, find_document_number, find_published, find_sections, find_title,
                   find_year, is_report, report_evidence, text_lines)
from .model import PARSER_VERSION, Check, Fact, ParsedReport, ParseError, Section
from .normalize import text_fingerprint
from .sentences import sentence_facts
from .sniff import (BMP, DOCX, GIF, HTML, JPEG, JSON, OFD, OLE2, PDF, PNG, TEXT, TIFF, ZIP,
                    sniff_media_type)
from .tables import grids_to_facts, layout_version
from .vocab import ParseStatus

__all__ = ["parse_document", "sniff_media_type", "ParsedReport", "Fact", "Check", "ParseError",
           "PARSER_VERSION"]

MAX_BYTES = 100 * 1024 * 1024  # nothing a 人防办 publishes comes near this

# media type -> "module:function" of its extractor (bytes -> Extracted). A format's module, and
# what it imports (pdfplumber and pypdfium2, python-docx, lxml, the OCR code), is imported only
# when a document of that format is met: parsing one PDF loads nothing for DOCX or HTML.
_EXTRACTORS = {
    PDF: "pdf:extract_pdf",
    DOCX: "docx:extract_docx",
    HTML: "html:extract_html",
    TEXT: "plaintext:extract_text",
    OLE2: "convert:extract_ole2",
    OFD: "ofd:extract_ofd",
    PNG: "ocr:extract_image",
    JPEG: "ocr:extract_image",
    GIF: "ocr:extract_image",
    TIFF: "ocr:extract_image",
    BMP: "ocr:extract_image",
    JSON: "jsonpage:extract_json",     # an app's article: the HTML of its body inside
    ZIP: "archives:extract_archive",   # no report itself: says what it holds (its members are parsed)
}


def load_extractor(media_type: str):
    name = _EXTRACTORS.get(media_type)
    if name is None:
        return None
    module, function = name.split(":")
    return getattr(importlib.import_module(f".{module}", __name__), function)


def parse_document(data: bytes, filename: str | None = None) -> ParsedReport:
    """Parse report bytes. Raises ParseError (and only ParseError) when that is impossible.

    ``filename`` is informational only: the type comes from the bytes (sniff.py).
    """
    if not data or not data.strip():
        raise ParseError(ParseStatus.EMPTY, "no bytes")
    if len(data) > MAX_BYTES:
        raise ParseError(ParseStatus.TOO_LARGE, f"{len(data)} bytes")
    media_type = sniff_media_type(data)
    extract = load_extractor(media_type)
    if extract is None:
        raise ParseError(ParseStatus.UNSUPPORTED, f"{media_type} ({filename or 'no name'})")
    try:
        extracted = extract(data)
        return _build_report(extracted)
    except ParseError:
        raise
    except MemoryError as e:
        raise ParseError(ParseStatus.TOO_LARGE, "memory limit reached while parsing") from e
    except Exception as e:  # pdfminer/pdfium/docx/lxml raise anything on damaged input
        raise ParseError(ParseStatus.CORRUPT, f"{type(e).__name__}: {e}") from e


def _build_report(ex: Extracted) -> ParsedReport:
    text = ex.text
    if not text.strip() and not ex.grids:
        raise ParseError(ParseStatus.EMPTY, "no text (a blank scan?)")
    facts = grids_to_facts(ex.grids)
    lines = text_lines(text)
    if not facts and not is_report(text):
        raise ParseError(ParseStatus.NOT_REPORT, "no disclosure tables and not a report by its substance "
                                       f"(found only: {', '.join(report_evidence(text)) or 'nothing'})")
    title = find_title(lines, ex.title_hint)
    year = find_year(title, text)
    version = layout_version(facts)
    if year is not None and year < 2019:
        version = "pre2019"  # the national layout begins with the 2019 reports
    elif version is None:
        version = ("2021" if year and year >= 2021 else "2019") if facts else "pre2019"
    sections = find_sections(text)
    checks = compute_checks(facts)
    if ex.ocr_pages:
        weigh_confidence(facts, checks)  # a failing total is evidence against unsure readings
    if version == "pre2019":
        # free-text reports: only the figures a sentence states plainly, never guessed ones
        have = {(f.table, f.row, f.column) for f in facts}
        facts += [f for f in sentence_facts(ex.page_texts, bool(ex.pages))
                  if (f.table, f.row, f.column) not in have]
    else:
        # what sections 一-四 say in words, checked against the tables
        prose = [body for code, _, body in sections if code in TEXT_CHECK_SECTIONS]
        checks += text_checks(sentence_facts(prose or [text], False), facts)
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
        checks=checks,
        text_sha256=text_fingerprint(text),
        method=ex.method,
        ocr_pages=list(ex.ocr_pages),
        sections=[Section(code, heading, body) for code, heading, body in sections],
    )

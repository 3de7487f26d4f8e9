"""The typed results of parsing: facts, checks, the report, and the one error type."""
from __future__ import annotations

from dataclasses import dataclass, field

from parsers.vocab import PARSE_FAILURES, Method

# Bump whenever the output for the same input can change (codes, values, checks, metadata).
PARSER_VERSION = "1.6.0"

Number = int | float

#: An OCR'd figure read with less confidence than this (Fact.confidence, 0-1) is not to be
#: trusted without a look at the original: the report page marks it (archive/printed.py).
#: Calibrated on the degraded-scan corpus (benchmarks/ocr_results.md): every wrong figure
#: there is below it (the most confident at 0.50), and 98 % of the exact ones above it.
LOW_CONFIDENCE = 0.9
BBox = tuple[float, float, float, float]


@dataclass
class Fact:
    """One printed cell: (table, row, column) -> value, with where it was printed."""
    table: str
    row: str
    column: str
    value: Number | None
    raw: str | None
    unit: str | None
    page: int | None
    bbox: BBox | None = None
    # OCR'd cells only: how sure the reading is, 0-1 (Tesseract's confidence of the reading
    # kept, 1.0 for a cell seen to hold no ink); None for a text layer or markup
    confidence: float | None = None
    # a figure stated in words (sentences.py): the whole sentence it was read from, its source
    # text (``raw`` is then the words that state the figure: 未收到政府信息公开申请); None for a cell
    sentence: str | None = None

    def to_json(self) -> dict:
        d = {"table": self.table, "row": self.row, "column": self.column, "value": self.value,
             "raw": self.raw, "unit": self.unit, "page": self.page}
        if self.sentence is not None:
            d["sentence"] = self.sentence
        if self.bbox is not None:
            d["bbox"] = [round(v, 2) for v in self.bbox]
        if self.confidence is not None:
            d["confidence"] = round(self.confidence, 3)
        return d


@dataclass
class Check:
    code: str          # e.g. 'applications.balance' (codes.CHECKS)
    key: str           # the column or row code the check is about
    status: str        # a parsers.vocab.CheckStatus
    lhs: Number | None  # the computed sum side
    rhs: Number | None  # the printed total side

    def to_json(self) -> dict:
        return {"code": self.code, "key": self.key, "status": self.status,
                "lhs": self.lhs, "rhs": self.rhs}


@dataclass
class Section:
    """One of the six sections (codes.SECTIONS) as printed: its heading and its text."""
    code: str
    heading: str
    text: str

    def to_json(self) -> dict:
        return {"code": self.code, "heading": self.heading, "chars": len(self.text)}


@dataclass
class ParsedReport:
    title: str | None
    agency: str | None
    year: int | None
    format_version: str          # '2019' | '2021' | 'pre2019'
    published: str | None        # ISO date YYYY-MM-DD
    document_number: str | None  # 文号, e.g. 攀人防发〔2020〕7号
    media_type: str
    pages: int | None
    text: str
    facts: list[Fact] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    # SHA-256 of the normalised text (normalize.text_fingerprint): equal for a re-saved,
    # re-encoded or re-rendered copy of the same report, unlike the SHA-256 of the bytes
    text_sha256: str | None = None
    # how the text and tables were obtained: 'text' (a text layer / markup), 'ocr' (every page
    # OCR'd), 'mixed' (some pages OCR'd: garbage text layer), 'libreoffice' (DOC/WPS converted)
    method: str = Method.TEXT
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages read by OCR
    sections: list[Section] = field(default_factory=list)

    @property
    def ocr(self) -> bool:
        return bool(self.ocr_pages) or self.method in (Method.OCR, Method.MIXED)

    def fact(self, table: str, row: str, column: str) -> Fact | None:
        return next((f for f in self.facts
                     if (f.table, f.row, f.column) == (table, row, column)), None)

    def to_json(self) -> dict:
        return {
            "agency": self.agency, "year": self.year, "format_version": self.format_version,
            "published": self.published, "document_number": self.document_number,
            "title": self.title, "media_type": self.media_type, "pages": self.pages,
            "text_sha256": self.text_sha256, "method": self.method, "ocr": self.ocr,
            "ocr_pages": self.ocr_pages,
            "sections": [s.to_json() for s in self.sections],
            "facts": [f.to_json() for f in self.facts],
            "checks": [c.to_json() for c in self.checks],
        }


#: statuses a parser raises (every parse status is in ``parsers.vocab.ParseStatus``)
PARSE_STATUSES = PARSE_FAILURES


class ParseError(Exception):
    """A document that cannot be parsed; ``status`` is stored as the report's parse status."""

    def __init__(self, status: str, message: str = ""):
        if status not in PARSE_STATUSES:
            raise ValueError(f"unknown parse status {status!r}")
        super().__init__(f"{status}: {message}" if message else status)
        self.status = status
        self.message = message

"""The typed results of parsing: facts, checks, the report, and the one error type."""
from __future__ import annotations

from dataclasses import dataclass, field

# Bump whenever the output for the same input can change (codes, values, checks, metadata).
PARSER_VERSION = "1.0.0"

Number = int | float
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

    def to_json(self) -> dict:
        d = {"table": self.table, "row": self.row, "column": self.column, "value": self.value,
             "raw": self.raw, "unit": self.unit, "page": self.page}
        if self.bbox is not None:
            d["bbox"] = [round(v, 2) for v in self.bbox]
        return d


@dataclass
class Check:
    code: str          # e.g. 'applications.balance' (codes.CHECKS)
    key: str           # the column or row code the check is about
    status: str        # 'pass' | 'fail' | 'unknown'
    lhs: Number | None  # the computed sum side
    rhs: Number | None  # the printed total side

    def to_json(self) -> dict:
        return {"code": self.code, "key": self.key, "status": self.status,
                "lhs": self.lhs, "rhs": self.rhs}


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

    def fact(self, table: str, row: str, column: str) -> Fact | None:
        return next((f for f in self.facts
                     if (f.table, f.row, f.column) == (table, row, column)), None)

    def to_json(self) -> dict:
        return {
            "agency": self.agency, "year": self.year, "format_version": self.format_version,
            "published": self.published, "document_number": self.document_number,
            "title": self.title, "media_type": self.media_type, "pages": self.pages,
            "facts": [f.to_json() for f in self.facts],
            "checks": [c.to_json() for c in self.checks],
        }


PARSE_STATUSES = ("corrupt", "encrypted", "empty", "unsupported", "not_report", "too_large")


class ParseError(Exception):
    """A document that cannot be parsed; ``status`` is stored as the report's parse status."""

    def __init__(self, status: str, message: str = ""):
        if status not in PARSE_STATUSES:
            raise ValueError(f"unknown parse status {status!r}")
        super().__init__(f"{status}: {message}" if message else status)
        self.status = status
        self.message = message

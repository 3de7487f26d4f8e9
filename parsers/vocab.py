"""The words the parsers write into an archive: parse statuses, check results, extraction methods.

One source of truth: every module that writes or tests one of these words imports it from here
(``archive`` and the Datasette site too), and the schema's column descriptions list their allowed
values from these sets. Members are ``str`` enums, so they compare equal to the text stored in
SQLite and can be bound as SQL parameters; :func:`sql_list` spells a set for an SQL ``in (…)``.
This module imports nothing of the project: ``parsers`` stays usable on its own.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Iterable


class ParseStatus(StrEnum):
    """``reports.parse_status`` and ``parses.status``: how reading a report's document ended."""
    PARSED = "parsed"            # tables found: figures and checks
    TEXT_ONLY = "text_only"      # text read, but no national tables in it
    PENDING = "pending"          # stored, not parsed yet
    NO_DOCUMENT = "no_document"  # listed on the portal, no document fetched
    ERROR = "error"              # a parser bug, recorded with its traceback
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    EMPTY = "empty"
    UNSUPPORTED = "unsupported"
    NOT_REPORT = "not_report"
    TOO_LARGE = "too_large"      # the sandbox stopped a worker at its memory limit
    TIMEOUT = "timeout"          # the sandbox stopped a worker at its time limit


#: statuses a parser raises as ``ParseError`` for a document it cannot read
PARSE_FAILURES = frozenset({ParseStatus.CORRUPT, ParseStatus.ENCRYPTED, ParseStatus.EMPTY,
                            ParseStatus.UNSUPPORTED, ParseStatus.NOT_REPORT, ParseStatus.TOO_LARGE,
                            ParseStatus.TIMEOUT})
#: statuses of a document whose text was read (it has sections, perhaps figures)
PARSE_READ = (ParseStatus.PARSED, ParseStatus.TEXT_ONLY)


class MemberStatus(StrEnum):
    """``document_members.status``: what became of one member of an archive (parsers/archives.py)."""
    EXTRACTED = "extracted"      # stored as a document of its own, linked to its archive
    REFUSED = "refused"          # not extracted: encrypted, a bomb, an unsafe name, damaged …


class CheckStatus(StrEnum):
    """``checks.status``: a cross-check of the report's own figures."""
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"          # a figure the check needs is missing


#: two figures are equal when they differ by less than this (figures are integers; sums of
#: parsed decimals may carry float noise)
TOLERANCE = 1e-6


def check_status(lhs: float, rhs: float) -> CheckStatus:
    """The one pass/fail rule of a cross-check: both sides equal within :data:`TOLERANCE`."""
    return CheckStatus.PASS if abs(lhs - rhs) < TOLERANCE else CheckStatus.FAIL


class Method(StrEnum):
    """``parses.method``: how the text of a document was obtained."""
    TEXT = "text"                # the document's own text layer
    OCR = "ocr"                  # every page recognised from its image
    MIXED = "mixed"              # some pages text, some OCR
    LIBREOFFICE = "libreoffice"  # converted to PDF by LibreOffice first


def sql_list(values: Iterable[str]) -> str:
    """``('a', 'b')``: a set of vocabulary words for an SQL ``in`` clause (words are plain
    identifiers, so quoting them is safe)."""
    words = [str(v) for v in values]
    if not all(w.replace("_", "").isalnum() for w in words):
        raise ValueError(f"not vocabulary words: {words!r}")
    return "(" + ", ".join(f"'{w}'" for w in words) + ")"

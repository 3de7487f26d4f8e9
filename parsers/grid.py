"""The common intermediate every format module produces, before meaning is attached.

A document becomes table grids (rows of cell strings; ``None`` for a position covered by a
merged cell, ``''`` for a printed empty cell) plus its text, page by page. ``tables.py`` then
reads the grids by meaning, so nothing here knows about codes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import BBox


@dataclass
class GridRow:
    cells: list[str | None]
    page: int | None = None                    # 1-based, PDFs only
    bboxes: list[BBox | None] | None = None    # one per cell, PDFs only


@dataclass
class Grid:
    rows: list[GridRow] = field(default_factory=list)


@dataclass
class Extracted:
    media_type: str
    grids: list[Grid]
    page_texts: list[str]            # one entry per page (a single entry when unpaginated)
    pages: int | None = None         # page count (PDF only)
    title_hint: str | None = None    # <title>/ArticleTitle, PDF /Title
    date_hint: str | None = None     # ISO date from PubDate-like metadata
    agency_hint: str | None = None   # ContentSource/SiteName-like metadata
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages read by OCR
    method: str = "text"             # text | ocr | mixed | libreoffice (see model.ParsedReport)

    @property
    def text(self) -> str:
        return "\n\f\n".join(self.page_texts) if self.pages else "\n".join(self.page_texts)

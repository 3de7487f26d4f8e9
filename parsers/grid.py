"""The common intermediate every format module produces, before meaning is attached.

A document becomes table grids (rows of cell strings; ``None`` for a position covered by a
merged cell, ``''`` for a printed empty cell) plus its text, page by page. ``tables.py`` then
reads the grids by meaning, so nothing here knows about codes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import BBox
from .vocab import Method


@dataclass
class GridRow:
    cells: list[str | None]
    page: int | None = None                    # 1-based, PDFs only
    bboxes: list[BBox | None] | None = None    # one per cell, PDFs only
    confidences: list[float | None] | None = None  # one per cell (0-1), OCR'd tables only


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
    method: str = Method.TEXT        # a vocab.Method (see model.ParsedReport)

    @property
    def text(self) -> str:
        return "\n\f\n".join(self.page_texts) if self.pages else "\n".join(self.page_texts)


@dataclass
class SpanCell:
    """A printed cell of a markup table (HTML, DOCX, OFD) before it is placed on the grid.

    ``col`` is the grid column when the format states it (DOCX grid columns), else None: the
    cell takes the first position of its row that no earlier cell covers (the HTML table model).
    ``rowspan`` 0 is HTML's ``rowspan="0"`` in a no-quirks document: down to the end of the
    cell's row group.
    """
    text: str
    rowspan: int = 1
    colspan: int = 1
    col: int | None = None


class GridTooLarge(ValueError):
    pass


def place_cells(rows: list[list[SpanCell]], max_cells: int = 200_000,
                group_ends: list[int] | None = None) -> dict[tuple[int, int], SpanCell | None]:
    """Place spanned cells on grid positions, exactly as a browser lays out a table.

    Every cell fills its rowspan x colspan block: the cell itself at the top-left position and
    None on every position it covers. A cell takes the first position of its row no earlier
    cell covers (or its stated column). A rowspan never runs past the last row of its row group
    (``group_ends``: the index after each group's last row, e.g. a ``<thead>``'s; default: the
    whole table is one group), as CSS tables clip it; rowspan 0 runs exactly to that row. Where
    two blocks overlap (a table model error), the earlier cell keeps the position.
    """
    ends = sorted(set(group_ends or ()) | {len(rows)})
    placed: dict[tuple[int, int], SpanCell | None] = {}
    for r, cells in enumerate(rows):
        group_end = next(e for e in ends if e > r)
        c = 0
        for cell in cells:
            if cell.col is not None:
                c = max(c, cell.col)
            while (r, c) in placed:
                c += 1
            rowspan = group_end - r if cell.rowspan <= 0 else min(cell.rowspan, group_end - r)
            colspan = max(1, cell.colspan)
            if len(placed) + rowspan * colspan > max_cells:
                raise GridTooLarge(f"a table of over {max_cells} cells")
            for i in range(rowspan):
                for j in range(colspan):
                    placed.setdefault((r + i, c + j), None)
            placed[(r, c)] = cell
            c += colspan
    return placed


def build_grid(rows: list[list[SpanCell]], max_cells: int = 200_000,
               empty: str | None = "", group_ends: list[int] | None = None) -> Grid:
    """The grid of a table of spanned cells (``place_cells``): the cell's text at its top-left
    position, None where it is covered, ``empty`` where no cell was printed at all. Rows keep
    their own width (up to their last filled position)."""
    placed = place_cells(rows, max_cells, group_ends)
    widths: dict[int, int] = {}
    for r, c in placed:
        widths[r] = max(widths.get(r, 0), c + 1)
    return Grid([GridRow([_text(placed, (r, c), empty) for c in range(widths.get(r, 0))])
                 for r in range(len(rows))])


def _text(placed: dict, pos: tuple[int, int], empty: str | None) -> str | None:
    if pos not in placed:
        return empty
    cell = placed[pos]
    return None if cell is None else cell.text


def boxes_to_spans(boxes: list[BBox], tol: float = 3.0) -> tuple[list[list[SpanCell]], list[list[BBox]]]:
    """Ruled cells (x0, top, x1, bottom), as found from drawn lines (OFD paths, scanned
    rulings), as rows of spanned cells for ``place_cells``: a cell's row and column are where
    its top and left edge fall among all cells' edges, its spans how many of them it covers.
    Returns the rows and, parallel to them, each cell's box."""
    def bounds(values):
        out: list[float] = []
        for v in sorted(values):
            if not out or v - out[-1] > tol:
                out.append(v)
        return out

    tops, lefts = bounds(b[1] for b in boxes), bounds(b[0] for b in boxes)

    def index(bs, v):
        return min(range(len(bs)), key=lambda i: abs(bs[i] - v))

    rows: list[list[tuple[int, SpanCell, BBox]]] = [[] for _ in tops]
    for box in boxes:
        r, c = index(tops, box[1]), index(lefts, box[0])
        rowspan = max(1, sum(1 for t in tops if box[1] - tol <= t < box[3] - tol))
        colspan = max(1, sum(1 for x in lefts if box[0] - tol <= x < box[2] - tol))
        rows[r].append((c, SpanCell("", rowspan, colspan, col=c), box))
    for row in rows:
        row.sort(key=lambda t: t[0])
    return [[cell for _, cell, _ in row] for row in rows], [[b for _, _, b in row] for row in rows]

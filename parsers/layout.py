"""Positioned words and drawn rulings -> table grids and page text.

Two formats give a page as loose words with boxes plus the lines a table is drawn with: a
scanned page (``ocr.py``: Tesseract's word boxes, rulings found in the image) and an OFD page
(``ofd.py``: text runs, path segments). Both go through this module:

1. :func:`rulings_to_tables`: the rulings become cells with pdfplumber's own edge ->
   intersection -> cell -> table code, so merged cells come out exactly as for a PDF with a text
   layer;
2. :func:`table_grids`: every word goes to the cell holding its centre, the cells become a grid
   (``grid.place_cells``, the builder HTML and DOCX use too; covered positions None);
3. :func:`text_with_tables`: the words outside every table are the page's prose, with each
   table's rows (TAB between cells) where the table stands.

Coordinates are the caller's (pixels, points); ``scale`` turns them into PDF points for the
cells' boxes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from .grid import Grid, GridRow, boxes_to_spans, place_cells
from .model import BBox


@dataclass
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    line: tuple       # (block, paragraph, line) of Tesseract's layout
    conf: float = 0.0  # Tesseract's confidence, 0-100


def mean(values: Sequence[float]) -> float:
    """The mean of confidences, 0 for none."""
    return sum(values) / len(values) if values else 0.0


def rulings_to_tables(horizontal, vertical, block: int = 20) -> list[list[BBox]]:
    """Cell boxes (x0, top, x1, bottom) per table, by pdfplumber's algorithm, from horizontal
    ``(x0, x1, y)`` and vertical ``(x, y0, y1)`` rulings. ``block``: how much a segment's ends
    may be short (the OCR's block quantisation loses up to one block at each end)."""
    from pdfplumber.table import (cells_to_tables, edges_to_intersections,
                                  intersections_to_cells, merge_edges)

    edges = []
    for x0, x1, y in horizontal:
        x0, x1 = x0 - block, x1 + block
        edges.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0,
                      "orientation": "h", "object_type": "line"})
    for x, y0, y1 in vertical:
        y0, y1 = y0 - block, y1 + block
        edges.append({"x0": x, "x1": x, "top": y0, "bottom": y1, "width": 0, "height": y1 - y0,
                      "orientation": "v", "object_type": "line"})
    edges = merge_edges(edges, snap_x_tolerance=6, snap_y_tolerance=6,
                        join_x_tolerance=block, join_y_tolerance=block)
    intersections = edges_to_intersections(edges, x_tolerance=6, y_tolerance=6)
    cells = intersections_to_cells(intersections)
    return [t for t in cells_to_tables(cells) if len(t) >= 2]


def table_grids(tables: list[list[BBox]], words: list[Word], page_number: int, scale: float,
                repair: Callable[[str], str] | None = None, confidences: bool = False
                ) -> tuple[list[Grid], list[Word]]:
    """(the tables' grids, top to bottom; the words outside every table).

    A word belongs to the first cell of each table that holds its centre. Each
    cell's words are joined (:func:`join`) and passed through ``repair`` (OCR: digits misread
    as letters); its box is in PDF points (``scale`` times the caller's units). With
    ``confidences`` (OCR) each cell carries its words' mean confidence, 0-1.
    """
    used: set[int] = set()
    grids = []
    for cells in sorted(tables, key=lambda t: min(c[1] for c in t)):
        content: dict[tuple, list[Word]] = {c: [] for c in cells}
        for i, w in enumerate(words):
            cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
            for c in cells:
                if c[0] <= cx <= c[2] and c[1] <= cy <= c[3]:
                    content[c].append(w)
                    used.add(i)
                    break
        grids.append(_grid(cells, content, page_number, scale, repair, confidences))
    return grids, [w for i, w in enumerate(words) if i not in used]


def _grid(cells, content: dict[tuple, list[Word]], page_number: int, scale: float,
          repair: Callable[[str], str] | None, confidences: bool) -> Grid:
    spans, boxes = boxes_to_spans(list(cells))
    box_of = {id(cell): box for row, row_boxes in zip(spans, boxes)
              for cell, box in zip(row, row_boxes)}
    placed = place_cells(spans)
    width = max((c + 1 for _, c in placed), default=0)
    grid = Grid()
    for r in range(len(spans)):
        texts: list[str | None] = []
        bboxes: list[BBox | None] = []
        confs: list[float] = []
        for c in range(width):
            cell = placed.get((r, c))
            if cell is None:  # covered by a merged cell, or no cell drawn there
                texts.append(None)
                bboxes.append(None)
                confs.append(0.0)
                continue
            box = box_of[id(cell)]
            text = join(content[box])
            texts.append(repair(text) if repair else text)
            bboxes.append(tuple(v * scale for v in box))
            confs.append(mean([w.conf for w in content[box]]) / 100)
        grid.rows.append(GridRow(texts, page_number, bboxes, confs if confidences else None))
    return grid


def text_with_tables(words: list[Word], grids: list[Grid], tables: list[list[BBox]]) -> str:
    """Prose lines, with each table's rows (TAB between cells) where the table stands
    (``grids`` as :func:`table_grids` gave them, for ``tables``)."""
    tops = sorted(min(c[1] for c in t) for t in tables)
    out: list[str] = []
    ti = 0
    for top, line in lines(words):
        while ti < len(grids) and tops[ti] < top:
            out.extend("\t".join(c or "" for c in r.cells) for r in grids[ti].rows)
            ti += 1
        out.append(line)
    for grid in grids[ti:]:
        out.extend("\t".join(c or "" for c in r.cells) for r in grid.rows)
    return "\n".join(out)


def lines(words: list[Word]) -> list[tuple[float, str]]:
    """(top, text) of each line in reading order: CJK without spaces, Latin/digits spaced."""
    words = sorted(words, key=lambda w: ((w.top + w.bottom) / 2, w.x0))
    grouped: list[list[Word]] = []
    for w in words:
        mid = (w.top + w.bottom) / 2
        if grouped:
            ref = grouped[-1][0]
            if abs(mid - (ref.top + ref.bottom) / 2) < max(8, (ref.bottom - ref.top) * 0.6):
                grouped[-1].append(w)
                continue
        grouped.append([w])
    out = []
    for line in grouped:
        line.sort(key=lambda w: w.x0)
        text = ""
        for i, w in enumerate(line):
            gap = w.x0 - line[i - 1].x1
            if i and (not _cjk(text[-1]) or not _cjk(w.text[0])) and \
                    gap > max(1.0, 0.1 * (w.bottom - w.top)):
                text += " "
            text += w.text
        out.append((min(w.top for w in line), text))
    return out


def join(words: list[Word]) -> str:
    """The words' text, line by line."""
    return "\n".join(text for _, text in lines(words))


def _cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"

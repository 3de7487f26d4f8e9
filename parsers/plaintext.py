"""Plain text (the seed form): one TAB between the cells of a table row.

A line holding a TAB is a table row; blank lines between such rows are page-break artefacts
and do not end the grid. Wrapped label fragments ("息") stay rows of their own: tables.py
ignores rows without figures.
"""
from __future__ import annotations

from .grid import Extracted, Grid, GridRow
from .normalize import decode_text, fix_radicals
from .sniff import TEXT


def text_to_grids(text: str) -> list[Grid]:
    grids: list[Grid] = []
    current: Grid | None = None
    for line in text.splitlines():
        if "\t" in line:
            if current is None:
                current = Grid()
                grids.append(current)
            current.rows.append(GridRow(line.split("\t")))
        elif line.strip():
            current = None  # prose ends a table
    return grids


def extract_text(data: bytes) -> Extracted:
    text = fix_radicals(decode_text(data)).replace("\r\n", "\n").replace("\r", "\n")
    return Extracted(TEXT, text_to_grids(text), [text])

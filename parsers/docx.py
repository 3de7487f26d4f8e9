"""DOCX -> grids + text, from the WordprocessingML itself.

Merged cells follow the PDF convention: a covered position (vMerge continuation, the extra
columns of a gridSpan) is ``None``. DOCX has no reliable page numbers, so pages stay None.
"""
from __future__ import annotations

import io
import zipfile

from .grid import Extracted, Grid, SpanCell, build_grid
from .model import ParseError
from .normalize import fix_radicals
from .sniff import DOCX
from .vocab import ParseStatus

# A report DOCX is a few MB even with pictures; the directory is checked before python-docx
# inflates anything, so a zip bomb costs nothing.
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_MEMBERS = 5000

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_zip(data: bytes) -> None:
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise ParseError(ParseStatus.CORRUPT, f"zip: {e}") from e
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_MEMBERS or total > MAX_UNCOMPRESSED:
        raise ParseError(ParseStatus.TOO_LARGE, f"{len(infos)} members, {total} bytes uncompressed")


def extract_docx(data: bytes) -> Extracted:
    import docx  # python-docx, imported only when a DOCX is met

    check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 — python-docx raises AttributeError/KeyError/ValueError on a damaged package
        raise ParseError(ParseStatus.CORRUPT, f"a zip that python-docx cannot open as a Word document "
                                              f"(damaged [Content_Types].xml or parts): {type(e).__name__}: {e}") from e
    grids: list[Grid] = []
    lines: list[str] = []
    _walk(document.element.body, grids, lines)
    text = fix_radicals("\n".join(lines))
    title = (document.core_properties.title or "").strip() or None
    return Extracted(DOCX, grids, [text], pages=None, title_hint=title)


def _walk(parent, grids: list[Grid], lines: list[str]) -> None:
    for child in _content(parent):
        if child.tag == W + "p":
            lines.append(paragraph_text(child))
        elif child.tag == W + "tbl":
            _table(child, grids, lines)


def _table(tbl, grids: list[Grid], lines: list[str]) -> None:
    grid = table_to_grid(tbl)
    grids.append(grid)
    lines.extend("\t".join(c or "" for c in row.cells) for row in grid.rows)
    for tr in _content(tbl, W + "tr"):
        for tc in _content(tr, W + "tc"):
            for nested in _content(tc, W + "tbl"):  # a table inside a cell: a table of its own
                _table(nested, grids, lines)


_WRAPPERS = (W + "sdt", W + "customXml", W + "smartTag", W + "ins", W + "moveTo")


def _content(parent, *tags):
    """The children of a body, cell or row, looking through what wraps them without showing:
    content controls (``w:sdt`` → ``w:sdtContent``), custom XML and smart tags, tracked
    insertions. With ``tags``, only children of those tags."""
    for child in parent.iterchildren():
        if child.tag in _WRAPPERS:
            inner = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if inner is not None:
                yield from _content(inner, *tags)
        elif not tags or child.tag in tags:
            yield child


def _vanished(run) -> bool:
    """A run Word does not show: hidden text (``w:vanish``), or text a tracked change deleted
    or moved away (``w:del``, ``w:moveFrom``)."""
    if run.getparent() is not None and run.getparent().tag in (W + "del", W + "moveFrom"):
        return True
    rpr = run.find(W + "rPr")
    vanish = rpr.find(W + "vanish") if rpr is not None else None
    return vanish is not None and vanish.get(W + "val", "true") not in ("0", "false", "off")


def paragraph_text(p) -> str:
    parts = []
    for el in p.iter(W + "r"):
        if _vanished(el):
            continue
        for part in el.iter(W + "t", W + "tab", W + "br", W + "cr"):
            if part.tag == W + "t":
                parts.append(part.text or "")
            elif part.tag == W + "tab":
                parts.append(" ")  # a tab in prose is layout; TAB is reserved for table cells
            else:
                parts.append("\n")
    return "".join(parts)


def _val(el, name: str) -> str | None:
    found = el.find(W + name) if el is not None else None
    return None if found is None else found.get(W + "val", "")


def cell_text(tc) -> str:
    """A cell's paragraphs (not those of a table nested in it: that is a table of its own)."""
    return "\n".join(paragraph_text(p) for p in _content(tc, W + "p"))


def table_to_grid(tbl) -> Grid:
    """The table on the grid (grid.build_grid): gridSpan is a colspan, a vMerge run a rowspan,
    gridBefore the grid columns a row leaves out before its first cell; rows and cells inside
    content controls are the table's own."""
    rows: list[list[SpanCell]] = []
    open_cells: dict[int, SpanCell] = {}  # grid column -> the vMerge cell still running down
    for tr in _content(tbl, W + "tr"):
        cells: list[SpanCell] = []
        col = int(_val(tr.find(W + "trPr"), "gridBefore") or 0)  # columns the row leaves out
        for tc in _content(tr, W + "tc"):
            tc_pr = tc.find(W + "tcPr")
            span = max(1, int(_val(tc_pr, "gridSpan") or 1))
            vmerge = _val(tc_pr, "vMerge")
            if vmerge is not None and vmerge != "restart" and col in open_cells:
                open_cells[col].rowspan += 1  # continuation of the cell above (its text is not shown)
            else:
                cell = SpanCell(cell_text(tc), colspan=span, col=col)
                cells.append(cell)
                if vmerge == "restart":
                    open_cells[col] = cell
                else:
                    open_cells.pop(col, None)
            for covered in range(col + 1, col + span):
                open_cells.pop(covered, None)
            col += span
        rows.append(cells)
    return build_grid(rows)

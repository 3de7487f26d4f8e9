"""Render the seed reports into the real documents the sample portal serves.

    python -m sample_portal.render [--seeds DIR] [--out DIR] [--no-sites]

The seeds (``../shared/seeds`` next to the repository, by default) are the
texts of two printed reports with ONE TAB between table cells. They are parsed
into paragraphs and tables; the tables are rebuilt on the printed national
layout (国办公开办函〔2019〕60号) with real row/column merges, and rendered as:

* ``seed000.html``  攀枝花 2019, the article body as pasted from Word into a
  TRS editor (``<p class=MsoNormal>``, ``<table>`` with rowspan/colspan,
  ``&nbsp;`` in blank cells); UTF-8 fragment, re-encoded by the page that
  embeds it;
* ``seed000.pdf``   the same report as a PDF (reportlab, WenQuanYi Zen Hei
  embedded, ruled tables with SPANs, A4, page numbers; the table of section 三
  splits across two pages and its header is not repeated);
* ``seed004.docx``  江西 2020 as a Word document (merged cells, ``w:tblGrid``
  widths, ``w:cantSplit`` rows);
* ``seed004.pdf``   the same report as a PDF;
* ``truncated.pdf``  the first 40 % of ``seed000.pdf`` (a broken download);
* ``not_a_report.docx`` a 会议通知 uploaded in place of a report;
* ``juesuan_2018.pdf`` a one-page 部门决算 (a distractor attachment).

Figures are copied exactly as printed: blank cells stay blank, printed errors
(seed 000's 三（七）总计 = 0) stay. The only normalisation is in table cells:
a space between two CJK characters that is a line wrap of the printed cell
("自然 人", "社会 公益 组织") is removed, while letter-spaced labels
("结 果 维 持") are kept.

Outputs are deterministic (reportlab ``invariant=1``, fixed DOCX core
properties and zip timestamps), so re-rendering does not churn the repository.
Unless ``--no-sites`` is given, the site pages are regenerated afterwards (the
攀枝花 article embeds ``seed000.html``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
DEFAULT_SEEDS = REPO_ROOT.parent / "shared" / "seeds"
DEFAULT_OUT = PACKAGE_DIR / "documents"
FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

SEED_FILES = {
    "seed000": "000_b895455aa8998ba0.txt",  # 攀枝花市人民防空办公室 2019
    "seed004": "004_dc0c8ff9029344c7.txt",  # 江西省人民防空办公室 2020
}

# ---------------------------------------------------------------------------
# Parsed report model
# ---------------------------------------------------------------------------


@dataclass
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    kind: str = "data"  # head | group | label | data


@dataclass
class Grid:
    kind: str  # disclosure | applications | appeals
    nrows: int
    ncols: int
    widths: list[float]  # relative, sum 1
    header_rows: int
    cells: list[Cell] = field(default_factory=list)

    def rows(self):
        for r in range(self.nrows):
            yield [c for c in sorted(self.cells, key=lambda c: c.col) if c.row == r]


@dataclass
class Block:
    kind: str  # heading | para | table
    text: str = ""
    grid: Grid | None = None


@dataclass
class Report:
    letterhead: list[str]
    docno: str
    title: str
    blocks: list[Block]
    closing: list[str]


HEADING_RE = re.compile(r"^[一二三四五六七八九十]+、")
DATE_RE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
DOCNO_RE = re.compile(r"〔\d{4}〕\s*\d+\s*号")
TERMINAL = tuple("。！？；：）)”")
CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
CJK_GAP_RE = re.compile(rf"(?<=[{CJK}]) (?=[{CJK}])")
NUMERIC_RE = re.compile(r"^-?\d+(\.\d+)?$")


def clean_cell(text: str) -> str:
    """Strip a cell; undo line wraps of narrow printed cells ("自然 人")."""
    text = text.strip()
    tokens = text.split(" ")
    if len(tokens) > 1 and all(len(t) == 1 for t in tokens):
        return text  # letter-spaced label, printed that way: "结 果 维 持"
    return CJK_GAP_RE.sub("", text)


def is_heading(line: str) -> bool:
    return bool(HEADING_RE.match(line)) and len(line) <= 40 and "\t" not in line


def parse_seed(text: str) -> Report:
    """Seed text (TAB between cells) -> Report."""
    raw: list[tuple[str, object]] = []  # ("text", str) | ("rows", list[list[str]])
    for line in text.splitlines():
        if not line.strip():
            continue  # blank lines separate paragraphs; inside a table they are page noise
        if "\t" in line:
            if raw and raw[-1][0] == "rows":
                raw[-1][1].append(line.split("\t"))
            else:
                raw.append(("rows", [line.split("\t")]))
        else:
            raw.append(("text", line.strip()))

    # Paragraphs broken by a page end: a long line that does not end a sentence
    # continues in the next text line.
    merged: list[tuple[str, object]] = []
    for kind, val in raw:
        if (kind == "text" and merged and merged[-1][0] == "text"
                and len(merged[-1][1]) >= 60 and not merged[-1][1].endswith(TERMINAL)
                and not is_heading(val)):
            merged[-1] = ("text", merged[-1][1] + val)
        else:
            merged.append((kind, val))

    first_heading = next(i for i, (k, v) in enumerate(merged) if k == "text" and is_heading(v))
    letterhead, docno, title, blocks = [], "", "", []
    for kind, val in merged[:first_heading]:
        if kind != "text":
            continue
        if DOCNO_RE.search(val) and len(val) < 40:
            docno = val
        elif "年度报告" in val and len(val) < 100:
            title = val
        elif len(val) < 40 and not title:
            letterhead.append(val)
        else:
            blocks.append(Block("para", val))

    closing: list[str] = []
    body = merged[first_heading:]
    while body and body[-1][0] == "text" and len(body[-1][1]) < 40 and not is_heading(body[-1][1]):
        closing.insert(0, body.pop()[1])

    section = ""
    for kind, val in body:
        if kind == "text":
            if is_heading(val):
                section = val[0]
                blocks.append(Block("heading", val))
            else:
                blocks.append(Block("para", val))
        else:
            builder = {"二": disclosure_grid, "三": applications_grid, "四": appeals_grid}.get(section)
            if builder is None:
                raise ValueError(f"table outside sections 二/三/四 (after {section!r})")
            blocks.append(Block("table", grid=builder(val)))
    return Report(letterhead, docno, title, blocks, closing)


# --- tables -----------------------------------------------------------------


def merge_header(matrix: list[list[str]], top: int = 0) -> list[Cell]:
    """Merge a header block: a filled cell extends down over the empty cells
    below it, then right over empty cells not yet covered."""
    nrows, ncols = len(matrix), len(matrix[0])
    covered: set[tuple[int, int]] = set()
    cells = []
    for r in range(nrows):
        for c in range(ncols):
            if (r, c) in covered:
                continue
            text = matrix[r][c]
            rs = cs = 1
            if text:
                while r + rs < nrows and not matrix[r + rs][c] and (r + rs, c) not in covered:
                    rs += 1
                while (c + cs < ncols
                       and all(not matrix[rr][c + cs] and (rr, c + cs) not in covered
                               for rr in range(r, r + rs))):
                    cs += 1
            for rr in range(r, r + rs):
                for cc in range(c, c + cs):
                    covered.add((rr, cc))
            cells.append(Cell(text, top + r, c, rs, cs, "head"))
    return cells


def disclosure_grid(rows: list[list[str]]) -> Grid:
    """二、主动公开政府信息情况: one 4-column table, one block per 第二十条 item."""
    grid = Grid("disclosure", len(rows), 4, [0.34, 0.22, 0.22, 0.22], 0)
    for r, raw in enumerate(rows):
        cells = [clean_cell(c) for c in raw][:4]
        if cells[0] and not any(cells[1:]):  # 第二十条第（x）项
            grid.cells.append(Cell(cells[0], r, 0, 1, 4, "group"))
            continue
        head = cells[0] == "信息内容"
        for j, text in enumerate(cells):
            cs = 4 - len(cells) + 1 if j == len(cells) - 1 else 1
            kind = "head" if head else ("label" if j == 0 else "data")
            grid.cells.append(Cell(text, r, j, 1, cs, kind))
    return grid


# the 23 data rows of the 2019 layout: (top-level?, c1 group size when a group starts here)
APP_TOP = {0, 1, 22}
APP_C0_GROUP = (2, 21)  # 三、本年度办理结果 covers rows 2..21
APP_C1_GROUPS = {4: 8, 12: 3, 15: 5}  # (三) 不予公开, (四) 无法提供, (五) 不予处理
APP_ITEMS = set(range(4, 20))


def applications_grid(rows: list[list[str]]) -> Grid:
    """三、收到和处理政府信息公开申请情况: 3 label columns + 7 applicant columns."""
    header_raw, data_raw = rows[:3], rows[3:]
    matrix = []
    for raw in header_raw:
        cells = [clean_cell(c) for c in raw] + [""] * 10
        matrix.append([cells[0], "", ""] + cells[2:9])
    grid = Grid("applications", 0, 10, [0.05, 0.09, 0.30] + [0.08] * 7, 3)
    grid.cells += merge_header(matrix)

    records: list[tuple[list[str], list[str]]] = []  # (labels, 7 values)
    for raw in data_raw:
        cells = [clean_cell(c) for c in raw]
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) >= 8 and all(NUMERIC_RE.match(v) for v in cells[-7:]):
            records.append(([c for c in cells[:-7] if c], cells[-7:]))
        else:  # the wrapped end of the previous label, printed on its own line
            tail = "".join(c for c in cells if c)
            if records and tail and not records[-1][0][-1].endswith(tail):
                records[-1][0][-1] += tail
    if len(records) != 23:
        raise ValueError(f"section 三: expected 23 data rows, found {len(records)}")

    for i, (labels, values) in enumerate(records):
        r = 3 + i
        if i in APP_TOP:
            if len(labels) >= 2:
                grid.cells.append(Cell(labels[0], r, 0, kind="label"))
                grid.cells.append(Cell(labels[-1], r, 1, 1, 2, "label"))
            else:
                grid.cells.append(Cell(labels[-1] if labels else "", r, 0, 1, 3, "label"))
        else:
            rest = list(labels)
            if i == APP_C0_GROUP[0]:
                g = rest.pop(0) if len(rest) >= 2 else ""
                span = APP_C0_GROUP[1] - APP_C0_GROUP[0] + 1
                grid.cells.append(Cell(g, r, 0, span, 1, "label"))
            if i in APP_ITEMS:
                if i in APP_C1_GROUPS:
                    g = rest.pop(0) if len(rest) >= 2 else ""
                    grid.cells.append(Cell(g, r, 1, APP_C1_GROUPS[i], 1, "label"))
                grid.cells.append(Cell(rest[-1] if rest else "", r, 2, kind="label"))
            else:
                grid.cells.append(Cell(rest[-1] if rest else "", r, 1, 1, 2, "label"))
        for j, v in enumerate(values):
            grid.cells.append(Cell(v, r, 3 + j))
    grid.nrows = 3 + len(records)
    return grid


def appeals_grid(rows: list[list[str]]) -> Grid:
    """四、行政复议、行政诉讼: 15 columns, 3 header rows, one data row."""
    norm = [([clean_cell(c) for c in raw] + [""] * 15)[:15] for raw in rows]
    grid = Grid("appeals", len(norm), 15, [1 / 15] * 15, 3)
    grid.cells += merge_header(norm[:3])
    for r, cells in enumerate(norm[3:], start=3):
        for c, v in enumerate(cells):
            grid.cells.append(Cell(v, r, c))
    return grid


# ---------------------------------------------------------------------------
# Inline markup of the seeds: **bold**, <http://autolink>
# ---------------------------------------------------------------------------

INLINE_RE = re.compile(r"\*\*(.+?)\*\*|<(https?://[^>]+)>")


def runs(text: str) -> list[tuple[str, bool]]:
    out, pos = [], 0
    for m in INLINE_RE.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], False))
        out.append((m.group(1), True) if m.group(1) else (m.group(2), False))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def plain(text: str) -> str:
    return "".join(t for t, _ in runs(text))


# ---------------------------------------------------------------------------
# HTML (Word pasted into a TRS editor)
# ---------------------------------------------------------------------------

def _w(text: str, size: str, font: str, extra: str = "") -> str:
    """A Word span; ASCII digits get their own lang=EN-US span, as Word does."""
    esc = html.escape(text, quote=False)
    esc = re.sub(r"([0-9][0-9.]*)", r"<span lang=EN-US>\1</span>", esc)
    return f"<span style='font-size:{size};font-family:{font}{extra}'>{esc}</span>"


OP = "<span lang=EN-US><o:p></o:p></span>"


def html_fragment(rep: Report) -> str:
    out = ["<div class=WordSection1 style='layout-grid:15.6pt'>"]
    for line in rep.letterhead:
        out.append("<p class=MsoNormal align=center style='text-align:center;line-height:36.0pt;"
                   "mso-line-height-rule:exactly'><b>"
                   + _w(line, "26.0pt", "方正小标宋简体", ";color:red;letter-spacing:1.0pt")
                   + f"</b>{OP}</p>")
    if rep.docno:
        out.append("<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt;"
                   "mso-line-height-rule:exactly;border:none;border-bottom:solid red 2.25pt;"
                   "padding:0cm 0cm 1.0pt 0cm'>" + _w(rep.docno, "16.0pt", "仿宋_GB2312") + f"{OP}</p>")
    out.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
    out.append("<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt;"
               "mso-line-height-rule:exactly'>" + _w(rep.title, "22.0pt", "方正小标宋简体")
               + f"{OP}</p>")
    for b in rep.blocks:
        if b.kind == "heading":
            out.append("<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt;"
                       "mso-line-height-rule:exactly'><b>" + _w(b.text, "16.0pt", "黑体")
                       + f"</b>{OP}</p>")
        elif b.kind == "para":
            parts = []
            for t, bold in runs(b.text):
                s = _w(t, "16.0pt", "仿宋_GB2312")
                parts.append(f"<b>{s}</b>" if bold else s)
            out.append("<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt;"
                       "mso-line-height-rule:exactly'>" + "".join(parts) + f"{OP}</p>")
        else:
            out.append(html_table(b.grid))
            out.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
    for line in rep.closing:
        out.append("<p class=MsoNormal align=right style='text-align:right;line-height:28.0pt;"
                   "mso-line-height-rule:exactly'>" + _w(line, "16.0pt", "仿宋_GB2312")
                   + f"{OP}</p>")
    out.append("</div>")
    return "\n".join(out) + "\n"


def html_table(grid: Grid) -> str:
    total_pt = 415.0
    widths = [w * total_pt for w in grid.widths]
    font = "9.0pt" if grid.ncols > 4 else "10.5pt"
    rows = []
    for r, cells in enumerate(grid.rows()):
        first = ";mso-yfti-firstrow:yes" if r == 0 else ""
        tds = []
        for c in cells:
            w = sum(widths[c.col:c.col + c.colspan])
            attrs = f"width={round(w * 4 / 3)}"
            if c.colspan > 1:
                attrs += f" colspan={c.colspan}"
            if c.rowspan > 1:
                attrs += f" rowspan={c.rowspan}"
            bg = ";background:#D9E2F3" if c.kind in ("head", "group") else ""
            top = "solid windowtext 1.0pt" if r == 0 else "none"
            left = "solid windowtext 1.0pt" if c.col == 0 else "none"
            style = (f"width:{w:.1f}pt;border-top:{top};border-left:{left};"
                     "border-bottom:solid windowtext 1.0pt;border-right:solid windowtext 1.0pt;"
                     f"mso-border-alt:solid windowtext .5pt{bg};padding:0cm 1.4pt 0cm 1.4pt")
            align = "left" if c.kind == "label" and c.col > 0 and grid.kind != "disclosure" else "center"
            if c.text:
                body = _w(c.text, font, "宋体")
                if c.kind in ("head", "group"):
                    body = f"<b>{body}</b>"
                para = (f"<p class=MsoNormal align={align} style='text-align:{align}'>"
                        f"{body}{OP}</p>")
            else:
                para = (f"<p class=MsoNormal align=center style='text-align:center'>"
                        f"<span lang=EN-US style='font-size:{font}'><o:p>&nbsp;</o:p></span></p>")
            tds.append(f"  <td {attrs} valign=middle style='{style}'>\n  {para}\n  </td>")
        rows.append(f" <tr style='mso-yfti-irow:{r}{first};height:18.0pt'>\n"
                    + "\n".join(tds) + "\n </tr>")
    return ("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
            f"width={round(total_pt * 4 / 3)} style='width:{total_pt}pt;border-collapse:collapse;"
            "border:none;mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;"
            "mso-padding-alt:0cm 1.4pt 0cm 1.4pt'>\n" + "\n".join(rows) + "\n</table>")


# ---------------------------------------------------------------------------
# PDF (reportlab)
# ---------------------------------------------------------------------------

_FONT_READY = False


def _pdf_font() -> str:
    global _FONT_READY
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if not _FONT_READY:
        if not Path(FONT_PATH).exists():
            raise SystemExit(f"font missing: {FONT_PATH} (apt-get install fonts-wqy-zenhei)")
        pdfmetrics.registerFont(TTFont("WQY", FONT_PATH, subfontIndex=0))
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping("WQY", bold, italic, "WQY")  # no bold face: bold = regular
        _FONT_READY = True
    return "WQY"


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    f = _pdf_font()
    base = dict(fontName=f, wordWrap="CJK")
    return {
        "letterhead": ParagraphStyle("lh", fontSize=26, leading=34, alignment=TA_CENTER,
                                     textColor=colors.red, spaceAfter=10, **base),
        "docno": ParagraphStyle("dn", fontSize=12, leading=18, alignment=TA_CENTER, **base),
        "title": ParagraphStyle("ti", fontSize=17, leading=26, alignment=TA_CENTER,
                                spaceBefore=14, spaceAfter=14, **base),
        "heading": ParagraphStyle("h", fontSize=13, leading=22, firstLineIndent=26,
                                  spaceBefore=6, spaceAfter=4, **base),
        "para": ParagraphStyle("p", fontSize=12, leading=21, firstLineIndent=24,
                               alignment=TA_LEFT, **base),
        "closing": ParagraphStyle("c", fontSize=12, leading=21, alignment=TA_RIGHT, **base),
        "cell": ParagraphStyle("cell", fontSize=9, leading=11.5, alignment=TA_CENTER, **base),
        "cell_left": ParagraphStyle("cl", fontSize=9, leading=11.5, alignment=TA_LEFT, **base),
        "small": ParagraphStyle("s", fontSize=7.5, leading=9.5, alignment=TA_CENTER, **base),
    }


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _para_markup(text: str) -> str:
    return "".join(f"<b>{_esc(t)}</b>" if b else _esc(t) for t, b in runs(text))


def pdf_table(grid: Grid, width: float, st):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [["" for _ in range(grid.ncols)] for _ in range(grid.nrows)]
    pad = 7 if grid.kind == "applications" else 3  # roomy: section 三 splits inside (五)
    cmds = [("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad)]
    small = grid.kind == "appeals"
    for c in grid.cells:
        style = st["small"] if small else st["cell"]
        if c.kind == "label" and c.col > 0 and grid.kind == "applications":
            style = st["cell_left"]
        data[c.row][c.col] = Paragraph(_esc(c.text), style) if c.text else ""
        if c.rowspan > 1 or c.colspan > 1:
            cmds.append(("SPAN", (c.col, c.row), (c.col + c.colspan - 1, c.row + c.rowspan - 1)))
        if c.kind in ("head", "group"):
            cmds.append(("BACKGROUND", (c.col, c.row),
                         (c.col + c.colspan - 1, c.row + c.rowspan - 1), colors.HexColor("#E7ECF5")))
    widths = [w * width for w in grid.widths]
    return Table(data, colWidths=widths, style=TableStyle(cmds), repeatRows=0,
                 splitByRow=1, hAlign="CENTER")


def split_grid(grid: Grid, k: int) -> tuple[Grid, Grid]:
    """Cut a grid before row k. A merged cell crossing the cut continues on the
    next part as an empty merged cell (its text stays above, as Word prints it);
    the header is not repeated."""
    a = Grid(grid.kind, k, grid.ncols, grid.widths, min(grid.header_rows, k))
    b = Grid(grid.kind, grid.nrows - k, grid.ncols, grid.widths, 0)
    for c in grid.cells:
        if c.row < k:
            a.cells.append(Cell(c.text, c.row, c.col, min(c.rowspan, k - c.row), c.colspan, c.kind))
            if c.row + c.rowspan > k:
                b.cells.append(Cell("", 0, c.col, c.row + c.rowspan - k, c.colspan, c.kind))
        else:
            b.cells.append(Cell(c.text, c.row - k, c.col, c.rowspan, c.colspan, c.kind))
    return a, b


class GridFlowable:
    """A ruled table that splits between any two rows, even inside a row span
    (reportlab's Table refuses to split a span)."""

    def __new__(cls, grid: Grid, st):
        from reportlab.platypus.flowables import Flowable

        class _GridFlowable(Flowable):
            def __init__(self, grid, st):
                super().__init__()
                self.grid, self.st, self._table, self._aw = grid, st, None, None
                self.hAlign = "CENTER"

            def _tbl(self, aw):
                if self._table is None or self._aw != aw:
                    self._table, self._aw = pdf_table(self.grid, aw, self.st), aw
                return self._table

            def wrap(self, aw, ah):
                self.width, self.height = self._tbl(aw).wrap(aw, ah)
                return self.width, self.height

            def draw(self):
                self._table.drawOn(self.canv, 0, 0)

            def split(self, aw, ah):
                t = self._tbl(aw)
                t.wrap(aw, ah)
                used, k = 0.0, 0
                for h in t._rowHeights:
                    if used + h > ah:
                        break
                    used, k = used + h, k + 1
                if k <= self.grid.header_rows or k >= self.grid.nrows:
                    return []  # not even the header and one row fit: next page
                a, b = split_grid(self.grid, k)
                return [_GridFlowable(a, self.st), _GridFlowable(b, self.st)]

        return _GridFlowable(grid, st)


def _page_number(canvas, doc):
    from reportlab.lib.units import mm

    canvas.saveState()
    stamp = getattr(doc, "pdf_date", None)
    if stamp and doc.page == 1:  # CreationDate/ModDate: a fixed, plausible date
        canvas.setDateFormatter(lambda *_: stamp)
    canvas.setFont(_pdf_font(), 10)
    canvas.drawCentredString(doc.pagesize[0] / 2, 14 * mm, f"- {doc.page} -")
    canvas.restoreState()


def render_pdf(rep: Report, path: Path, author: str, when: dt.datetime) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

    st = _styles()
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=26 * mm, rightMargin=24 * mm,
                            topMargin=28 * mm, bottomMargin=26 * mm, title=rep.title,
                            author=author, subject="政府信息公开工作年度报告",
                            creator="Microsoft Word", producer="sample_portal.render",
                            invariant=1)
    doc.pdf_date = when.strftime("D:%Y%m%d%H%M%S+08'00'")
    story = []
    for line in rep.letterhead:
        story.append(Paragraph(_esc(line), st["letterhead"]))
    if rep.docno:
        story.append(Paragraph(_esc(rep.docno), st["docno"]))
    if rep.letterhead or rep.docno:
        story.append(HRFlowable(width="100%", thickness=1.5, color=colors.red, spaceBefore=4,
                                spaceAfter=6))
    # a long title is printed on two lines, broken after the office's name
    story.append(Paragraph("<br/>".join(_esc(p) for p in rep.title.split(" ", 1)), st["title"]))
    for b in rep.blocks:
        if b.kind == "heading":
            story.append(Paragraph(_esc(b.text), st["heading"]))
        elif b.kind == "para":
            story.append(Paragraph(_para_markup(b.text), st["para"]))
        else:
            story.append(Spacer(1, 4))
            story.append(GridFlowable(b.grid, st))
            story.append(Spacer(1, 8))
    story.append(Spacer(1, 18))
    for line in rep.closing:
        story.append(Paragraph(_esc(line), st["closing"]))
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)


def render_juesuan_pdf(path: Path) -> None:
    """A one-page 部门决算 (distractor attachment on 攀枝花's report list)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    st = _styles()
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=26 * mm, rightMargin=24 * mm,
                            topMargin=28 * mm, bottomMargin=26 * mm,
                            title="攀枝花市人民防空办公室2018年部门决算公开",
                            author="攀枝花市人民防空办公室", subject="部门决算",
                            creator="Microsoft Excel", producer="sample_portal.render",
                            invariant=1)
    doc.pdf_date = "D:20190710093000+08'00'"
    rows = [["收入", "", "支出", ""],
            ["项目", "决算数", "项目", "决算数"],
            ["一、一般公共预算财政拨款收入", "1286.42", "一、一般公共服务支出", ""],
            ["二、政府性基金预算财政拨款收入", "", "二、国防支出", "1102.37"],
            ["三、事业收入", "", "三、社会保障和就业支出", "96.18"],
            ["四、其他收入", "12.60", "四、住房保障支出", "100.47"],
            ["本年收入合计", "1299.02", "本年支出合计", "1299.02"]]
    grid = Grid("disclosure", len(rows), 4, [0.34, 0.16, 0.34, 0.16], 2)
    grid.cells += merge_header([rows[0]])
    for r, row in enumerate(rows[1:], start=1):
        for c, v in enumerate(row):
            grid.cells.append(Cell(v, r, c, kind="head" if r == 1 else "data"))
    story = [Paragraph("攀枝花市人民防空办公室2018年部门决算", st["title"]),
             Paragraph("收入支出决算总表", st["heading"]),
             Paragraph("编制单位：攀枝花市人民防空办公室　　　　单位：万元", st["closing"]),
             Spacer(1, 6), pdf_table(grid, doc.width, st), Spacer(1, 12),
             Paragraph("注：本表反映部门本年度的总收支和年末结转结余情况。", st["para"])]
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)


# ---------------------------------------------------------------------------
# DOCX (python-docx)
# ---------------------------------------------------------------------------

FIXED_TIME = dt.datetime(2021, 1, 30, 9, 0, 0)


def _docx_base(title: str, author: str, when: dt.datetime):
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    d = Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")
    cp = d.core_properties
    cp.title, cp.author, cp.last_modified_by = title, author, author
    cp.created = cp.modified = cp.last_printed = when
    cp.revision, cp.comments, cp.keywords, cp.subject = 1, "", "", ""
    cp.category = cp.content_status = cp.identifier = cp.language = cp.version = ""
    return d


def _run(par, text: str, size=None, bold=False, font=None, color=None):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    r = par.add_run(text)
    if size:
        r.font.size = Pt(size)
    r.bold = bold or None
    if font:
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if color:
        r.font.color.rgb = RGBColor.from_string(color)
    return r


def _docx_para(d, text="", align=None, indent=True, size=None, bold=False, font=None,
               color=None, markup=True):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = d.add_paragraph()
    pf = p.paragraph_format
    pf.line_spacing = Pt(28)
    pf.space_after = Pt(0)
    if indent:
        pf.first_line_indent = Pt(24)
    if align:
        p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER,
                       "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    for t, b in (runs(text) if markup else [(text, False)]):
        _run(p, t, size, bold or b, font, color)
    return p


def docx_table(d, grid: Grid, width_cm: float):
    from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    t = d.add_table(rows=grid.nrows, cols=grid.ncols)
    t.style = d.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = [Cm(w * width_cm) for w in grid.widths]
    for gc, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        gc.set(qn("w:w"), str(int(w.twips)))
    for row in t.rows:
        trPr = row._tr.get_or_add_trPr()
        trPr.append(OxmlElement("w:cantSplit"))
        for j, cell in enumerate(row.cells):
            cell.width = widths[j]
    for c in grid.cells:
        if c.rowspan > 1 or c.colspan > 1:
            t.cell(c.row, c.col).merge(t.cell(c.row + c.rowspan - 1, c.col + c.colspan - 1))
    size = 8 if grid.kind == "appeals" else (9 if grid.ncols > 4 else 10.5)
    for c in grid.cells:
        cell = t.cell(c.row, c.col)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        left = c.kind == "label" and c.col > 0 and grid.kind == "applications"
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        if c.text:
            _run(p, c.text, size, bold=c.kind in ("head", "group"), font="宋体")
    return t


def _deterministic_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return buf.getvalue()


def _save_docx(d, path: Path) -> None:
    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(_deterministic_zip(buf.getvalue()))


def render_docx(rep: Report, path: Path, author: str, when: dt.datetime) -> None:
    d = _docx_base(rep.title, author, when)
    for line in rep.letterhead:
        _docx_para(d, line, "center", False, 26, True, "方正小标宋简体", "FF0000")
    if rep.docno:
        _docx_para(d, rep.docno, "center", False, 16)
    _docx_para(d, rep.title, "center", False, 18, True, "方正小标宋简体")
    width_cm = 21.0 - 2.8 - 2.6
    for b in rep.blocks:
        if b.kind == "heading":
            _docx_para(d, b.text, size=14, font="黑体")
        elif b.kind == "para":
            _docx_para(d, b.text)
        else:
            docx_table(d, b.grid, width_cm)
            _docx_para(d, "", indent=False)
    for line in rep.closing:
        _docx_para(d, line, "right", False)
    _save_docx(d, path)


NOTICE = [
    ("title", "关于举办2019年全省人民防空工程维护管理业务培训班的通知"),
    ("plain", "各设区市人防办（民防局），赣江新区人防办，省直有关单位："),
    ("para", "为进一步提高全省人民防空工程维护管理水平，规范人防工程平时使用和战时转换工作，"
             "经研究，决定举办2019年全省人民防空工程维护管理业务培训班。现将有关事项通知如下："),
    ("para", "一、培训时间：2019年4月16日至18日，共3天，4月15日下午报到。"),
    ("para", "二、培训地点：南昌市红谷滩新区（具体地址另行通知）。"),
    ("para", "三、参训人员：各设区市人防办分管工程工作的领导及工程管理科（股）负责人，"
             "县（市、区）人防办工程管理人员。"),
    ("para", "四、培训内容：人防工程维护管理政策解读、防护设备检测与维修、"
             "平战转换预案编制、典型案例分析。"),
    ("para", "五、有关要求：请各单位于4月10日前将参训人员回执报送省人防办工程处，"
             "培训期间食宿统一安排，费用按规定回原单位报销。"),
    ("para", "联系人：省人防办工程处，电话：0791-88843999。"),
    ("right", "江西省人民防空办公室"),
    ("right", "2019年3月28日"),
]


def render_notice_docx(path: Path) -> None:
    d = _docx_base("关于举办2019年全省人民防空工程维护管理业务培训班的通知",
                   "江西省人民防空办公室", dt.datetime(2019, 3, 28, 10, 0, 0))
    for kind, text in NOTICE:
        if kind == "title":
            _docx_para(d, text, "center", False, 18, True, "方正小标宋简体")
        elif kind == "plain":
            _docx_para(d, text, indent=False)
        elif kind == "right":
            _docx_para(d, text, "right", False)
        else:
            _docx_para(d, text)
    _save_docx(d, path)


# ---------------------------------------------------------------------------


def load(seeds: Path, key: str) -> Report:
    return parse_seed((seeds / SEED_FILES[key]).read_text(encoding="utf-8"))


def render_all(seeds: Path = DEFAULT_SEEDS, out: Path = DEFAULT_OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    r0 = load(seeds, "seed000")
    r4 = load(seeds, "seed004")
    (out / "seed000.html").write_text(html_fragment(r0), encoding="utf-8")
    render_pdf(r0, out / "seed000.pdf", "攀枝花市人民防空办公室", dt.datetime(2020, 1, 20, 10, 30))
    render_docx(r4, out / "seed004.docx", "江西省人民防空办公室", FIXED_TIME)
    render_pdf(r4, out / "seed004.pdf", "江西省人民防空办公室", FIXED_TIME)
    pdf = (out / "seed000.pdf").read_bytes()
    (out / "truncated.pdf").write_bytes(pdf[: int(len(pdf) * 0.4)])
    render_notice_docx(out / "not_a_report.docx")
    render_juesuan_pdf(out / "juesuan_2018.pdf")
    return sorted(out.iterdir())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS,
                    help=f"directory of the seed texts (default {DEFAULT_SEEDS})")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--no-sites", action="store_true",
                    help="do not regenerate sample_portal/sites/ afterwards")
    args = ap.parse_args(argv)
    for p in render_all(args.seeds, args.out):
        print(f"{p.stat().st_size:>9}  {p}")
    if not args.no_sites:
        from sample_portal import build_sites
        build_sites.build(documents=args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

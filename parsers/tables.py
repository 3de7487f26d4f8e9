"""Grids -> facts, by meaning (FORMAT.md "What real documents do").

All rows of all grids are read as one stream in document order: tables split across pages,
fragments with different column counts and missing header rows on the next page need no
positional stitching, because every row is recognised by what it says:

- section 二: the first filled cell is a row label of ``codes.DISCLOSURE``; its figures are
  read against the last header row seen (cells naming a column, e.g. 本年制发件数);
- section 三: a row whose trailing cells are figures (numbers or printed blanks) behind a label;
  the rows are matched to the layout by their labels and their order together
  (:func:`align_application_rows`), so a lost or misread label never shifts figures into a
  neighbouring row;
- section 四: a label-less row of (up to) 15 figures after a 行政复议 / 结果维持 header, or,
  with no header read, the one row of exactly 15 figures.

An OCR'd table (its cells carry confidences) also says what it could not read: a printed cell
that is no figure is unread (confidence 0), and a layout row it lost is a row of unread facts.
"""
from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from .codes import APPEALS, APPLICATIONS, DISCLOSURE, MONEY_COLUMNS, OTHER_SUBROWS, VERSIONS
from .grid import Grid, GridRow
from .model import Fact
from .normalize import (clean_cell, is_blank, is_number, is_value_like, layout_line, normalize_label,
                        parse_value, strip_numbering)

N_APPLICANT_COLUMNS = len(APPLICATIONS.columns)           # 7
N_APPEALS_CELLS = len(APPEALS.rows) * len(APPEALS.columns)  # 15
FRACTION_IN_COUNT = 0.5  # an OCR'd figure with decimals where the layout counts things


@dataclass
class _Cell:
    raw: str                 # cleaned printed text, '' for blank/missing
    page: int | None
    bbox: tuple | None
    confidence: float | None = None


def grids_to_facts(grids: list[Grid]) -> list[Fact]:
    rows = [r for g in grids for r in g.rows]
    rows = [GridRow([clean_cell(c) for c in r.cells], r.page, r.bboxes, r.confidences)
            for r in rows]
    facts = disclosure_facts(rows) + applications_facts(rows) + appeals_facts(rows)
    if any(r.confidences for r in rows):  # OCR'd: a printed cell not read is said so
        facts += unread_facts(facts)
    return facts


def unread_facts(facts: list[Fact]) -> list[Fact]:
    """An explicit "unread" fact (null, no raw text, confidence 0) for every cell of the
    layout that a recognised OCR'd table prints but whose row could not be read at all (a
    label and figures lost under a blot): never silence where a figure is printed.

    The layout is the one the table's own rows show: section 三 with its single （六） row or
    with the 2021 sub-rows (else by the report's layout), section 二 by its columns."""
    have = {(f.table, f.row, f.column) for f in facts}
    version = layout_version(facts) or "2021"
    out: list[Fact] = []
    app_rows = {f.row for f in facts if f.table == "applications"}
    if app_rows:
        if "other" in app_rows and not app_rows & set(OTHER_SUBROWS):  # not vocabulary: a row code
            rows = APPLICATIONS.row_codes("2019")
        elif app_rows & set(OTHER_SUBROWS):
            rows = [c for c in APPLICATIONS.row_codes("2021") if c != "other" or c in app_rows]  # not vocabulary: a row code
        else:
            rows = APPLICATIONS.row_codes(version)
        out += [Fact("applications", r, c, None, None, None, None, None, 0.0)
                for r in rows for c in APPLICATIONS.column_codes()
                if ("applications", r, c) not in have]
    if any(f.table == "disclosure" for f in facts):
        out += [Fact("disclosure", r, c, None, None, None, None, None, 0.0)
                for r in DISCLOSURE.row_codes(version) for c in DISCLOSURE.row_columns[r][version]
                if not any(k[:2] == ("disclosure", r) for k in have)]
    return out


def _cell(row: GridRow, i: int | None) -> _Cell:
    if i is None or i >= len(row.cells):
        return _Cell("", row.page, None)
    bbox = row.bboxes[i] if row.bboxes and i < len(row.bboxes) else None
    conf = row.confidences[i] if row.confidences and i < len(row.confidences) else None
    return _Cell(row.cells[i] or "", row.page, bbox, conf)


def _fact(table: str, row: str, column: str, cell: _Cell, unit: str | None = None) -> Fact:
    value, cell_unit = parse_value(cell.raw)
    confidence = cell.confidence
    if confidence is not None and value is None and not is_blank(cell.raw):
        confidence = 0.0  # OCR'd glyphs that are no figure: unread, whatever their score
    elif confidence is not None and isinstance(value, float) and column not in MONEY_COLUMNS:
        confidence = round(confidence * FRACTION_IN_COUNT, 4)  # a decimal point in a count: a speck?
    return Fact(table, row, column, value, cell.raw, cell_unit or unit, cell.page,
                tuple(cell.bbox) if cell.bbox else None, confidence)


# ---------------------------------------------------------------- 二、主动公开政府信息情况
@functools.lru_cache(maxsize=8192)  # pure, and labels repeat across rows and reports
def match_disclosure_row(text: str | None) -> str | None:
    label = normalize_label(text)
    if not label:
        return None
    best, best_ratio = None, 0.0
    for row in DISCLOSURE.rows:
        for variant in (row.label, *row.variants):
            v = normalize_label(variant)
            if label == v:
                return row.code
            ratio = difflib.SequenceMatcher(None, label, v).ratio()
            if ratio > best_ratio:
                best, best_ratio = row.code, ratio
    # one wrong or missing character in a 4-10 character label (typos, a lost wrapped glyph)
    return best if best_ratio >= 0.8 else None


# Most specific first: "对外公开总数量" must not be read as "公开数量", nor 收费金额 as 金额.
_COLUMN_ORDER = ("total_published", "made", "published", "issued", "repealed", "in_force",
                 "items_last_year", "items_change", "decisions", "projects", "amount_10k_yuan",
                 "amount")


_COLUMN_LABELS = [(code, [normalize_label(v) for v in (DISCLOSURE.column(code).label,
                                                          *DISCLOSURE.column(code).variants)])
                  for code in _COLUMN_ORDER]


@functools.lru_cache(maxsize=8192)  # pure, and labels repeat across rows and reports
def match_disclosure_column(text: str | None) -> str | None:
    label = normalize_label(text)
    if not label:
        return None
    for code, labels in _COLUMN_LABELS:
        if any(v in label for v in labels):
            return code
    return None


def _header_unit(text: str | None) -> str | None:
    text = text or ""
    return "万元" if "万元" in text else "元" if "元" in text else None


_HEADER_LABEL = "信息内容"


def _header_like(text: str | None) -> bool:
    """The first cell of a section-二 header row (信息内容), also when OCR garbled a glyph."""
    label = normalize_label(text)
    return bool(label) and (label == _HEADER_LABEL or (
        len(label) <= 6 and difflib.SequenceMatcher(None, label, _HEADER_LABEL).ratio() >= 0.5))


# the rows of section 二 in printed order, by layout: a table whose value rows are exactly these
# many is read in this order when the labels that could be read agree with it (OCR'd labels)
_DISCLOSURE_ORDERS = {len(DISCLOSURE.row_codes(v)): (v, DISCLOSURE.row_codes(v)) for v in VERSIONS}


def disclosure_facts(rows: list[GridRow]) -> list[Fact]:
    candidates = []  # (row, label position, figure positions, code or None, header)
    header: list[tuple[str, str | None]] | None = None  # (column code, unit) in printed order
    for row in rows:
        filled = [i for i, c in enumerate(row.cells) if c]
        if not filled:
            continue
        numbers = any(is_number(c) for c in row.cells)
        later = [c for c in row.cells[filled[0] + 1:] if c]
        columns = [(match_disclosure_column(c), _header_unit(c)) for c in later]
        if not numbers and _header_like(row.cells[filled[0]]):
            # a header row: its columns, or none when one of them cannot be read (OCR), so
            # the row's layout decides rather than the previous block's header
            header = [(code, unit) for code, unit in columns] if columns and all(
                code for code, _ in columns) else None
            continue
        if any(code for code, _ in columns) and not numbers:
            header = [(code, unit) for code, unit in columns if code]
            continue
        label_at = filled[0]
        # figures: the printed positions after the label; covered merged positions are skipped
        positions = [i for i in range(label_at + 1, len(row.cells)) if row.cells[i] is not None]
        if not positions or not all(is_value_like(row.cells[i]) for i in positions):
            continue
        if len(positions) >= 5 and numbers:
            break  # section 三's figures: section 二 is over
        if is_value_like(row.cells[label_at]):
            continue
        code = match_disclosure_row(row.cells[label_at])
        if code is None and not numbers:
            continue
        candidates.append((row, label_at, positions, code, header))
    codes = [c[3] for c in candidates]
    version = None
    known = [(i, code) for i, code in enumerate(codes) if code]
    if len(candidates) in _DISCLOSURE_ORDERS and len(known) >= 2:
        v, order = _DISCLOSURE_ORDERS[len(candidates)]
        if all(order[i] == code for i, code in known):
            codes, version = list(order), v
    facts: list[Fact] = []
    seen: set[str] = set()
    for (row, label_at, positions, _, header), code in zip(candidates, codes):
        if code is None or code in seen:
            continue
        allowed = {c for cols in DISCLOSURE.row_columns[code].values() for c in cols}
        pairs = _disclosure_columns(code, header, len(positions), version)
        seen.add(code)
        for pos, (column, unit) in zip(positions + [None] * len(pairs), pairs):
            if column not in allowed:
                continue  # a header column this row does not have (e.g. 处理决定数量 for fees)
            if column == "amount_10k_yuan":
                unit = "万元"
            elif column != "amount":
                unit = None
            facts.append(_fact("disclosure", code, column, _cell(row, pos), unit))
    return facts


def _disclosure_columns(code: str, header, n_values: int,
                        version: str | None = None) -> list[tuple[str, str | None]]:
    """The columns of a section-二 row: from the header above it, else the layout by count
    (of ``version`` when the rows' order settled it)."""
    if header:
        return header
    by_version = DISCLOSURE.row_columns[code]
    for v in ((version,) if version else ()) + ("2021", "2019"):
        if by_version[v] and len(by_version[v]) == n_values:
            return [(c, None) for c in by_version[v]]
    return [(c, None) for c in by_version[version or "2019"] or by_version["2019"]]


# ---------------------------------------------------------------- 三、收到和处理政府信息公开申请情况
_KEYED = [r for r in APPLICATIONS.rows if r.keys and r.code not in ("other", "total_handled")]  # not vocabulary: row codes


@functools.lru_cache(maxsize=8192)  # pure, and labels repeat across rows and reports
def match_application_row(text: str | None) -> str | None:
    """The row code of a printed section-三 label, or None when it says nothing recognisable."""
    code = keyed_application_row(text)
    if code or not normalize_label(text):
        return code
    bare = strip_numbering(text)
    best, best_ratio = None, 0.0
    for row in APPLICATIONS.rows:
        ratio = difflib.SequenceMatcher(None, bare, strip_numbering(row.label)).ratio()
        if ratio > best_ratio:
            best, best_ratio = row.code, ratio
    return best if best_ratio >= 0.6 else None


@functools.lru_cache(maxsize=8192)  # pure, and labels repeat across rows and reports
def keyed_application_row(text: str | None) -> str | None:
    """The row code when the label holds a key fragment of its row (codes.Row.keys), the
    words 其他处理 or 总计, or is 其他: a reading that leaves no doubt, unlike a similarity."""
    label = normalize_label(text)
    if not label:
        return None
    hits = [(len(k), r.code) for r in _KEYED for k in r.keys if normalize_label(k) in label]
    if hits:
        return max(hits)[1]
    if "其他处理" in label:
        rest = label.split("其他处理", 1)[1]
        return "other_misc" if rest.endswith("其他") else "other"  # not vocabulary: a row code
    if strip_numbering(text) == "其他":
        return "other_misc"
    if "总计" in label:
        return "total_handled"
    return _numbered_application_row(text)


# the outline numbers of section 三's rows survive OCR when their words do not
_NUMBERED_ROWS = {"一、": "received", "二、": "carried_over", "四、": "carried_forward",
                  "（一）": "granted", "（二）": "partly_granted", "（六）": "other",
                  "（七）": "total_handled"}


def _numbered_application_row(text: str | None) -> str | None:
    """The row a label's leading outline number names (一、 本年新收, （二） 部分公开 …)."""
    label = re.sub(r"\s+", "", layout_line(text or ""))
    label = re.sub(r"^三、[^（]*", "", label)  # the 三、本年度办理结果 group label before （一）
    m = re.match(r"^(?:[一二四]、|（[一二六七]）)", label)
    return _NUMBERED_ROWS[m.group()] if m else None


def _application_row(row: GridRow) -> tuple[str, list[int | None]] | None:
    """(label, positions of the 7 figure cells) when ``row`` is a data row of section 三."""
    cells = list(row.cells)
    while cells and is_blank(cells[-1]):  # text renditions end rows with stray empty cells
        cells.pop()
    texty = [i for i, c in enumerate(cells) if c is not None and not is_value_like(c)]
    if not texty:
        return None
    last_label = texty[-1]
    printed = [i for i, c in enumerate(cells) if c is not None]
    tail = printed[-N_APPLICANT_COLUMNS:]
    if last_label >= tail[0] and len(printed) > N_APPLICANT_COLUMNS \
            and sum(is_number(cells[i]) for i in tail) >= 4 \
            and all(is_value_like(cells[i]) or _unreadable_figure(cells[i]) for i in tail) \
            and not is_value_like(cells[printed[-N_APPLICANT_COLUMNS - 1]]):
        # a figure cell OCR'd as a few glyphs (0 read 加): the figures are still the row's
        # last seven cells, the unreadable one among them null with its raw text
        return "".join(c for c in cells[:tail[0]] if c), tail
    positions: list[int | None] = [i for i in range(last_label + 1, len(cells))
                                   if cells[i] is not None]
    if len(positions) < 5 or not any(is_number(cells[i]) for i in positions):
        return None
    # more cells than columns: merged label columns left empty cells before the figures;
    # fewer: the trailing (total) cells were blank and got stripped above
    positions = positions[-N_APPLICANT_COLUMNS:]
    positions += [None] * (N_APPLICANT_COLUMNS - len(positions))
    label = "".join(c for c in cells[:last_label + 1] if c)
    return label, positions


def _unreadable_figure(text: str) -> bool:
    """A few glyphs that are no word (加, ff, Easy): what OCR makes of a figure under a seal."""
    compact = re.sub(r"\s", "", text)
    return len(compact) <= 4 and not re.search(r"[\u4e00-\u9fff]{2}", compact)


def applications_facts(rows: list[GridRow]) -> list[Fact]:
    data = []
    for row in rows:
        if match_disclosure_row(next((c for c in row.cells if c), None)):
            continue
        found = _application_row(row)
        if found:
            label, positions = found
            data.append((label, row, positions))
    codes, guessed = align_application_rows([label for label, _, _ in data])
    facts: list[Fact] = []
    for i, (code, (_, row, positions)) in enumerate(zip(codes, data)):
        if code is None:
            continue
        for column, pos in zip(APPLICATIONS.column_codes(), positions):
            fact = _fact("applications", code, column, _cell(row, pos))
            if i in guessed and fact.confidence is not None:
                fact.confidence = round(fact.confidence * GUESSED_ROW, 4)
            facts.append(fact)
    return facts


SURE = 3.0          # a label holding its row's key fragment
BY_POSITION = 0.01  # a label that says nothing: the row's place in the table decides
LIKE = 0.6          # a label this similar to the layout's is that row
GUESSED_ROW = 0.5   # an unreadable row whose place leaves a choice: its figures are doubted


def align_application_rows(labels: list[str]) -> tuple[list[str | None], set[int]]:
    """Section 三's data rows matched to the national layout by their labels and their order
    together: the monotonic assignment of rows to the layout's rows (2019, 2021, or 2021 with
    the single （六） row kept) that agrees best with what the labels say (a key fragment:
    sure; a similar label: its similarity; nothing readable: only its place). So a lost row
    leaves its own row empty instead of shifting its neighbours' figures, and a misread label
    takes the row whose words it resembles.

    Returns each row's code (None: no row of the layout) and the rows placed by position where
    their place left a choice (more layout rows than rows between two read labels)."""
    if not labels:
        return [], set()
    keyed = [keyed_application_row(label) for label in labels]
    bare = [strip_numbering(label) for label in labels]
    best = None
    for order in (*_APPLICATION_ORDERS, APPLICATIONS.row_codes()):
        total, codes, scores = _align(keyed, bare, order)
        key = (total, -abs(len(order) - len(labels)))
        if best is None or key > best[0]:
            best = (key, codes, scores, order)
    _, codes, scores, order = best
    return codes, _guessed(codes, scores, order)


def _align(keyed, bare, order) -> tuple[float, list[str | None], list[float]]:
    n, m = len(keyed), len(order)
    targets = [strip_numbering(APPLICATIONS.row(c).label) for c in order]

    def score(i: int, j: int) -> float | None:
        if keyed[i]:
            return SURE if keyed[i] == order[j] else None
        if not bare[i]:
            return BY_POSITION
        ratio = difflib.SequenceMatcher(None, bare[i], targets[j]).ratio()
        return ratio if ratio >= LIKE else BY_POSITION

    total = [[0.0] * (m + 1) for _ in range(n + 1)]
    step = [[""] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == j == 0:
                continue
            options = []
            if i and j:
                s = score(i - 1, j - 1)
                if s is not None:
                    options.append((total[i - 1][j - 1] + s, 2, "take"))
            if i:
                options.append((total[i - 1][j], 1, "skip_row"))
            if j:
                options.append((total[i][j - 1], 0, "skip_code"))
            value, _, move = max(options)
            total[i][j], step[i][j] = value, move
    codes: list[str | None] = [None] * n
    scores = [0.0] * n
    i, j = n, m
    while i or j:
        move = step[i][j]
        if move == "take":
            codes[i - 1], scores[i - 1] = order[j - 1], score(i - 1, j - 1)
            i, j = i - 1, j - 1
        elif move == "skip_row":
            i -= 1
        else:
            j -= 1
    return total[n][m], codes, scores


def _guessed(codes, scores, order) -> set[int]:
    """The rows placed by position only where the layout rows between their read neighbours
    outnumber the rows: which of them is which was a choice."""
    anchors = [i for i, (c, s) in enumerate(zip(codes, scores)) if c and s > BY_POSITION]
    out = set()
    for i, (code, s) in enumerate(zip(codes, scores)):
        if code is None or s > BY_POSITION:
            continue
        prev = max((a for a in anchors if a < i), default=None)
        nxt = min((a for a in anchors if a > i), default=None)
        lo = order.index(codes[prev]) + 1 if prev is not None else 0
        hi = order.index(codes[nxt]) if nxt is not None else len(order)
        rows = (nxt if nxt is not None else len(codes)) - (prev + 1 if prev is not None else 0)
        if hi - lo != rows:
            out.add(i)
    return out


# section 三's rows in printed order: 2019 (and 2021 keeping the single （六）其他处理 row), 2021
_APPLICATION_ORDERS = (APPLICATIONS.row_codes("2019"),
                       [c for c in APPLICATIONS.row_codes("2021") if c != "other"])  # not vocabulary: a row code


# ---------------------------------------------------------------- 四、行政复议、行政诉讼情况
def appeals_facts(rows: list[GridRow]) -> list[Fact]:
    """Section 四's one row of figures after its header (行政复议 / 结果维持); when no header
    was read (a table that starts a page, an OCR'd header lost), the one row of exactly 15
    figures and no label."""
    return _appeals_facts(rows, header=True) or _appeals_facts(rows, header=False)


def _appeals_facts(rows: list[GridRow], header: bool) -> list[Fact]:
    in_appeals = not header
    for row in rows:
        text = normalize_label("".join(c for c in row.cells if c))
        if header and ("行政复议" in text or "结果维持" in text):
            in_appeals = True
            continue
        if not in_appeals:
            continue
        if not header and sum(1 for c in row.cells if c is not None) != N_APPEALS_CELLS:
            continue
        cells = list(row.cells)
        if len(cells) > N_APPEALS_CELLS:
            while len(cells) > N_APPEALS_CELLS and is_blank(cells[-1]):
                cells.pop()
        # covered positions (a figure cell merged over two grid columns) are not printed cells
        positions: list[int | None] = [i for i in range(len(cells))
                                       if cells[i] is not None][-N_APPEALS_CELLS:]
        figures = [cells[i] for i in positions]
        if (len(positions) < 10 or not all(is_value_like(c) for c in figures)
                or sum(is_number(c) for c in figures) < 5
                or not all(is_value_like(c) for c in cells)):
            continue
        # fewer than 15 cells: the lost ones are the leading (行政复议) group, as in the seeds
        positions = [None] * (N_APPEALS_CELLS - len(positions)) + positions
        facts = []
        cols = APPEALS.column_codes()
        for k, pos in enumerate(positions):
            r, c = APPEALS.rows[k // len(cols)].code, cols[k % len(cols)]
            facts.append(_fact("appeals", r, c, _cell(row, pos)))
        return facts
    return []


def layout_version(facts: list[Fact]) -> str | None:
    """'2019' / '2021' by the columns and rows present in sections 二 and 三; None if no table."""
    votes = {"2019": 0, "2021": 0}
    for f in facts:
        if f.table == "disclosure":
            versions = DISCLOSURE.column(f.column).versions
            if len(versions) == 1:
                votes[versions[0]] += 1
            if f.row in ("other_services", "procurement"):  # blocks the 2021 layout dropped
                votes["2019"] += 1
        elif f.table == "applications" and f.row in OTHER_SUBROWS:
            votes["2021"] += 1
    if votes["2021"] > votes["2019"]:
        return "2021"
    if votes["2019"] > votes["2021"]:
        return "2019"
    return None

"""Tables as their producers write them: every printed cell exact, blanks as blanks, checks as
printed (issue 21, point 1).

The documents are tests/fixtures/tables/*, made by make_tables.py (its docstring says what
pathology each one has); what each prints is written by hand in
tests/expected/reports/tables-2019.json and tables-2021.json. The grid tests below pin the
HTML table model itself (where a browser puts each cell) and the DOCX merges.
"""
from __future__ import annotations

import lxml.html
import pytest

from parsers import parse_document
from parsers.docx import W, table_to_grid as docx_grid
from parsers.html import colspan_of, is_quirks, rowspan_of, table_to_grid
from tests.fixtures.tables import make_tables
from tests.helpers import assert_report, expected_report

TABLES = make_tables.HERE
DOCUMENTS = {
    "wordpaste-2019.html": "tables-2019",
    "wordpaste-2019.docx": "tables-2019",
    "split-2021.html": "tables-2021",
    "rowgroups-2021.html": "tables-2021",
    "hidden-2021.html": "tables-2021",
    "controls-2021.docx": "tables-2021",
}
# printed cells per layout (二 + 三 + 四) and, of them, printed blank
CELLS = {"tables-2019": (22 + 23 * 7 + 15, 19), "tables-2021": (10 + 25 * 7 + 15, 5)}
# split-2021.html prints rows 一, 二 and the appeals row in full-width digits (read off the page)
FULL_WIDTH_RAW = {
    ("applications", "received", "natural_person"): "８", ("applications", "received", "total"): "１０",
    ("applications", "carried_over", "natural_person"): "１", ("applications", "carried_over", "total"): "１",
    ("appeals", "suit_direct", "upheld"): "１", ("appeals", "suit_direct", "total"): "１",
    ("appeals", "review", "upheld"): "０",
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_printed_cell(name):
    expected = DOCUMENTS[name]
    report = parse_document((TABLES / name).read_bytes(), filename=name)
    exp = expected_report(expected)
    if name == "split-2021.html":
        exp["raw"] = {**exp["raw"], **FULL_WIDTH_RAW}
    assert_report(report, exp)
    cells, blanks = CELLS[expected]
    assert len(report.facts) == cells
    assert sum(f.value is None for f in report.facts) == blanks


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_committed_documents_are_what_make_tables_writes(name):
    assert (TABLES / name).read_bytes() == make_tables.DOCUMENTS[name]()


def _html_tables(name: str) -> list:
    doc = lxml.html.document_fromstring((TABLES / name).read_bytes())
    quirks = is_quirks(doc.getroottree().docinfo.doctype)
    return [[r.cells for r in table_to_grid(t, quirks).rows] for t in doc.iter("table")]


def test_row_groups_as_a_browser_lays_them_out():
    """rowgroups-2021.html: <thead>, a <tfoot> before the <tbody>s, spans clipped at their group."""
    _, apps, _ = _html_tables("rowgroups-2021.html")
    # the corner cell says rowspan=5 but its <thead> has 3 rows: the first body row is whole
    assert apps[3] == ["一、本年新收政府信息公开申请数量", "8", "1", "0", "0", "1", "0", "10"]  # colspan="0" is 1
    assert apps[4] == ["二、上年结转政府信息公开申请数量", None, None, "1", "0", "0", "0", "0", "0", "1"]  # "3px" is 3
    # rowspan="0" (a no-quirks page): 三、 covers its <tbody>'s 22 rows, not the <tfoot> after it
    assert [row[0] for row in apps[5:27]] == ["三、本年度办理结果"] + [None] * 21
    # the <tfoot>, written before the <tbody>s, is drawn last
    assert len(apps) == 28 and apps[27] == ["四、结转下年度继续办理", None, None, "0", "0", "0", "0", "0", "0", "0"]


def test_hidden_cells_rows_and_text_take_no_place():
    """hidden-2021.html: display:none cells, a hidden row, hidden Word text; overlapping spans."""
    _, apps, appeals = _html_tables("hidden-2021.html")
    assert not any("序号" in (c or "") for row in apps for c in row)
    assert apps[3] == ["一、本年新收政府信息公开申请数量", None, None, "8", "1", "0", "0", "1", "0", "10"]
    assert apps[4][0] == "二、上年结转政府信息公开申请数量"
    # "3.其他" (rowspan 2, one too many) and （七）总计 (colspan 2) both cover the slot (row 26, col 2)
    assert apps[25][:3] == [None, None, "3.其他"]
    assert apps[26] == [None, "（七）总计", None, "9", "1", "0", "0", "1", "0", "11"]
    assert appeals[3] == ["0", "0", "0", "0", "0", "1", "0", "0", "0", "1", "", "", "", "", ""]


def test_split_table_continues_without_its_header():
    """split-2021.html: the second part of 三 opens with the empty cells of the cut group labels."""
    _, first, second, _ = _html_tables("split-2021.html")
    assert first[2][4:9] == ["商 业\n企 业", "科 研\n机 构", "社 会\n公 益\n组 织", "法 律\n服 务\n机 构", "其他"]
    assert first[-2][:4] == [None, None, "4.保护第三方合法权益", "1"]   # (then Word's zero-height row)
    assert second[0] == ["", "", "5.属于三类内部事务信息", "0", "0", "0", "0", "0", "0", "0"]


def test_word_pasted_cells_read_as_printed():
    """wordpaste-2019.html: the issue's structure, cell by cell."""
    _, apps, _ = _html_tables("wordpaste-2019.html")
    assert apps[0][:4] == [make_tables.CORNER_NOTE, None, None, "申请人情况"]
    assert apps[1][:5] == [None, None, None, "自然人", "法人或其他组织"]
    assert apps[1][-1] == "总计"
    assert apps[5] == ["三、本年度\n办理结果", "（一）予以公开", None, "6", "1", "0", "0", "0", "0", ""]
    assert apps[6][:2] == [None, "（二）部分公开\n（区分处理的，只计这一情形，不计其他情形）"]
    assert apps[7][:3] == [None, "（三）不予公开", "1.属于国家秘密"]
    assert apps[24] == [None, "（七）总计", None, "14", "2", "0", "1", "0", "1", "18"]
    assert apps[26] == ["", "", "", "", "", "", "", "", "", ""]  # Word's zero-height column row


def test_docx_merges_controls_and_tracked_changes():
    """controls-2021.docx: content controls, a repeating section, vMerge continuations that
    still hold text, gridBefore/gridAfter, a tracked change, hidden text."""
    import io

    import docx

    body = docx.Document(io.BytesIO((TABLES / "controls-2021.docx").read_bytes())).element.body
    disclosure, apps, appeals = [[r.cells for r in docx_grid(t).rows] for t in body.iter(W + "tbl")]
    assert disclosure[4] == ["", "第二十条第（五）项", None, None]        # gridBefore 1
    assert disclosure[6] == ["行政许可", "35", None]                     # gridAfter 1
    assert apps[5] == ["三、本年度办理结果", "（一）予以公开", None, "3", "1", "0", "0", "0", "0", "4"]  # del 5, ins 4
    assert apps[7] == [None, "（三）不予公开", "1.属于国家秘密", "0", "0", "0", "0", "0", "0", "0"]
    assert apps[15][3] == "2"                                           # hidden （含1件转办）
    assert apps[23][:3] == [None, "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"]
    assert apps[25][:3] == [None, None, "3.其他"]                        # in a repeating section
    assert appeals[3][:6] == ["0", "0", "0", "0", "0", "1"]


@pytest.mark.parametrize("value, expected", [
    (None, 1), ("", 1), ("2", 2), (" 3px", 3), ("0", 1), ("abc", 1), ("-2", 1), ("2000", 1000)])
def test_colspan_by_the_html_rules(value, expected):
    assert colspan_of(value) == expected


@pytest.mark.parametrize("value, quirks, expected", [
    (None, False, 1), ("4", False, 4), ("0", False, 0), ("0", True, 1), ("x", False, 1),
    ("70000", False, 65534)])
def test_rowspan_by_the_html_rules(value, quirks, expected):
    assert rowspan_of(value, quirks) == expected


@pytest.mark.parametrize("doctype, quirks", [
    (None, True), ("", True), ("<!DOCTYPE html>", False), ("<!doctype HTML>", False),
    ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">', True),
    ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">',
     False),
    ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
     '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">', False),
    ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">', True)])
def test_quirks_mode_by_doctype(doctype, quirks):
    assert is_quirks(doctype) is quirks


def test_rowspan_zero_depends_on_the_mode():
    html = "<table><tr><td rowspan=0>a</td><td>b</td></tr><tr><td>c</td></tr></table>"
    table = lxml.html.fragment_fromstring(html)
    assert [r.cells for r in table_to_grid(table, quirks=False).rows] == [["a", "b"], [None, "c"]]
    assert [r.cells for r in table_to_grid(table, quirks=True).rows] == [["a", "b"], ["c"]]

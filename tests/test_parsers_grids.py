"""One grid builder (parsers/grid.py) for HTML, DOCX and OFD; every cell of Word-pasted HTML.

The HTML below is written the way Word pastes a table into a CMS editor: mso styles, ``<o:p>``,
``&nbsp;`` blanks, ``<p>`` nested in ``<div>``/``<span>``, the 2019 layout of section 三 with its
rowspan group labels (三、本年度办理结果, （三）不予公开, （四）无法提供, （五）不予处理) and colspan=2
row labels (（一）予以公开, （二）部分公开, （六）其他处理, （七）总计). The figures are made up and
written by hand below; each printed figure differs from its neighbours where it can, so a
figure read from the wrong column fails.
"""
from __future__ import annotations

import lxml.html
import pytest

from parsers import parse_document
from parsers.grid import SpanCell, boxes_to_spans, build_grid
from parsers.html import table_to_grid

STYLE = ("border:solid windowtext 1.0pt;border-top:none;mso-border-top-alt:solid windowtext .5pt;"
         "mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt")


def td(text: str = "", rowspan: int = 1, colspan: int = 1, width: int = 40) -> str:
    """A Word-pasted cell: nested <p> in a <div>, mso spans, <o:p>, &nbsp; for a blank."""
    attrs = f"width={width}"
    if rowspan > 1:
        attrs += f" rowspan={rowspan}"
    if colspan > 1:
        attrs += f" colspan={colspan}"
    if text:
        body = (f"<span lang=EN-US style='font-size:9.0pt;font-family:宋体;mso-bidi-font-family:"
                f"宋体;mso-font-kerning:0pt'>{text}<o:p></o:p></span>")
    else:
        body = "<span lang=EN-US style='font-size:9.0pt'><o:p>&nbsp;</o:p></span>"
    return (f"<td {attrs} valign=center style='{STYLE}'><div><p class=MsoNormal align=center "
            f"style='text-align:center;mso-pagination:widow-orphan'>{body}</p></div></td>")


def tr(*cells: str) -> str:
    return "<tr style='mso-yfti-irow:1;height:15.0pt'>" + "".join(cells) + "</tr>"


def figures(values) -> list[str]:
    return [td("" if v is None else str(v)) for v in values]


# section 三: (row code, label cells, 7 figures); label cells are td() markup
APPLICATION_ROWS = [
    ("received", [td("一、本年新收政府信息公开申请数量", colspan=3)], [9, 1, 2, 3, 4, 5, 24]),
    ("carried_over", [td("二、上年结转政府信息公开申请数量", colspan=3)], [1, 0, 0, 0, 0, 0, 1]),
    ("granted", [td("三、本年度办理结果", rowspan=20), td("（一）予以公开", colspan=2)],
     [2, 1, 0, 1, 0, 2, 6]),
    ("partly_granted", [td("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2)],
     [2, 0, 1, 0, 0, 0, 3]),
    ("withheld_state_secret", [td("（三）不予公开", rowspan=8), td("1.属于国家秘密")],
     [1, 0, 0, 0, 0, 0, 1]),
    ("withheld_prohibited_by_law", [td("2.其他法律行政法规禁止公开")], [0, 0, 0, 0, 0, 0, 0]),
    ("withheld_security_stability", [td("3.危及“三安全一稳定”")], [0, 0, 0, 0, 0, 0, 0]),
    ("withheld_third_party", [td("4.保护第三方合法权益")], [1, 0, 0, 0, 0, 0, 1]),
    ("withheld_internal_affairs", [td("5.属于三类内部事务信息")], [0, 0, 0, 0, 0, 0, 0]),
    ("withheld_process_info", [td("6.属于四类过程性信息")], [0, 0, 0, 0, 1, 0, 1]),
    ("withheld_enforcement_files", [td("7.属于行政执法案卷")], [0, 0, 0, 0, 0, 0, 0]),
    ("withheld_query_matters", [td("8.属于行政查询事项")], [0, 0, 0, 0, 0, 0, 0]),
    ("unavailable_not_held", [td("（四）无法提供", rowspan=3), td("1.本机关不掌握相关政府信息")],
     [2, 0, 1, 0, 0, 1, 4]),
    ("unavailable_needs_creation", [td("2.没有现成信息需要另行制作")], [0, 0, 0, 1, 0, 0, 1]),
    ("unavailable_unclear", [td("3.补正后申请内容仍不明确")], [0, 0, 0, 0, 0, 0, 0]),
    ("refused_complaint", [td("（五）不予处理", rowspan=5), td("1.信访举报投诉类申请")],
     [1, 0, 0, 0, 0, 0, 1]),
    ("refused_duplicate", [td("2.重复申请")], [0, 0, 0, 0, 0, 1, 1]),
    ("refused_publication", [td("3.要求提供公开出版物")], [0, 0, 0, 0, 0, 0, 0]),
    ("refused_excessive", [td("4.无正当理由大量反复申请")], [0, 0, 0, 0, 0, 0, 0]),
    ("refused_reconfirm", [td("5.要求行政机关确认或重新出具已获取信息")], [0, 0, 0, 0, 0, 0, 0]),
    ("other", [td("（六）其他处理", colspan=2)], [0, 0, 0, 1, 0, 0, 1]),
    ("total_handled", [td("（七）总计", colspan=2)], [9, 1, 2, 3, 1, 4, 20]),
    ("carried_forward", [td("四、结转下年度继续办理", colspan=3)], [1, 0, 0, 0, 3, 1, 5]),
]
APPLICATION_HEADER = [
    tr(td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
       td("申请人情况", colspan=7)),
    tr(td("自然人", rowspan=2), td("法人或其他组织", colspan=5), td("总计", rowspan=2)),
    tr(td("商业企业"), td("科研机构"), td("社会公益组织"), td("法律服务机构"), td("其他")),
]
APPEALS = [[3, 1, 0, 1, 5], [0, 0, 2, 0, 2], [1, 0, 0, 0, 1]]


def disclosure_table(made: str, published: str, total: str) -> str:
    return "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0>" + "".join([
        tr(td("第二十条第（一）项", colspan=4)),
        tr(td("信息内容"), td(made), td(published), td(total)),
        tr(td("规章"), *figures([2, 1, 6])),
        tr(td("行政规范性文件"), *figures([4, 3, 11])),
        tr(td("第二十条第（五）项", colspan=4)),
        tr(td("信息内容"), td("上一年项目数量"), td("本年增/减"), td("处理决定数量")),
        tr(td("行政许可"), *figures([7, "增加2", 40])),
        tr(td("其他对外管理服务事项"), *figures([1, 0, 12])),
        tr(td("第二十条第（六）项", colspan=4)),
        tr(td("信息内容"), td("上一年项目数量"), td("本年增/减"), td("处理决定数量")),
        tr(td("行政处罚"), *figures([3, "减少1", 8])),
        tr(td("行政强制"), *figures([0, 0, 0])),
        tr(td("第二十条第（八）项", colspan=4)),
        tr(td("信息内容"), td("上一年项目数量"), td("本年增/减"), td("&nbsp;")),
        tr(td("行政事业性收费"), *figures([5, 0, None])),
        tr(td("第二十条第（九）项", colspan=4)),
        tr(td("信息内容"), td("采购项目数量"), td("采购总金额"), td("&nbsp;")),
        tr(td("政府集中采购"), *figures([6, "128.5", None])),
    ]) + "</table>"


def report_html(made="本年新制作数量", published="本年新公开数量", total="对外公开总数量") -> bytes:
    apps = "".join(APPLICATION_HEADER) + "".join(
        tr(*labels, *figures(values)) for _, labels, values in APPLICATION_ROWS)
    appeals = "".join([
        tr(td("行政复议", colspan=5), td("行政诉讼", colspan=10)),
        tr(td("结果维持", rowspan=2), td("结果纠正", rowspan=2), td("其他结果", rowspan=2),
           td("尚未审结", rowspan=2), td("总计", rowspan=2), td("未经复议直接起诉", colspan=5),
           td("复议后起诉", colspan=5)),
        tr(*[td(x) for x in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2]),
        tr(*figures([v for row in APPEALS for v in row])),
    ])
    body = f"""<div class="TRS_Editor"><div class=WordSection1 style='layout-grid:15.6pt'>
<p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:16.0pt;
font-family:方正小标宋简体'>某省人民政府办公厅2019年政府信息公开工作年度报告<o:p></o:p></span></b></p>
<p class=MsoNormal style='text-indent:32.0pt'><span style='font-size:16.0pt'>一、总体情况<o:p></o:p></span></p>
<p class=MsoNormal style='text-indent:32.0pt'><span>本报告依据《中华人民共和国政府信息公开条例》编制。<o:p></o:p></span></p>
<p class=MsoNormal><span>二、主动公开政府信息情况<o:p></o:p></span></p>
{disclosure_table(made, published, total)}
<p class=MsoNormal><span>三、收到和处理政府信息公开申请情况<o:p></o:p></span></p>
<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;
mso-table-layout-alt:fixed;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>{apps}
<![if !supportMisalignedColumns]><tr height=0>{'<td width=40 style="border:none"></td>' * 10}</tr><![endif]>
</table>
<p class=MsoNormal><span>四、政府信息公开行政复议、行政诉讼情况<o:p></o:p></span></p>
<table class=MsoNormalTable border=1>{appeals}</table>
<p class=MsoNormal><span>五、存在的主要问题及改进情况<o:p></o:p></span></p>
<p class=MsoNormal align=right style='text-align:right'><span>某省人民政府办公厅<o:p></o:p></span></p>
<p class=MsoNormal align=right style='text-align:right'><span>2020年1月31日<o:p></o:p></span></p>
</div></div>"""
    return ("<html xmlns:o='urn:schemas-microsoft-com:office:office'><head>"
            "<meta http-equiv=Content-Type content='text/html; charset=utf-8'>"
            f"<title>某省人民政府办公厅2019年政府信息公开工作年度报告</title></head><body>{body}</body></html>"
            ).encode("utf-8")


DISCLOSURE = {
    ("regulations", "made"): 2, ("regulations", "published"): 1, ("regulations", "total_published"): 6,
    ("normative_documents", "made"): 4, ("normative_documents", "published"): 3,
    ("normative_documents", "total_published"): 11,
    ("licensing", "items_last_year"): 7, ("licensing", "items_change"): 2, ("licensing", "decisions"): 40,
    ("other_services", "items_last_year"): 1, ("other_services", "items_change"): 0,
    ("other_services", "decisions"): 12,
    ("penalties", "items_last_year"): 3, ("penalties", "items_change"): -1, ("penalties", "decisions"): 8,
    ("enforcement", "items_last_year"): 0, ("enforcement", "items_change"): 0, ("enforcement", "decisions"): 0,
    ("fees", "items_last_year"): 5, ("fees", "items_change"): 0,
    ("procurement", "projects"): 6, ("procurement", "amount"): 128.5,
}
APP_COLUMNS = ["natural_person", "commercial", "research", "social_org", "legal_services",
               "other_org", "total"]
APPEAL_ROWS = ["review", "suit_direct", "suit_after_review"]
APPEAL_COLUMNS = ["upheld", "corrected", "other", "pending", "total"]


def expected() -> dict:
    out = {("disclosure", r, c): v for (r, c), v in DISCLOSURE.items()}
    for code, _, values in APPLICATION_ROWS:
        out |= {("applications", code, c): v for c, v in zip(APP_COLUMNS, values)}
    for r, values in zip(APPEAL_ROWS, APPEALS):
        out |= {("appeals", r, c): v for c, v in zip(APPEAL_COLUMNS, values)}
    return out


@pytest.mark.parametrize("headers", [
    ("本年新制作数量", "本年新公开数量", "对外公开总数量"),   # the national layout
    ("新制作数量", "公开数量", "对外公开总数"),               # the variants real reports print
], ids=["national", "variants"])
def test_word_pasted_html_every_cell(headers):
    report = parse_document(report_html(*headers))
    got = {(f.table, f.row, f.column): f.value for f in report.facts}
    want = expected()
    assert len(want) == 22 + 23 * 7 + 15
    assert got == want
    assert (report.agency, report.year, report.format_version) == ("某省人民政府办公厅", 2019, "2019")
    assert {c.status for c in report.checks} == {"pass"}  # the made-up figures add up


def test_rowspan_group_label_then_colspan_label():
    """The grid itself: under 三、本年度办理结果 (rowspan) a colspan=2 label then 7 figures."""
    html = "<table>" + "".join(APPLICATION_HEADER) + "".join(
        tr(*labels, *figures(values)) for _, labels, values in APPLICATION_ROWS[2:5]) + "</table>"
    rows = [r.cells for r in table_to_grid(lxml.html.fragment_fromstring(html)).rows]
    assert rows[3] == ["三、本年度办理结果", "（一）予以公开", None, "2", "1", "0", "1", "0", "2", "6"]
    assert rows[4] == [None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None,
                       "2", "0", "1", "0", "0", "0", "3"]
    assert rows[5] == [None, "（三）不予公开", "1.属于国家秘密", "1", "0", "0", "0", "0", "0", "1"]


def test_build_grid_spans():
    rows = [[SpanCell("a", rowspan=2), SpanCell("b", colspan=2)],
            [SpanCell("c"), SpanCell("d")],
            [SpanCell("e", colspan=3, rowspan=5)]]
    assert [r.cells for r in build_grid(rows).rows] == [
        ["a", "b", None], [None, "c", "d"], ["e", None, None]]
    # a stated column (DOCX gridBefore) leaves the skipped positions printed-empty
    assert [r.cells for r in build_grid([[SpanCell("x", col=2)]]).rows] == [["", "", "x"]]


def test_ruled_boxes_to_spans():
    # a label over two rows, a header over two columns (points, as OFD/OCR rulings give them)
    boxes = [(0, 0, 10, 20), (10, 0, 30, 10), (10, 10, 20, 20), (20, 10, 30, 20)]
    spans, _ = boxes_to_spans(boxes)
    assert [[(c.rowspan, c.colspan, c.col) for c in row] for row in spans] == [
        [(2, 1, 0), (1, 2, 1)], [(1, 1, 1), (1, 1, 2)]]
    for row in spans:
        for i, cell in enumerate(row):
            cell.text = str(i)
    assert [r.cells for r in build_grid(spans).rows] == [["0", "1", None], [None, "0", "1"]]

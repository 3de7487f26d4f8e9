"""Sniffing, parse errors, grid rebuilding, label matching, values and checks, on small inputs."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from parsers import PARSER_VERSION, Check, Fact, ParseError, parse_document, sniff_media_type
from parsers.checks import compute_checks
from parsers.codes import APPLICATIONS, CHECKS, DISCLOSURE, TABLES, label_of
from parsers.html import extract_html, table_to_grid
from parsers.meta import find_document_number, find_published, split_sections, text_lines
from parsers.normalize import fix_radicals, normalize_label, parse_value
from parsers.tables import match_application_row, match_disclosure_column, match_disclosure_row

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REAL_PDF = SHARED / "real" / "huaian_hongzequ_gov_2023.pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ sniffing
def test_sniff_media_types():
    assert sniff_media_type(REAL_PDF.read_bytes()) == "application/pdf"
    assert sniff_media_type(_docx_bytes(["x"])) == DOCX
    assert sniff_media_type(_zip({"xl/workbook.xml": b"<x/>", "[Content_Types].xml": b""})) \
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert sniff_media_type(_zip({"a.txt": b"hello"})) == "application/zip"
    assert sniff_media_type(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600) == "application/msword"
    assert sniff_media_type(b"\xef\xbb\xbf<!DOCTYPE html><html><body>x</body></html>") == "text/html"
    assert sniff_media_type(b"  \n<html lang='zh'><head><meta charset=gbk>") == "text/html"
    assert sniff_media_type("政府信息公开工作年度报告\n规章\t0".encode("utf-8")) == "text/plain"
    assert sniff_media_type("政府信息公开工作年度报告\n规章\t0".encode("gb18030")) == "text/plain"
    assert sniff_media_type(b"\x89PNG\r\n\x1a\n" + b"\0" * 20) == "image/png"
    assert sniff_media_type(b"\xff\xd8\xff\xe0" + b"\0" * 20) == "image/jpeg"
    assert sniff_media_type(bytes(range(256)) * 4) == "application/octet-stream"
    assert sniff_media_type(b"") == "application/octet-stream"


# ------------------------------------------------------------------ parse errors
def _status(data: bytes) -> str:
    with pytest.raises(ParseError) as err:
        parse_document(data)
    assert err.value.message
    return err.value.status


def test_truncated_pdf_is_corrupt():
    data = REAL_PDF.read_bytes()
    assert _status(data[: len(data) // 2]) == "corrupt"


def test_random_bytes_behind_a_pdf_header_are_corrupt():
    assert _status(b"%PDF-1.7\n" + os.urandom(4000)) == "corrupt"


def test_empty_input():
    assert _status(b"") == "empty"
    assert _status(b"   \n\n") == "empty"


def test_unsupported_types():
    assert _status(_zip({"a.txt": b"hello"})) == "unsupported"
    assert _status(_zip({"xl/workbook.xml": b"<workbook/>"})) == "unsupported"


def test_a_broken_image_is_corrupt():
    # images are OCR'd now (scans of reports are uploaded as PNG/JPEG): a PNG header over
    # zeros is a damaged image, not an unknown type
    assert _status(b"\x89PNG\r\n\x1a\n" + b"\0" * 100) == "corrupt"


def test_encrypted_pdf():
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt="secret")
    c.drawString(100, 100, "2020 report")
    c.save()
    assert _status(buf.getvalue()) == "encrypted"


def test_docx_zip_bomb_is_refused_before_inflating():
    # 101 MB of zeros deflate to ~100 KB; the zip directory declares the real size
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>",
                 "word/media/bomb.bin": bytes(101 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    assert sniff_media_type(bomb) == DOCX
    assert _status(bomb) == "too_large"


def test_broken_docx_is_corrupt():
    assert _status(_zip({"word/document.xml": b"<not xml"})) == "corrupt"


def test_a_docx_with_a_damaged_package_says_so():
    """A [Content_Types].xml without its namespace (a hand-made or truncated package): python-docx
    fails with an AttributeError deep inside; the reason recorded says what the document is."""
    with pytest.raises(ParseError) as e:
        parse_document(_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}))
    assert e.value.status == "corrupt"
    assert "python-docx cannot open as a Word document" in e.value.message, e.value.message


def test_html_article_without_report_tables_is_not_report():
    page = """<html><head><meta charset="utf-8">
    <meta name="ArticleTitle" content="攀枝花市人民防空办公室2019年政府信息公开工作年度报告">
    <title>攀枝花市人民防空办公室2019年政府信息公开工作年度报告</title></head>
    <body><div id="zoom"><p>攀枝花市人民防空办公室2019年政府信息公开工作年度报告，详见附件。</p>
    <p>附件：<a href="P020200120.pdf">2019年政府信息公开工作年度报告.pdf</a></p></div>
    </body></html>""".encode()
    assert _status(page) == "not_report"


def test_non_report_text_and_docx():
    notice = "关于召开人防工程管理工作会议的通知\n各区县人防办：\n定于3月5日召开会议。\n"
    assert _status(notice.encode("utf-8")) == "not_report"
    assert _status(_docx_bytes(["会议通知", "请准时参加。"])) == "not_report"


def test_parse_error_rejects_unknown_status():
    with pytest.raises(ValueError):
        ParseError("weird", "x")


# ------------------------------------------------------------------ HTML grids
def test_html_grid_honours_rowspan_and_colspan():
    page = """<table>
      <tr><td rowspan="2">信息内容</td><td colspan="2">申请人情况</td><td rowspan="2">总计</td></tr>
      <tr><td>自然人</td><td>法人&nbsp;</td></tr>
      <tr><td>一、本年新收</td><td>2</td><td>&nbsp;</td><td>2</td></tr>
      <tr><td colspan="2" rowspan="2">合<br>并</td><td>1</td><td>1</td></tr>
      <tr><td>3</td><td>3</td></tr>
    </table>"""
    import lxml.html

    table = lxml.html.fragment_fromstring(page)
    rows = [r.cells for r in table_to_grid(table).rows]
    assert rows == [
        ["信息内容", "申请人情况", None, "总计"],
        [None, "自然人", "法人", None],
        ["一、本年新收", "2", "", "2"],
        ["合\n并", None, "1", "1"],
        [None, None, "3", "3"],
    ]


def test_html_gbk_page_is_decoded_and_parsed():
    # declared gb2312, bytes in GB18030; the body holds a two-row section 二
    page = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
    <title>某某市人民防空办公室2020年政府信息公开工作年度报告</title></head><body>
    <div class="TRS_Editor"><p>某某市人民防空办公室2020年政府信息公开工作年度报告</p>
    <p>一、总体情况</p><p>略。</p><p>二、主动公开政府信息情况</p>
    <table><tr><td>信息内容</td><td>本年新制作数量</td><td>本年新公开数量</td><td>对外公开总数量</td></tr>
    <tr><td>规章</td><td>1</td><td>&nbsp;</td><td>/</td></tr></table>
    <p>某某市人民防空办公室</p><p>2021年1月15日</p></div></body></html>"""
    report = parse_document(page.encode("gb18030"))
    assert report.media_type == "text/html"
    assert report.agency == "某某市人民防空办公室"
    assert (report.year, report.published, report.format_version) == (2020, "2021-01-15", "2019")
    cells = {(f.row, f.column): (f.value, f.raw) for f in report.facts}
    assert cells == {("regulations", "made"): (1, "1"),
                     ("regulations", "published"): (None, ""),
                     ("regulations", "total_published"): (None, "/")}
    assert report.checks == []  # no table 三 / 四: no checks


def test_html_meta_hints():
    page = """<html><head><meta charset="utf-8"><meta name="PubDate" content="2021-01-28 09:30">
    <meta name="ContentSource" content="某某人防办"></head><body><div id="zoom">
    <p>这里是正文，正文足够长，用来选中这个容器。这里是正文，正文足够长，用来选中这个容器。</p></div>
    </body></html>""".encode()
    ex = extract_html(page)
    assert ex.date_hint == "2021-01-28" and ex.agency_hint == "某某人防办"


# ------------------------------------------------------------------ a 2021-layout table 三
TEXT_2021 = "\n".join([
    "某区人民防空办公室",
    "某区人民防空办公室2021年政府信息公开工作年度报告",
    "一、总体情况", "略。",
    "二、主动公开政府信息情况",
    "第二十条第（一）项\t\t\t",
    "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
    "规章\t0\t0\t0",
    "行政规范性文件\t2\t1\t9",
    "第二十条第（八）项\t",
    "信息内容\t本年收费金额（单位：万元）",
    "行政事业性收费\t12.5",
    "三、收到和处理政府信息公开申请情况",
    "一、本年新收政府信息公开申请数量\t\t5\t1\t0\t0\t0\t0\t6",
    "二、上年结转政府信息公开申请数量\t\t1\t0\t0\t0\t0\t0\t1",
    "三、本年度办理结果\t（一）予以公开\t\t2\t1\t0\t0\t0\t0\t3",
    "\t（二）部分公开\t\t1\t0\t0\t0\t0\t0\t1",
    "\t（三）不予公开\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0",
    "\t\t2.其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t0\t0",
    "\t\t3.危及“三安全一稳定”\t0\t0\t0\t0\t0\t0\t0",
    "\t\t4.保护第三方合法权\t0\t0\t0\t0\t0\t0\t0",
    "\t\t益\t\t\t\t\t\t\t",
    "\t\t5.属于三类内部事务信息\t0\t0\t0\t0\t0\t0\t0",
    "\t\t6.属于四类过程性信息\t0\t0\t0\t0\t0\t0\t0",
    "\t\t7.属于行政执法案卷\t0\t0\t0\t0\t0\t0\t0",
    "\t\t8.属于行政查询事项\t0\t0\t0\t0\t0\t0\t0",
    "\t（四）无法提供\t1.本机关不掌握相关政府信息\t1\t0\t0\t0\t0\t0\t1",
    "\t\t2.没有现成信息需要另行制作\t0\t0\t0\t0\t0\t0\t0",
    "\t\t3.补正后申请内容仍不明确\t0\t0\t0\t0\t0\t0\t0",
    "\t（五）不予处理\t1.信访举报投诉类申请\t0\t0\t0\t0\t0\t0\t0",
    "\t\t2.重复申请\t0\t0\t0\t0\t0\t0\t0",
    "\t\t3.要求提供公开出版物\t0\t0\t0\t0\t0\t0\t0",
    "\t\t#@!\t0\t0\t0\t0\t0\t0\t0",  # an unreadable label: 4. 无正当理由大量反复申请 by order
    "\t\t5.要求行政机关确认或重新出具已获取信息\t0\t0\t0\t0\t0\t0\t0",
    "\t（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t1\t0\t0\t0\t0\t0\t1",
    "\t\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0",
    "\t\t3.其他\t0\t0\t0\t0\t0\t\t",  # other_org and total printed blank
    "\t（七）总计\t\t5\t1\t0\t0\t0\t0\t6",
    "四、结转下年度继续办理\t\t1\t0\t0\t0\t0\t0\t1",
    "四、政府信息公开行政复议、行政诉讼情况",
    "行政复议\t\t\t\t\t行政诉讼",
    "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉",
    "1\t0\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t1\t0\t1",
    "五、存在的主要问题及改进情况", "略。",
    "六、其他需要报告的事项", "无。",
    "某区人民防空办公室", "二〇二二年一月二十日",
])


@pytest.fixture(scope="module")
def report_2021():
    return parse_document(TEXT_2021.encode("utf-8"))


def test_2021_layout_rows_and_version(report_2021):
    r = report_2021
    assert (r.format_version, r.year, r.published) == ("2021", 2021, "2022-01-20")
    assert r.agency == "某区人民防空办公室"
    rows = [f.row for f in r.facts if f.table == "applications" and f.column == "total"]
    assert rows == APPLICATIONS.row_codes("2021")[:20] + [
        "other_no_correction", "other_unpaid_fee", "other_misc", "total_handled",
        "carried_forward"]
    fee = r.fact("disclosure", "fees", "amount_10k_yuan")
    assert (fee.value, fee.unit) == (12.5, "万元")
    # 3.其他: the last two cells printed blank -> null, raw ''
    misc = [(f.value, f.raw) for f in r.facts if f.row == "other_misc"]
    assert misc == [(0, "0")] * 5 + [(None, "")] * 2
    assert r.fact("applications", "refused_excessive", "natural_person").value == 0
    appeals = [f.value for f in r.facts if f.table == "appeals"]
    assert appeals == [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1]


def test_2021_layout_checks(report_2021):
    checks = {(c.code, c.key): c for c in report_2021.checks}
    # outcome_sum uses the 2021 sub-rows: 2+1+1+0 = 5 for natural persons
    assert checks[("applications.outcome_sum", "natural_person")] == Check(
        "applications.outcome_sum", "natural_person", "pass", 5, 5)
    assert checks[("applications.balance", "natural_person")] == Check(
        "applications.balance", "natural_person", "pass", 6, 6)
    # a null input makes a check unknown, never pass or fail
    assert checks[("applications.outcome_sum", "total")] == Check(
        "applications.outcome_sum", "total", "unknown", None, 6)
    assert checks[("applications.outcome_sum", "other_org")].status == "unknown"
    assert checks[("applications.row_sum", "other_misc")].status == "unknown"
    assert {c.status for k, c in checks.items() if k[0] == "appeals.group_sum"} == {"pass"}
    failing = [k for k, c in checks.items() if c.status == "fail"]
    assert failing == []


# ------------------------------------------------------------------ labels, values, codes
@pytest.mark.parametrize("label,code", [
    ("2.其他法律行政止公开", "withheld_prohibited_by_law"),      # typo of the 洪泽区 report
    ("三\n、\n本\n年\n度\n办\n理\n结\n果（一）予以公开", "granted"),  # vertical merged label
    ("(二) 部分公开 (区分处理的，只计这一情形，不计其他情形)", "partly_granted"),
    ("5. 要求行政机关确认或重新出具已获取信", "refused_reconfirm"),  # wrapped, tail lost
    ("4. 保护第三方合法权", "withheld_third_party"),
    ("（六）其他处理", "other"),
    ("3.其他", "other_misc"),
    ("（七）总计", "total_handled"),
    ("四、结转下年度继续办理", "carried_forward"),
    ("无关的文字", None),
])
def test_match_application_row(label, code):
    assert match_application_row(label) == code


def test_match_disclosure_labels():
    assert match_disclosure_row("行政规范性文件") == "normative_documents"
    assert match_disclosure_row("规 范 性 文 件") == "normative_documents"
    assert match_disclosure_row("其他对外管理服务事项") == "other_services"
    assert match_disclosure_row("信息内容") is None
    assert match_disclosure_column("公开数量") == "published"
    assert match_disclosure_column("对外公开\n总数量") == "total_published"
    assert match_disclosure_column("本年收费金额（单位：万元）") == "amount_10k_yuan"
    assert match_disclosure_column("采购总金额（万元）") == "amount"
    assert match_disclosure_column("本年增/减") == "items_change"


@pytest.mark.parametrize("raw,value,unit", [
    ("0", 0, None), ("58", 58, None), ("3995.07", 3995.07, None), ("增加 36 件", 36, None),
    ("减少 3 件", -3, None), ("251000元", 251000, "元"), ("12.5万元", 12.5, "万元"),
    ("1,200", 1200, None), ("", None, None), ("/", None, None), ("—", None, None),
    (None, None, None), ("见附件", None, None), ("５", 5, None),
])
def test_parse_value(raw, value, unit):
    got = parse_value(raw)
    assert got == (value, unit) and type(got[0]) is type(value)


def test_normalize_label_and_radicals():
    assert normalize_label(" 商业\n企业 ") == "商业企业"
    assert normalize_label("（一）予以公开") == normalize_label("(一) 予以公开")
    assert fix_radicals("⼈⺠防空办公室") == "人民防空办公室"
    assert fix_radicals("⼾") == "户"


def test_codes_are_complete_and_labelled():
    assert set(TABLES) == {"disclosure", "applications", "appeals"}
    assert len(APPLICATIONS.row_codes("2019")) == 23 - 1 + 1  # 23 rows incl. （六）其他处理
    assert len([c for c in APPLICATIONS.row_codes("2021") if c != "other"]) == 25
    assert label_of("applications", "received") == "一、本年新收政府信息公开申请数量"
    assert label_of("applications", "natural_person") == "自然人"
    assert label_of("appeals", "other", kind="column") == "其他结果"
    assert label_of("disclosure", "amount_10k_yuan") == "本年收费金额（单位：万元）"
    assert set(DISCLOSURE.row_columns) == set(DISCLOSURE.row_codes())
    assert set(CHECKS) == {"applications.balance", "applications.row_sum",
                           "applications.outcome_sum", "appeals.group_sum",
                           "text.applications", "text.appeals"}
    with pytest.raises(KeyError):
        label_of("applications", "nope")
    assert PARSER_VERSION


def test_checks_skip_missing_tables():
    facts = [Fact("appeals", "review", c, v, str(v), None, None)
             for c, v in zip(["upheld", "corrected", "other", "pending", "total"], [1, 1, 0, 0, 3])]
    checks = compute_checks(facts)
    assert checks == [Check("appeals.group_sum", "review", "fail", 2, 3)]


def test_meta_helpers():
    lines = text_lines("攀枝花市人民防空办公室文件\n\n攀人防发〔2020〕7号\n- 2 -\n正文\n2020 年 1 月 20 日\n")
    assert "- 2 -" not in lines
    assert find_document_number(lines) == "攀人防发〔2020〕7号"
    assert find_published(lines) == "2020-01-20"
    sections = split_sections(TEXT_2021)
    assert list(sections) == ["general", "disclosure", "applications", "appeals", "problems",
                              "other_matters"]
    assert sections["problems"] == "略。" and sections["other_matters"].startswith("无。")
    assert "规章\t0\t0\t0" in sections["disclosure"]

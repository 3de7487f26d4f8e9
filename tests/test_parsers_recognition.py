"""A report is recognised by its substance, however its producer laid the text out.

Pre-2019 reports are free prose, and their PDFs wrap the title inside a word
(``…2016年政府信息公开工作年`` / ``度报告``), letter-space headings, print full-width digits and
break sentences at the margin. The two reports of tests/expected/pre2019/ are drawn line by
line with reportlab exactly so (text layer), then rasterised as scans (image only, OCR). The
expected values there are written by hand from those lines; the distractors of the sample and
test portals must stay ``not_report``.
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest

from parsers import ParseError, parse_document
from parsers.meta import find_title, is_report, report_evidence, text_lines
from parsers.normalize import flow_text, layout_line
from tests.fixtures.renditions import make_renditions as mk
from tests.helpers import expected_json

REPO = Path(__file__).resolve().parents[1]
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

# tests/expected/pre2019/NAME.json: the report's printed lines, (font size, text) each, wrapped
# where the margin fell, and what they say, written by hand from those lines
EXPECTED = {name: expected_json(f"pre2019/{name}.json") for name in ("jx2016", "pzh2015")}
JX2016 = [tuple(line) for line in EXPECTED["jx2016"]["lines"]]


def lines_pdf(lines: list[tuple[int, str]]) -> bytes:
    """A text-layer A4 PDF: each (size, text) drawn as one line; titles centred."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", FONT, subfontIndex=0))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    width, height = A4
    y = height - 90
    for size, text in lines:
        c.setFont("WQY", size)
        if size > 12:
            c.drawCentredString(width / 2, y, text)
        else:
            c.drawString(70, y, text)
        y -= size * 1.9
    c.save()
    return buf.getvalue()


def _scan(name: str) -> bytes:
    cache = Path(tempfile.gettempdir()) / "renfang-renditions-cache"
    cache.mkdir(exist_ok=True)
    path = cache / f"pre2019-{name}.{mk.SCAN_DPI}.scan.pdf"
    if not path.exists():
        path.write_bytes(mk.scan_pdf(lines_pdf(EXPECTED[name]["lines"])))
    return path.read_bytes()


def _facts(report) -> dict[str, int]:
    return {f"{f.table}.{f.row}.{f.column}": f.value for f in report.facts}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_wrapped_title_text_layer(name):
    exp = EXPECTED[name]
    report = parse_document(lines_pdf(exp["lines"]))
    assert not report.ocr
    assert (report.title, report.year, report.agency, report.published, report.format_version) == (
        exp["title"], exp["year"], exp["agency"], exp["published"], "pre2019")
    assert _facts(report) == exp["facts"]


@pytest.mark.slow
@pytest.mark.ocr
@pytest.mark.parametrize("name", list(EXPECTED))
def test_wrapped_title_scanned(name):
    exp = EXPECTED[name]
    report = parse_document(_scan(name))
    assert report.ocr and report.method == "ocr"
    # the OCR'd title can differ by a glyph; what it is about cannot
    assert (report.year, report.agency, report.format_version) == (
        exp["year"], exp["agency"], "pre2019")
    assert report.published == exp["published"]


def test_title_wrapped_inside_a_word_is_joined():
    lines = ["江西省人民防空办公室2016年政府信息公开工作年", "度报告", "根据《条例》规定，现公布。"]
    assert find_title(lines) == "江西省人民防空办公室2016年政府信息公开工作年度报告"
    # the agency on a line of its own, the title wrapped after 年度报 (OCR read 告 as 在)
    lines = ["某县人民防空办公室", "2017年政府信息公开工作年度报", "在", "一、概述"]
    assert find_title(lines) == "某县人民防空办公室2017年政府信息公开工作年度报在"
    # a paragraph mentioning the report is not a title, nor a letterhead + 文号 + paragraph
    assert find_title(["某县人民防空办公室文件", "某人防发〔2017〕3号",
                       "现将2016年政府信息公开工作年度报告印发给你们，请认真贯彻落实。"]) is None


def test_layout_normalisation():
    assert layout_line("２０１５年 政 府 信 息 公 开 (一) 共 3 件") == "2015年政府信息公开（一）共3件"
    assert layout_line("规章\t0 \t 1") == "规章\t0\t1"  # TABs between cells stay
    text = "我办认真贯彻落实《条例》，坚持以公开为常态、不公开为例外，推进政务公\n\n开工作。\n二、概述"
    assert flow_text(text) == "我办认真贯彻落实《条例》，坚持以公开为常态、不公开为例外，推进政务公开工作。\n二、概述"


def test_a_report_by_substance_not_by_one_string():
    text = "\n".join(t for _, t in JX2016).replace("报告", "报在")  # no 年度报告 anywhere
    assert "年度报告" not in text
    assert is_report(text)
    assert set(report_evidence(text)) >= {"title", "regulation", "proactive", "on_request",
                                           "appeals", "period", "sections", "signature"}
    # documents about the reports, or about something else, are not reports
    for other in [
        "关于做好2017年政府信息公开工作年度报告编制工作的通知\n各科室：\n根据《中华人民共和国政府信息公开条例》，"
        "请于1月20日前报送主动公开、依申请公开情况。\n江西省人民防空办公室\n2017年1月5日",
        "江西省人民防空办公室2017年政务公开工作要点\n一、加强组织领导\n二、做好主动公开\n三、规范依申请公开\n"
        "江西省人民防空办公室\n2017年3月1日",
        "攀枝花市人民防空办公室2018年部门决算\n收入支出决算总表\n单位：万元",
    ]:
        assert not is_report(other), report_evidence(other)


def test_portal_distractors_stay_not_report():
    from tests.portals import sites

    base = {sid: "http://127.0.0.1:1" for sid in sites.SITE_IDS}
    bodies = []
    for sid, paths in sites.DISTRACTORS.items():
        pages = sites.BUILDERS[sid](base, 1)["pages"]
        bodies += [pages[p].body for p in paths if p in pages and not p.endswith(".pdf")]
    documents = REPO / "sample_portal" / "documents"
    bodies += [(documents / n).read_bytes() for n in ("juesuan_2018.pdf", "not_a_report.docx")]
    bodies.append((REPO / "sample_portal" / "sites" / "pzhrf" / "zwgk" / "zfxxgknb" / "202003"
                   / "t20200305_5150.html").read_bytes())  # 工作要点
    assert len(bodies) >= 10
    for body in bodies:
        with pytest.raises(ParseError) as err:
            parse_document(body)
        assert err.value.status == "not_report"


def test_text_lines_keep_the_printed_title():
    lines = text_lines("攀枝花市人民防空办公室 2019年政府信息公开工作年度报告\n一、总体情况\n")
    assert find_title(lines) == "攀枝花市人民防空办公室 2019年政府信息公开工作年度报告"

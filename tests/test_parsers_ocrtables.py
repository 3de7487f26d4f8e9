"""Reading OCR'd tables by their structure when their words are garbled (parsers/tables.py,
parsers/ocr.py), on grids written by hand the way Tesseract returns the scans' tables
(the garbled labels below are real readings of the seed scans).
"""
from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from parsers.codes import APPLICATIONS
from parsers.grid import Grid, GridRow
from parsers.ocr import _closest, _shape, drop_red_ink, open_ends
from parsers.tables import grids_to_facts

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
GARBLED_2019 = [  # OCR of seed000's 三 (23 rows): only three labels read beyond doubt
    "一、本竺新履政府信息公志十刘效蛙", "二、工午盾拉政府信息公刀十三双星", "(一)末以公开",
    "全; 下放公开 (区分处理的，只计这过有", "伺 ) 不了 1. 局 j 吾耻密", "2. 其他法律行政法规禁止公开",
    "3.危及“二文生”苍中", "和个生一方合关仪全", "5.亢j 一天 m 识各信息", "6. 属于四类过程性信息",
    "和 7. 属于行政执六坷", "8.属于行政全二过届", "闻 1.本机关二二注汪大政府信息",
    "2. 没有现成信息需要另1 moIF", "3. 补正后十请六容仿个明人铺", "全 JR 1. 信信权臣朴汽关下六",
    "2. 重入十访", "3. 要末提共众元出放均", "4. 无正当二由大圭反复申请", "5. 要求行政机关确认或重新出具已获取信息",
    "(六) 其化处二", "(七) 总计", "四、结转下生度继续办理",
]


def _rows(labels, figures) -> list[GridRow]:
    return [GridRow([label, None] + [str(v) for v in values]) for label, values in zip(labels, figures)]


def test_garbled_labels_read_in_the_layouts_row_order():
    figures = [[i, 0, 0, 0, 0, 0, i] for i in range(23)]
    facts = grids_to_facts([Grid(_rows(GARBLED_2019, figures))])
    got = {f.row: f.value for f in facts if f.table == "applications" and f.column == "total"}
    assert got == {code: i for i, code in enumerate(APPLICATIONS.row_codes("2019"))}


def test_a_figure_cell_read_as_glyphs_keeps_the_row_aligned():
    figures = [[0] * 7 for _ in range(23)]
    rows = _rows(GARBLED_2019, figures)
    rows[3].cells[2:5] = ["加", "人", "ff"]  # partly_granted's first three figures, as OCR'd
    rows[3].cells[-1] = "3"
    facts = {(f.row, f.column): f for f in grids_to_facts([Grid(rows)]) if f.table == "applications"}
    assert len(facts) == 23 * 7
    assert [facts[("partly_granted", c)].value for c in APPLICATIONS.column_codes()] == [
        None, None, None, 0, 0, 0, 3]
    assert facts[("partly_granted", "natural_person")].raw == "加"


def test_garbled_disclosure_headers_fall_back_to_the_layout():
    rows = [["稳一十条第 (一) 项", None, None, None],
            ["信已内容", "本乞革和 TF 交里", "本冰公开邹量", "对外公帮汪 理"],
            ["规章", "15", "15", "15"], ["规范性文件", "8", "8", "10"],
            ["四一十条第 (五) 项", None, None, None],
            ["信忆内容", "工，午项目数量", "人 2/减", "处理决走碎盏"],
            ["条下谨古", "1", "0", "17"], ["其他对立意理服务事项", "4", "0", "85"],
            ["币二十条第 (六) 项", None, None, ""],
            ["信忆内容", "上，午项目数量", "人 TV/减", "处理尘定立三"],
            ["行政处罚", "2", "0", "6"], ["行政强制", "0", "0", "0"],
            ["全忆内容", "二，午项目数量", "全/减", ""], ["行政事业性收费", "0", "0", ""],
            ["信居内容", "对的素目数量", "采购总金额", None], ["政府入个有系鸣", "15", "3995.07", None]]
    facts = {(f.row, f.column): f.value for f in grids_to_facts([Grid([GridRow(r) for r in rows])])}
    assert facts == {
        ("regulations", "made"): 15, ("regulations", "published"): 15,
        ("regulations", "total_published"): 15,
        ("normative_documents", "made"): 8, ("normative_documents", "published"): 8,
        ("normative_documents", "total_published"): 10,
        ("licensing", "items_last_year"): 1, ("licensing", "items_change"): 0,
        ("licensing", "decisions"): 17,
        ("other_services", "items_last_year"): 4, ("other_services", "items_change"): 0,
        ("other_services", "decisions"): 85,
        ("penalties", "items_last_year"): 2, ("penalties", "items_change"): 0,
        ("penalties", "decisions"): 6,
        ("enforcement", "items_last_year"): 0, ("enforcement", "items_change"): 0,
        ("enforcement", "decisions"): 0,
        ("fees", "items_last_year"): 0, ("fees", "items_change"): 0,
        ("procurement", "projects"): 15, ("procurement", "amount"): 3995.07}


def test_a_table_split_across_pages_gets_its_missing_bottom_ruling():
    # three verticals run on 40 px below the last horizontal ruling (y=100): the row is open
    horizontal = [(0, 300, 60), (0, 300, 100)]
    vertical = [(0, 60, 140), (150, 60, 141), (300, 60, 139)]
    assert open_ends(horizontal, vertical) == [(0, 300, 140)]
    # a closed table gets nothing
    assert open_ends(horizontal + [(0, 300, 140)], vertical) == []


def _glyph(text: str, size: int = 36) -> Image.Image:
    font = ImageFont.truetype(FONT, size)
    img = Image.new("L", (size * 2, size * 2), 255)
    ImageDraw.Draw(img).text((size // 2, size // 3), text, font=font, fill=0)
    return img.crop(Image.eval(img, lambda v: 255 - v).getbbox())


def test_unsure_digits_settled_by_the_pages_own_glyphs():
    templates = {"0": [_shape(_glyph("0"))], "1": [_shape(_glyph("1"))], "3": [_shape(_glyph("3"))]}
    assert _closest(_shape(_glyph("0", 34)), templates)[0] == "0"
    assert _closest(_shape(_glyph("3", 38)), templates)[0] == "3"
    match, score = _closest(_shape(_glyph("人")), templates)  # not a figure: no match
    assert match is None and score == 0.0


def test_red_seal_ink_becomes_paper_black_print_under_it_stays():
    img = Image.new("RGB", (3, 1))
    img.putpixel((0, 0), (225, 45, 50))   # seal ink on paper
    img.putpixel((1, 0), (10, 5, 5))      # black print under the seal (inks multiply)
    img.putpixel((2, 0), (30, 30, 30))    # black print
    grey = drop_red_ink(img)
    assert grey.mode == "L"
    assert grey.getpixel((0, 0)) == 255 and grey.getpixel((1, 0)) < 40 and grey.getpixel((2, 0)) < 40

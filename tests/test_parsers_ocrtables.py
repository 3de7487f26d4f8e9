"""Reading OCR'd tables by their structure when their words are garbled (parsers/tables.py,
parsers/ocr.py), on grids written by hand the way Tesseract returns the scans' tables
(the garbled labels below are real readings of the seed scans); and the scan's image work
(parsers/scan.py) on pages drawn here: rulings against bold text, specks against glyphs and
decimal points, a red seal against the print under it.
"""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from parsers import scan
from parsers.codes import APPLICATIONS
from parsers.grid import Grid, GridRow
from parsers.model import LOW_CONFIDENCE
from parsers.ocr import figure_confidence, figure_reading, open_ends
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


def _page(draw_on, size=(1200, 700)) -> np.ndarray:
    """A white 300-dpi page region drawn by ``draw_on(draw, font)``, as a binary ink mask."""
    img = Image.new("L", size, 255)
    draw_on(ImageDraw.Draw(img), ImageFont.truetype(FONT, 44))  # 10.5 pt at 300 dpi
    return np.where(np.array(img) < 128, 255, 0).astype(np.uint8)


def test_bold_text_is_no_ruling():
    # a ruled row whose label is bold (drawn with a stroke): the old block detector took it
    # for lines; continuous runs find only the five rulings drawn
    def draw(d, font):
        for y in (100, 200):
            d.line([(50, y), (1150, y)], fill=0, width=4)
        for x in (50, 700, 1150):
            d.line([(x, 100), (x, 200)], fill=0, width=4)
        d.text((70, 125), "一、本年新收政府信息公开申请数量", font=font, fill=0, stroke_width=2, stroke_fill=0)
        d.text((900, 125), "1362", font=font, fill=0)
    rulings = scan.find_rulings(_page(draw))
    assert [round(y / 10) for y in sorted(y for _, _, y in rulings.horizontal)] == [10, 20]
    assert [round(x / 10) for x in sorted(x for x, _, _ in rulings.vertical)] == [5, 70, 115]
    assert not rulings.mask[110:190, 60:690].any()  # nothing of the label is taken for a line


def test_specks_go_glyphs_and_decimal_points_stay():
    def draw(d, font):
        d.text((100, 100), "1362", font=font, fill=0)
        d.text((100, 300), "3995.07", font=font, fill=0)
        d.text((100, 500), "一、予以公开。", font=font, fill=0)
        for x, y in ((600, 120), (700, 330), (900, 600), (480, 640)):  # toner specks
            d.ellipse([x, y, x + 5, y + 5], fill=0)
    ink = _page(draw)
    clean = scan.remove_specks(ink)
    for x, y in ((600, 120), (700, 330), (900, 600), (480, 640)):
        assert not clean[y:y + 6, x:x + 6].any(), (x, y)
    # every glyph's ink is left as it was: the thin 1, the decimal point, the full stop
    glyphs = ink.copy()
    for x, y in ((600, 120), (700, 330), (900, 600), (480, 640)):
        glyphs[y:y + 6, x:x + 6] = 0
    assert np.array_equal(clean, glyphs)


def test_a_speck_beside_a_figure_in_its_cell_goes():
    # a speck too big for the page-wide rule (10 px), standing apart from the cell's 0
    def draw(d, font):
        d.text((60, 40), "0", font=font, fill=0)
        d.rectangle([120, 60, 129, 69], fill=0)
    ink = _page(draw, (200, 160))
    flat = np.where(ink > 0, 0, 255).astype(np.uint8)
    kept = scan.remove_specks(ink)
    assert kept[60:70, 120:130].all()  # too big to be a speck on the page
    lines = scan.cell_lines(flat, kept, ink, (0, 0, 200, 160))
    assert len(lines) == 1
    x0, _, x1, _ = lines[0].box
    assert 60 <= x0 and x1 < 100  # the 0 alone


def test_red_seal_ink_becomes_paper_black_print_under_it_stays():
    img = np.zeros((1, 3, 3), np.uint8)
    img[0, 0] = (225, 45, 50)   # seal ink on paper
    img[0, 1] = (10, 5, 5)      # black print under the seal (inks multiply)
    img[0, 2] = (30, 30, 30)    # black print
    grey = scan.drop_red_ink(img)
    assert grey.ndim == 2
    assert grey[0, 0] == 255 and grey[0, 1] < 40 and grey[0, 2] < 40


def test_figure_confidence_weighs_independent_evidence():
    sure = figure_confidence("15", 0.99, "15", 0.98, ink_aspect=1.6, removed=0)
    assert sure >= LOW_CONFIDENCE
    # the uncleaned crop reads otherwise / the string does not fit the ink / a stray dot
    assert figure_confidence("15", 0.99, "75", 0.9, ink_aspect=1.6, removed=0) < LOW_CONFIDENCE
    assert figure_confidence("70", 0.99, "70", 0.99, ink_aspect=0.7, removed=0) < LOW_CONFIDENCE
    assert figure_reading("0.") == ("0", 0.6) and figure_reading("O") == ("0", 0.8)
    assert figure_confidence("0.", 0.99, "0.", 0.99, ink_aspect=1.1, removed=0) < LOW_CONFIDENCE


def test_ocr_cells_that_are_no_figure_are_unread_and_lost_rows_are_said():
    labels = [r.label for r in APPLICATIONS.rows if "2019" in r.versions]
    rows = [GridRow([label] + ["0"] * 7, 1, [(0, i, 1, i + 1)] * 8, [0.99] * 8)
            for i, label in enumerate(labels)]
    rows[2].cells[1] = "加"  # 予以公开's 自然人: glyphs, no figure
    rows[3].cells[1] = "411.9"  # a decimal point (a speck?) in a count
    del rows[5]              # withheld_prohibited_by_law: lost under a blot
    facts = {(f.row, f.column): f for f in grids_to_facts([Grid(rows)]) if f.table == "applications"}
    assert len(facts) == 23 * 7  # every printed cell has a fact
    assert (facts[("granted", "natural_person")].value, facts[("granted", "natural_person")].confidence) == (None, 0.0)
    lost = [facts[("withheld_prohibited_by_law", c)] for c in APPLICATIONS.column_codes()]
    assert all(f.value is None and f.raw is None and f.confidence == 0.0 for f in lost)
    assert facts[("withheld_security_stability", "total")].confidence == 0.99
    assert (facts[("partly_granted", "natural_person")].value,
            facts[("partly_granted", "natural_person")].confidence) == (411.9, 0.495)


@pytest.mark.ocr
def test_recogniser_reads_figures_and_labels_from_its_wheel():
    from parsers.recognize import model_path, recognise

    assert model_path().is_file()  # bundled: nothing is downloaded

    def crop(text):
        img = Image.new("L", (30 + 48 * len(text), 70), 255)
        ImageDraw.Draw(img).text((15, 10), text, font=ImageFont.truetype(FONT, 44), fill=0)
        return np.array(img)
    readings = recognise([crop("3995.07"), crop("0"), crop("予以公开")])
    assert [r.text for r in readings] == ["3995.07", "0", "予以公开"]
    assert readings[1].digits == "0" and readings[1].digits_score > 0.9


def test_rows_by_meaning_a_lost_row_never_shifts_its_neighbours():
    order = APPLICATIONS.row_codes("2019")
    labels = {code: APPLICATIONS.row(code).label for code in order}
    labels["withheld_internal_affairs"] = "5.属于三类内部事各信忌"  # misread, still like its own
    labels["withheld_process_info"] = "6.属于四类过程性信息"
    kept = [c for c in order if c != "withheld_third_party"]  # lost under a blot
    rows = [GridRow([labels[c]] + [str(i)] * 7, 1, [(0, i, 1, i + 1)] * 8, [0.99] * 8)
            for i, c in enumerate(kept)]
    facts = {(f.row, f.column): f for f in grids_to_facts([Grid(rows)]) if f.table == "applications"}
    for i, code in enumerate(kept):  # every row its own figures, nothing moved up or down
        assert facts[(code, "total")].value == i, code
    assert facts[("withheld_third_party", "total")].value is None
    assert facts[("withheld_third_party", "total")].confidence == 0.0
    # two unreadable rows where three layout rows stand: placed, but their figures doubted
    rows[7].cells[0] = rows[8].cells[0] = "刁 口"
    del rows[6]  # withheld_security_stability lost too
    facts = {(f.row, f.column): f for f in grids_to_facts([Grid(rows)]) if f.table == "applications"}
    placed = [facts[(c, "total")] for c in ("withheld_security_stability", "withheld_internal_affairs")
              if facts[(c, "total")].value is not None]
    assert placed and all(f.confidence < LOW_CONFIDENCE for f in placed)


def test_appeals_row_found_without_its_header():
    figures = ["0", "1", "0", "0", "1"] + ["0"] * 10
    facts = grids_to_facts([Grid([GridRow(["四、政府信总公开行政夏议"]), GridRow(["信已内客", None, None]),
                                  GridRow(figures)])])
    got = {(f.row, f.column): f.value for f in facts if f.table == "appeals"}
    assert len(got) == 15 and got[("review", "corrected")] == 1 and got[("review", "total")] == 1

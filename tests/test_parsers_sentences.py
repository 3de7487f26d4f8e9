"""parsers/sentences.py: figures a pre-2019 report states plainly in a sentence, and only those.

Expected values are written by hand from the sentences, never taken from parser output.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from parsers import parse_document
from parsers.sentences import sentence_facts

REPO = Path(__file__).resolve().parents[1]
JXRF_2014 = REPO / "sample_portal" / "sites" / "jxrf" / "art" / "2015" / "3" / "20" / "art_1005_1501.html"


def _facts(*texts: str, paginated: bool = False) -> dict[str, tuple]:
    """code -> (value, the sentence it was read from, page, unit)."""
    return {f"{f.table}.{f.row}.{f.column}": (f.value, f.sentence, f.page, f.unit)
            for f in sentence_facts(list(texts), paginated)}


def test_jxrf_2014_page():
    """江西省人防办 2014: 未收到政府信息公开申请 … 未发生因政府信息公开申请提起行政复议和行政诉讼."""
    report = parse_document(JXRF_2014.read_bytes())
    assert report.format_version == "pre2019" and report.year == 2014
    facts = sentence_facts([report.text], paginated=False)
    got = {f"{f.table}.{f.row}.{f.column}": f.value for f in facts}
    assert got == {"applications.received.total": 0, "appeals.review.total": 0,
                   "appeals.suit_direct.total": 0, "appeals.suit_after_review.total": 0}
    # the cell's source text is the sentence; its raw text the words that state the figure
    assert {f.sentence for f in facts} == {"2014年我办未收到政府信息公开申请，未收取政府信息公开相关费用，"
                                           "未发生因政府信息公开申请提起行政复议和行政诉讼的情况。"}
    assert {f"{f.table}.{f.row}": f.raw for f in facts} == {
        "applications.received": "未收到政府信息公开申请",
        "appeals.review": "未发生因政府信息公开申请提起行政复议",
        "appeals.suit_direct": "未发生因政府信息公开申请提起行政复议和行政诉讼",
        "appeals.suit_after_review": "未发生因政府信息公开申请提起行政复议和行政诉讼"}
    # a figure, never a sentence, is the value (issue 23: the report page showed the sentence)
    assert all(type(f.value) is int for f in facts)
    assert all(f.page is None and f.unit == "件" for f in facts)
    # the 156 条 of 主动公开 have no code: nothing else is read
    assert len(facts) == 4


def test_received_count_with_its_sentence_and_page():
    (received,) = [f for f in sentence_facts(["2016年，我办共收到政府信息公开申请2件，均已按时答复。"], False)]
    assert (received.value, received.raw) == (2, "收到政府信息公开申请2件")
    got = _facts("一、概述\n二、依申请公开情况。2016年，我办共收到政府信息公开申请2件，均已按时答复。",
                 "三、行政复议。本年度因政府信息公开申请提起行政复议1件。", paginated=True)
    assert got["applications.received.total"] == (
        2, "2016年，我办共收到政府信息公开申请2件，均已按时答复。", 1, "件")
    assert got["appeals.review.total"] == (1, "本年度因政府信息公开申请提起行政复议1件。", 2, "件")
    assert "appeals.suit_direct.total" not in got  # nothing said about suits


@pytest.mark.parametrize("sentence,value", [
    ("全年受理政府信息公开申请3件。", 3),
    ("收到公民、法人或其他组织的政府信息公开申请两件。", 2),
    ("我办接到依申请公开政府信息申请共5件。", 5),
    ("今年没有收到公民、法人和其他组织提出的政府信息公开申请。", 0),
    ("收到政府信息公开申请 0 件。", 0),
])
def test_received_phrasings(sentence, value):
    assert _facts(sentence)["applications.received.total"][0] == value


@pytest.mark.parametrize("sentence", [
    "收到政府信息公开申请5件，其中当面申请2件。",            # a part beside the total
    "收到政府信息公开申请和咨询共15件。",                    # not applications only
    "受理政府信息公开申请4件（含上年结转1件）。",            # carried over inside
    "收到政府信息公开申请4件，答复3件。",                    # two counts in one sentence
    "本机关政府信息公开申请办理情况见附表。",                 # no figure
    "2015年收到各类信访件12件。",                            # not 政府信息公开申请
])
def test_no_figure_where_the_sentence_is_not_plain(sentence):
    assert "applications.received.total" not in _facts(sentence)


def test_two_different_figures_in_one_report_are_dropped():
    got = _facts("全年收到政府信息公开申请3件。", "本年度共受理政府信息公开申请4件。")
    assert "applications.received.total" not in got
    same = _facts("全年收到政府信息公开申请3件。", "本年度共受理政府信息公开申请3件。")
    assert same["applications.received.total"][0] == 3


def test_appeals_only_when_plain():
    assert _facts("没有因政府信息公开申请而提起行政复议、行政诉讼的情况。") == {
        k: (0, "没有因政府信息公开申请而提起行政复议、行政诉讼的情况。", None, "件")
        for k in ("appeals.review.total", "appeals.suit_direct.total",
                  "appeals.suit_after_review.total")}
    # a count of suits does not say which row: only the review count is kept
    got = _facts("因政府信息公开申请提起行政复议2起。", "因政府信息公开提起行政诉讼1件。")
    assert got == {"appeals.review.total": (2, "因政府信息公开申请提起行政复议2起。", None, "件")}
    # 行政复议 outside 信息公开 is not this report's figure
    assert _facts("全年办理行政复议案件6件。") == {}
    # a negation and a count in one sentence: neither is plain
    assert _facts("未发生因政府信息公开申请提起行政复议的情况，发生行政诉讼1件。") == {}

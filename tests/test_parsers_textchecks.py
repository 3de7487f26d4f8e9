"""Prose <-> table checks (codes.CHECKS ``text.*``): what sections 一-四 say in words against the
table cells they name. Expected values written by hand from the documents:

* seed 004 (江西 2020), section 一: "2020年省人防办共收到政府信息公开申请2件"; table 三 row 一、本年新收
  总计 prints 2 -> pass (2, 2). Its "未发生被行政复议行政诉讼的情况" shares a sentence with three
  other counts (104件, 34条, 4条), so it is not a plain statement and is not checked.
* seed 000 (攀枝花 2019): no sentence states an application or appeal count -> no text check.
* 洪泽 2023 (real PDF), section 一: "2023年全区受理政府信息公开申请21件"; table 三 一、本年新收 总计
  prints 21 -> pass (21, 21). No sentence about 行政复议 counts, so none is checked (its table
  四 error, 总计 0, is caught by appeals.group_sum).
None of the three fails as printed; the failing case below is the seed 004 text with its
sentence changed to 3件.
"""
from __future__ import annotations

from pathlib import Path

from parsers import parse_document

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
HONGZE = REPO.parent / "shared" / "real" / "huaian_hongzequ_gov_2023.pdf"


def _text_checks(report) -> dict:
    return {(c.code, c.key): (c.status, c.lhs, c.rhs) for c in report.checks
            if c.code.startswith("text.")}


def test_seeds():
    seed004 = (SEEDS / "004_dc0c8ff9029344c7.txt").read_bytes()
    assert _text_checks(parse_document(seed004)) == {
        ("text.applications", "received"): ("pass", 2, 2)}
    assert _text_checks(parse_document((SEEDS / "000_b895455aa8998ba0.txt").read_bytes())) == {}
    # the same report in its PDF rendition
    pdf = (REPO / "sample_portal" / "documents" / "seed004.pdf").read_bytes()
    assert _text_checks(parse_document(pdf)) == {("text.applications", "received"): ("pass", 2, 2)}


def test_hongze_pdf():
    assert _text_checks(parse_document(HONGZE.read_bytes())) == {
        ("text.applications", "received"): ("pass", 21, 21)}


def test_a_sentence_that_disagrees_with_the_table_fails_with_both_sides():
    text = (SEEDS / "004_dc0c8ff9029344c7.txt").read_text(encoding="utf-8")
    changed = text.replace("共收到政府信息公开申请2件", "共收到政府信息公开申请3件")
    assert changed != text
    assert _text_checks(parse_document(changed.encode("utf-8"))) == {
        ("text.applications", "received"): ("fail", 3, 2)}


def test_appeals_negation_against_table_four():
    text = (SEEDS / "000_b895455aa8998ba0.txt").read_text(encoding="utf-8")
    # 攀枝花 prints 四's 行政复议 group blank and both 行政诉讼 totals 0
    said = text.replace("二、主动公开政府信息情况\n",
                        "本年度未发生因政府信息公开申请提起行政复议和行政诉讼的情况。\n二、主动公开政府信息情况\n", 1)
    assert _text_checks(parse_document(said.encode("utf-8"))) == {
        ("text.appeals", "review"): ("unknown", 0, None),
        ("text.appeals", "suit_direct"): ("pass", 0, 0),
        ("text.appeals", "suit_after_review"): ("pass", 0, 0)}

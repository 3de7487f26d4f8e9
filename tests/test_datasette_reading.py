"""The published archive as a researcher reads it (issue 23, points 3 and 4): figures are
numbers in every export, checks are sentences, each state is said in words with its reason,
money has its unit, and every internal link of the site answers.

The session's sample-portal archive, extended as tests/helpers.extend_archive extends it, is
served by one Datasette for the module.
"""
from __future__ import annotations

import csv
import io

import pytest

from tests.helpers import Site, extend_archive, start_datasette, stop_datasette

pytestmark = [pytest.mark.slow]  # test tiers: README "Development" (loopback: from its fixtures)


@pytest.fixture(scope="module")
def site(archive_dir, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("reading") / "data"
    extend_archive(archive_dir, data_dir)
    proc, base = start_datasette(data_dir)
    try:
        yield Site(base, data_dir)
    finally:
        stop_datasette(proc)


# ---------------------------------------------------------------- integers as integers

def test_counts_are_integers_in_datasettes_json_and_csv_of_facts_and_checks(site):
    facts = site.rows("/archive/facts.json", report_id="pzhrf-2019", _size="max")
    values = [f["value"] for f in facts if f["value"] is not None]
    assert values and all(type(v) is int for v in values), values[:10]
    received = next(f for f in facts if (f["table_name"], f["row_code"], f["column_code"]) ==
                    ("applications", "received", "natural_person"))
    assert received["value"] == 2
    checks = site.rows("/archive/checks.json", report_id="pzhrf-2019", _size="max")
    sides = [c[k] for c in checks for k in ("lhs", "rhs") if c[k] is not None]
    assert sides and all(type(v) is int for v in sides), sides[:10]
    for path in ("/archive/facts.csv", "/archive/checks.csv"):
        text = site.get(path, report_id="pzhrf-2019", _size="max")[2].decode("utf-8")
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not [c for c in cells if c.endswith(".0") and c[:-2].isdigit()], path
    # money keeps its decimals (洪泽区 2023 prints its fees in 万元)
    money = site.sql("select value from facts where value != cast(value as integer)")
    assert all(type(m["value"]) is float for m in money)


# ---------------------------------------------------------------- figures always numbers

def test_a_figure_stated_in_a_sentence_is_a_number_with_the_sentence_as_its_source(site):
    """江西 2014 (a pre-2019 report without tables): 未收到政府信息公开申请 is 0 in the cell, the
    sentence is kept as the cell's source text, in facts and on the report page."""
    sentence = ("2014年我办未收到政府信息公开申请，未收取政府信息公开相关费用，"
                "未发生因政府信息公开申请提起行政复议和行政诉讼的情况。")
    facts = {(f["table_name"], f["row_code"]): f for f in site.rows("/archive/facts.json", report_id="jxrf-2014")}
    received = facts[("applications", "received")]
    assert (received["value"], received["raw"], received["sentence"]) == (0, "未收到政府信息公开申请", sentence)
    assert all(type(f["value"]) is int and f["sentence"] == sentence for f in facts.values())
    page = site.get("/-/report/jxrf-2014")[2].decode("utf-8")
    cell = page[page.index('data-code="received.total"'):]
    cell = cell[:cell.index("</td>")]
    assert '<a class="fact" href="/archive/facts/jxrf-2014,applications,received,total">0</a>' in cell
    assert "2014年我办" not in cell.split('title="', 1)[1].split('"', 1)[1]   # only in its tooltip
    assert 'class="stated"' in cell
    # no number cell of the page holds a sentence
    import re
    for text in re.findall(r'<a class="fact" href="[^"]*">([^<]*)</a>', page):
        assert text == "" or re.fullmatch(r"-?[\d.,]+", text), text
    stated = page[page.index('id="stated"'):]
    assert sentence in stated and "未收到政府信息公开申请" in stated

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

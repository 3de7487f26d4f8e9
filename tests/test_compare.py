"""archive/compare.py: one figure across offices (issue 23): money keeps its unit, a year's
total never adds 万元 to 元, and the exports carry the same rows."""
from __future__ import annotations

import csv
import io

from archive import compare
from archive.schema import open_archive

FIGURE = "disclosure.procurement.amount"


def _archive(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    rows = [("a-2020", "a", "甲市人防办", "四川", "city", 2020, 120000, "元"),
            ("b-2020", "b", "乙市人防办", "四川", "city", 2020, 12.5, "万元"),
            ("c-2020", "c", "丙市人防办", "四川", "city", 2020, 3, None),
            ("a-2021", "a", "甲市人防办", "四川", "city", 2021, 17, "万元")]
    for rid, aid, name, province, level, year, value, unit in rows:
        db.execute("insert into disclosure_wide (report_id, agency_id, agency, province, level, year, "
                   "procurement__amount, procurement__amount__unit) values (?, ?, ?, ?, ?, ?, ?, ?)",
                   [rid, aid, name, province, level, year, value, unit])
    db.conn.commit()
    return db


def test_money_totals_are_per_unit_and_every_value_has_its_unit(tmp_path):
    db = _archive(tmp_path)
    data = compare.compare(db.conn, FIGURE, province="四川")
    assert data["figure"]["money"] and data["units"] == ["万元", "元", None]
    totals = {(t["year"], t["unit"]): t["total"] for t in data["totals"]}
    assert totals == {(2020, "元"): 120000, (2020, "万元"): 12.5, (2020, None): 3, (2021, "万元"): 17}
    shown = {r["unit"]: [c["total"] for c in r["cells"]] for r in compare.total_rows(data)}
    assert shown == {"万元": ["12.5", "17"], "元": ["120000", ""], compare.NO_UNIT: ["3", ""]}
    # no total adds 120000 元 to 12.5 万元
    assert not any(c["total"] in ("120012.5", "120015.5") for r in compare.total_rows(data) for c in r["cells"])
    values = {(o["id"], y): (v["value"], v["unit"]) for o in data["offices"] for y, v in o["values"].items()}
    assert values[("a", 2020)] == ("120000", "元") and values[("b", 2020)] == ("12.5", "万元")
    text = compare.as_csv(data)
    lines = list(csv.DictReader(io.StringIO(text)))
    assert sorted((r["agency_id"], r["year"], r["value"], r["unit"]) for r in lines) == [
        ("a", "2020", "120000", "元"), ("a", "2021", "17", "万元"), ("b", "2020", "12.5", "万元"), ("c", "2020", "3", "")]
    body = compare.as_json(data, {"figure": FIGURE})
    assert body["figure"]["code"] == FIGURE and {r["report_id"] for r in body["rows"]} == {"a-2020", "b-2020", "c-2020", "a-2021"}
    assert all(type(r["value"]) is int for r in body["rows"] if r["report_id"] != "b-2020")


def test_a_count_has_one_total_row_without_a_unit(tmp_path):
    db = _archive(tmp_path)
    data = compare.compare(db.conn, "applications.received.total")
    assert not data["figure"]["money"] and [r["unit"] for r in compare.total_rows(data)] == [None]

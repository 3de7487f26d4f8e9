"""One figure across offices, year by year: the comparison page ``/-/compare`` and its exports
``/-/compare.json`` and ``/-/compare.csv`` (issue 23).

A figure is one printed cell, ``table.row.column`` (``applications.received.total``), read from
the materialised wide tables (archive/derived.py). Money keeps the unit it was printed in (元 or
万元: ``<row>__<column>__unit``): every money value is shown with its unit, and a year's total is
a sum per unit, never across units (万元 and 元 are not added; converting one into the other would
be rewriting what a report printed).
"""
from __future__ import annotations

import csv
import io

from archive.printed import number

LIMIT = 300  # offices in one comparison
DEFAULT = "applications.received.total"
UNIT = "__unit"  # the wide tables' unit column of a money cell (archive/derived.py)
NO_UNIT = "unit not printed 未注明单位"  # a money figure printed without 元 or 万元


def _figures() -> list[dict]:
    """Every figure a comparison can show: table.row.column with its printed labels, and
    whether it is money (printed with a unit)."""
    from parsers.codes import TABLES

    from archive.derived import wide_columns

    out = []
    for code, table in TABLES.items():
        for row, column, money in wide_columns(code):
            out.append({"value": f"{code}.{row}.{column}", "table": code, "column_name": f"{row}__{column}",
                        "money": money,
                        "label": f"{table.label[:2]} {table.row(row).label} × {table.column(column).label}"})
    return out


FIGURES = {f["value"]: f for f in _figures()}


def _rows(conn, sql, params=()) -> list[dict]:
    cursor = conn.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, r)) for r in cursor.fetchall()]


def compare(conn, figure: str, province: str = "", level: str = "", year: int | None = None) -> dict:
    """The figure for the offices of ``province`` and/or ``level`` (every year, or ``year``):
    ``rows`` one per (office, year) with its value and unit, ``totals`` per year and unit,
    ``offices`` for the page's table (at most :data:`LIMIT`, the most recent reporters first)."""
    f = FIGURES[figure]
    where, params = [], []
    for column, value in (("province", province), ("level", level)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if year is not None:
        where.append("year = ?")
        params.append(year)
    clause = (" where " + " and ".join(where)) if where else ""
    name, column = f"{f['table']}_wide", f'"{f["column_name"]}"'
    unit = f'"{f["column_name"]}{UNIT}"' if f["money"] else "null"
    totals = _rows(conn, f"""select year, {unit} as unit, count({column}) as offices, sum({column}) as total,
                                    max({column}) as highest
                             from {name}{clause} group by year, {unit} order by year, unit""", params)
    n_offices = conn.execute(f"select count(distinct agency_id) from {name}{clause}", params).fetchone()[0]
    rows = _rows(conn, f"""select agency_id, agency, province, level, year, report_id, {column} as value,
                                  {unit} as unit
                           from {name}
                           where agency_id in (select agency_id from {name}{clause}
                                               group by agency_id order by max(year) desc, agency_id limit ?)
                           {('and year = ?' if year is not None else '')}
                           order by province, agency, year""",
                 [*params, LIMIT, *([year] if year is not None else [])])
    offices: dict[str, dict] = {}
    for r in rows:
        o = offices.setdefault(r["agency_id"], {"id": r["agency_id"], "name": r["agency"], "province": r["province"],
                                                "level": r["level"], "values": {}})
        o["values"][r["year"]] = {"value": number(r["value"]) if r["value"] is not None else "",
                                  "unit": r["unit"] if r["value"] is not None else None, "report_id": r["report_id"]}
    # the units printed; None too when a money figure was printed without one (its own total)
    units = sorted({t["unit"] for t in totals if t["unit"]})
    if f["money"] and any(t["unit"] is None and t["offices"] for t in totals):
        units.append(None)
    return {"figure": f, "years": sorted({t["year"] for t in totals}), "units": units,
            "totals": totals, "rows": rows, "offices": list(offices.values()), "n_offices": n_offices,
            "limit": LIMIT}


def total_rows(data: dict) -> list[dict]:
    """The page's total rows: one for a count, one per unit for money (never a sum across units),
    each with its cell per year."""
    by = {(t["year"], t["unit"]): t for t in data["totals"]}
    units = data["units"] if data["figure"]["money"] else [None]
    out = []
    for unit in units or [None]:
        if data["figure"]["money"] and unit is None:
            unit_label = NO_UNIT
        else:
            unit_label = unit
        cells = []
        for y in data["years"]:
            t = by.get((y, unit))
            cells.append({"total": number(t["total"]) if t and t["total"] is not None else "",
                          "offices": t["offices"] if t else 0,
                          "highest": number(t["highest"]) if t and t["highest"] is not None else ""})
        out.append({"unit": unit_label, "cells": cells})
    return out


def as_json(data: dict, filters: dict) -> dict:
    """``/-/compare.json``: the figure, the filters, the totals per year (and unit) and one row per
    office and year, values as printed (a count an integer)."""
    f = data["figure"]
    return {"figure": {"code": f["value"], "label": f["label"], "money": f["money"]}, "filters": filters,
            "offices": data["n_offices"], "limit": data["limit"], "years": data["years"],
            "totals": data["totals"], "rows": data["rows"]}


CSV_COLUMNS = ("agency_id", "agency", "province", "level", "year", "report_id", "figure", "value", "unit")


def as_csv(data: dict) -> str:
    """``/-/compare.csv``: one line per office and year of the comparison."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in data["rows"]:
        writer.writerow([*(r[c] for c in CSV_COLUMNS[:6]), data["figure"]["value"],
                         "" if r["value"] is None else number(r["value"]), r["unit"] or ""])
    return out.getvalue()

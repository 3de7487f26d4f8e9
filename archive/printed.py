"""A report as printed: tables 二、三、四 rebuilt from ``facts`` in the national layout.

:func:`build_report` returns a plain structure (served as JSON at ``/-/report/<id>.json`` and
rendered by ``archive/datasette/templates/report.html`` at ``/-/report/<id>``): every printed
row with its Chinese label and canonical code, every cell with its value, printed text, page,
the URL of its ``facts`` row and of its page in the archived document, and the failing checks it
takes part in.

The layout follows the report's ``format_version``: section 二 with the 2019 or the 2021 columns
of each block; section 三 with the single 2019-style （六）其他处理 row or the 2021 sub-rows,
whichever the report printed; section 四 as the national layout prints it, ONE data row of 15
cells under a two-level header (行政复议 | 行政诉讼 → 未经复议直接起诉 | 复议后起诉). A printed
blank is ``value: null`` (shown blank), never 0.

It also lists the report's document versions (``report_documents``: first/last seen, gone since,
the archived bytes) and the figures that changed between versions (view ``version_changes``).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable

from archive.views import DOCUMENT_ROUTE


def _check_cells(code: str, key: str) -> list[tuple[str, str, str | None]]:
    """(table, row, column) cells a check reads; column None = the whole row."""
    from parsers.codes import APPLICATIONS, OTHER_SUBROWS

    if code == "applications.balance":
        return [("applications", r, key) for r in ("received", "carried_over", "total_handled", "carried_forward")]
    if code == "applications.row_sum":
        return [("applications", key, None)]
    if code == "applications.outcome_sum":
        rows = [r for r in APPLICATIONS.row_codes()
                if r in ("granted", "partly_granted", "other", "total_handled", *OTHER_SUBROWS)
                or r.startswith(("withheld_", "unavailable_", "refused_"))]
        return [("applications", r, key) for r in rows]
    if code == "appeals.group_sum":
        return [("appeals", key, None)]
    if code == "applications.carry_chain":
        return [("applications", "carried_over", key)]
    return []


def build_report(conn: sqlite3.Connection, report_id: str,
                 fact_url: Callable[[str, str, str, str], str] | None = None) -> dict | None:
    """The report ``report_id`` as printed, or None if there is no such report."""
    from parsers.codes import CHECKS, OTHER_SUBROWS, TABLES

    conn.row_factory = sqlite3.Row
    report = conn.execute(
        """select r.*, a.name as agency, a.province, a.level from reports r
           join agencies a on a.id = r.agency_id where r.id = ?""", [report_id]).fetchone()
    if report is None:
        return None
    report = dict(report)
    facts = {(f["table_name"], f["row_code"], f["column_code"]): dict(f) for f in conn.execute(
        "select * from facts where report_id = ?", [report_id])}
    checks = [dict(c) for c in conn.execute(
        "select code, key, status, lhs, rhs from checks where report_id = ? order by code, key", [report_id])]
    failing: dict[tuple, list[str]] = {}
    for c in checks:
        c["rule"] = CHECKS.get(c["code"], "上年结转 = 上一年度报告的结转下年度继续办理"
                               if c["code"] == "applications.carry_chain" else "")
        if c["status"] != "fail":
            continue
        for table, row, column in _check_cells(c["code"], c["key"]):
            failing.setdefault((table, row, column), []).append(f"{c['code']}[{c['key']}]: {c['lhs']:g} ≠ {c['rhs']:g}")
    documents = [dict(d) for d in conn.execute(
        """select rd.sha256, rd.kind, rd.filename, rd.url, d.media_type, d.size from report_documents rd
           join documents d on d.sha256 = rd.sha256 where rd.report_id = ? order by rd.kind""", [report_id])]
    for d in documents:
        d["archive_url"] = DOCUMENT_ROUTE + d["sha256"]
    source = report.get("source_sha256")
    version = report.get("format_version") or "2021"

    def cell(table: str, row: str, column: str) -> dict:
        f = facts.get((table, row, column))
        fails = failing.get((table, row, column), []) + failing.get((table, row, None), [])
        out = {"row": row, "column": column, "printed": f is not None, "failing": fails}
        if f is not None:
            out.update(value=f["value"], raw=f["raw"], unit=f["unit"], page=f["page"],
                       fact_url=fact_url(report_id, table, row, column) if fact_url else None,
                       page_url=(DOCUMENT_ROUTE + f["sha256"] + (f"#page={f['page']}" if f["page"] else ""))
                       if f["sha256"] else None)
        return out

    def rows_of(table) -> list[str]:
        present = {r for (t, r, _) in facts if t == table.code}
        codes = [r.code for r in table.rows if r.code in present or version in r.versions]
        if table.code == "applications":  # 三（六）: the single row, the 2021 sub-rows, or both
            subrows = [c for c in OTHER_SUBROWS if c in present]
            if "other" in present and not subrows:
                codes = [c for c in codes if c not in OTHER_SUBROWS]
            elif "other" not in present and (subrows or version == "2021"):
                codes = [c for c in codes if c != "other"]
        return codes

    tables = []
    for table in TABLES.values():
        layout = {"disclosure": "blocks", "applications": "grid", "appeals": "single_row"}[table.code]
        if not any(t == table.code for (t, _, _) in facts):
            tables.append({"code": table.code, "label": table.label, "layout": layout,
                           "rows": [], "printed": False})
            continue
        if table.code == "appeals":
            tables.append(_appeals_as_printed(table, cell))
            continue
        rows = []
        for code in rows_of(table):
            row = table.row(code)
            if table.row_columns:  # disclosure: the columns of this row's block
                columns = list(table.row_columns[code].get(version, ())) or \
                    [c for (t, r, c) in facts if t == table.code and r == code]
            else:
                columns = table.column_codes()
            rows.append({"code": code, "label": row.label, "group": row.group,
                         "column_labels": [{"code": c, "label": table.column(c).label} for c in columns],
                         "cells": [cell(table.code, code, c) for c in columns]})
        tables.append({"code": table.code, "label": table.label, "layout": layout, "printed": True,
                       "rows": rows,
                       "columns": [{"code": c.code, "label": c.label, "group": c.group}
                                   for c in table.columns
                                   if table.code != "disclosure"]})
    return {
        "report": report,
        "document_url": DOCUMENT_ROUTE + source if source else None,
        "documents": documents,
        "tables": tables,
        "checks": checks,
        "failing_checks": sum(c["status"] == "fail" for c in checks),
        "versions": _versions(conn, report_id),
        "changes": [dict(c) for c in conn.execute(
            """select url, old_sha256, new_sha256, changed_seen, table_name, row_code, column_code,
                      old_value, new_value, old_raw, new_raw
               from version_changes where report_id = ? order by changed_seen, table_name, row_code,
               column_code""", [report_id])],
    }


def _appeals_as_printed(table, cell) -> dict:
    """Table 四 as printed: a two-level header over ONE row of 15 cells.

    ::

        | 行政复议 (5)                  | 行政诉讼                                 |
        |                              | 未经复议直接起诉 (5) | 复议后起诉 (5)     |
        | 结果维持 结果纠正 其他结果 尚未审结 总计 | (the same five) | (the same five) |
        | 15 cells: review × 5, suit_direct × 5, suit_after_review × 5             |
    """
    columns = table.column_codes()
    groups = table.row_codes()  # review, suit_direct, suit_after_review: the printed order
    cells = [cell(table.code, g, c) for g in groups for c in columns]
    n = len(columns)

    def failing(group):
        return sorted({f for c in cells if c["row"] == group for f in c["failing"]})

    review, *suits = groups
    header = [
        [{"label": "行政复议", "code": review, "colspan": n, "rowspan": 2, "failing": failing(review)},
         {"label": "行政诉讼", "code": None, "colspan": n * len(suits), "rowspan": 1, "failing": []}],
        [{"label": table.row(g).label.split("/")[-1], "code": g, "colspan": n, "rowspan": 1,
          "failing": failing(g)} for g in suits],
        [{"label": table.column(c).label, "code": c, "row": g, "colspan": 1, "rowspan": 1}
         for g in groups for c in columns],
    ]
    return {"code": table.code, "label": table.label, "layout": "single_row", "printed": True,
            "header": header,
            "groups": [{"code": g, "label": table.row(g).label, "columns": columns} for g in groups],
            "rows": [{"code": None, "label": None, "group": None, "cells": cells}]}


def _versions(conn: sqlite3.Connection, report_id: str) -> list[dict]:
    """Every document version of the report, oldest first per URL, with its archive link."""
    rows = [dict(r) for r in conn.execute(
        """select rd.url, rd.kind, rd.filename, rd.sha256, rd.first_seen, rd.last_seen, rd.gone_since,
                  d.size, d.media_type
           from report_documents rd left join documents d on d.sha256 = rd.sha256
           where rd.report_id = ? order by rd.url, rd.first_seen, rd.sha256""", [report_id])]
    by_url: dict[str, int] = {}
    for r in rows:
        by_url[r["url"]] = by_url.get(r["url"], 0) + 1
        r["version"] = by_url[r["url"]]
        r["archive_url"] = DOCUMENT_ROUTE + r["sha256"]
    for r in rows:
        r["versions_of_url"] = by_url[r["url"]]
        r["current"] = r["version"] == by_url[r["url"]] and r["gone_since"] is None
    return rows

"""A report as printed: tables 二、三、四 rebuilt from ``facts`` in the national layout.

:func:`build_report` returns a plain structure (served as JSON at ``/-/report/<id>.json`` and
rendered by ``archive/datasette/templates/report.html`` at ``/-/report/<id>``): every printed
row with its Chinese label and canonical code, every cell with its value, printed text, page,
the URL of its ``facts`` row and of its page in the archived document, and the failing checks it
takes part in.
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
    from parsers.codes import CHECKS, TABLES

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
        out = {"column": column, "printed": f is not None, "failing": fails}
        if f is not None:
            out.update(value=f["value"], raw=f["raw"], unit=f["unit"], page=f["page"],
                       fact_url=fact_url(report_id, table, row, column) if fact_url else None,
                       page_url=(DOCUMENT_ROUTE + f["sha256"] + (f"#page={f['page']}" if f["page"] else ""))
                       if f["sha256"] else None)
        return out

    def rows_of(table) -> list[str]:
        present = {r for (t, r, _) in facts if t == table.code}
        return [r.code for r in table.rows
                if r.code in present or (version in r.versions and table.code != "disclosure")
                or (table.code == "disclosure" and version in r.versions)]

    tables = []
    for table in TABLES.values():
        if not any(t == table.code for (t, _, _) in facts):
            tables.append({"code": table.code, "label": table.label, "rows": [], "printed": False})
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
        tables.append({"code": table.code, "label": table.label, "printed": True, "rows": rows,
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
    }

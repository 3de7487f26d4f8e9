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

import re
import sqlite3
from collections.abc import Callable

from archive.gaps import fetch_failures
from archive.views import DOCUMENT_ROUTE
from archive.vocab import COVERAGE_STATES, report_state
from parsers.model import LOW_CONFIDENCE
from parsers.vocab import PARSE_READ, CheckStatus, ParseStatus


# What each parse status means for a reader (reports.parse_status); one source for the report
# page, the coverage page and the dashboard.
STATUS_TEXT: dict[str, str] = {
    ParseStatus.PARSED: "figures read from the archived document 已解析",
    ParseStatus.TEXT_ONLY: "archived and readable, but no tables of figures were found (text only) 仅文本",
    ParseStatus.NOT_REPORT: "the archived document is not an annual report (a wrong upload or another notice) 非年报",
    ParseStatus.CORRUPT: "the archived document is damaged and cannot be opened 文件损坏",
    ParseStatus.ENCRYPTED: "the archived document is password-protected 文件加密",
    ParseStatus.EMPTY: "the archived document has no text 文件无内容",
    ParseStatus.UNSUPPORTED: "the archived document is in a format the parser cannot read 格式不支持",
    ParseStatus.TOO_LARGE: "the archived document is too large to parse within the limits 文件过大",
    ParseStatus.TIMEOUT: "parsing the archived document did not finish within the time limit 解析超时",
    ParseStatus.ERROR: "the parser failed on the archived document 解析出错",
    ParseStatus.NO_DOCUMENT: "the report is listed on the portal, but no document of it could be fetched 未取得文件",
    ParseStatus.PENDING: "the document is archived but not yet parsed 待解析",
}
READABLE = PARSE_READ


def number(value) -> str:
    """A figure as printed: 2, not 2.0; 3995.07 stays 3995.07; None is a blank."""
    if value is None:
        return "blank"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _short(table, row: str) -> str:
    """A row's label short enough for a sentence: （二）部分公开, （三）1.属于国家秘密, （七）总计."""
    r = table.row(row)
    if r.label.startswith("（"):
        text = re.match(r"（[^）]+）[^（]*", r.label).group(0)
    elif r.group and r.label[:1].isdigit():
        text = r.group[:3] + r.label
    elif r.label[1:2] == "、" and r.keys:  # 一、本年新收政府信息公开申请数量 -> 一、本年新收
        text = r.label[:2] + r.keys[0]
    else:
        text = r.label
    return text if len(text) <= 16 else text[:15] + "…"


def _check_sides(code: str, key: str) -> tuple[list, list, str, str]:
    """(sum-side cells, printed-side cells, sum-side words, printed-side words) of a check."""
    from parsers.checks import check_sides

    words = {"applications.balance": ("一、本年新收 + 二、上年结转", "（七）总计 + 四、结转下年度"),
             "applications.row_sum": ("the six applicant columns 各类申请人", "总计"),
             "applications.outcome_sum": ("（一）…（六）", "（七）总计"),
             "appeals.group_sum": ("结果维持 + 结果纠正 + 其他结果 + 尚未审结", "总计")}
    if code in words:
        return (*check_sides(code, key), *words[code])
    if code == "applications.carry_chain":
        return ([], [("applications", "carried_over", key)], "", "二、上年结转")
    if code in ("text.applications", "text.appeals"):  # a figure the prose states vs its cell
        return [], [(code.split(".")[1], key, "total")], "the text 正文", "the table 表格"
    return [], [], "", ""


def explain_check(check: dict, facts: dict, previous_report: str | None = None) -> dict:
    """A check in words, with the cells that make each side.

    ``sentence``: the rule applied to this report ("自然人: （七）总计 printed 0, but （一）…（六）
    sum to 2 (（一）予以公开 2)"); ``cells``: {(table, row, column): "sum" | "printed"}, only the
    cells that make the difference (the printed total, and the non-zero terms of the sum; a side
    whose terms are all 0 or blank shows all of them).
    """
    from parsers.codes import TABLES

    code, key = check["code"], check["key"]
    sum_cells, printed_cells, sum_words, printed_words = _check_sides(code, key)
    apps = TABLES["applications"]
    lhs, rhs = number(check["lhs"]), number(check["rhs"])
    try:
        if code in ("appeals.group_sum", "text.appeals"):
            subject = TABLES["appeals"].row(key).label
        elif code in ("applications.row_sum", "text.applications"):
            subject = _short(apps, key)
        else:
            subject = apps.column(key).label
    except StopIteration:  # a code or key this page does not know: say what is stored
        return {"sentence": f"{code} [{key}]: {lhs} / {rhs}", "cells": {}, "previous_report": previous_report}
    present = [c for c in sum_cells if c in facts]
    if code in ("applications.row_sum", "appeals.group_sum"):  # one row: name the columns
        def _label(c):
            return TABLES[c[0]].column(c[2]).label
    else:  # one column: name the rows
        def _label(c):
            return _short(TABLES[c[0]], c[1])

    def value(cell):
        return facts[cell]["value"] if cell in facts else None

    def terms(cells):
        nonzero = [c for c in cells if value(c)]
        shown = nonzero or [c for c in cells if c in facts]
        return shown, " + ".join(
            f"{_label(c)} {number(value(c))}" for c in nonzero) or "all 0 or blank"

    cells: dict = {}
    if code.startswith("text.") and check["status"] != CheckStatus.UNKNOWN:
        verb = "but" if check["status"] == CheckStatus.FAIL else "and"
        sentence = f"{subject}: the text states {lhs}, {verb} the table prints 总计 {rhs}"
        cells = {c: "printed" for c in printed_cells if c in facts}
    elif code == "applications.carry_chain":
        sentence = (f"{subject}: {printed_words} printed {rhs}, but the report of the year before "
                    f"printed 四、结转下年度继续办理 {lhs}")
        cells = {c: "printed" for c in printed_cells}
    elif check["status"] == CheckStatus.UNKNOWN:
        blanks = [c for c in [*sum_cells, *printed_cells] if c in facts and value(c) is None]
        missing = [c for c in [*sum_cells, *printed_cells] if c not in facts]
        what = ", ".join(_label(c) for c in (blanks or missing)[:4]) + (" …" if len(blanks or missing) > 4 else "")
        sentence = f"{subject}: cannot be checked, {what} {'blank' if blanks else 'not printed'}"
    else:
        shown_sum, sum_text = terms(present)
        if code == "applications.balance":
            shown_printed, printed_text = terms(printed_cells)
            verb = "but" if check["status"] == CheckStatus.FAIL else "and"
            sentence = (f"{subject}: {sum_words} = {lhs} ({sum_text}), {verb} {printed_words} = {rhs} "
                        f"({printed_text})")
        else:
            shown_printed = [c for c in printed_cells if c in facts]
            verb = "but" if check["status"] == CheckStatus.FAIL else "and"
            sentence = f"{subject}: {printed_words} printed {rhs}, {verb} {sum_words} sum to {lhs} ({sum_text})"
        cells = {**{c: "sum" for c in shown_sum}, **{c: "printed" for c in shown_printed}}
    return {"sentence": sentence, "cells": cells, "previous_report": previous_report}


def check_sentences(conn: sqlite3.Connection, report_ids: list[str]) -> dict[tuple[str, str, str], str]:
    """{(report_id, code, key): the check in words} for the reports' checks, as their report
    pages say them (:func:`explain_check`): for every page that lists checks (office, changes)."""
    out = {}
    for report_id in dict.fromkeys(report_ids):
        cursor = conn.execute("select table_name, row_code, column_code, value from facts where report_id = ?",
                              [report_id])
        facts = {(t, r, c): {"value": v} for t, r, c, v in cursor.fetchall()}
        for code, key, status, lhs, rhs in conn.execute(
                "select code, key, status, lhs, rhs from checks where report_id = ?", [report_id]).fetchall():
            check = {"code": code, "key": key, "status": status, "lhs": lhs, "rhs": rhs}
            out[(report_id, code, key)] = explain_check(check, facts)["sentence"]
    return out


_ORDER = {CheckStatus.FAIL: 0, CheckStatus.UNKNOWN: 1, CheckStatus.PASS: 2}


def _int(value):
    """2.0 -> 2 (counts are integers as printed); other values unchanged."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def build_report(conn: sqlite3.Connection, report_id: str,
                 fact_url: Callable[[str, str, str, str], str] | None = None) -> dict | None:
    """The report ``report_id`` as printed, or None if there is no such report. ``conn`` keeps
    its own row factory: on the site's connections it weighs every row a query returns
    (archive/datasette/plugins/renfang_limits.py), and a report page that replaced it for good
    left that connection's later queries unweighed (a CSV export answered 200 or 400 by the
    thread it ran on)."""
    previous = conn.row_factory
    if previous is None:   # rows by column name; the site's factory already gives sqlite3.Row
        conn.row_factory = sqlite3.Row
    try:
        return _build_report(conn, report_id, fact_url)
    finally:
        conn.row_factory = previous


def _build_report(conn: sqlite3.Connection, report_id: str,
                  fact_url: Callable[[str, str, str, str], str] | None) -> dict | None:
    from parsers.codes import CHECKS, OTHER_SUBROWS, TABLES

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
    previous = conn.execute("select id from reports where agency_id = ? and year = ? and issued_by is ?",
                            [report["agency_id"], report["year"] - 1, report.get("issued_by")]).fetchone()
    failing: dict[tuple, list[str]] = {}
    roles: dict[tuple, str] = {}
    for c in checks:
        c["rule"] = CHECKS.get(c["code"], "上年结转 = 上一年度报告的结转下年度继续办理"
                               if c["code"] == "applications.carry_chain" else "")
        c["lhs"], c["rhs"] = _int(c["lhs"]), _int(c["rhs"])
        explained = explain_check(c, facts, previous[0] if previous else None)
        c["sentence"] = explained["sentence"]
        c["previous_report"] = explained["previous_report"] if c["code"] == "applications.carry_chain" else None
        c["cells"] = [".".join(cell) + ":" + role for cell, role in explained["cells"].items()]
        # a figure of the check read by OCR with low confidence: the failure may be a misreading
        sum_cells, printed_cells, _, _ = _check_sides(c["code"], c["key"])
        c["low_confidence_cells"] = [
            ".".join(cell[1:]) for cell in [*sum_cells, *printed_cells]
            if facts.get(cell, {}).get("confidence") is not None
            and facts[cell]["confidence"] < LOW_CONFIDENCE]
        if c["status"] != CheckStatus.FAIL:
            continue
        for cell, role in explained["cells"].items():
            failing.setdefault(cell, []).append(f"{c['sentence']} [{c['code']}·{c['key']}]")
            if roles.get(cell) != "printed":
                roles[cell] = role
    checks.sort(key=lambda c: _ORDER.get(c["status"], 3))  # failing first, in printed order
    documents = [dict(d) for d in conn.execute(
        """select rd.sha256, rd.kind, rd.filename, rd.url, d.media_type, d.size from report_documents rd
           join documents d on d.sha256 = rd.sha256 where rd.report_id = ? order by rd.kind""", [report_id])]
    for d in documents:
        d["archive_url"] = DOCUMENT_ROUTE + d["sha256"]
        d.update(_archive_links(conn, d["sha256"]))
    source = report.get("source_sha256")
    version = report.get("format_version") or "2021"

    def cell(table: str, row: str, column: str) -> dict:
        f = facts.get((table, row, column))
        fails = failing.get((table, row, column), [])
        out = {"row": row, "column": column, "printed": f is not None, "failing": fails,
               "role": roles.get((table, row, column))}
        if f is not None:
            confidence = f.get("confidence")  # OCR'd cells only (null for text)
            if confidence is not None and confidence < LOW_CONFIDENCE:
                out["low_confidence"] = round(confidence, 2)
            out.update(value=_int(f["value"]), raw=f["raw"], unit=f["unit"], page=f["page"],
                       sentence=f.get("sentence"),  # a figure stated in words: its source text
                       fact_url=fact_url(report_id, table, row, column) if fact_url else None,
                       page_url=(DOCUMENT_ROUTE + f["sha256"] + (f"#page={f['page']}" if f["page"] else ""))
                       if f["sha256"] else None)
        return out

    def rows_of(table) -> list[str]:
        present = {r for (t, r, _) in facts if t == table.code}
        codes = [r.code for r in table.rows if r.code in present or version in r.versions]
        if table.code == "applications":  # 三（六）: the single row, the 2021 sub-rows, or both
            subrows = [c for c in OTHER_SUBROWS if c in present]
            if "other" in present and not subrows:  # not vocabulary: a row code
                codes = [c for c in codes if c not in OTHER_SUBROWS]
            elif "other" not in present and (subrows or version == "2021"):  # not vocabulary: a row code
                codes = [c for c in codes if c != "other"]  # not vocabulary: a row code
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
    state = report_state(report["parse_status"], bool(documents), report.get("gone_since") is not None)
    return {
        "report": report,
        # the report's state in the one vocabulary of states (archive.vocab), its parse status the reason
        "state": {"code": str(state), "words": COVERAGE_STATES[state][0],
                  "reason": STATUS_TEXT.get(report["parse_status"], report["parse_status"])},
        # why its documents are not in the archive: the portal URL and each fetch that failed
        "failures": fetch_failures(conn, report_id),
        "document_url": DOCUMENT_ROUTE + source if source else None,
        "documents": documents,
        "tables": tables,
        "checks": checks,
        "failing_checks": sum(c["status"] == CheckStatus.FAIL for c in checks),
        "status_text": STATUS_TEXT.get(report["parse_status"], report["parse_status"]),
        "low_confidence": sum(1 for f in facts.values()
                              if f.get("confidence") is not None and f["confidence"] < LOW_CONFIDENCE),
        "low_confidence_threshold": LOW_CONFIDENCE,
        # figures a sentence states (no table printed them): the figure, its words, the sentence
        "stated": [{"code": f"{t}.{r}.{c}", "label": _stated_label(t, r, c), "value": _int(f["value"]),
                    "unit": f["unit"], "raw": f["raw"], "sentence": f["sentence"], "page": f["page"]}
                   for (t, r, c), f in facts.items() if f.get("sentence")],
        "readable": report["parse_status"] in READABLE,
        "other_years": [{**dict(y), "state": str(report_state(y["parse_status"], bool(y["documents"]),
                                                              y["gone_since"] is not None))} for y in conn.execute(
            """select r.id, r.year, r.parse_status, r.gone_since,
                      exists (select 1 from report_documents rd where rd.report_id = r.id) as documents,
                      (select count(*) from checks c where c.report_id = r.id and c.status = ?) as failing
               from reports r where r.agency_id = ? and r.issued_by is ? order by r.year""",
            [CheckStatus.FAIL, report["agency_id"], report.get("issued_by")])],
        "versions": _versions(conn, report_id),
        "changes": [dict(c) for c in conn.execute(
            """select url, old_sha256, new_sha256, changed_seen, table_name, row_code, column_code,
                      old_value, new_value, old_raw, new_raw
               from version_changes where report_id = ? order by changed_seen, table_name, row_code,
               column_code""", [report_id])],
    }


def _stated_label(table: str, row: str, column: str) -> str:
    """The printed label of a cell a sentence states: 三 一、本年新收… × 总计, 四 行政复议 × 总计."""
    from parsers.codes import TABLES

    t = TABLES[table]
    return f"{t.label[:2]} {t.row(row).label} × {t.column(column).label}"


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


def _archive_links(conn: sqlite3.Connection, sha256: str) -> dict:
    """A document's place among archives (``document_members``, archive/unpack.py): the archive
    it was unpacked from (``in_archive``: its link and the member's name there), and, for an
    archive, every member it holds: extracted (linked) or refused, with the reason."""
    found = conn.execute("select parent_sha256, name from document_members where sha256 = ? limit 1",
                         [sha256]).fetchone()
    members = [dict(zip(("name", "sha256", "status", "reason"), r)) for r in conn.execute(
        """select name, sha256, status, reason from document_members where parent_sha256 = ?
           order by name""", [sha256])]
    for m in members:
        m["archive_url"] = DOCUMENT_ROUTE + m["sha256"] if m["sha256"] else None
    return {"in_archive": ({"archive_url": DOCUMENT_ROUTE + found[0], "name": found[1]} if found else None),
            "members": members}


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

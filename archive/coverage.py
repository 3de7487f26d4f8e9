"""Coverage against the whole country: the numbers of the coverage page, the office page and the
province map (archive/datasette/plugins/renfang_coverage.py), read from the archive's views.

- :func:`national`: the ``national_coverage`` view (archive/views.py) filtered by province and
  level, summed per year and, for one year, per province and level: offices known, with a site,
  reported (their report of the year archived or listed), archived and readable, gaps.
- :func:`office`: one office: its division and the divisions above it (each an office of the
  registry, linked), its names, every URL the registry gave it (``agency_urls``), its calendar
  of reports since 2008 (:func:`calendar`) and its figures year by year.
- :func:`map_rows`: per province, the share of its offices that published their report of a year.

Every function takes an open sqlite3 connection (Datasette's ``execute_fn``), returns plain
data (the JSON form of a page is exactly that data; the CSV form its main table, :func:`csv_text`).
"""
from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import unquote

from archive.gaps import NO_REPORT, last_due_year
from archive.views import FIRST_YEAR, national_coverage_sql, report_state_sql
from archive.vocab import CALENDAR_STATES, Coverage, DivisionStatus

#: the per-year numbers of ``national_coverage`` the pages sum
COUNTS = ("offices", "with_site", "reported", "archived", "unreadable", "not_report", "gone", "listed_only",
          "missing", "no_site", "not_due", "gaps")


def route_ids(raw: str) -> list[str]:
    """The ids a page path can mean: tilde-encoded as the site's own links write them
    (``sc~2Erf`` for ``sc.rf``), or percent-encoded as a browser sends Chinese or spaces."""
    from datasette.utils import tilde_decode

    return list(dict.fromkeys([tilde_decode(raw), unquote(raw)]))


def today() -> date:
    from archive.gaps import today as archive_today

    return archive_today()


def _share(reported: int, offices: int) -> float | None:
    return round(100.0 * reported / offices, 1) if offices else None


def _rows(conn, sql: str, params=()) -> list[dict]:
    cursor = conn.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, r)) for r in cursor.fetchall()]


def national_rows(conn, province: str = "", level: str = "", year: int | None = None,
                  on: date | None = None) -> list[dict]:
    """Rows of ``national_coverage`` (judged on ``on``, the archive's date by default), filtered."""
    sql = (f"select * from ({national_coverage_sql((on or today()).isoformat(), filtered=True)})"
           " where (:year is null or year = :year) order by year, province, level")
    return _rows(conn, sql, {"province": province or "", "level": level or "", "year": year})


def _summed(rows: list[dict], key) -> dict:
    out: dict = {}
    for r in rows:
        k = key(r)
        acc = out.setdefault(k, {c: 0 for c in COUNTS})
        for c in COUNTS:
            acc[c] += r[c] or 0
    for acc in out.values():
        acc["reported_pct"] = _share(acc["reported"], acc["offices"])
    return out


def national(conn, province: str = "", level: str = "", year: int | None = None, on: date | None = None) -> dict:
    """The coverage page's numbers: per year (the whole selection), and for ``year`` (the last
    year due by default) per province and level."""
    on = on or today()
    rows = national_rows(conn, province, level, None, on)
    years = sorted({r["year"] for r in rows})
    due = last_due_year(on)
    if year is None:
        year = due if due in years else (years[-1] if years else due)
    by_year = [{"year": y, **c} for y, c in sorted(_summed(rows, lambda r: r["year"]).items())]
    of_year = [r for r in rows if r["year"] == year]
    levels = sorted({r["level"] for r in of_year}, key=_level_order)
    provinces = []
    for p, cells in sorted(_summed(of_year, lambda r: r["province"]).items(), key=lambda kv: kv[0] or ""):
        provinces.append({"province": p, **cells,
                          "levels": {r["level"]: {**{c: r[c] for c in COUNTS}, "reported_pct": r["reported_pct"]}
                                     for r in of_year if r["province"] == p}})
    return {"year": year, "last_due_year": due, "first_year": FIRST_YEAR, "years": years, "levels": levels,
            "by_year": by_year, "by_province": provinces, "rows": rows, "on": on.isoformat()}


#: the order levels are shown in (the tiers of the national registry, then the older words)
LEVEL_ORDER = ("national", "province", "prefecture", "city", "county", "district")


def _level_order(level: str) -> tuple[int, str]:
    return (LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER), level or "")


def map_rows(conn, year: int | None = None, level: str = "", on: date | None = None) -> dict:
    """Per province: offices of ``year`` (the last due by default), how many published, the share."""
    data = national(conn, "", level, year, on)
    return {"year": data["year"], "level": level, "years": data["years"], "on": data["on"],
            "provinces": [{"province": p["province"], **{c: p[c] for c in ("offices", "with_site", "reported",
                                                                            "archived", "gaps")},
                           "reported_pct": p["reported_pct"]} for p in data["by_province"]]}


# ------------------------------------------------------------------------------------- one office

AGENCY_COLUMNS = ("id", "name", "province", "level", "url", "aliases", "since", "division_code", "parent_code",
                  "city", "url_source", "division_status", "replaced_by", "replaced_in", "established")


def _agency(conn, where: str, params) -> dict | None:
    cursor = conn.execute(f"select {', '.join(AGENCY_COLUMNS)} from agencies where {where} "
                          f"order by division_status = '{DivisionStatus.ABOLISHED}', id limit 1", params)
    row = cursor.fetchone()
    return dict(zip(AGENCY_COLUMNS, row)) if row else None


def _aliases(value: str | None) -> list[str]:
    from crawler.records import alias_list

    return alias_list(value)


def parents(conn, agency: dict) -> list[dict]:
    """The offices of the divisions above this one, province first (each id, name, division code)."""
    chain, code, seen = [], agency.get("parent_code"), set()
    while code and code not in seen:
        seen.add(code)
        parent = _agency(conn, "division_code = ?", [code])
        if parent is None:
            chain.append({"id": None, "name": None, "division_code": code})
            break
        chain.append({"id": parent["id"], "name": parent["name"], "division_code": code})
        code = parent["parent_code"]
    return chain[::-1]


def calendar(conn, agency: dict, on: date | None = None) -> list[dict]:
    """The office's years since 2008 (from its division's establishment, to the year before it was
    abolished; a report outside them shown all the same), each with its state
    (``CALENDAR_STATES``): what the archive holds of that year's report, or for a year without
    one: missing (a gap: due, from its first known report or since), not yet due, or
    not_expected (before its first known report: no report known, no gap)."""
    on = on or today()
    day = f"'{on.isoformat()}'"
    reports = {r["year"]: r for r in _rows(conn, f"""
        select r.year, r.id as report_id, r.parse_status, r.parse_message, r.title, r.url, r.first_seen,
               r.gone_since, {report_state_sql(day, "r.year")} as status,
               (select count(*) from report_documents rd where rd.report_id = r.id) as documents
        from reports r where r.agency_id = ? and r.year is not null and r.issued_by is null
        order by r.year""", [agency["id"]])}
    first = agency["since"] if agency["since"] is not None else min(reports, default=None)
    if first is not None and agency["established"]:
        first = max(first, agency["established"])
    last_year = on.year - 1     # the last completed year: its report due on 31 January, or not yet
    start = max(FIRST_YEAR, agency["established"] or FIRST_YEAR)
    end = last_year if not agency["replaced_in"] else min(last_year, agency["replaced_in"] - 1)
    years = sorted(set(range(start, end + 1)) | set(reports))
    out = []
    for y in years:
        r = reports.get(y)
        deadline = f"{y + 1}-01-31"
        expected = first is not None and first <= y <= end
        due = on.isoformat() > deadline
        if r:
            state = r["status"]
            gap = None
            if expected and due and r["parse_status"] not in _found():
                gap = r["parse_status"] + (f": {r['parse_message']}" if r["parse_message"] else "")
        else:
            state = Coverage.NOT_DUE if not due else Coverage.MISSING if expected else Coverage.NOT_EXPECTED
            gap = NO_REPORT if state == Coverage.MISSING else None
        out.append({"year": y, "state": str(state), "label": CALENDAR_STATES[Coverage(state)][0],
                    "deadline": deadline, "gap_reason": gap,
                    **{k: (r or {}).get(k) for k in ("report_id", "parse_status", "parse_message", "title", "url",
                                                     "first_seen", "gone_since", "documents")}})
    return out


def _found() -> tuple:
    from archive.gaps import FOUND_STATUSES

    return FOUND_STATUSES


def office(conn, agency_id: str, on: date | None = None) -> dict | None:
    """Everything the office page shows (without its figures: :func:`figures`)."""
    agency = _agency(conn, "id = ?", [agency_id])
    if agency is None:
        return None
    agency["aliases"] = _aliases(agency["aliases"])
    replaced_by = _agency(conn, "division_code = ?", [agency["replaced_by"]]) if agency["replaced_by"] else None
    urls = _rows(conn, "select url, url_source, first_seen, last_seen from agency_urls where agency_id = ? "
                       "order by first_seen, url", [agency_id])
    predecessors = _rows(conn, "select id, name, division_code, replaced_in from agencies where replaced_by = ? "
                               "and division_code is not null and division_code != '' order by replaced_in, id",
                         [agency["division_code"] or ""]) if agency["division_code"] else []
    children = conn.execute("select count(*), count(url) from agencies where parent_code = ?",
                            [agency["division_code"]]).fetchone() if agency["division_code"] else (0, 0)
    cal = calendar(conn, agency, on)
    counts: dict[str, int] = {}
    for c in cal:
        counts[c["state"]] = counts.get(c["state"], 0) + 1
    return {"agency": agency, "parents": parents(conn, agency),
            "replaced_by": {"id": replaced_by["id"], "name": replaced_by["name"],
                            "division_code": agency["replaced_by"]} if replaced_by else None,
            "predecessors": predecessors, "children": {"offices": children[0], "with_site": children[1]},
            "urls": urls, "calendar": cal, "calendar_counts": counts}


def csv_text(rows: list[dict], columns: list[str] | tuple[str, ...]) -> str:
    """Rows as CSV (the columns given, in order; None as empty)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({c: ("" if r.get(c) is None else r.get(c)) for c in columns})
    return out.getvalue()


def figures(conn, agency_id: str) -> dict:
    """The office's reports and figures year by year (tables 三 total column, 四, 二) and its
    failing checks: the office page's "all years side by side"."""
    from archive.derived import wide_columns
    from archive.printed import STATUS_TEXT, number
    from parsers.codes import TABLES

    reports = {r["year"]: r for r in _rows(conn, """
        select report_id, year, format_version, parse_status, facts, failing_checks, title, parse_message,
               (select count(*) from checks c where c.report_id = o.report_id) as checks
        from report_overview o where agency_id = ? order by year""", [agency_id])}
    years = sorted(reports)
    tables = []
    for code in ("applications", "appeals", "disclosure"):
        table = TABLES[code]
        wide = {r["year"]: r for r in _rows(conn, f"select * from {code}_wide where agency_id = ?", [agency_id])}
        if not wide:
            continue
        rows = []
        for row, column, unit in wide_columns(code):
            if code == "applications" and column != "total":
                continue  # the applicant columns: on each report page
            values = [wide.get(y, {}).get(f"{row}__{column}") for y in years]
            if all(v is None for v in values):
                continue
            units = {wide.get(y, {}).get(f"{row}__{column}__unit") for y in years} - {None} if unit else set()
            label = table.row(row).label + ("" if code == "applications" else " × " + table.column(column).label)
            rows.append({"code": f"{row}.{column}", "label": label, "group": table.row(row).group,
                         "unit": "/".join(sorted(units)), "values": [number(v) if v is not None else "" for v in values]})
        tables.append({"code": code, "label": table.label, "rows": rows})
    failing = _rows(conn, """select report_id, year, code, rule, key, key_label, computed, printed
                             from failing_checks where report_id in (select id from reports where agency_id = ?)
                             order by year, code, key""", [agency_id])
    from archive.printed import check_sentences

    sentences = check_sentences(conn, [c["report_id"] for c in failing])
    for c in failing:   # each check in words, as its report page says it
        c["sentence"] = sentences.get((c["report_id"], c["code"], c["key"]))
    return {"years": years, "reports": reports, "tables": tables, "failing": failing, "status_text": STATUS_TEXT}

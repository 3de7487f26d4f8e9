"""SQL views of the archive: the printed tables in wide form, coverage, versions, an overview.

All views are derived from the tables of :mod:`archive.schema` and generated from the
canonical codes (``parsers/codes.py``), so a new code appears in the wide views without
hand-written SQL. :func:`ensure_views` (called by ``ensure_schema``) creates them and replaces a
view only when its definition changed, so opening an archive stays cheap and idempotent.

Tables materialised at load by archive/derived.py (a pivot of 4 million facts per request is
too slow at national scale), from the SQL and column lists here:

- ``disclosure_wide``, ``applications_wide``, ``appeals_wide``: one row per report with figures
  of that table, one column per printed cell, named ``<row>__<column>`` (e.g.
  ``received__total``), counts as integers, money cells with their unit beside them
  (``<row>__<column>__unit``), plus the report's agency, province, level, year and layout.
- ``report_overview``: one row per report with its agency, counts of facts and failing checks,
  and ``document_path``, the archive's own URL path of the source document.

Views (documented in README.md, "The schema"):

- ``failing_checks``: every failing check with its rule in words, the label of the row or column
  it is about, both sides as printed (2, not 2.0) and the link to its report page.
- ``missing_reports``: the coverage cells that are not an archived, readable report.
- ``coverage``: offices × years with ``status`` (``COVERAGE_STATES``): archived (and readable) /
  unreadable (archived, but the document could not be read: corrupt, encrypted …) / not_report
  (the archived document is not an annual report) / gone (archived, then removed from the portal:
  ``reports.gone_since``) / listed_only (listed, no document fetched) / missing (deadline 31
  January of the next year passed) / not_due.
- ``version_changes`` (materialised too, per report, from :data:`VERSION_CHANGES`): figures that
  differ between consecutive versions of a report document (same report and URL, new bytes).
"""
from __future__ import annotations

import re

import sqlite_utils

from archive.gaps import FOUND_STATUSES, NO_REPORT
from archive.vocab import COVERAGE_STATES, GAP_STATES, PUBLISHED_STATES, Coverage
from parsers.vocab import PARSE_READ, CheckStatus, ParseStatus, sql_list

DOCUMENT_ROUTE = "/-/documents/"  # served by archive/datasette/plugins/renfang_site.py

def printed_cells(table) -> list[tuple[str, str]]:
    """(row, column) pairs of one printed table, in printed order."""
    pairs: list[tuple[str, str]] = []
    if table.row_columns:  # disclosure: each row block has its own columns, per version
        for row in table.row_codes():
            seen: list[str] = []
            for version in ("2019", "2021"):
                for column in table.row_columns.get(row, {}).get(version, ()):
                    if column not in seen:
                        seen.append(column)
            pairs += [(row, column) for column in seen]
    else:
        pairs = [(row, column) for row in table.row_codes() for column in table.column_codes()]
    return pairs


# The rows of the materialised ``report_overview`` table (archive/derived.py), one per report.
REPORT_OVERVIEW_COLUMNS = ("report_id", "agency", "province", "level", "year", "format_version", "title",
                           "parse_status", "parse_message", "published", "document_number", "facts",
                           "failing_checks", "source_sha256", "document_path", "url", "first_seen",
                           "last_seen", "gone_since", "agency_id", "parser_version")
REPORT_OVERVIEW = f"""select r.id as report_id, a.name as agency, a.province, a.level, r.year,
  r.format_version, r.title, r.parse_status, r.parse_message, r.published, r.document_number,
  (select count(*) from facts f where f.report_id = r.id) as facts,
  (select count(*) from checks c where c.report_id = r.id and c.status = '{CheckStatus.FAIL}') as failing_checks,
  r.source_sha256,
  case when r.source_sha256 is not null then '{DOCUMENT_ROUTE}' || r.source_sha256 end as document_path,
  r.url, r.first_seen, r.last_seen, r.gone_since, r.agency_id, r.parser_version
from reports r join agencies a on a.id = r.agency_id"""

# Years run, per office, from its registry ``since`` or else its first known report (as
# archive/gaps.py expects them), never before the division was established nor from the year it
# was abolished (agencies.established, replaced_in), to the last completed year (its report is
# due on 31 January of the year after); an office with no report and no ``since`` expects no year
# (its rows are a report's, if any: none), so it is never counted missing from the archive's first
# year. A report the archive holds outside that range is shown all the same. 'gone': archived,
# but the crawler found it removed from the portal (reports.gone_since, set by the crawler).
# ``gap_reason``: why a year of the office's range now due is a gap of its calendar
# (archive/gaps.py: no report, or one that could not be read, with its parse status); empty when
# it is none.
def _day(today: str | None) -> str:
    if today is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", today):
        raise ValueError(f"not a date: {today!r}")
    return f"'{today}'" if today else "date('now')"


DOCUMENTED = "exists (select 1 from report_documents rd where rd.report_id = r.id)"


def deadline(year: str) -> str:
    """SQL: the day the report of ``year`` (an SQL integer expression) is due, 'Y+1-01-31'; not
    printf(), which the site checks before it runs (archive/datasette/plugins/renfang_limits.py),
    a cost per row of the whole country."""
    return f"({year} + 1) || '-01-31'"


def report_state_sql(day: str, year: str = "y.year", documented: str = DOCUMENTED) -> str:
    """SQL: the coverage state (``COVERAGE_STATES``) of the report ``r`` (left-joined: its
    columns null when there is none) of ``year``, judged on ``day`` (an SQL date expression);
    ``documented``: whether a document of it is archived (an expression over ``r``)."""
    return f"""case
    when r.id is not null and r.gone_since is not null and {documented} then '{Coverage.GONE}'
    when r.id is not null and r.parse_status in {sql_list(PARSE_READ)} then '{Coverage.ARCHIVED}'
    when r.id is not null and r.parse_status = '{ParseStatus.NOT_REPORT}' then '{Coverage.NOT_REPORT}'
    when r.id is not null and {documented}
      then '{Coverage.UNREADABLE}'
    when r.id is not null then '{Coverage.LISTED_ONLY}'
    when {day} <= {deadline(year)} then '{Coverage.NOT_DUE}'
    else '{Coverage.MISSING}'
  end"""


def _gap_sql(day: str, year: str = "y.year") -> str:
    """SQL: why ``year`` is a gap of the office's calendar (archive/gaps.py), or null; ``a`` has
    the office's ``first_year`` and ``last_year`` (:func:`_offices_sql`)."""
    due = f"{day} > {deadline(year)}"
    expected = f"{year} >= a.first_year and {year} <= coalesce(a.last_year, {year})"
    return f"""case
    when a.first_year is null or not ({expected} and {due}) then null
    when r.id is null then '{NO_REPORT}'
    when r.parse_status not in {sql_list(FOUND_STATUSES)}
      then r.parse_status || coalesce(': ' || nullif(r.parse_message, ''), '')
  end"""


#: the offices a filtered national coverage counts (:func:`national_coverage_sql` ``filtered``)
OFFICE_FILTER = "(:province = '' or a.province = :province) and (:level = '' or a.level = :level)"


def _offices_sql(where: str = "") -> str:
    """SQL (a CTE body): every office (or those ``where`` says) with its calendar's first and last
    year: from its ``since`` or first known report, not before its division was established; to
    the year before its division was abolished (null: no end). ``first_year`` is null when
    nothing is expected."""
    return f"""select a.id, a.name, a.province, a.level, a.url, a.established, a.replaced_in,
    max(coalesce(a.since, f.first), coalesce(a.established, 0)) as first_year,
    a.replaced_in - 1 as last_year
  from agencies a
  left join (select agency_id, min(year) as first from reports where year is not null and issued_by is null
             group by agency_id) f
    on f.agency_id = a.id{(chr(10) + "  where " + where) if where else ""}"""


def coverage_sql(today: str | None = None) -> str:
    """The ``coverage`` view's SQL; ``today`` ('YYYY-MM-DD') fixes the date the deadlines are
    judged on (tests, historical views); None = the current date when the view is queried."""
    day = _day(today)
    return f"""with recursive bounds as (
  select (select min(first) from (select min(year) as first from reports
                                  union all select min(since) from agencies)) as lo,
         max(coalesce(max(year), 0), cast(strftime('%Y', {day}) as integer) - 1) as hi
  from reports
), years(year) as (
  select lo from bounds where lo is not null
  union all
  select year + 1 from years, bounds where year < hi
), offices as (
  {_offices_sql()}
)
select a.id as agency_id, a.name as agency, a.province, a.level,
  cast(y.year as integer) as year,   -- integer affinity: Datasette's ?year=2022 filter (a string) matches
  {deadline('y.year')} as deadline,
  r.id as report_id, r.parse_status,
  {report_state_sql(day)} as status,
  r.first_seen, r.gone_since,
  {_gap_sql(day)} as gap_reason
from offices a
cross join years y
left join reports r on r.agency_id = a.id and r.year = y.year and r.issued_by is null
where r.id is not null
   or (y.year >= a.first_year and y.year <= coalesce(a.last_year, y.year))"""


#: the first report year the national coverage counts (the disclosure regulations took effect
#: on 1 May 2008)
FIRST_YEAR = 2008


def national_coverage_sql(today: str | None = None, filtered: bool = False) -> str:
    """The ``national_coverage`` view's SQL: per province, level and year since
    :data:`FIRST_YEAR`, the offices of the registry that existed that year (established, not yet
    abolished), how many have a site known, what the archive holds of their report of that year
    (``PUBLISHED_STATES`` make ``reported``), and the gaps of their calendars. ``today`` as in
    :func:`coverage_sql`.

    Counted in two parts, so that no office-year is joined to its report (3,583 offices × 18 years
    of the national registry): the office-years alone (``office_years``: how many, with a site, due,
    expected by the office's calendar), and the reports with their state (``report_cells``, one row
    per report of an office in a year it existed); what has no report is the difference.
    ``filtered``: only the offices of the parameters ``:province`` and ``:level`` ('' = all)."""
    day = _day(today)
    # a year is due once its deadline (31 January of the next year) has passed: up to clock.last_due
    due = "{y} <= k.last_due"
    expected = "coalesce({y} >= a.first_year and {y} <= coalesce(a.last_year, {y}), 0)"
    exists = "{y} >= coalesce(a.established, {y}) and {y} < coalesce(a.replaced_in, {y} + 1)"
    states = [s for s in COVERAGE_STATES if s not in (Coverage.MISSING, Coverage.NOT_DUE)]
    published = sql_list(PUBLISHED_STATES)
    return f"""with recursive clock(last_due) as (
  select cast(strftime('%Y', {day}) as integer) - case when {day} > strftime('%Y-01-31', {day}) then 1 else 2 end
), years(year) as (
  select {FIRST_YEAR}
  union all
  select year + 1 from years
  where year < (select max(coalesce(max(year), 0), cast(strftime('%Y', {day}) as integer) - 1) from reports)
), offices as materialized (
  {_offices_sql(OFFICE_FILTER if filtered else "")}
), office_kinds as (   -- offices alike in everything counted below, counted once
  select province, level, url is not null as site, first_year, last_year, established, replaced_in, count(*) as n
  from offices group by 1, 2, 3, 4, 5, 6, 7
), office_years as (
  select a.province, a.level, y.year, sum(a.n) as offices, sum(a.n * a.site) as with_site,
    sum(a.n * ({due.format(y="y.year")} and a.site)) as due_site,
    sum(a.n * ({due.format(y="y.year")} and not a.site)) as due_no_site,
    sum(a.n * (not ({due.format(y="y.year")}))) as not_due,
    sum(a.n * ({expected.format(y="y.year")} and {due.format(y="y.year")})) as expected_due
  from office_kinds a cross join years y cross join clock k
  where {exists.format(y="y.year")}
  group by a.province, a.level, y.year
), report_rows as materialized (   -- whether each report has a document: asked once
  select r.id, r.agency_id, r.year, r.parse_status, r.gone_since, {DOCUMENTED} as documented
  from reports r where +r.year >= {FIRST_YEAR} and r.issued_by is null   -- a scan: the year index would cost a lookup a row
), report_cells as materialized (
  select a.province, a.level, r.year, a.url is not null as site,
    {report_state_sql(day, "r.year", "r.documented")} as status,
    {due.format(y="r.year")} as due, {expected.format(y="r.year")} as expected,
    r.parse_status not in {sql_list(FOUND_STATUSES)} as unreadable
  from report_rows r join offices a on a.id = r.agency_id cross join clock k
  where r.year between {FIRST_YEAR} and (select max(year) from years) and {exists.format(y="r.year")}
), report_counts as (
  select province, level, year,
    {", ".join(f"sum(status = '{s}') as {s}" for s in states)},
    sum(status in {published}) as reported,
    sum(due and site) as due_site, sum(due and not site) as due_no_site, sum(not due) as not_due,
    sum(expected and due) as expected_due, sum(expected and due and unreadable) as gaps
  from report_cells group by province, level, year
)
select o.province, o.level, cast(o.year as integer) as year,   -- integer affinity, as in the coverage view
  o.offices, o.with_site,
  coalesce(c.reported, 0) as reported,
  round(100.0 * coalesce(c.reported, 0) / o.offices, 1) as reported_pct,
  {", ".join(f"coalesce(c.{s}, 0) as {s}" for s in states)},
  o.not_due - coalesce(c.not_due, 0) as {Coverage.NOT_DUE},
  o.due_site - coalesce(c.due_site, 0) as {Coverage.MISSING},
  o.due_no_site - coalesce(c.due_no_site, 0) as no_site,
  o.expected_due - coalesce(c.expected_due, 0) + coalesce(c.gaps, 0) as gaps
from office_years o
left join report_counts c on c.province is o.province and c.level is o.level and c.year = o.year"""


NATIONAL_COVERAGE = national_coverage_sql()
COVERAGE = coverage_sql()

# The rows of the materialised ``version_changes`` table (archive/derived.py) of the reports in
# the temporary table ``_refresh_ids``: a comparison of every version with the one before, per
# report, is too slow on every request once thousands of documents have versions.
VERSION_CHANGES_COLUMNS = ("report_id", "url", "old_sha256", "new_sha256", "changed_seen", "table_name",
                           "row_code", "column_code", "old_value", "new_value", "old_raw", "new_raw")
VERSION_CHANGES = """with versions as (
  select rd.report_id, rd.url, rd.sha256, rd.first_seen,
         lag(rd.sha256) over (partition by rd.report_id, rd.url order by rd.first_seen, rd.sha256)
           as previous_sha256
  from _refresh_ids i cross join report_documents rd on rd.report_id = i.id
  where exists (select 1 from version_facts v where v.sha256 = rd.sha256)
), pairs as (
  select * from versions where previous_sha256 is not null
), cells as (
  select p.report_id, p.url, p.previous_sha256, p.sha256, p.first_seen,
         v.table_name, v.row_code, v.column_code
  from pairs p join version_facts v on v.sha256 in (p.sha256, p.previous_sha256)
  group by p.report_id, p.url, p.sha256, v.table_name, v.row_code, v.column_code
)
select c.report_id, c.url, c.previous_sha256 as old_sha256, c.sha256 as new_sha256,
  c.first_seen as changed_seen, c.table_name, c.row_code, c.column_code,
  o.value as old_value, n.value as new_value, o.raw as old_raw, n.raw as new_raw
from cells c
left join version_facts o on o.sha256 = c.previous_sha256 and o.table_name = c.table_name
  and o.row_code = c.row_code and o.column_code = c.column_code
left join version_facts n on n.sha256 = c.sha256 and n.table_name = c.table_name
  and n.row_code = c.row_code and n.column_code = c.column_code
where o.value is not n.value or o.sha256 is null or n.sha256 is null"""


def _failing_checks_sql() -> str:
    from parsers.codes import CHECKS

    rules = "\n".join(f"    when '{code}' then '{rule}'" for code, rule in {
        **CHECKS, "applications.carry_chain": CARRY_CHAIN_RULE}.items())
    return f"""select c.report_id, a.name as agency, a.province, a.level, r.year, c.code,
  case c.code
{rules}
  end as rule,
  c.key, k.label as key_label,
  {_as_printed('c.lhs')} as computed, {_as_printed('c.rhs')} as printed,
  '/-/report/' || c.report_id || '#failing' as report_page
from checks c
cross join reports r on r.id = c.report_id  -- CROSS JOIN: start from the few failing checks
cross join agencies a on a.id = r.agency_id
left join codes k on k.table_name = case when c.code in ('appeals.group_sum', 'text.appeals') then 'appeals'
                                         else 'applications' end
  and k.code = c.key and k.kind = case when c.code in ('applications.row_sum', 'appeals.group_sum',
                                                       'text.applications', 'text.appeals')
                                       then 'row' else 'column' end  -- not vocabulary: codes.kind
where c.status = '{CheckStatus.FAIL}'"""


CARRY_CHAIN_RULE = "上年结转 = 上一年度报告的结转下年度继续办理"

MISSING_REPORTS = """select agency_id, agency, province, level, year, deadline, status, report_id, gap_reason
from coverage where status in """ + sql_list(GAP_STATES)


def _as_printed(expression: str) -> str:
    """SQL: a figure as printed, 2 not 2.0 (REAL columns store counts as floats)."""
    return (f"case when {expression} = cast({expression} as integer) then cast({expression} as integer) "
            f"else {expression} end")


def view_definitions() -> dict[str, str]:
    return {
        "coverage": COVERAGE,
        "national_coverage": NATIONAL_COVERAGE,
        "failing_checks": _failing_checks_sql(),
        "missing_reports": MISSING_REPORTS,
    }


def ensure_views(db: sqlite_utils.Database) -> None:
    """Create the views; replace one only when its SQL changed (cheap when nothing did).
    Also create the materialised tables (archive.derived fills them)."""
    from archive.derived import ensure_materialised

    ensure_materialised(db)
    have = dict(db.execute("select name, sql from sqlite_master where type = 'view'").fetchall())
    for name, sql in view_definitions().items():
        # upper case as SQLite stores it (it rewrites the "create view" prefix it keeps in
        # sqlite_master): a lower-case statement never compared equal, so every open of the
        # archive dropped and recreated every view, and two processes opening it at once failed
        statement = f"CREATE VIEW {name} as\n{sql}"
        if have.get(name) == statement:
            continue
        with db.atomic():
            db.execute(f"drop view if exists {name}")
            db.execute(statement)

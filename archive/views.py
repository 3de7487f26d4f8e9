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
- ``coverage_offices``, ``coverage_cells`` (kept per office by triggers, archive/derived.py
  ``coverage_tables``): the date-independent part of the three coverage views below, which judge
  it on their date.
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


def held_state_sql(documented: str = DOCUMENTED) -> str:
    """SQL: the coverage state of what the archive holds of the report ``r`` (left-joined: its
    columns null when there is none), whatever the date: gone, archived, not_report, unreadable,
    listed_only; null when there is no report (not_due or missing: the date decides)."""
    return f"""case
    when r.id is not null and r.gone_since is not null and {documented} then '{Coverage.GONE}'
    when r.id is not null and r.parse_status in {sql_list(PARSE_READ)} then '{Coverage.ARCHIVED}'
    when r.id is not null and r.parse_status = '{ParseStatus.NOT_REPORT}' then '{Coverage.NOT_REPORT}'
    when r.id is not null and {documented}
      then '{Coverage.UNREADABLE}'
    when r.id is not null then '{Coverage.LISTED_ONLY}'
  end"""


def due_state_sql(day: str, year: str) -> str:
    """SQL: the state of a year without a report, judged on ``day``: not_due, or missing once its
    deadline has passed."""
    return f"case when {day} <= {deadline(year)} then '{Coverage.NOT_DUE}' else '{Coverage.MISSING}' end"


def report_state_sql(day: str, year: str = "y.year", documented: str = DOCUMENTED) -> str:
    """SQL: the coverage state (``COVERAGE_STATES``) of the report ``r`` (left-joined: its
    columns null when there is none) of ``year``, judged on ``day`` (an SQL date expression);
    ``documented``: whether a document of it is archived (an expression over ``r``)."""
    return f"coalesce({held_state_sql(documented)}, {due_state_sql(day, year)})"


def _gap_sql(year: str = "y.year") -> str:
    """SQL: why ``year`` would be a gap of the office's calendar once due (archive/gaps.py), or
    null; ``a`` has the office's ``first_year`` and ``last_year`` (:data:`COVERAGE_OFFICES`)."""
    expected = f"{year} >= a.first_year and {year} <= coalesce(a.last_year, {year})"
    return f"""case
    when a.first_year is null or not ({expected}) then null
    when r.id is null then '{NO_REPORT}'
    when r.parse_status not in {sql_list(FOUND_STATUSES)}
      then r.parse_status || coalesce(': ' || nullif(r.parse_message, ''), '')
  end"""


#: the offices a filtered national coverage counts (:func:`national_coverage_sql` ``filtered``)
OFFICE_FILTER = "(:province = '' or a.province = :province) and (:level = '' or a.level = :level)"

# The date-independent part of the coverage views, materialised (archive/derived.py
# refresh_coverage; the triggers ``coverage_*`` of archive/schema.py keep it as the registry and
# the reports change, whoever writes them): a cross join of 32,000 offices with their years and
# reports on every request took seconds at 10x national scale.
#
# ``coverage_offices``: every office with its calendar's first and last year: from its ``since``
# or first known report, not before its division was established; to the year before its
# division was abolished (null: no end); ``first_year`` is null when nothing is expected.
# ``cells_to``: the last year its cells are materialised for: the current year when they were
# made, or its latest report's, or its first year's when later; the views continue the calendar
# of an office after it on the fly from its last cell (none until the year after next: the
# calendar's last year is the year before the current one).
#: the current year, in SQL (the horizon of the materialised cells; the views judge on their own date)
THIS_YEAR = "cast(strftime('%Y', 'now') as integer)"
COVERAGE_OFFICES_COLUMNS = ("agency_id", "agency", "province", "level", "site", "established", "replaced_in",
                            "first_year", "last_year", "cells_to")
_OWN_REPORTS = "from reports o where o.agency_id = a.id and o.issued_by is null"
_FIRST_YEAR = f"max(coalesce(a.since, (select min(o.year) {_OWN_REPORTS})), coalesce(a.established, 0))"
COVERAGE_OFFICES = f"""select a.id as agency_id, a.name as agency, a.province, a.level, a.url is not null as site,
    a.established, a.replaced_in,
    {_FIRST_YEAR} as first_year,
    a.replaced_in - 1 as last_year,
    max({THIS_YEAR}, coalesce((select max(o.year) {_OWN_REPORTS}), 0), coalesce({_FIRST_YEAR}, 0)) as cells_to
  from agencies a"""

# ``coverage_cells``: offices x years: every year of an office's calendar up to its ``cells_to``,
# and every year it has a report (the office's own: reports.issued_by is null), with what the
# archive holds: ``state`` (null: no report; the views say not_due or missing by their date),
# ``gap`` (why the year is a gap of the office's calendar once due, archive/gaps.py), whether
# the year is ``expected`` by the calendar and whether the office ``existed`` that year (its
# division established, not yet abolished: what national_coverage counts); ``last_cell``: the
# office's cell of its ``cells_to`` (there is one whenever its calendar goes on after it: cells_to
# is at least its first year), from which the coverage view continues the calendar, with the
# office's ``last_year``.
COVERAGE_CELLS_COLUMNS = ("agency_id", "agency", "province", "level", "site", "year", "report_id", "parse_status",
                          "state", "first_seen", "gone_since", "gap", "expected", "existed", "last_cell",
                          "last_year")
COVERAGE_CELLS = f"""with recursive years(year) as (
  select min(first) from (select min(year) as first from reports union all select min(since) from agencies)
  union all
  select year + 1 from years
  where year < max((select coalesce(max(year), 0) from reports), {THIS_YEAR},
                   (select coalesce(max(since), 0) from agencies), (select coalesce(max(established), 0) from agencies))
), offices as (
  {COVERAGE_OFFICES}
)
select a.agency_id, a.agency, a.province, a.level, a.site, y.year, r.id as report_id, r.parse_status,
  {held_state_sql()} as state, r.first_seen, r.gone_since,
  {_gap_sql()} as gap,
  coalesce(y.year >= a.first_year and y.year <= coalesce(a.last_year, y.year), 0) as expected,
  y.year >= coalesce(a.established, y.year) and y.year < coalesce(a.replaced_in, y.year + 1) as existed,
  y.year = a.cells_to as last_cell, a.last_year
from offices a
cross join years y
left join reports r on r.agency_id = a.agency_id and r.year = y.year and r.issued_by is null
where r.id is not null
   or (y.year >= a.first_year and y.year <= coalesce(a.last_year, a.cells_to) and y.year <= a.cells_to)"""

#: the view the coverage triggers read one office's cells from (a trigger's statement cannot
#: have a WITH clause of its own); hidden on the site
COVERAGE_CALENDAR = "coverage_calendar"


#: the cells national_coverage counts (an office's report of a year it existed); the index
#: ``idx_coverage_cells_reports`` (archive/derived.py) holds them in the order it counts them
REPORT_KINDS_WHERE = "a.report_id is not null and a.existed"


def refresh_office_sql(agency: str) -> str:
    """SQL statements (for a trigger) that rewrite the ``coverage_offices`` row and the
    ``coverage_cells`` of the offices ``agency`` says (an SQL expression list, e.g.
    ``new.agency_id``)."""
    return (f"delete from coverage_cells where agency_id in ({agency}); "
            f"delete from coverage_offices where agency_id in ({agency}); "
            f"insert into coverage_offices ({', '.join(COVERAGE_OFFICES_COLUMNS)}) {COVERAGE_OFFICES} "
            f"where a.id in ({agency}); "
            f"insert into coverage_cells ({', '.join(COVERAGE_CELLS_COLUMNS)}) "
            f"select {', '.join(COVERAGE_CELLS_COLUMNS)} from {COVERAGE_CALENDAR} where agency_id in ({agency});")


def _hi(day: str) -> str:
    """SQL: the calendar's last year judged on ``day``: the last completed year, or the latest
    report's when later."""
    return f"(select max(coalesce(max(year), 0), cast(strftime('%Y', {day}) as integer) - 1) from reports)"


def _last_due(day: str) -> str:
    """SQL: the last year whose report is due on ``day`` (its deadline, 31 January of the next
    year, has passed; archive/gaps.py last_due_year)."""
    return f"cast(strftime('%Y', {day}) as integer) - case when {day} > strftime('%Y-01-31', {day}) then 1 else 2 end"


def coverage_sql(today: str | None = None) -> str:
    """The ``coverage`` view's SQL; ``today`` ('YYYY-MM-DD') fixes the date the deadlines are
    judged on (tests, historical views); None = the current date when the view is queried.

    The materialised cells up to the calendar's last year, and the years after an office's
    ``cells_to`` (no report: not_due or missing) made here from its last cell."""
    day = _day(today)
    # a year is due (missing, not not_due, without a report) once it is at most clock.last_due:
    # an integer comparison per row, not a deadline made and compared as text (half the time)
    year = "c.year + l.k"
    held = "case when l.k = 0 then c.{} end"
    # one SELECT, not a UNION ALL of the cells and the years after them: SQLite flattens it into
    # a count or a facet, which then read only the columns they need (a compound view made every
    # column of 400,000 cells: twice the time at 10x national scale)
    return f"""with recursive clock(hi, last_due) as (
  select {_hi(day)}, {_last_due(day)}
), later(k) as (   -- 0: the cells; k > 0: the k-th year after an office's last cell (no cells yet)
  select 0
  union all
  select k + 1 from later, clock where k < hi - (select min(cells_to) from coverage_offices)
)
select c.agency_id, c.agency, c.province, c.level,
  cast({year} as integer) as year,   -- integer affinity: Datasette's ?year=2022 filter (a string) matches
  {deadline(year)} as deadline,
  {held.format("report_id")} as report_id, {held.format("parse_status")} as parse_status,
  coalesce({held.format("state")},
           case when {year} > (select last_due from clock) then '{Coverage.NOT_DUE}' else '{Coverage.MISSING}' end)
    as status,
  {held.format("first_seen")} as first_seen, {held.format("gone_since")} as gone_since,
  case when {year} <= (select last_due from clock) then coalesce({held.format("gap")}, case when l.k > 0
    then '{NO_REPORT}' end) end as gap_reason
from later l
join coverage_cells c on l.k = 0 or (c.last_cell and {year} <= coalesce(c.last_year, {year}))
where {year} <= (select hi from clock)"""


#: the first report year the national coverage counts (the disclosure regulations took effect
#: on 1 May 2008)
FIRST_YEAR = 2008


def national_coverage_sql(today: str | None = None, filtered: bool = False) -> str:
    """The ``national_coverage`` view's SQL: per province, level and year since
    :data:`FIRST_YEAR`, the offices of the registry that existed that year (established, not yet
    abolished), how many have a site known, what the archive holds of their report of that year
    (``PUBLISHED_STATES`` make ``reported``), and the gaps of their calendars. ``today`` as in
    :func:`coverage_sql`.

    Counted in two parts, so that no office-year is joined to its report (32,000 offices × 18
    years at 10x national scale): the office-years alone (``office_years``: how many, with a site,
    due, expected by the office's calendar, from ``coverage_offices``), and the cells with a
    report (``report_cells``, one row per report of an office in a year it existed, from
    ``coverage_cells``); what has no report is the difference.
    ``filtered``: only the offices of the parameters ``:province`` and ``:level`` ('' = all)."""
    day = _day(today)
    # a year is due once its deadline (31 January of the next year) has passed: up to clock.last_due
    due = "{y} <= k.last_due"
    expected = "coalesce({y} >= a.first_year and {y} <= coalesce(a.last_year, {y}), 0)"
    exists = "{y} >= coalesce(a.established, {y}) and {y} < coalesce(a.replaced_in, {y} + 1)"
    states = [s for s in COVERAGE_STATES if s not in (Coverage.MISSING, Coverage.NOT_DUE)]
    published = sql_list(PUBLISHED_STATES)
    where = f"\n  where {OFFICE_FILTER}" if filtered else ""
    return f"""with recursive clock(last_due) as (
  select {_last_due(day)}
), years(year) as (
  select {FIRST_YEAR}
  union all
  select year + 1 from years
  where year < {_hi(day)}
), office_kinds as (   -- offices alike in everything counted below, counted once
  select province, level, site, first_year, last_year, established, replaced_in, count(*) as n
  from coverage_offices a{where}
  group by 1, 2, 3, 4, 5, 6, 7
), office_years as (
  select a.province, a.level, y.year, sum(a.n) as offices, sum(a.n * a.site) as with_site,
    sum(a.n * ({due.format(y="y.year")} and a.site)) as due_site,
    sum(a.n * ({due.format(y="y.year")} and not a.site)) as due_no_site,
    sum(a.n * (not ({due.format(y="y.year")}))) as not_due,
    sum(a.n * ({expected.format(y="y.year")} and {due.format(y="y.year")})) as expected_due
  from office_kinds a cross join years y cross join clock k
  where {exists.format(y="y.year")}
  group by a.province, a.level, y.year
), report_kinds as (   -- the cells with a report alike in everything counted below, counted once
  select a.province, a.level, a.year, a.site, a.state, a.expected, a.gap is not null as gap, count(*) as n
  from coverage_cells a
  where {REPORT_KINDS_WHERE}
    and +a.year between {FIRST_YEAR} and (select max(year) from years){(" and " + OFFICE_FILTER) if filtered else ""}
  group by a.province, a.level, a.year, a.site, a.state, a.expected, a.gap is not null
), report_counts as (
  select a.province, a.level, a.year,
    {", ".join(f"sum(a.n * (a.state = '{s}')) as {s}" for s in states)},
    sum(a.n * (a.state in {published})) as reported,
    sum(a.n * ({due.format(y="a.year")} and a.site)) as due_site,
    sum(a.n * ({due.format(y="a.year")} and not a.site)) as due_no_site,
    sum(a.n * (not ({due.format(y="a.year")}))) as not_due,
    sum(a.n * (a.expected and {due.format(y="a.year")})) as expected_due,
    sum(a.n * ({due.format(y="a.year")} and a.gap)) as gaps
  from report_kinds a cross join clock k group by a.province, a.level, a.year
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
    # +c.code: grouping by it (the code facet) must not walk checks(code, status), all 9.5 million
    # checks at 10x national scale (0.8 s), to find the failing few
    return f"""select c.report_id, a.name as agency, a.province, a.level, r.year, +c.code as code,
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
        COVERAGE_CALENDAR: COVERAGE_CELLS,
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

"""Honesty by calendar: which years of an office's reports are due, and which of them the
archive lacks (issue 19, point 4).

The rule: the report for year Y is due by 31 January of Y+1 (the legal deadline). An office's
expected years run from its first known report (the earliest year the archive holds a report
or a listing of it, in any run) — or the registry's ``since`` column, when given — to the last
year now due. A year of that range is a **gap** when the archive holds no report for it, or
only one it could not read: never fetched (``no_document``), not an annual report, corrupt,
encrypted, unsupported … (any parse status but ``PARSE_READ`` and ``pending``: a report not
loaded yet counts as found until ``renfang load`` has read it).

:func:`judge` is the pure rule; :func:`office_calendar` reads an office's reports; the crawl
(crawler/records.py), ``renfang merge`` (archive/merge.py) and ``renfang load`` all record a
site's verdict with :func:`record_verdict`, so they judge gaps the same way. The coverage
view (archive/views.py) draws the same range per office in SQL.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import sqlite_utils

from archive.vocab import SiteStatus
from parsers.vocab import PARSE_READ, ParseStatus

#: the words a gap's reason starts with when the archive holds nothing for the year
NO_REPORT = "no report archived or listed"
#: parse statuses that count as found: read, or not read yet (the crawl judges before the load)
FOUND_STATUSES = (*PARSE_READ, ParseStatus.PENDING)


def deadline(year: int) -> date:
    """The day the report for ``year`` is due by."""
    return date(year + 1, 1, 31)


def last_due_year(today: date) -> int:
    """The last year whose report is overdue on ``today`` (its deadline has passed): on
    31 January 2026 the 2025 report is still on time, on 1 February it is late."""
    return today.year - 1 if today > deadline(today.year - 1) else today.year - 2


def today() -> date:
    """The calendar's date: the archive's clock (``RENFANG_NOW`` fixes it, ``--now``)."""
    from archive.schema import now

    return date.fromisoformat(now()[:10])


@dataclass(frozen=True)
class Verdict:
    """An office's years on the calendar: those expected, those found readable or pending, and
    the gaps with why each is one (year -> reason)."""
    expected: tuple[int, ...] = ()
    found: tuple[int, ...] = ()
    gaps: dict[int, str] = field(default_factory=dict)

    def gap_years(self) -> str | None:
        """``crawl_sites.gap_years``: a JSON list of years, None without gaps."""
        return json.dumps(sorted(self.gaps)) if self.gaps else None

    def gap_reasons(self) -> str | None:
        """``crawl_sites.gap_reasons``: ``2022 no report archived or listed; 2023 corrupt: …``."""
        return "; ".join(f"{y} {self.gaps[y]}" for y in sorted(self.gaps)) or None

    def columns(self) -> dict:
        return {"years_expected": len(self.expected), "years_found": len(self.found),
                "gap_years": self.gap_years(), "gap_reasons": self.gap_reasons()}


def unreadable_reason(parse_status: str, parse_message: str | None) -> str:
    return f"{parse_status}: {parse_message}" if parse_message else str(parse_status)


def judge(reports: Mapping[int, tuple[str, str | None]], on: date, since: int | None = None,
          established: int | None = None, abolished: int | None = None) -> Verdict:
    """The calendar verdict of one office: ``reports`` is {year: (parse_status, parse_message)}
    of every report the archive holds of it (listed or archived, in any run), ``since`` the
    registry's first year. Without ``since`` the range starts at the first known report; an
    office with no report and no ``since`` expects nothing (its crawl says ``no_reports``). The
    range never starts before ``established`` (the year its division was set up) and ends the
    year before ``abolished`` (the year its division was abolished: agencies.replaced_in)."""
    start = since if since is not None else min(reports, default=None)
    if start is None:
        return Verdict()
    start = max(start, established or start)
    end = last_due_year(on) if abolished is None else min(last_due_year(on), abolished - 1)
    expected = tuple(range(start, end + 1))
    found, gaps = [], {}
    for year in expected:
        if year not in reports:
            gaps[year] = NO_REPORT
        elif reports[year][0] in FOUND_STATUSES:
            found.append(year)
        else:
            gaps[year] = unreadable_reason(*reports[year])
    return Verdict(expected, tuple(found), gaps)


def office_calendar(db: sqlite_utils.Database, agency_id: str, on: date | None = None) -> Verdict:
    """:func:`judge` over the office's reports in the archive and its registry ``since``,
    ``established`` and ``replaced_in``."""
    row = db.execute("select since, established, replaced_in from agencies where id = ?", [agency_id]).fetchone()
    reports = {y: (s, m) for y, s, m in db.execute(
        # another body's report listed in the office's column is not the office's (reports.issued_by)
        "select year, parse_status, parse_message from reports where agency_id = ? and year is not null"
        " and issued_by is null",
        [agency_id])}
    return judge(reports, on or today(), *(row if row else ()))


#: statuses the calendar decides between: the crawl found nothing else wrong with the site
CALENDAR_STATUSES = (SiteStatus.OK, SiteStatus.MISSING_YEARS)


def calendar_status(status: str, message: str | None, verdict: Verdict) -> tuple[str, str | None]:
    """A site's status once the calendar is read: a site the crawl found ``ok`` is
    ``missing_years`` while it has gaps (its message names them), and ``ok`` again without; any
    other status is more severe and stays, with its own message (the gaps are in their columns)."""
    if status not in CALENDAR_STATUSES:
        return status, message
    if verdict.gaps:
        return SiteStatus.MISSING_YEARS, "missing years: " + verdict.gap_reasons()
    return SiteStatus.OK, None


def record_verdict(db: sqlite_utils.Database, run_id: int, agency_id: str, on: date | None = None) -> dict:
    """Judge the site's ``crawl_sites`` row of ``run_id`` by the calendar and write it: the gap
    columns, and the status and message per :func:`calendar_status`. Returns the update."""
    row = db.execute("select status, message from crawl_sites where run_id = ? and agency_id = ?",
                     [run_id, agency_id]).fetchone()
    if row is None:
        return {}
    verdict = office_calendar(db, agency_id, on)
    status, message = calendar_status(row[0], row[1], verdict)
    update = {"status": status, "message": message, **verdict.columns()}
    with db.conn:
        db.execute(f"update crawl_sites set {', '.join(f'{c} = ?' for c in update)} "
                   "where run_id = ? and agency_id = ?", [*update.values(), run_id, agency_id])
    return update


def record_latest_verdicts(db: sqlite_utils.Database, on: date | None = None,
                           agencies: Iterable[str] | None = None) -> dict[str, dict]:
    """After a load: every site's latest ``crawl_sites`` row judged again (``agencies``: those
    of the offices given, whose reports the load touched), now that the load has read the
    documents (a report found but unreadable is a gap from here on)."""
    if not db["crawl_sites"].exists():
        return {}
    on = on or today()
    if agencies is None:
        latest = db.execute("select agency_id, max(run_id) from crawl_sites group by agency_id order by 1").fetchall()
    else:
        latest = [(a, r) for a in sorted(agencies) for (r,) in db.execute(
            "select max(run_id) from crawl_sites where agency_id = ?", [a]) if r is not None]
    return {agency: record_verdict(db, run_id, agency, on) for agency, run_id in latest}


def explain_lines(db: sqlite_utils.Database, agency_id: str, on: date | None = None) -> list[str]:
    """The calendar section of ``renfang crawl --explain ID``: the years expected, and each gap."""
    on = on or today()
    verdict = office_calendar(db, agency_id, on)
    lines = [f"calendar on {on.isoformat()} (the report for year Y is due by 31 January of Y+1):"]
    if not verdict.expected:
        lines.append("  no year expected: no report of the office is known and the registry gives no since")
        return lines
    lines.append(f"  years expected {verdict.expected[0]}–{verdict.expected[-1]} ({len(verdict.expected)}), "
                 f"found {len(verdict.found)}; " + (f"gaps: {verdict.gap_reasons()}" if verdict.gaps else "no gap"))
    return lines


def fetch_failures(db, report_id: str) -> list[dict]:
    """Why a report's documents are not in the archive: each document URL of it (its listed
    page, or a document that page links) whose last request failed, with the error and HTTP
    status the crawl recorded (``crawl_ledger``). A ``no_document`` report says where it is on
    the portal and why it was not fetched; a document over the download cap is named as such."""
    from archive.vocab import DOCUMENT_KINDS, Stage
    from parsers.vocab import sql_list

    if not db.execute("select 1 from sqlite_master where name = 'crawl_ledger'").fetchone():
        return []
    rows = db.execute(
        f"""with pages(url) as (select url from reports where id = :r and url is not null
                               union select url from report_documents where report_id = :r)
            select l.url, l.kind, l.last_status, l.last_error, l.last_seen from crawl_ledger l
            where l.stage = '{Stage.FAILED}' and l.kind in {sql_list(DOCUMENT_KINDS)}
              and (l.url in (select url from pages) or l.parent in (select url from pages))
            order by l.kind, l.url""", {"r": report_id}).fetchall()
    return [dict(zip(("url", "kind", "status", "error", "when"), r)) for r in rows]

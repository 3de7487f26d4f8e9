"""Alerts from what should exist, not only from what broke (Spidermon-style monitors).

After each crawl (and again after the load of ``renfang run``, when the documents' printed
dates and figures are known) the monitors compare the archive with the registry and the
reporting calendar:

- ``late``: an office with no report for last year once the 31 January deadline has passed
  (``late:<office>:<year>``), and one whose report for that year was printed after the deadline
  (``late:<office>:<year>:published``, lateness in days from the printed date);
- ``broken``: a site whose lists yield nothing or fewer reports than before;
- ``blocked``: a site answering anti-bot challenges;
- ``edited``: a report document whose bytes changed after it was first archived, with the
  figures that changed (``version_facts``, once both versions are parsed).

Each alert is a row of ``alerts`` keyed by what it is about: it opens once, is seen again while
it holds, and is resolved when it no longer does; an alert that holds again after it was
resolved opens a new occurrence (``opened_at``). Delivering each occurrence once over each
channel is archive/notify.py's job.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlite_utils

from archive.vocab import BROKEN_STATUSES as BROKEN, AlertKind, AlertState, SiteStatus

ALERT_KINDS = tuple(AlertKind)
#: changed figures named in an edited alert's message (the rest are counted)
FIGURES_NAMED = 8


@dataclass(frozen=True)
class Alert:
    key: str            # what it is about, e.g. "late:pzhrf:2025"
    kind: str           # one of ALERT_KINDS
    agency_id: str
    message: str
    report_id: str | None = None


def deadline(report_year: int) -> date:
    """The legal deadline of a year's report: 31 January of the next year."""
    return date(report_year + 1, 1, 31)


def due_year(today: date) -> int:
    """The newest report year whose deadline has passed on ``today``."""
    return today.year - 1 if today > deadline(today.year - 1) else today.year - 2


def days_late(report_year: int, printed: date) -> int:
    """How many days after the deadline a report printed on ``printed`` came out (0: on time)."""
    return max(0, (printed - deadline(report_year)).days)


def _number(value: float | None) -> str:
    if value is None:
        return "none"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def figure_changes(old: dict[str, float], new: dict[str, float]) -> list[str]:
    """``table.row.column old → new`` for every figure that differs between two versions'
    figures (keyed ``table.row.column``), in code order; a figure only one version has is
    ``none`` in the other."""
    return [f"{code} {_number(old.get(code))} → {_number(new.get(code))}"
            for code in sorted(set(old) | set(new)) if old.get(code) != new.get(code)]


def _version_figures(db: sqlite_utils.Database, sha256: str) -> dict[str, float] | None:
    """The figures of one document version (``version_facts``), None when it was not parsed
    into figures (yet)."""
    rows = list(db.execute("select table_name, row_code, column_code, value from version_facts where sha256 = ?",
                           [sha256]))
    return {f"{t}.{r}.{c}": v for t, r, c, v in rows} or None


def edited_message(db: sqlite_utils.Database, report_id: str, url: str) -> str:
    """What an edited alert says: the document, its versions, and the figures that changed
    between the last two versions (when both were parsed)."""
    shas = [s for (s,) in db.execute(
        """select sha256 from report_documents where report_id = ? and url = ?
           order by first_seen, rowid""", [report_id, url])]
    head = f"{report_id}: the document at {url} changed after it was archived ({len(shas)} versions kept)"
    old, new = (_version_figures(db, s) for s in shas[-2:])
    if old is None or new is None:
        return head + "; figures: not read from both versions (not parsed yet, or no tables)"
    changes = figure_changes(old, new)
    if not changes:
        return head + "; figures: none changed (the text or layout did)"
    more = len(changes) - FIGURES_NAMED
    return (head + "; changed figures: " + ", ".join(changes[:FIGURES_NAMED])
            + (f" and {more} more" if more > 0 else ""))


def current_alerts(db: sqlite_utils.Database, agency_ids: list[str], run_id: int, now: datetime) -> list[Alert]:
    """Every alert that holds after run ``run_id``, for the sites of that run."""
    out: list[Alert] = []
    year = due_year(now.date())
    marks = ",".join("?" * len(agency_ids))
    archived = {a: p for a, p in db.execute(
        f"""select r.agency_id, max(r.published) from reports r join report_documents rd on rd.report_id = r.id
            where r.year = ? and r.issued_by is null and r.agency_id in ({marks}) group by r.agency_id""",
        [year, *agency_ids])}
    blocked = {a for (a,) in db.execute(
        f"select agency_id from crawl_sites where run_id = ? and status = ? and agency_id in ({marks})",
        [run_id, SiteStatus.BLOCKED, *agency_ids])}
    for agency in agency_ids:
        if agency not in archived:
            days = (now.date() - deadline(year)).days
            out.append(Alert(f"late:{agency}:{year}", AlertKind.LATE, agency,
                             f"no {year} report archived; due {deadline(year).isoformat()}, {days} days late"
                             + (" (the site is blocked: the report may exist)" if agency in blocked else ""),
                             f"{agency}-{year}"))
        elif archived[agency]:
            printed = date.fromisoformat(archived[agency][:10])
            late = days_late(year, printed)
            if late:
                out.append(Alert(f"late:{agency}:{year}:published", AlertKind.LATE, agency,
                                 f"the {year} report was published {late} days late: printed "
                                 f"{printed.isoformat()}, due {deadline(year).isoformat()}", f"{agency}-{year}"))
    for agency, status, message in db.execute(
            f"select agency_id, status, message from crawl_sites where run_id = ? and agency_id in ({marks})",
            [run_id, *agency_ids]):
        if status in BROKEN:
            out.append(Alert(f"broken:{agency}", AlertKind.BROKEN, agency, f"{status}: {message}"))
        elif status == SiteStatus.BLOCKED:
            out.append(Alert(f"blocked:{agency}", AlertKind.BLOCKED, agency, message or "anti-bot challenge"))
    for agency, rid, url in db.execute(
            f"""select r.agency_id, r.id, rd.url from report_documents rd
                join reports r on r.id = rd.report_id where r.agency_id in ({marks})
                group by 1, 2, 3 having count(distinct rd.sha256) > 1""", agency_ids):
        out.append(Alert(f"edited:{rid}:{url}", AlertKind.EDITED, agency, edited_message(db, rid, url), rid))
    return out


def update(db: sqlite_utils.Database, agency_ids: list[str], run_id: int, now: datetime) -> list[dict]:
    """Open new alerts, refresh those that still hold (their message too), resolve the others
    (of these sites); return the occurrences this call opened. Safe to call again for the same
    run (``renfang run`` does, after the load)."""
    if not agency_ids:
        return []
    t = now.isoformat(timespec="seconds")
    current = {a.key: a for a in current_alerts(db, agency_ids, run_id, now)}
    marks = ",".join("?" * len(agency_ids))
    with db.conn:
        before = {k: s for k, s in db.execute(
            f"select key, state from alerts where agency_id in ({marks})", agency_ids)}
        for a in current.values():
            db.execute("""insert into alerts (key, kind, agency_id, report_id, message, state, first_seen,
                                              last_seen, first_run, last_run, opened_at)
                          values (:key, :kind, :agency, :report, :message, :open, :t, :t, :run, :run, :t)
                          on conflict(key) do update set message = excluded.message, last_seen = excluded.last_seen,
                              last_run = excluded.last_run, state = :open, resolved_at = null,
                              opened_at = case when alerts.state = :resolved then excluded.opened_at
                                               else coalesce(alerts.opened_at, alerts.first_seen) end,
                              delivered_at = case when alerts.state = :resolved then null else alerts.delivered_at end""",
                       dict(key=a.key, kind=a.kind, agency=a.agency_id, report=a.report_id, message=a.message,
                            open=AlertState.OPEN, resolved=AlertState.RESOLVED, t=t, run=run_id))
        for key, state in before.items():
            if state == AlertState.OPEN and key not in current:
                db.execute("update alerts set state = ?, resolved_at = ? where key = ?", [AlertState.RESOLVED, t, key])
        opened = [k for k in current if before.get(k) != AlertState.OPEN]
        return [dict(zip(("key", "kind", "agency_id", "message", "opened_at"), r)) for r in db.execute(
            f"""select key, kind, agency_id, message, opened_at from alerts
                where key in ({','.join('?' * len(opened))}) order by kind, key""", opened)] if opened else []

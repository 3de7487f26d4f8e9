"""Alerts from what should exist, not only from what broke (Spidermon-style monitors).

After each crawl the monitors compare the archive with the registry and the reporting
calendar: an office with no report for last year once the 31 January deadline has passed
(``late``), a site whose lists yield nothing or fewer reports than before (``broken``), a
site answering anti-bot challenges (``blocked``), a report document whose bytes changed
after it was first archived (``edited``). Each alert is a row of ``alerts`` keyed by what it
is about: it opens once, is seen again while it holds, and is resolved when it no longer
does; ``delivered_at`` makes sure each is announced once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlite_utils

from archive.vocab import BROKEN_STATUSES as BROKEN, AlertKind

ALERT_KINDS = tuple(AlertKind)


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


def current_alerts(db: sqlite_utils.Database, agency_ids: list[str], run_id: int, now: datetime) -> list[Alert]:
    """Every alert that holds after run ``run_id``, for the sites of that run."""
    out: list[Alert] = []
    year = now.year - 1 if now.date() > deadline(now.year - 1) else now.year - 2
    marks = ",".join("?" * len(agency_ids))
    have = {a for (a,) in db.execute(
        f"""select distinct r.agency_id from reports r join report_documents rd on rd.report_id = r.id
            where r.year = ? and r.agency_id in ({marks})""", [year, *agency_ids])}
    blocked = {a for (a,) in db.execute(
        f"select agency_id from crawl_sites where run_id = ? and status = 'blocked' and agency_id in ({marks})",
        [run_id, *agency_ids])}
    for agency in agency_ids:
        if agency not in have:
            days = (now.date() - deadline(year)).days
            out.append(Alert(f"late:{agency}:{year}", "late", agency,
                             f"no {year} report archived; due {deadline(year).isoformat()}, {days} days late"
                             + (" (the site is blocked: the report may exist)" if agency in blocked else ""),
                             f"{agency}-{year}"))
    for agency, status, message in db.execute(
            f"select agency_id, status, message from crawl_sites where run_id = ? and agency_id in ({marks})",
            [run_id, *agency_ids]):
        if status in BROKEN:
            out.append(Alert(f"broken:{agency}", "broken", agency, f"{status}: {message}"))
        elif status == "blocked":
            out.append(Alert(f"blocked:{agency}", "blocked", agency, message or "anti-bot challenge"))
    for agency, rid, url, versions in db.execute(
            f"""select r.agency_id, r.id, rd.url, count(distinct rd.sha256) from report_documents rd
                join reports r on r.id = rd.report_id where r.agency_id in ({marks})
                group by 1, 2, 3 having count(distinct rd.sha256) > 1""", agency_ids):
        out.append(Alert(f"edited:{rid}:{url}", "edited", agency,
                         f"{rid}: the document at {url} changed after it was archived ({versions} versions kept)",
                         rid))
    return out


def update(db: sqlite_utils.Database, agency_ids: list[str], run_id: int, now: datetime) -> list[dict]:
    """Open new alerts, refresh those that still hold, resolve the others (of these sites);
    return the alerts not announced yet (then marked delivered)."""
    if not agency_ids:
        return []
    t = now.isoformat(timespec="seconds")
    current = {a.key: a for a in current_alerts(db, agency_ids, run_id, now)}
    marks = ",".join("?" * len(agency_ids))
    with db.conn:
        for a in current.values():
            db.execute("""insert into alerts (key, kind, agency_id, report_id, message, state, first_seen,
                                              last_seen, first_run, last_run)
                          values (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)
                          on conflict(key) do update set message = excluded.message, last_seen = excluded.last_seen,
                              last_run = excluded.last_run,
                              state = 'open', resolved_at = null,
                              delivered_at = case when alerts.state = 'resolved' then null else alerts.delivered_at end""",
                       [a.key, a.kind, a.agency_id, a.report_id, a.message, t, t, run_id, run_id])
        open_keys = [k for (k,) in db.execute(
            f"select key from alerts where state = 'open' and agency_id in ({marks})", agency_ids)]
        for key in open_keys:
            if key not in current:
                db.execute("update alerts set state = 'resolved', resolved_at = ? where key = ?", [t, key])
        fresh = [dict(zip(("key", "kind", "agency_id", "message"), r)) for r in db.execute(
            f"""select key, kind, agency_id, message from alerts where state = 'open' and delivered_at is null
                and agency_id in ({marks}) order by kind, key""", agency_ids)]
        db.execute(f"update alerts set delivered_at = ? where state = 'open' and delivered_at is null "
                   f"and agency_id in ({marks})", [t, *agency_ids])
    return fresh

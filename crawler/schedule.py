"""When each site is due for its next crawl: a cadence that follows the reporting calendar.

Reports for year N are due by 31 January of N+1 and most appear in the last two weeks of
January, some weeks or months late; outside that season a portal rarely changes. So:
daily from mid-January to the end of March, weekly otherwise; sooner again after a run that
went wrong on our side or the network's (failed, errors, partial); and a site that put up an
anti-bot challenge is left alone for longer each time (it blocks busy or foreign IPs, and
asking again at once only prolongs that). The policy is in ``crawler/settings.py``
(``RENFANG_DUE_*``); :func:`next_due` is a pure function of a site's history and the clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import sqlite_utils

from archive.vocab import SiteStatus


@dataclass(frozen=True)
class Cadence:
    season: tuple[tuple[int, int], tuple[int, int]] = ((1, 15), (3, 31))   # (month, day) .. (month, day)
    in_season: timedelta = timedelta(days=1)
    off_season: timedelta = timedelta(days=7)
    after_failure: timedelta = timedelta(hours=6)
    blocked: timedelta = timedelta(days=2)        # doubled for each blocked run in a row
    blocked_max: timedelta = timedelta(days=30)

    @classmethod
    def from_settings(cls, settings) -> "Cadence":
        start, _, end = settings.get("RENFANG_DUE_SEASON", "01-15..03-31").partition("..")

        def md(text: str) -> tuple[int, int]:
            month, day = text.strip().split("-")
            return int(month), int(day)

        def hours(key: str, default: float) -> timedelta:
            return timedelta(hours=float(settings.get(key, default)))
        return cls((md(start), md(end)), hours("RENFANG_DUE_IN_SEASON_HOURS", 24),
                   hours("RENFANG_DUE_OFF_SEASON_HOURS", 168), hours("RENFANG_DUE_AFTER_FAILURE_HOURS", 6),
                   hours("RENFANG_DUE_BLOCKED_HOURS", 48), hours("RENFANG_DUE_BLOCKED_MAX_HOURS", 720))

    def in_reporting_season(self, day: date) -> bool:
        (m1, d1), (m2, d2) = self.season
        return (m1, d1) <= (day.month, day.day) <= (m2, d2)


#: statuses after which a site is asked again soon: something went wrong that may pass
RETRY_SOON = (SiteStatus.FAILED, SiteStatus.ERRORS, SiteStatus.PARTIAL, SiteStatus.LIST_CAPPED)


@dataclass(frozen=True)
class Due:
    agency_id: str
    next_due: datetime
    reason: str

    def is_due(self, now: datetime) -> bool:
        return self.next_due <= now


def next_due(agency_id: str, last_crawled: datetime | None, last_status: str | None, blocked_streak: int,
             cadence: Cadence, now: datetime) -> Due:
    """When ``agency_id`` is next due, and why (``last_*`` from its latest run)."""
    if last_crawled is None:
        return Due(agency_id, now, "never crawled")
    if last_status == SiteStatus.BLOCKED:
        wait = min(cadence.blocked * 2 ** max(blocked_streak - 1, 0), cadence.blocked_max)
        return Due(agency_id, last_crawled + wait,
                   f"blocked {blocked_streak} run(s) in a row: left alone for {_span(wait)}")
    if last_status in RETRY_SOON:
        return Due(agency_id, last_crawled + cadence.after_failure, f"last run {last_status}: asked again soon")
    season = cadence.in_reporting_season(now.date())
    wait = cadence.in_season if season else cadence.off_season
    return Due(agency_id, last_crawled + wait,
               ("reporting season: daily" if season else "outside the reporting season: weekly")
               + (f" (last run {last_status})" if last_status and last_status != SiteStatus.OK else ""))


def _span(delta: timedelta) -> str:
    return f"{delta.days} days" if delta.days else f"{delta.seconds // 3600} hours"


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def history(db: sqlite_utils.Database) -> dict[str, tuple[datetime, str, int]]:
    """agency_id -> (when its latest run started, that run's status, blocked runs in a row)."""
    rows = db.execute("""select s.agency_id, r.started_at, s.status from crawl_sites s
                         join crawl_runs r on r.id = s.run_id order by s.agency_id, s.run_id desc""").fetchall()
    out: dict[str, tuple[datetime, str, int]] = {}
    streaks: dict[str, int] = {}
    done: set[str] = set()
    for agency, started, status in rows:
        if agency not in out:
            out[agency] = (parse_time(started), status, 0)
        if agency in done:
            continue
        if status == SiteStatus.BLOCKED:
            streaks[agency] = streaks.get(agency, 0) + 1
        else:
            done.add(agency)
    return {a: (t, s, streaks.get(a, 0)) for a, (t, s, _) in out.items()}


def plan(db: sqlite_utils.Database, site_ids: list[str], cadence: Cadence, now: datetime) -> list[Due]:
    """Every site's next due time, from the archive's crawl history."""
    past = history(db) if db["crawl_sites"].exists() else {}
    return [next_due(sid, *(past.get(sid) or (None, None, 0)), cadence=cadence, now=now) for sid in site_ids]


def record_plan(db: sqlite_utils.Database, dues: list[Due], now: datetime) -> None:
    """``crawl_schedule``: each site's next due time and why, for users (and Datasette)."""
    with db.conn:
        for d in dues:
            db.execute("""insert into crawl_schedule (agency_id, next_due, reason, planned_at) values (?, ?, ?, ?)
                          on conflict(agency_id) do update set next_due = excluded.next_due,
                              reason = excluded.reason, planned_at = excluded.planned_at""",
                       [d.agency_id, d.next_due.isoformat(timespec="seconds"), d.reason,
                        now.isoformat(timespec="seconds")])


def clock() -> datetime:
    """Now (UTC), or the fixed clock of ``RENFANG_NOW`` (``renfang run --now 2026-01-20``)."""
    from archive.schema import now
    return parse_time(now())

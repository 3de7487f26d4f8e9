"""The change log: what each crawl run changed in the archive — reports added, changed (a
document served new bytes at a URL archived before) and gone — and the failing checks that
came with the new versions. The Datasette site shows it at ``/-/changes`` (``?run=N`` for one
run) and as an Atom feed at ``/-/changes.atom``.

A document version belongs to the run that first fetched its bytes (``fetches``); a report is
``added`` in the run of its first version, ``changed`` in the run of each later version at a URL
that had another one, ``gone`` in the run during which it was marked gone (``reports.gone_since``).
Functions take a ``sqlite3`` connection (Datasette's ``execute_fn`` gives one) and return rows
as dicts.
"""
from __future__ import annotations

import sqlite3

from archive.vocab import Change
from parsers.vocab import CheckStatus

#: entries on one page or in the feed, newest run first
LIMIT = 500

_VERSIONS = """
with first_fetch as (
    select sha256, min(run_id) as run_id from fetches where sha256 is not null and run_id is not null group by sha256),
versions as (
    select rd.report_id, rd.url, rd.sha256, ff.run_id from report_documents rd join first_fetch ff using (sha256)),
report_runs as (select report_id, min(run_id) as run_id from versions group by report_id),
entries as (
    select rr.run_id, :added as change, rr.report_id, null as url, null as sha256, null as previous_sha256
    from report_runs rr
    union all
    select v.run_id, :changed, v.report_id, v.url, v.sha256,
           (select o.sha256 from versions o where o.report_id = v.report_id and o.url = v.url and o.run_id < v.run_id
            order by o.run_id desc limit 1)
    from versions v join report_runs rr on rr.report_id = v.report_id
    where v.run_id > rr.run_id and exists (select 1 from versions o where o.report_id = v.report_id
                                                                   and o.url = v.url and o.run_id < v.run_id)
    union all
    select cr.id, :gone, r.id, r.url, null, r.source_sha256
    from reports r join crawl_runs cr
      on r.gone_since >= cr.started_at and r.gone_since <= coalesce(cr.finished_at, r.gone_since)
    where r.gone_since is not null)
"""


def _rows(conn: sqlite3.Connection, sql: str, params: dict) -> list[dict]:
    cursor = conn.execute(sql, {"added": Change.ADDED, "changed": Change.CHANGED, "gone": Change.GONE,
                                "fail": CheckStatus.FAIL, **params})
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def changes(conn: sqlite3.Connection, run_id: int | None = None, limit: int = LIMIT) -> list[dict]:
    """The change log's entries (of one run, or of all), newest run first: run, its finish
    time, change, report, office, year, title, the document URL and its new and previous
    SHA-256, and the failing checks of the report when this version is the one it was read from."""
    return _rows(conn, _VERSIONS + """
        select e.run_id, coalesce(cr.finished_at, cr.started_at) as run_at, e.change, e.report_id,
               r.agency_id, a.name as agency, r.year, r.title, e.url, e.sha256, e.previous_sha256,
               case when e.change != :gone and (e.sha256 is null or e.sha256 = r.source_sha256)
                    then (select count(*) from checks c where c.report_id = r.id and c.status = :fail) end
                   as failing_checks
        from entries e join crawl_runs cr on cr.id = e.run_id
        join reports r on r.id = e.report_id left join agencies a on a.id = r.agency_id
        where :run is null or e.run_id = :run
        order by e.run_id desc, e.change, e.report_id, e.url limit :limit""", {"run": run_id, "limit": limit})


def new_failing_checks(conn: sqlite3.Connection, run_id: int | None = None) -> list[dict]:
    """Failing checks of the report versions a run archived (added or changed in it): the run,
    report, check code and key, and both sides."""
    return _rows(conn, """
        with first_fetch as (select sha256, min(run_id) as run_id from fetches
                             where sha256 is not null and run_id is not null group by sha256)
        select ff.run_id, c.report_id, c.code, c.key, c.lhs, c.rhs
        from checks c join reports r on r.id = c.report_id join first_fetch ff on ff.sha256 = r.source_sha256
        where c.status = :fail and (:run is null or ff.run_id = :run)
        order by ff.run_id desc, c.report_id, c.code, c.key""", {"run": run_id})


def runs(conn: sqlite3.Connection) -> list[dict]:
    """Every crawl run, newest first, with how many reports it added, changed and made gone."""
    counts = {}
    for e in changes(conn, limit=-1):
        counts.setdefault(e["run_id"], {c.value: 0 for c in Change})[e["change"]] += 1
    out = _rows(conn, """select id as run_id, started_at, finished_at, status from crawl_runs order by id desc""", {})
    for r in out:
        r.update(counts.get(r["run_id"], {c.value: 0 for c in Change}))
    return out

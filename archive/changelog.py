"""The change log: what each crawl run changed in the archive — reports added, changed (a
document served new bytes at a URL archived before) and gone — and the failing checks that
came with the new versions. The Datasette site shows it at ``/-/changes`` (``?run=N`` for one
run, ``?office=ID`` for one office, ``?page=N`` further back) and as an Atom feed at
``/-/changes.atom``.

A document version belongs to the run that first fetched its bytes (``fetches``); a report is
``added`` in the run of its first version, ``changed`` in the run of each later version at a URL
that had another one, ``gone`` in the run during which it was marked gone (``reports.gone_since``).

The entries are kept in the derived table ``change_log``, refreshed per report by every load
(:func:`refresh`, called by ``archive/derived.py`` for the reports the load touched), so the page
and the feed read an index, newest run first, instead of working the log out of every version.
Readers take a ``sqlite3`` connection (Datasette's ``execute_fn`` gives one) and return rows as
dicts.
"""
from __future__ import annotations

import sqlite3

from archive.vocab import Change
from parsers.vocab import CheckStatus

#: entries on one page of /-/changes, and in the feed
LIMIT = 200
#: runs listed at once in the page's table of runs
RUNS_LIMIT = 50
#: the largest run number SQLite holds (a larger one names no run)
MAX_RUN = (1 << 63) - 1

# The entries of the reports in the temporary table ``_refresh_ids`` (archive/derived.py).
_ENTRIES = """
with mine as (select id from _refresh_ids),
first_fetch as (
    select d.sha256, (select min(f.run_id) from fetches f where f.sha256 = d.sha256 and f.run_id is not null) as run_id
    from (select distinct rd.sha256 from mine m cross join report_documents rd on rd.report_id = m.id) d),
versions as (
    select rd.report_id, rd.url, rd.sha256, ff.run_id
    from mine m cross join report_documents rd on rd.report_id = m.id join first_fetch ff on ff.sha256 = rd.sha256
    where ff.run_id is not null),
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
    from mine m cross join reports r on r.id = m.id join crawl_runs cr
      on r.gone_since >= cr.started_at and r.gone_since <= coalesce(cr.finished_at, r.gone_since)
    where r.gone_since is not null)
select distinct e.run_id, e.change, e.report_id, r.agency_id, r.year, e.url, e.sha256, e.previous_sha256,
       case when e.change != :gone and (e.sha256 is null or e.sha256 = r.source_sha256)
            then (select count(*) from checks c where c.report_id = r.id and c.status = :fail) end as failing_checks
from entries e join crawl_runs cr on cr.id = e.run_id join reports r on r.id = e.report_id
"""
COLUMNS = ("run_id", "change", "report_id", "agency_id", "year", "url", "sha256", "previous_sha256",
           "failing_checks")


def _params(extra: dict | None = None) -> dict:
    return {"added": Change.ADDED, "changed": Change.CHANGED, "gone": Change.GONE, "fail": CheckStatus.FAIL,
            **(extra or {})}


def refresh(conn: sqlite3.Connection) -> int:
    """Rewrite the ``change_log`` rows of the reports in ``_refresh_ids`` (inside the caller's
    transaction); returns the rows written (or removed, when more)."""
    removed = conn.execute("delete from change_log where report_id in (select id from _refresh_ids)").rowcount
    added = conn.execute(f"insert into change_log ({', '.join(COLUMNS)}) {_ENTRIES}", _params()).rowcount
    return max(removed, added)


def _rows(conn: sqlite3.Connection, sql: str, params: dict) -> list[dict]:
    cursor = conn.execute(sql, _params(params))
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def _where(run_id: int | None, office: str | None) -> str:
    where = []
    if run_id is not None:
        where.append("l.run_id = :run")
    if office:
        where.append("l.agency_id = :office")
    return (" where " + " and ".join(where)) if where else ""


def changes(conn: sqlite3.Connection, run_id: int | None = None, limit: int = LIMIT, office: str | None = None,
            offset: int = 0, total: int | None = None) -> list[dict]:
    """The change log's entries (of one run, of one office, or of all), newest run first, from
    ``offset``: run, its finish time, change, report, office, year, title, the document URL and
    its new and previous SHA-256, and the failing checks of the report when this version is the
    one it was read from. ``total`` (:func:`count`, when known): a page in the older half is
    read from the oldest end (an offset costs what it skips: the last page of 300,000 entries
    took 1.9 s read from the newest)."""
    order = "l.run_id desc, l.change, l.report_id, l.url"
    reverse = total is not None and limit >= 0 and offset > total // 2
    if reverse:   # the same rows, counted from the other end, then put back in order
        offset, limit = max(0, total - offset - limit), min(limit, total - offset)
        order = "l.run_id, l.change desc, l.report_id desc, l.url desc"
    rows = _rows(conn, f"""
        select l.run_id, coalesce(cr.finished_at, cr.started_at) as run_at, l.change, l.report_id,
               l.agency_id, a.name as agency, l.year, r.title, l.url, l.sha256, l.previous_sha256, l.failing_checks
        from change_log l join crawl_runs cr on cr.id = l.run_id
        left join reports r on r.id = l.report_id left join agencies a on a.id = l.agency_id{_where(run_id, office)}
        order by {order} limit :limit offset :offset""",
                 {"run": run_id, "office": office, "limit": max(limit, 0) if reverse else limit, "offset": offset})
    return rows[::-1] if reverse else rows


def count(conn: sqlite3.Connection, run_id: int | None = None, office: str | None = None) -> int:
    """How many entries :func:`changes` pages through."""
    return conn.execute(f"select count(*) from change_log l{_where(run_id, office)}",
                        {"run": run_id, "office": office}).fetchone()[0]


def new_failing_checks(conn: sqlite3.Connection, entries: list[dict]) -> list[dict]:
    """The failing checks of the report versions among ``entries`` that their reports are read
    from, in words as the report page says them (``archive.printed.explain_check``: the rule
    applied to the report's own figures), with the rule, the row or column checked and both
    sides as printed (2, not 2.0): run, report, code, key, rule, sentence, computed, printed."""
    from archive.crosscheck import CODE as CARRY_CHAIN
    from archive.printed import explain_check, number
    from archive.views import CARRY_CHAIN_RULE
    from parsers.codes import CHECKS

    wanted: dict[str, list[int]] = {}
    for e in entries:
        if e["failing_checks"] and e["run_id"] not in wanted.setdefault(e["report_id"], []):
            wanted[e["report_id"]].append(e["run_id"])
    wanted = {rid: runs for rid, runs in wanted.items() if runs}
    out = []
    for rid in sorted(wanted):
        checks = conn.execute("select code, key, status, lhs, rhs from checks where report_id = ? and status = ? "
                              "order by code, key", [rid, CheckStatus.FAIL]).fetchall()
        if not checks:
            continue
        facts = {(t, r, c): {"value": v} for t, r, c, v in conn.execute(
            "select table_name, row_code, column_code, value from facts where report_id = ?", [rid])}
        previous = conn.execute("""select p.id from reports n join reports p on p.agency_id = n.agency_id
                                   and p.year = n.year - 1 where n.id = ?""", [rid]).fetchone()
        for code, key, status, lhs, rhs in checks:
            check = {"code": code, "key": key, "status": status, "lhs": lhs, "rhs": rhs}
            words = explain_check(check, facts, previous[0] if previous else None)
            for run in wanted[rid]:
                out.append({"run_id": run, "report_id": rid, "code": code, "key": key,
                            "rule": CHECKS.get(code, CARRY_CHAIN_RULE if code == CARRY_CHAIN else ""),
                            "sentence": words["sentence"], "computed": number(lhs), "printed": number(rhs)})
    return sorted(out, key=lambda c: (-c["run_id"], c["report_id"], c["code"], c["key"]))


def runs(conn: sqlite3.Connection, limit: int = RUNS_LIMIT, run_id: int | None = None) -> list[dict]:
    """The newest ``limit`` crawl runs (and ``run_id``, when it is older), newest first, with
    how many reports each added, changed and made gone."""
    out = _rows(conn, """select id as run_id, started_at, finished_at, status from crawl_runs
                         where id in (select id from crawl_runs order by id desc limit :limit) or id = :run
                         order by id desc""", {"limit": limit, "run": run_id})
    if not out:
        return out
    counts: dict[int, dict] = {}
    for run, change, n in conn.execute(
            "select run_id, change, count(*) from change_log where run_id between ? and ? group by run_id, change",
            [out[-1]["run_id"], out[0]["run_id"]]):
        counts.setdefault(run, {})[change] = n
    for r in out:
        r.update({c.value: counts.get(r["run_id"], {}).get(c.value, 0) for c in Change})
    return out

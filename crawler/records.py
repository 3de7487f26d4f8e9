"""Small writes the crawl makes to the archive: runs, fetches, documents, reports.

The crawler's pipeline calls these; each is one idempotent statement or a
short transaction, so running the same crawl twice adds nothing but new
``fetches`` rows under the new run. A statement commits on its own, or with the
others of a :func:`batch` (what one response writes: one commit, not one each).
"""
from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager

import sqlite_utils

from archive import gaps
from archive.schema import now
from archive.vocab import (COMPLETE_STATUSES, DOCUMENT_KINDS, KEPT_STAGES, NAVIGATION_KINDS, UNREACHED_STATUSES,
                           Kind, Outcome, RunStatus, SiteStatus, Stage)
from parsers.vocab import ParseStatus, sql_list
from archive.store import ObjectStore
from parsers.sniff import sniff_media_type


@contextmanager
def batch(db: sqlite_utils.Database):
    """The writes inside go in one transaction, committed at the end: what one response writes
    (its document, its fetch log row, its ledger row) costs one commit instead of one each.
    Every statement that succeeded is committed, also when a later one raised (as when each
    committed on its own); inside another transaction (or batch) it joins that one."""
    if db.conn.in_transaction:
        yield db
        return
    db.conn.execute("BEGIN")
    try:
        yield db
    finally:
        if db.conn.in_transaction:
            try:
                db.conn.execute("COMMIT")
            except BaseException:
                db.conn.rollback()    # never an open transaction that would capture later writes
                raise


def report_id(agency_id: str, year: int, issued_by: str | None = None) -> str:
    """A report is (agency, year): its id says so, e.g. ``pzhrf-2019``; another body's report
    listed in the office's column has its own, ``pzhrf-2019-by-3f2a9c`` (a digest of the body's name)."""
    if issued_by:
        return f"{agency_id}-{year}-by-{hashlib.sha1(issued_by.encode('utf-8')).hexdigest()[:6]}"
    return f"{agency_id}-{year}"


def start_run(db: sqlite_utils.Database, registry: str) -> int:
    return db["crawl_runs"].insert(
        {"started_at": now(), "registry": registry, "status": RunStatus.RUNNING}).last_pk


def resumable_run(db: sqlite_utils.Database, registry: str) -> int | None:
    """The last run of ``registry`` when it never finished (the crawl was killed): resume it."""
    row = db.execute("select id, status, registry from crawl_runs order by id desc limit 1").fetchone()
    if row and row[1] == RunStatus.RUNNING and row[2] == registry:
        return row[0]
    return None


def resume_run(db: sqlite_utils.Database, run_id: int) -> None:
    db.execute("update crawl_runs set resumed = coalesce(resumed, 0) + 1 where id = ?", [run_id])
    db.conn.commit()


def add_warc(db: sqlite_utils.Database, run_id: int, path: str) -> None:
    """Note a WARC file of the run (space-separated list, a resumed run has several)."""
    with db.conn:
        db.execute("update crawl_runs set warc = trim(coalesce(warc, '') || ' ' || ?) where id = ?",
                   [path, run_id])


def add_bytes(db: sqlite_utils.Database, run_id: int, n: int) -> None:
    with db.conn:
        db.execute("update crawl_runs set bytes_downloaded = coalesce(bytes_downloaded, 0) + ? where id = ?",
                   [n, run_id])




def outcome_counts(outcomes: dict) -> dict:
    """The ``docs_*`` columns of crawl_sites / crawl_runs from {outcome: count}."""
    return {f"docs_{o}": outcomes.get(o, 0)
            for o in (Outcome.NEW, Outcome.CHANGED, Outcome.UNCHANGED, Outcome.GONE, Outcome.FAILED)}


def previous_reports(db: sqlite_utils.Database, agency_id: str, run_id: int) -> tuple[int, int] | None:
    """(run, reports found) of the site's last earlier run that got through."""
    row = db.execute(f"""select run_id, reports from crawl_sites where agency_id = ? and run_id < ?
                        and status not in {sql_list(UNREACHED_STATUSES)} order by run_id desc limit 1""",
                     [agency_id, run_id]).fetchone()
    return (row[0], row[1]) if row else None


def reports_seen(db: sqlite_utils.Database, agency_id: str, run_id: int, years: set) -> int:
    """Reports of the site found in this run: listed or stored now, or carried over beneath a
    list page that was unchanged (early stop)."""
    carried = {y for (y,) in db.execute(
        """select distinct r.year from reports r where r.agency_id = ? and r.issued_by is null and exists (
               select 1 from crawl_ledger c where ? in (c.last_run_id, c.carried_run) and c.gone_since is null
               and c.url in (r.url, (select rd.url from report_documents rd where rd.report_id = r.id limit 1)))""",
        [agency_id, run_id])}
    return len(set(years) | carried)


def site_status(p, outcomes: dict, found: int, before: tuple[int, int] | None,
                max_list_pages: int | None) -> tuple[str, str | None]:
    """The status of one site in a run and the reason, from what the crawl saw (``p``, a
    ``crawler.state.SiteProgress``): see ``archive.vocab.SITE_STATUSES``."""
    failed = outcomes.get(Outcome.FAILED, 0) + len(p.failed_lists) + len(p.unreached) + len(p.robots)
    rejected = "; ".join(f"{n} {why}" for why, n in sorted(p.rejected.items(), key=lambda x: -x[1])[:4])
    if p.blocked:
        return SiteStatus.BLOCKED, f"anti-bot challenge ({p.blocked}); {p.dropped} requests not made"
    if p.errors:
        return SiteStatus.ERRORS, f"{len(p.errors)} exception(s); first: {p.errors[0]}"
    if p.pages == 0 and not outcomes:
        return SiteStatus.FAILED, "no page of the site could be fetched"
    if p.capped:
        return SiteStatus.LIST_CAPPED, (f"pagination trap? more list pages than RENFANG_MAX_LIST_PAGES={max_list_pages}; "
                               f"{len(p.capped)} not requested, first: {p.capped[0]}")
    if found == 0:
        why = "; ".join(p.problems[:3]) or "no list entry was a report of this office"
        if p.robots:
            why = (f"{len(p.robots)} URL(s) forbidden by robots.txt, first: {p.robots[0]} "
                   "(renfang crawl --ignore-robots fetches them); " + why)
        if rejected:
            why += f"; entries not taken: {rejected}"
        if before and before[1]:
            return SiteStatus.LAYOUT_CHANGED, (f"0 reports found, {before[1]} in run {before[0]}, likely a layout "
                                      f"change: {why}")
        return SiteStatus.NO_REPORTS, why
    if p.problems and p.layout:
        return SiteStatus.LAYOUT_CHANGED, "likely a layout change: " + "; ".join(p.problems[:3])
    if before and found < before[1]:
        return SiteStatus.FEWER_REPORTS, f"{found} reports found, {before[1]} in run {before[0]}"
    if failed:
        return SiteStatus.PARTIAL, partial_message(outcomes.get(Outcome.FAILED, 0), getattr(p, "first_failed", None),
                                                   p.failed_lists, p.unreached, p.robots)
    return SiteStatus.OK, None


def partial_message(docs_failed: int, first_failed: str | None, failed_lists: list[str],
                    unreached: list[str], robots: list[str]) -> str:
    """Why a site whose crawl went through is ``partial``: what could not be fetched."""
    parts = []
    if docs_failed:
        parts.append(f"{docs_failed} document(s) could not be fetched" + (f", first: {first_failed}" if first_failed else ""))
    if failed_lists:
        parts.append(f"{len(failed_lists)} list page(s) could not be fetched, first: {failed_lists[0]}")
    if unreached:
        parts.append(unreached[0])
    if robots:
        parts.append(f"{len(robots)} URL(s) forbidden by robots.txt, first: {robots[0]} "
                     "(renfang crawl --ignore-robots fetches them)")
    return "; ".join(parts)


def first_failed_document(db: sqlite_utils.Database, agency_id: str, run_id: int) -> str | None:
    """The first (by URL) report document of the site the run could not fetch, with why."""
    first = db.execute(f"""select url, last_error from crawl_ledger where agency_id = ? and outcome = '{Outcome.FAILED}'
                           and outcome_run = ? and kind in {sql_list(DOCUMENT_KINDS)}
                           order by url limit 1""", [agency_id, run_id]).fetchone()
    return f"{first[0]} ({first[1]})" if first else None


def ledger_partial_message(db: sqlite_utils.Database, agency_id: str, run_id: int) -> str | None:
    """:func:`partial_message` from the ledger alone: for a round ``renfang merge`` combined
    from workers' shares (a share that saw nothing else of a site says ``no_reports``, not
    what it failed to fetch). None when the run fetched everything it asked for."""
    from crawler.items import ROBOTS_REFUSAL

    def urls(outcome, kinds):
        return db.execute(f"""select url, last_error from crawl_ledger where agency_id = ? and outcome = ?
                              and outcome_run = ? and kind in {sql_list(kinds)} order by url""",
                          [agency_id, outcome, run_id]).fetchall()
    docs = urls(Outcome.FAILED, DOCUMENT_KINDS)
    lists = [f"{u} ({e})" for u, e in urls(Outcome.FAILED, NAVIGATION_KINDS)]
    # refused: by robots.txt (an off-target redirect is refused too, by policy: not the site's gap)
    robots = [u for u, e in urls(Outcome.REFUSED, (*DOCUMENT_KINDS, *NAVIGATION_KINDS)) if e == ROBOTS_REFUSAL]
    if not (docs or lists or robots):
        return None
    first = f"{docs[0][0]} ({docs[0][1]})" if docs else None    # (by URL, as first_failed_document)
    return partial_message(len(docs), first, lists, [], robots)


def finish_sites(db: sqlite_utils.Database, run_id: int, progress: dict, ledger, mark_gone: bool,
                 max_list_pages: int | None = None) -> None:
    """One ``crawl_sites`` row per site of the run; mark gone what the portal no longer links,
    only on sites whose crawl went through."""
    outcomes = ledger.outcomes(run_id)
    rows, complete = [], []
    for sid, p in progress.items():
        o = outcomes.get(sid, {})
        found = reports_seen(db, sid, run_id, p.reports)
        p.first_failed = first_failed_document(db, sid, run_id)
        status, message = site_status(p, o, found, previous_reports(db, sid, run_id), max_list_pages)
        if status in COMPLETE_STATUSES:
            complete.append(sid)
        rows.append({"run_id": run_id, "agency_id": sid, "status": status, "message": message,
                     "pages": p.pages, "reports": found,
                     **outcome_counts(o), "errors": len(p.errors),
                     "entries_taken": p.taken, "entries_rejected": sum(p.rejected.values())})
    if mark_gone:
        gone = mark_run_gone(db, ledger, run_id, complete)
        for row in rows:
            row["docs_gone"] = gone.get(row["agency_id"], 0)
    on = gaps.today()
    for row in rows:
        db["crawl_sites"].upsert(row, pk=("run_id", "agency_id"))
        # the calendar: a site the crawl found ok is not, while a year due has no report
        gaps.record_verdict(db, run_id, row["agency_id"], on)


def mark_run_gone(db: sqlite_utils.Database, ledger, run_id: int, complete: list[str]) -> dict[str, int]:
    """After a run whose crawl of the sites ``complete`` went through: mark gone what they no
    longer link (the ledger, the report documents, the reports) and the documents that answered
    404. Returns {agency_id: documents gone in the run}. Called by the crawl itself, and by
    ``renfang merge`` once it holds every worker's share of a distributed round."""
    gone = ledger.mark_gone(run_id, complete)
    for entry in ledger_404s(db, run_id) + gone:
        mark_document_gone(db, entry)
    mark_reports_gone(db, complete)
    return {agency: o.get(Outcome.GONE, 0) for agency, o in ledger.outcomes(run_id).items()}


def failed_before(db: sqlite_utils.Database, agency_id: str, run_id: int | None) -> list[tuple]:
    """(url, kind, parent, title, year) of the site's URLs whose last outcome is a failure (or a
    refusal: robots.txt, an off-target redirect; asked again in case the policy or the site
    changed) in an earlier run: GET documents and list pages (POSTs are asked again by their
    list page)."""
    rows = db.execute(
        f"""select c.url, c.kind, c.parent,
                  coalesce(r.title, rp.title), coalesce(r.year, rp.year)
           from crawl_ledger c
           left join reports r on r.agency_id = c.agency_id and r.url = c.url
           left join reports rp on rp.agency_id = c.agency_id and rp.url = c.parent
           where c.agency_id = ? and c.stage = '{Stage.FAILED}' and c.key = c.url and c.outcome in {sql_list((Outcome.FAILED, Outcome.REFUSED))}
             and coalesce(c.last_run_id, -1) != coalesce(?, -2)
             and c.kind in {sql_list((*DOCUMENT_KINDS, Kind.LIST))}""", [agency_id, run_id]).fetchall()
    return [tuple(r) for r in rows]


def set_report_url(db: sqlite_utils.Database, rid: str, listed_url: str, final_url: str) -> None:
    """A report reached through redirects is known by where they end (the listed URL stays
    in the ledger as a redirect)."""
    if final_url and final_url != listed_url:
        db.execute("update reports set url = ? where id = ? and url = ?", [final_url, rid, listed_url])


def follow_report_redirects(db: sqlite_utils.Database) -> int:
    """:func:`set_report_url` over the whole archive: a report still known by a listed URL
    whose fetch redirected to the report's own page takes the page's URL. A distributed crawl
    needs it: the worker that listed the report is not always the one that followed its
    redirect (archive/merge.py). Returns the reports moved."""
    final = f"""select d.url from fetches f
                join report_documents d on d.report_id = reports.id and d.url = f.final_url
                where f.agency_id = reports.agency_id and f.url = reports.url and f.final_url != f.url
                  and d.kind = '{Kind.ARTICLE}'
                order by f.id desc limit 1"""
    with db.conn:
        return db.execute(f"update reports set url = ({final}) where exists ({final})").rowcount


def ledger_404s(db: sqlite_utils.Database, run_id: int) -> list:
    from crawler.ledger import Ledger
    led = Ledger(db)
    return [led.get(k) for (k,) in db.execute(
        "select key from crawl_ledger where stage = ? and outcome_run = ?", [Stage.GONE, run_id]).fetchall()]


def mark_document_gone(db: sqlite_utils.Database, entry) -> None:
    """The current version of a gone URL gets ``gone_since`` in ``report_documents``."""
    if entry is None or entry.kind not in DOCUMENT_KINDS:
        return
    finals = [entry.url] + [u for (u,) in db.execute(
        "select distinct final_url from fetches where url = ? and final_url is not null", [entry.url])]
    marks = ",".join("?" * len(finals))
    with db.conn:
        db.execute(f"""update report_documents set gone_since = ?
                       where url in ({marks}) and sha256 = ? and gone_since is null""",
                   [entry.gone_since or now(), *finals, entry.sha256])


def mark_reports_gone(db: sqlite_utils.Database, agency_ids: list[str]) -> None:
    """A report is gone when every current document of it is gone; back when one is seen again."""
    if not agency_ids:
        return
    marks = ",".join("?" * len(agency_ids))
    with db.conn:
        db.execute(f"""update reports set gone_since = (
                           select max(rd.gone_since) from report_documents rd where rd.report_id = reports.id)
                       where agency_id in ({marks}) and gone_since is null
                         and exists (select 1 from report_documents rd where rd.report_id = reports.id)
                         and not exists (select 1 from report_documents rd where rd.report_id = reports.id
                                         and rd.gone_since is null)""", agency_ids)
        db.execute(f"""update reports set gone_since = null
                       where agency_id in ({marks}) and gone_since is not null
                         and exists (select 1 from report_documents rd where rd.report_id = reports.id
                                     and rd.gone_since is null)""", agency_ids)


def finish_run(db: sqlite_utils.Database, run_id: int, status: str = RunStatus.FINISHED) -> dict:
    """Close a run with its counts; return them."""
    counts = db.execute(
        """select count(*),
                  count(*) filter (where error is not null),
                  count(distinct sha256)
           from fetches where run_id = ?""", [run_id]).fetchone()
    # new = stored by this run and by no earlier one (timestamps to the second cannot tell
    # two runs that start within the same second apart)
    new = db.execute(
        """select count(distinct f.sha256) from fetches f
           where f.run_id = ? and f.sha256 is not null
           and not exists (select 1 from fetches g where g.sha256 = f.sha256 and g.run_id < ?)""",
        [run_id, run_id]).fetchone()[0]
    docs = dict(db.execute(
        f"""select outcome, count(*) from crawl_ledger where outcome_run = ?
           and kind in {sql_list(DOCUMENT_KINDS)} group by 1""", [run_id]).fetchall())
    row = {"finished_at": now(), "status": status, "responses": counts[0], "errors": counts[1],
           "documents_seen": counts[2], "documents_new": new,
           **outcome_counts(docs), **revalidation_counts(db, run_id)}
    db["crawl_runs"].update(run_id, row)
    return db["crawl_runs"].get(run_id)


def revalidation_counts(db: sqlite_utils.Database, run_id: int) -> dict:
    """The ``crawl_runs`` columns that say what revalidating the archive cost in a run: the
    report documents archived before that it asked again (their answer: the same bytes or a 304,
    other bytes, or 404/410), how many of them answered 304, and the body bytes of the report
    documents it downloaded (a 304 has none)."""
    kinds = sql_list(DOCUMENT_KINDS)
    revalidated, not_modified = db.execute(
        f"""select count(*) filter (where outcome in ('{Outcome.UNCHANGED}', '{Outcome.CHANGED}')
                                      or (outcome = '{Outcome.GONE}' and last_run_id = :run
                                          and last_status in (404, 410))),
                  count(*) filter (where stage = '{Stage.NOT_MODIFIED}' and last_run_id = :run)
           from crawl_ledger where outcome_run = :run and kind in {kinds}""", {"run": run_id}).fetchone()
    size = db.execute(
        f"""select coalesce(sum(f.size), 0) from fetches f where f.run_id = ? and f.status between 200 and 299
            and exists (select 1 from crawl_ledger c where c.key in (f.url, f.final_url) and c.kind in {kinds})""",
        [run_id]).fetchone()[0]
    return {"docs_revalidated": revalidated, "docs_not_modified": not_modified, "document_bytes": size}


def revisit_due(db: sqlite_utils.Database, agency_ids: list[str], run_id: int,
                last_asked_before: str | None = None) -> list[tuple]:
    """(agency_id, url, kind, parent, title, year) of the archived report documents (GET) of
    ``agency_ids`` that run ``run_id`` has not asked for although they may still be listed: they
    lie beneath a list the run did not page through because it was unchanged (carried over,
    ``Ledger.carry``), or the page that linked them failed in this run. So a document replaced at
    the same URL under an unchanged list is seen. Not those whose page was read again and no
    longer links them (left to be marked gone), nor those beneath a list that changed and led
    nowhere (a layout change: the site says so, nothing is judged), nor those marked gone.
    ``last_asked_before`` (a timestamp): only those last asked before it."""
    if not agency_ids:
        return []
    marks = ",".join("?" * len(agency_ids))
    rows = db.execute(
        f"""select c.agency_id, c.url, c.kind, c.parent, coalesce(r.title, rp.title), coalesce(r.year, rp.year)
           from crawl_ledger c
           left join reports r on r.agency_id = c.agency_id and r.url = c.url
           left join reports rp on rp.agency_id = c.agency_id and rp.url = c.parent
           where c.agency_id in ({marks}) and c.key = c.url and c.kind in {sql_list(DOCUMENT_KINDS)}
             and c.sha256 is not null and c.stage in {sql_list(KEPT_STAGES)} and c.gone_since is null
             and coalesce(c.last_run_id, -1) != ?
             and (? is null or c.last_seen < ?)
             and (c.carried_run = ?
                  or exists (select 1 from crawl_ledger p where p.key = c.parent and p.last_run_id = ?
                             and p.stage = '{Stage.FAILED}'))
           order by c.agency_id, c.url""",
        [*agency_ids, run_id, last_asked_before, last_asked_before, run_id, run_id]).fetchall()
    return [tuple(r) for r in rows]


#: the registry columns an agency row takes from a site's ``extra`` (the national registry's,
#: crawler/national.py), integers for the years
AGENCY_EXTRA = {"division_code": str, "parent_code": str, "city": str, "url_source": str, "division_status": str,
                "replaced_by": str, "replaced_in": int, "established": int}
_AGENCY_COLUMNS = ("id", "name", "aliases", "level", "province", "url", "cms", "since", *AGENCY_EXTRA)


def upsert_agency(db: sqlite_utils.Database, site) -> None:
    """The registry's row of an office; aliases learnt from report titles in earlier runs are kept."""
    upsert_agencies(db, [site])


def upsert_agencies(db: sqlite_utils.Database, sites) -> None:
    """The registry's rows of offices, in one transaction (the national registry has 3,583):
    aliases learnt from report titles in earlier runs are kept; each URL the registry gives an
    office is recorded in ``agency_urls`` with where it came from, the first and last run that had it."""
    sites = list(sites)
    kept: dict[str, list[str]] = {}
    for i in range(0, len(sites), 500):
        chunk = [s.id for s in sites[i:i + 500]]
        kept.update((a, alias_list(v)) for a, v in db.execute(
            f"select id, aliases from agencies where id in ({', '.join('?' * len(chunk))})", chunk))
    rows, urls = [], []
    seen = now()
    for site in sites:
        extra = getattr(site, "extra", None) or {}     # a site described by hand (tests, tools) may have none
        aliases = [a for a in dict.fromkeys([*site.aliases, *kept.get(site.id, [])]) if a and a != site.name]
        row = [site.id, site.name, json.dumps(aliases, ensure_ascii=False), site.level, site.province,
               site.url or None, site.cms or None, getattr(site, "since", None)]
        for column, kind in AGENCY_EXTRA.items():
            value = extra.get(column) or None
            row.append(int(value) if value is not None and kind is int else value)
        rows.append(row)
        if site.url:
            urls.append([site.id, site.url, extra.get("url_source") or None, seen, seen])
    columns = ", ".join(_AGENCY_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _AGENCY_COLUMNS[1:])
    with db.conn:
        db.conn.executemany(f"insert into agencies ({columns}) values ({', '.join('?' * len(_AGENCY_COLUMNS))}) "
                            f"on conflict (id) do update set {updates}", rows)
        db.conn.executemany(
            "insert into agency_urls (agency_id, url, url_source, first_seen, last_seen) values (?, ?, ?, ?, ?) "
            "on conflict (agency_id, url) do update set last_seen = excluded.last_seen, "
            "url_source = coalesce(excluded.url_source, agency_urls.url_source)", urls)


def alias_list(value: str | None) -> list[str]:
    try:
        names = json.loads(value) if value else []
    except ValueError:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


# What a name printed as the publisher of a 人防 report may be: an office name, not e.g. the
# 人民政府 or 办公厅 of a portal that lists every department's reports.
_OFFICE_NAME = re.compile(r"人防|人民防空|民防|国防动员")


def add_agency_alias(db: sqlite_utils.Database, agency_id: str, name: str | None) -> bool:
    """Record ``name`` (the publisher printed in a report's title or page) as an alias of the
    agency when it is a 人防 / 国防动员 office name other than the agency's name and aliases.
    The report stays with ``agency_id``: a renamed office is the same agency. True if added."""
    name = re.sub(r"\s+", "", name or "")
    if not name or not _OFFICE_NAME.search(name) or len(name) > 40:
        return False
    row = db.execute("select name, aliases from agencies where id = ?", [agency_id]).fetchone()
    if row is None or name == row[0]:
        return False
    aliases = alias_list(row[1])
    if name in aliases:
        return False
    db.execute("update agencies set aliases = ? where id = ?",
               [json.dumps([*aliases, name], ensure_ascii=False), agency_id])
    return True


def store_document(db: sqlite_utils.Database, store: ObjectStore, body: bytes) -> tuple[str, str]:
    """Put ``body`` in the store and the ``documents`` table; return (sha256, media_type)."""
    sha256 = store.put(body)
    media_type = sniff_media_type(body)
    seen = now()
    db.execute(
        """insert into documents (sha256, size, media_type, first_seen, last_seen)
           values (?, ?, ?, ?, ?)
           on conflict(sha256) do update set last_seen = excluded.last_seen
           where last_seen is not excluded.last_seen""",
        [sha256, len(body), media_type, seen, seen])
    return sha256, media_type


def record_fetch(db: sqlite_utils.Database, **row) -> None:
    row.setdefault("fetched_at", now())
    if isinstance(row.get("headers"), dict):
        row["headers"] = json.dumps(row["headers"], ensure_ascii=False)
    # a plain INSERT: sqlite-utils' insert() introspects the table on every call (slow per response)
    columns = list(row)
    db.execute(f"insert into fetches ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
               [row[c] for c in columns])


def record_listing(db: sqlite_utils.Database, agency_id: str, year: int, title: str,
                   url: str, list_url: str | None = None, issued_by: str | None = None) -> str:
    """Make sure the report (agency, year) exists; keep the first title/URL seen for it. Another
    body's report (``issued_by``) is a report of its own, attributed to that body."""
    rid = report_id(agency_id, year, issued_by)
    seen = now()
    db.execute(
        f"""insert into reports (id, agency_id, year, title, url, list_url, parse_status,
                                first_seen, last_seen, issued_by)
           values (?, ?, ?, ?, ?, ?, '{ParseStatus.PENDING}', ?, ?, ?)
           on conflict(id) do update set last_seen = excluded.last_seen
           where last_seen is not excluded.last_seen""",
        [rid, agency_id, year, title, url, list_url, seen, seen, issued_by])
    return rid


def record_report_document(db: sqlite_utils.Database, rid: str, sha256: str, url: str,
                           kind: str, filename: str | None) -> None:
    seen = now()
    db.execute(
        """insert into report_documents (report_id, sha256, url, kind, filename, first_seen, last_seen)
           values (?, ?, ?, ?, ?, ?, ?)
           on conflict(report_id, sha256, url) do update set last_seen = excluded.last_seen,
               gone_since = null
           where last_seen is not excluded.last_seen or gone_since is not null""",
        [rid, sha256, url, kind, filename, seen, seen])

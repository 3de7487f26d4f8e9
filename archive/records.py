"""Small writes the crawl makes to the archive: runs, fetches, documents, reports.

The crawler's pipeline calls these; each is one idempotent statement or a
short transaction, so running the same crawl twice adds nothing but new
``fetches`` rows under the new run.
"""
from __future__ import annotations

import json
import re

import sqlite_utils

from archive.schema import now
from archive.store import ObjectStore
from parsers.sniff import sniff_media_type


def report_id(agency_id: str, year: int) -> str:
    """A report is (agency, year): its id says so, e.g. ``pzhrf-2019``."""
    return f"{agency_id}-{year}"


def start_run(db: sqlite_utils.Database, registry: str) -> int:
    return db["crawl_runs"].insert(
        {"started_at": now(), "registry": registry, "status": "running"}).last_pk


def resumable_run(db: sqlite_utils.Database, registry: str) -> int | None:
    """The last run of ``registry`` when it never finished (the crawl was killed): resume it."""
    row = db.execute("select id, status, registry from crawl_runs order by id desc limit 1").fetchone()
    if row and row[1] == "running" and row[2] == registry:
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


def finish_sites(db: sqlite_utils.Database, run_id: int, progress: dict, ledger, mark_gone: bool,
                 max_list_pages: int | None = None) -> None:
    """One ``crawl_sites`` row per site of the run; mark gone what the portal no longer links.

    Gone-marking is only done for sites whose crawl went through (not blocked, no list
    page that suddenly had no entries, list not cut short by the list-page cap): a blocked
    site, a changed layout or a pagination trap says nothing about what disappeared.
    """
    complete = [sid for sid, p in progress.items()
                if not p.blocked and not p.layout and not getattr(p, "capped", None)]
    if mark_gone:
        gone = ledger.mark_gone(run_id, complete)
        for entry in ledger_404s(db, run_id) + gone:
            mark_document_gone(db, entry)
        mark_reports_gone(db, list(progress))
    outcomes = ledger.outcomes(run_id)
    for sid, p in progress.items():
        o = outcomes.get(sid, {})
        if p.blocked:
            status, message = "blocked", f"anti-bot challenge ({p.blocked}); {p.dropped} requests not made"
        elif p.layout:
            status, message = "layout_changed", ("list page(s) with no entries, likely a layout change: "
                                                 + " ".join(p.layout[:5]))
        elif getattr(p, "capped", None):
            status, message = "list_capped", (
                f"pagination trap? more list pages than RENFANG_MAX_LIST_PAGES={max_list_pages}; "
                f"{len(p.capped)} not requested, first: {p.capped[0]}")
        elif p.pages == 0 and not o:
            status, message = "failed", "no page of the site could be fetched"
        else:
            status, message = "ok", None
        db["crawl_sites"].upsert({
            "run_id": run_id, "agency_id": sid, "status": status, "message": message,
            "pages": p.pages, "reports": len(p.reports),
            "docs_new": o.get("new", 0), "docs_changed": o.get("changed", 0),
            "docs_unchanged": o.get("unchanged", 0), "docs_gone": o.get("gone", 0),
            "docs_failed": o.get("failed", 0)}, pk=("run_id", "agency_id"))


def ledger_404s(db: sqlite_utils.Database, run_id: int) -> list:
    from archive.ledger import Ledger
    led = Ledger(db)
    return [led.get(k) for (k,) in db.execute(
        "select key from crawl_ledger where stage = 'gone' and outcome_run = ?", [run_id]).fetchall()]


def mark_document_gone(db: sqlite_utils.Database, entry) -> None:
    """The current version of a gone URL gets ``gone_since`` in ``report_documents``."""
    if entry is None or entry.kind not in ("article", "attachment"):
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


def finish_run(db: sqlite_utils.Database, run_id: int, status: str = "finished") -> dict:
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
        """select outcome, count(*) from crawl_ledger where outcome_run = ?
           and kind in ('article', 'attachment') group by 1""", [run_id]).fetchall())
    row = {"finished_at": now(), "status": status, "responses": counts[0], "errors": counts[1],
           "documents_seen": counts[2], "documents_new": new,
           "docs_new": docs.get("new", 0), "docs_changed": docs.get("changed", 0),
           "docs_unchanged": docs.get("unchanged", 0), "docs_gone": docs.get("gone", 0),
           "docs_failed": docs.get("failed", 0)}
    db["crawl_runs"].update(run_id, row)
    return db["crawl_runs"].get(run_id)


def upsert_agency(db: sqlite_utils.Database, site) -> None:
    """The registry's row of an office; aliases learnt from report titles in earlier runs are kept."""
    row = db.execute("select aliases from agencies where id = ?", [site.id]).fetchone() \
        if db["agencies"].exists() else None
    kept = _aliases(row[0]) if row else []
    aliases = [a for a in dict.fromkeys([*site.aliases, *kept]) if a and a != site.name]
    db["agencies"].upsert({
        "id": site.id, "name": site.name, "aliases": json.dumps(aliases, ensure_ascii=False),
        "level": site.level, "province": site.province, "url": site.url, "cms": site.cms or None,
    }, pk="id")


def _aliases(value: str | None) -> list[str]:
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
    with db.conn:
        row = db.execute("select name, aliases from agencies where id = ?", [agency_id]).fetchone()
        if row is None or name == row[0]:
            return False
        aliases = _aliases(row[1])
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
    with db.conn:
        db.execute(
            """insert into documents (sha256, size, media_type, first_seen, last_seen)
               values (?, ?, ?, ?, ?)
               on conflict(sha256) do update set last_seen = excluded.last_seen""",
            [sha256, len(body), media_type, seen, seen])
    return sha256, media_type


def record_fetch(db: sqlite_utils.Database, **row) -> None:
    row.setdefault("fetched_at", now())
    if isinstance(row.get("headers"), dict):
        row["headers"] = json.dumps(row["headers"], ensure_ascii=False)
    # a plain INSERT: sqlite-utils' insert() introspects the table on every call (slow per response)
    columns = list(row)
    with db.conn:
        db.conn.execute(f"insert into fetches ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
                        [row[c] for c in columns])


def record_listing(db: sqlite_utils.Database, agency_id: str, year: int, title: str,
                   url: str, list_url: str | None = None) -> str:
    """Make sure the report (agency, year) exists; keep the first title/URL seen for it."""
    rid = report_id(agency_id, year)
    seen = now()
    with db.conn:
        db.execute(
            """insert into reports (id, agency_id, year, title, url, list_url, parse_status,
                                    first_seen, last_seen)
               values (?, ?, ?, ?, ?, ?, 'pending', ?, ?)
               on conflict(id) do update set last_seen = excluded.last_seen""",
            [rid, agency_id, year, title, url, list_url, seen, seen])
    return rid


def record_report_document(db: sqlite_utils.Database, rid: str, sha256: str, url: str,
                           kind: str, filename: str | None) -> None:
    seen = now()
    with db.conn:
        db.execute(
            """insert into report_documents (report_id, sha256, url, kind, filename, first_seen, last_seen)
               values (?, ?, ?, ?, ?, ?, ?)
               on conflict(report_id, sha256, url) do update set last_seen = excluded.last_seen,
                   gone_since = null""",
            [rid, sha256, url, kind, filename, seen, seen])

"""Small writes the crawl makes to the archive: runs, fetches, documents, reports.

The crawler's pipeline calls these; each is one idempotent statement or a
short transaction, so running the same crawl twice adds nothing but new
``fetches`` rows under the new run.
"""
from __future__ import annotations

import json

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


def finish_run(db: sqlite_utils.Database, run_id: int, status: str = "finished") -> dict:
    """Close a run with its counts; return them."""
    counts = db.execute(
        """select count(*),
                  count(*) filter (where error is not null),
                  count(distinct sha256)
           from fetches where run_id = ?""", [run_id]).fetchone()
    started = db["crawl_runs"].get(run_id)["started_at"]
    new = db.execute("select count(*) from documents where first_seen >= ?", [started]).fetchone()[0]
    row = {"finished_at": now(), "status": status, "responses": counts[0], "errors": counts[1],
           "documents_seen": counts[2], "documents_new": new}
    db["crawl_runs"].update(run_id, row)
    return db["crawl_runs"].get(run_id)


def upsert_agency(db: sqlite_utils.Database, site) -> None:
    db["agencies"].upsert({
        "id": site.id, "name": site.name, "aliases": json.dumps(list(site.aliases), ensure_ascii=False),
        "level": site.level, "province": site.province, "url": site.url, "cms": site.cms or None,
    }, pk="id")


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
    db["fetches"].insert(row)


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
               on conflict(report_id, sha256, url) do update set last_seen = excluded.last_seen""",
            [rid, sha256, url, kind, filename, seen, seen])

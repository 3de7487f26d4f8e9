"""The archive's SQLite schema: the one place that says which tables exist.

Everything that writes to ``archive.db`` (the crawler's pipeline, the loader)
goes through :func:`open_archive`, which creates missing tables and indexes.
The tables are documented for SQL users in README.md ("The schema").
"""
from __future__ import annotations

import os
from datetime import datetime, timezone

import sqlite_utils

SCHEMA_VERSION = 2  # 2: views, version_facts, search_docs + search_bigrams (FTS5)

# name -> (columns, primary key, foreign keys, not-null columns)
TABLES: dict[str, dict] = {
    "agencies": dict(
        columns={"id": str, "name": str, "aliases": str, "level": str, "province": str,
                 "url": str, "cms": str},
        pk="id", not_null={"name"},
    ),
    "crawl_runs": dict(
        columns={"id": int, "started_at": str, "finished_at": str, "registry": str,
                 "status": str, "responses": int, "documents_new": int,
                 "documents_seen": int, "errors": int,
                 # report documents (article pages, attachments) by outcome, from crawl_ledger
                 "docs_new": int, "docs_changed": int, "docs_unchanged": int, "docs_gone": int,
                 "docs_failed": int, "bytes_downloaded": int, "resumed": int, "warc": str},
        pk="id",
    ),
    # one row per (run, site): how the site went in that run
    "crawl_sites": dict(
        columns={"run_id": int, "agency_id": str, "status": str, "message": str,
                 "pages": int, "reports": int, "docs_new": int, "docs_changed": int,
                 "docs_unchanged": int, "docs_gone": int, "docs_failed": int,
                 # exceptions while handling its pages; list entries taken / not taken as its reports
                 "errors": int, "entries_taken": int, "entries_rejected": int},
        pk=("run_id", "agency_id"),
    ),
    # when each site is next due for a crawl, and why (crawler/schedule.py; renfang run --due)
    "crawl_schedule": dict(
        columns={"agency_id": str, "next_due": str, "reason": str, "planned_at": str},
        pk="agency_id",
    ),
    # what should exist and does not, or broke: late / broken / blocked / edited (crawler/monitors.py)
    "alerts": dict(
        columns={"key": str, "kind": str, "agency_id": str, "report_id": str, "message": str, "state": str,
                 "first_seen": str, "last_seen": str, "resolved_at": str, "delivered_at": str,
                 "first_run": int, "last_run": int},
        pk="key",
    ),
    # every URL the crawler ever requested: stage, attempts, validators, hash (crawler/ledger.py)
    "crawl_ledger": dict(
        columns={"key": str, "url": str, "agency_id": str, "kind": str, "parent": str,
                 "stage": str, "attempts": int, "last_status": int, "last_error": str,
                 "sha256": str, "etag": str, "last_modified": str, "headers": str,
                 "outcome": str, "outcome_run": int, "last_run_id": int,
                 "first_seen": str, "last_seen": str, "gone_since": str,
                 # a run that did not request it because its list page was unchanged (early stop)
                 "carried_run": int},
        pk="key", not_null={"url", "stage"},
    ),
    "documents": dict(
        columns={"sha256": str, "size": int, "media_type": str,
                 "first_seen": str, "last_seen": str},
        pk="sha256", not_null={"size", "media_type", "first_seen", "last_seen"},
    ),
    "fetches": dict(
        columns={"id": int, "run_id": int, "agency_id": str, "method": str, "url": str,
                 "final_url": str, "status": int, "fetched_at": str, "sha256": str,
                 "size": int, "media_type": str, "filename": str, "headers": str, "error": str},
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id"), ("sha256", "documents", "sha256"),
                      ("agency_id", "agencies", "id")],
        not_null={"url", "fetched_at"},
    ),
    "reports": dict(
        columns={"id": str, "agency_id": str, "year": int, "title": str, "url": str,
                 "list_url": str, "published": str, "document_number": str,
                 "format_version": str, "parse_status": str, "parse_message": str,
                 "source_sha256": str, "parser_version": str,
                 "first_seen": str, "last_seen": str, "gone_since": str,
                 "ocr": int},
        pk="id",
        foreign_keys=[("agency_id", "agencies", "id")],
        not_null={"agency_id", "year", "parse_status"},
    ),
    "report_documents": dict(
        columns={"report_id": str, "sha256": str, "url": str, "kind": str, "filename": str,
                 "first_seen": str, "last_seen": str, "gone_since": str},
        pk=("report_id", "sha256", "url"),
        foreign_keys=[("report_id", "reports", "id"), ("sha256", "documents", "sha256")],
    ),
    "parses": dict(
        columns={"sha256": str, "parser_version": str, "status": str, "message": str,
                 "format_version": str, "agency": str, "year": int, "title": str,
                 "published": str, "document_number": str, "pages": int,
                 "facts": int, "parsed_at": str,
                 # text_sha256: SHA-256 of the normalised text (a re-saved copy hashes the
                 # same); method: text | ocr | mixed | libreoffice; ocr: 1 when any page was
                 # OCR'd; seconds: wall time of the parse in its worker
                 "text_sha256": str, "method": str, "ocr": int, "seconds": float},
        pk="sha256",
        foreign_keys=[("sha256", "documents", "sha256")],
        not_null={"parser_version", "status"},
    ),
    "document_texts": dict(
        columns={"sha256": str, "text": str},
        pk="sha256",
        foreign_keys=[("sha256", "documents", "sha256")],
    ),
    "facts": dict(
        columns={"report_id": str, "table_name": str, "row_code": str, "column_code": str,
                 "value": float, "raw": str, "unit": str, "page": int, "sha256": str,
                 # confidence: 0-1 for a cell read by OCR (parsers.model.Fact), null otherwise
                 "bbox": str, "confidence": float},
        pk=("report_id", "table_name", "row_code", "column_code"),
        foreign_keys=[("report_id", "reports", "id"), ("sha256", "documents", "sha256")],
    ),
    "checks": dict(
        columns={"report_id": str, "code": str, "key": str, "status": str,
                 "lhs": float, "rhs": float},
        pk=("report_id", "code", "key"),
        foreign_keys=[("report_id", "reports", "id")],
        not_null={"status"},
    ),
    "codes": dict(
        columns={"table_name": str, "kind": str, "code": str, "position": int, "label": str},
        pk=("table_name", "kind", "code"),
    ),
    "meta": dict(columns={"key": str, "value": str}, pk="key"),
    # Derived tables (archive/derived.py refreshes them at the end of every load):
    # the figures of every version of a report document whose URL served changed bytes,
    "version_facts": dict(
        columns={"sha256": str, "table_name": str, "row_code": str, "column_code": str,
                 "value": float, "raw": str, "parser_version": str},
        pk=("sha256", "table_name", "row_code", "column_code"),
        foreign_keys=[("sha256", "documents", "sha256")],
    ),
    # and the searchable text of each report (full-text index: archive/search.py).
    "search_docs": dict(
        columns={"id": int, "report_id": str, "sha256": str, "title": str, "text": str},
        pk="id",
        foreign_keys=[("report_id", "reports", "id")],
        not_null={"report_id"},
    ),
}

INDEXES = [
    ("fetches", ["run_id"]), ("fetches", ["url"]), ("fetches", ["sha256"]),
    ("reports", ["agency_id", "year"]), ("reports", ["year"]),
    ("report_documents", ["sha256"]),
    ("crawl_ledger", ["agency_id"]), ("crawl_ledger", ["parent"]), ("crawl_ledger", ["outcome_run"]),
    ("report_documents", ["url"]),
    ("facts", ["table_name", "row_code", "column_code"]), ("facts", ["sha256"]),
    # the smallest index of facts: what count(*) reads (a table page counts its rows)
    ("facts", ["table_name"]),
    # covers the loader's check that a report's facts are those of its source (archive/load.py
    # _facts_intact) without reading the rows: 9 s -> 1.3 s over 31,000 reports
    ("facts", ["report_id", "sha256", "value"]),
    ("checks", ["status"]), ("checks", ["report_id", "status"]),
    ("checks", ["code", "status"]), ("reports", ["parse_status"]), ("reports", ["source_sha256"]),
    ("report_documents", ["report_id", "url"]),
]


def now() -> str:
    """The archive's timestamps: UTC, ISO 8601, to the second. ``RENFANG_NOW`` (an ISO date or
    time; ``renfang run --now``) fixes the clock, for tests and replays of the schedule."""
    fixed = os.environ.get("RENFANG_NOW")
    if fixed:
        value = datetime.fromisoformat(fixed if "T" in fixed else fixed + "T12:00:00")
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).replace(microsecond=0).isoformat()
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def open_archive(path: str | os.PathLike) -> sqlite_utils.Database:
    """Open (creating if needed) the archive database with every table and index."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    for name, spec in TABLES.items():
        if not db[name].exists():
            db[name].create(
                spec["columns"], pk=spec["pk"],
                foreign_keys=spec.get("foreign_keys"),
                not_null=spec.get("not_null"),
            )
        else:  # an archive made by an older version: add the columns it lacks
            have = db[name].columns_dict
            for column, column_type in spec["columns"].items():
                if column not in have:
                    db[name].add_column(column, column_type)
    for table, columns in INDEXES:
        db[table].create_index(columns, if_not_exists=True)
    # raw upserts: sqlite-utils' .upsert() first probes SQLite by creating and dropping a table,
    # which changed the schema (and took the write lock) on every open
    with db.atomic():
        db.execute("insert into meta (key, value) values ('schema_version', ?) "
                   "on conflict (key) do update set value = excluded.value where value is not excluded.value",
                   [str(SCHEMA_VERSION)])
    _load_codes(db)
    from archive.search import ensure_search_index
    from archive.views import ensure_views

    ensure_search_index(db)
    ensure_views(db)


def _load_codes(db: sqlite_utils.Database) -> None:
    """The canonical codes with their Chinese labels, so SQL users can join to them."""
    from parsers.codes import TABLES as CODE_TABLES  # the one source of truth for codes

    rows = []
    for table in CODE_TABLES.values():
        for kind, items in (("row", table.rows), ("column", table.columns)):
            rows += [{"table_name": table.code, "kind": kind, "code": item.code,
                      "position": i, "label": item.label} for i, item in enumerate(items)]
    with db.atomic():
        db.conn.executemany(
            """insert into codes (table_name, kind, code, position, label) values (?, ?, ?, ?, ?)
               on conflict (table_name, kind, code) do update
               set position = excluded.position, label = excluded.label
               where position is not excluded.position or label is not excluded.label""",
            [(r["table_name"], r["kind"], r["code"], r["position"], r["label"]) for r in rows])

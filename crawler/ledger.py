"""The crawl ledger: one row per URL (per POST form) the crawler has ever requested.

Scrapy's JOBDIR only survives a clean stop. The ledger lives in ``archive.db``
(table ``crawl_ledger``) and every update is committed with (never before) the
``documents`` and ``fetches`` rows of its response, in one transaction, written
*after* the bytes are in the object store: a ledger row saying ``stored`` under
run N is the commit point of that URL for run N. A crawl killed with SIGKILL and started again
resumes run N: every URL stored under run N is served from the store instead of
the network (``crawler.middlewares.LedgerMiddleware``); everything else is
fetched again, which is harmless because every other write is idempotent.

The ledger also keeps what a recrawl needs: the validators (ETag,
Last-Modified) and hash of each URL's last version for conditional requests,
the page each URL was found on (``parent``) so that a document the portal no
longer links is marked gone, and the outcome of the URL in its last run
(new / changed / unchanged / failed / gone), which ``crawl_runs`` counts.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlite_utils

from archive.schema import now
from archive.vocab import DOCUMENT_KINDS, KEPT_STAGES, Outcome, Stage
from parsers.vocab import sql_list



def request_key(request) -> str:
    """The one key of a Scrapy request in the ledger, the fetch log and the WARC. A page seen
    through the browser (its DOM after the scripts ran) is not the page Scrapy fetched: its own key."""
    key = ledger_key(request.method, request.url, request.body or b"")
    return f"BROWSER {key}" if request.meta.get("renfang_browser") else key


def ledger_key(method: str, url: str, body: bytes = b"") -> str:
    """The ledger key of a request: its URL, plus a digest of the form for POSTs."""
    if method.upper() == "GET" or not body:
        return url if method.upper() in ("GET", "HEAD") else f"{method.upper()} {url}"
    return f"{method.upper()} {url} #{hashlib.sha1(body).hexdigest()[:12]}"


@dataclass
class Entry:
    key: str
    url: str
    agency_id: str | None
    kind: str | None
    parent: str | None
    stage: str
    attempts: int
    last_status: int | None
    last_error: str | None
    sha256: str | None
    etag: str | None
    last_modified: str | None
    headers: str | None
    outcome: str | None
    outcome_run: int | None
    last_run_id: int | None
    first_seen: str
    last_seen: str | None
    gone_since: str | None
    carried_run: int | None = None   # a run that did not request it but saw its list unchanged

    @property
    def response_headers(self) -> dict:
        return json.loads(self.headers) if self.headers else {}


_COLUMNS = list(Entry.__dataclass_fields__)
_GET = f"select {', '.join(_COLUMNS)} from crawl_ledger where key = ?"

_UNREAD = object()   # Ledger.record: the entry before was not read by the caller
# Ledger.record's one statement (built once: a statement the connection's cache keeps)
_RECORD = f"""insert into crawl_ledger (key, url, agency_id, kind, parent, stage, attempts,
           last_status, last_error, sha256, etag, last_modified, headers, outcome,
           outcome_run, last_run_id, first_seen, last_seen, gone_since)
       values (:key, :url, :agency_id, :kind, :parent, :stage, 1, :status, :error,
           :sha256, :etag, :last_modified, :headers, :outcome, :outcome_run, :run_id,
           :t, :last_seen, :gone_since)
       on conflict(key) do update set
           agency_id = coalesce(excluded.agency_id, agency_id),
           kind = coalesce(excluded.kind, kind),
           parent = coalesce(excluded.parent, parent),
           stage = excluded.stage,
           attempts = case when last_run_id = excluded.last_run_id then attempts + 1 else 1 end,
           last_status = excluded.last_status,
           last_error = excluded.last_error,
           sha256 = coalesce(excluded.sha256, sha256),
           etag = case when excluded.sha256 is not null then excluded.etag else etag end,
           last_modified = case when excluded.sha256 is not null then excluded.last_modified
                                else last_modified end,
           headers = coalesce(excluded.headers, headers),
           outcome = coalesce(excluded.outcome, outcome),
           outcome_run = case when excluded.outcome is not null then excluded.outcome_run
                              else outcome_run end,
           last_run_id = excluded.last_run_id,
           last_seen = coalesce(excluded.last_seen, last_seen),
           gone_since = case when excluded.stage = '{Stage.GONE}' then coalesce(gone_since, excluded.gone_since)
                             when excluded.stage in {sql_list(KEPT_STAGES)} then null
                             else gone_since end"""


class Ledger:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.conn = db.conn

    def get(self, key: str) -> Entry | None:
        row = self.conn.execute(_GET, [key]).fetchone()
        return Entry(*row) if row else None

    def record(self, key: str, *, url: str, run_id: int, agency_id: str | None, kind: str | None,
               parent: str | None, stage: str, status: int | None = None, error: str | None = None,
               sha256: str | None = None, etag: str | None = None, last_modified: str | None = None,
               headers: dict | None = None, outcome: str | None = None, before=_UNREAD) -> Entry | None:
        """Record the outcome of one request (one statement: committed on its own, or with the
        other writes of its response in a :func:`crawler.records.batch`); return the entry as it
        was before (``before``: the caller read it already).

        ``stage``: ``stored`` (body in the store), ``not_modified`` (304: the stored version
        holds), ``failed`` (HTTP error, network error, anti-bot challenge), ``gone`` (404/410 of
        a URL that had a document). Validators and hash are kept from earlier versions
        unless new ones are given.
        """
        before = self.get(key) if before is _UNREAD else before
        t = now()
        self.db.execute(
            _RECORD,
            dict(key=key, url=url, agency_id=agency_id, kind=kind, parent=parent, stage=stage,
                 status=status, error=error, sha256=sha256, etag=etag,
                 last_modified=last_modified,
                 headers=json.dumps(headers, ensure_ascii=False) if headers is not None else None,
                 outcome=outcome, outcome_run=run_id if outcome else None, run_id=run_id, t=t,
                 last_seen=t if stage in KEPT_STAGES else None,
                 gone_since=t if stage == Stage.GONE else None))
        return before

    def stored_in_run(self, key: str, run_id: int, entry=_UNREAD) -> Entry | None:
        """The entry when ``key`` was already stored (or confirmed by a 304) in run ``run_id``
        (``entry``: the caller read it already)."""
        e = self.get(key) if entry is _UNREAD else entry
        if e and e.last_run_id == run_id and e.stage in KEPT_STAGES and e.sha256:
            return e
        return None

    def had_children(self, key: str) -> bool:
        """True when a page led to documents in an earlier crawl (so an empty answer now is news)."""
        return self.conn.execute(
            f"select 1 from crawl_ledger where parent = ? and kind in ({','.join('?' * len(DOCUMENT_KINDS))}) limit 1",
            [key, *DOCUMENT_KINDS]).fetchone() is not None

    def known_unchanged(self, keys: list[str]) -> bool:
        """True when every key has a stored version (so a 304 list page holds nothing new)."""
        if not keys:
            return False
        for key in keys:
            e = self.get(key)
            if e is None or e.sha256 is None or e.stage not in KEPT_STAGES:
                return False
        return True

    def carry(self, keys: list[str], run_id: int) -> int:
        """Pages not requested because paging stopped early, and everything found under them,
        count as still there in ``run_id`` (so they are not marked gone). Returns how many."""
        carried, frontier = 0, list(keys)
        while frontier:
            marks = ",".join("?" * len(frontier))
            with self.conn:
                cur = self.conn.execute(
                    f"""update crawl_ledger set carried_run = ? where key in ({marks})
                        and gone_since is null and coalesce(last_run_id, -1) != ?
                        and coalesce(carried_run, -1) != ?""",
                    [run_id, *frontier, run_id, run_id])
            carried += cur.rowcount
            frontier = [k for (k,) in self.conn.execute(
                f"""select key from crawl_ledger where parent in ({marks}) and gone_since is null
                    and coalesce(last_run_id, -1) != ? and coalesce(carried_run, -1) != ?""",
                [*frontier, run_id, run_id])]
        return carried

    def mark_gone(self, run_id: int, agency_ids: list[str]) -> list[Entry]:
        """Mark gone every URL of ``agency_ids`` not reached in ``run_id`` whose parent page was
        fetched in this run (so it no longer links it) or is gone itself. Returns the URLs marked."""
        marked: list[Entry] = []
        if not agency_ids:
            return marked
        marks = ",".join("?" * len(agency_ids))
        t = now()
        while True:
            rows = self.conn.execute(
                f"""select c.key from crawl_ledger c join crawl_ledger p on p.key = c.parent
                    where c.agency_id in ({marks}) and c.gone_since is null and c.sha256 is not null
                      and coalesce(c.last_run_id, -1) != ? and coalesce(c.carried_run, -1) != ?
                      and ((p.last_run_id = ? and p.stage in {sql_list(KEPT_STAGES)})
                           or p.gone_since is not null)""",
                [*agency_ids, run_id, run_id, run_id]).fetchall()
            if not rows:
                return marked
            with self.conn:
                for (key,) in rows:
                    self.conn.execute(
                        """update crawl_ledger set stage = ?, gone_since = ?, outcome = ?,
                           outcome_run = ? where key = ?""", [Stage.GONE, t, Outcome.GONE, run_id, key])
            marked += [self.get(k) for (k,) in rows]

    def outcomes(self, run_id: int) -> dict[str, dict[str, int]]:
        """{agency_id: {outcome: count}} of the report documents of a run."""
        out: dict[str, dict[str, int]] = {}
        for agency, outcome, n in self.conn.execute(
                f"""select agency_id, outcome, count(*) from crawl_ledger
                    where outcome_run = ? and kind in ({','.join('?' * len(DOCUMENT_KINDS))})
                    group by 1, 2""", [run_id, *DOCUMENT_KINDS]):
            out.setdefault(agency, {})[outcome] = n
        return out

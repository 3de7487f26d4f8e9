"""What one crawl process shares between its spider, middlewares and pipeline:
the archive database, the object store, the ledger, the WARC log, the run, and
per-site progress (pages, reports, documents; blocked or not).

``get_state(crawler)`` returns the one instance of a crawler, opened on first use.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
import scrapy

from archive import gaps
from archive.datadir import DataDir
from archive.vocab import RunStatus
from crawler import records
from crawler.ledger import Ledger
from archive.schema import open_archive
from archive.store import ObjectStore
from crawler.scope import Scope
from crawler.warc import WarcLog

log = logging.getLogger(__name__)

WAL_CHECKPOINT_PAGES = 4000     # the crawl's connection: a checkpoint every 4000 pages of WAL (16 MB)


@dataclass
class SiteProgress:
    pages: int = 0
    reports: set = field(default_factory=set)
    documents: int = 0
    blocked: str | None = None      # anti-bot product that blocked the site in this run
    layout: list = field(default_factory=list)  # list pages that yielded no entries
    list_pages: int = 0
    dropped: int = 0                # requests not made (blocked site, off target, page cap)
    capped: list = field(default_factory=list)  # list pages not requested: RENFANG_MAX_LIST_PAGES reached
    errors: list = field(default_factory=list)  # exceptions in callbacks and the pipeline: "url: error"
    problems: list = field(default_factory=list)  # navigation that found nothing ("no disclosure column …")
    rejected: dict = field(default_factory=dict)  # why report-like entries were not taken: reason -> count
    taken: int = 0                  # list entries taken as this office's reports
    failed_lists: list = field(default_factory=list)  # list pages that could not be fetched
    unreached: list = field(default_factory=list)  # list pages whose further pages could not be reached
    robots: list = field(default_factory=list)  # URLs not requested because robots.txt forbids them
    explain: list = field(default_factory=list)  # --explain: (depth, url, lines) per page
    first_failed: str | None = None  # the first document that could not be fetched (for the message)


class CrawlState:
    def __init__(self, crawler):
        self.crawler = crawler
        s = crawler.settings
        self.data_dir = Path(s.get("RENFANG_DATA_DIR"))
        self.run_id: int | None = s.getint("RENFANG_RUN_ID") or None
        self.own_run = self.run_id is None
        self.opened = False
        self.closed = False
        self.sites: dict[str, object] = {}
        self.progress: dict[str, SiteProgress] = {}
        self.scope = Scope(suffixes=s.getlist("RENFANG_ALLOWED_SUFFIXES"))
        self.explain_sites = set(filter(None, (s.get("RENFANG_EXPLAIN") or "").split(",")))
        self.warc: WarcLog | None = None
        self.bytes_downloaded = 0
        # the last bodies stored as they arrived: id -> (the body itself, sha256, media type)
        self._stored: dict[int, tuple[bytes, str, str]] = {}

    def open(self, spider) -> "CrawlState":
        if self.opened:
            return self
        self.opened = True
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = open_archive(DataDir(self.data_dir).db)
        # WAL + synchronous=NORMAL: a commit survives the process being killed (SIGKILL), only an
        # OS crash can lose the last commits, and the database stays consistent either way.
        self.db.execute("PRAGMA synchronous=NORMAL")
        # a checkpoint every 16 MB of WAL, not every 4 MB (SQLite's 1000 pages): each costs two
        # fdatasyncs (before it, and the WAL's header when it is reused), and the same index pages,
        # written again by every commit, are copied into the database once per checkpoint
        self.db.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        self.store = ObjectStore(DataDir(self.data_dir).objects,
                                 fsync=self.crawler.settings.get("RENFANG_FSYNC"))
        self.ledger = Ledger(self.db)
        if self.own_run:
            self.run_id = records.start_run(self.db, getattr(spider, "registry", "") or "")
        for site in getattr(spider, "sites", []):
            records.upsert_agency(self.db, site)
            self.sites[site.id] = site
            self.progress[site.id] = SiteProgress()
            self.scope.add(site)
        if self.crawler.settings.getbool("RENFANG_WARC"):
            self.warc = WarcLog(DataDir(self.data_dir).warc, self.run_id, spider.name,
                                f"renfang-archive (Scrapy {scrapy.__version__})")
            records.add_warc(self.db, self.run_id, str(self.warc.path.relative_to(self.data_dir)))
        return self

    def remember_stored(self, body: bytes, sha256: str, media_type: str) -> None:
        """A response body just stored, so that the document item made of the same bytes is not
        hashed, sniffed and written again. Holds the body itself (an id is only unique while its
        object lives) and only the last 64."""
        self._stored[id(body)] = (body, sha256, media_type)
        while len(self._stored) > 64:
            self._stored.pop(next(iter(self._stored)))

    def stored(self, body: bytes) -> tuple[str, str] | None:
        hit = self._stored.pop(id(body), None)
        return (hit[1], hit[2]) if hit is not None and hit[0] is body else None

    def on_target(self, url: str) -> bool:
        """Only the registry's hosts (with their ports) and the allowed suffixes (*.gov.cn)."""
        return self.scope.allows(url)

    def failed_before(self, agency_id: str) -> list[tuple]:
        """(url, kind, parent, title, year) of what failed for ``agency_id`` in an earlier run:
        documents and list pages, with the title and year its report's listing gave."""
        return records.failed_before(self.db, agency_id, self.run_id)

    def site_of(self, request) -> SiteProgress | None:
        return self.progress.get(request.meta.get("agency_id"))

    def explain_path(self, agency_id: str) -> Path:
        return explain_path(self.data_dir, agency_id, self.run_id)

    def log_progress(self) -> None:
        for sid, p in self.progress.items():
            log.info("progress %s: %d pages, %d reports found, %d documents stored%s", sid, p.pages,
                     len(p.reports), p.documents, f", BLOCKED by {p.blocked}" if p.blocked else "")

    def close(self, spider, status: str = RunStatus.FINISHED) -> None:
        if not self.opened or self.closed:
            return
        self.closed = True
        self.store.sync()
        if self.warc:
            self.warc.close()
        records.finish_sites(self.db, self.run_id, self.progress, self.ledger,
                             mark_gone=status == RunStatus.FINISHED and self.crawler.settings.getbool("RENFANG_MARK_GONE"),
                             max_list_pages=self.crawler.settings.getint("RENFANG_MAX_LIST_PAGES"))
        records.add_bytes(self.db, self.run_id, self.bytes_downloaded)
        for sid in self.explain_sites & set(self.progress):
            self.explain_path(sid).parent.mkdir(parents=True, exist_ok=True)
            pages = sorted(self.progress[sid].explain, key=lambda page: page[:2])   # by depth, then URL
            calendar = gaps.explain_lines(self.db, sid)      # the years due and the gaps, last
            self.explain_path(sid).write_text("".join(line + "\n" for _, _, lines in pages for line in lines)
                                              + "".join(line + "\n" for line in calendar), encoding="utf-8")
        if self.own_run:
            records.finish_run(self.db, self.run_id, status)
        self.db.close()


def explain_path(data_dir: str | Path, agency_id: str, run_id: int) -> Path:
    """Where ``renfang crawl --explain ID`` writes what it saw of each page of a site: in
    DATA_DIR/logs, whatever the id (a registry's ids are slugs, crawler/registry.py; any other
    character is written as its code point, so no id names a path outside the directory)."""
    name = "".join(c if c.isascii() and (c.isalnum() or c in "_-") else f"~{ord(c):x}~" for c in str(agency_id))
    return DataDir(data_dir).logs / f"explain-{name}-run{run_id}.txt"


def get_state(crawler) -> CrawlState:
    state = getattr(crawler, "_renfang_state", None)
    if state is None:
        state = crawler._renfang_state = CrawlState(crawler)
    return state


def remove_partial_objects(data_dir: str | Path) -> int:
    """Delete the temporary files a killed crawl left half-written in objects/ (never a real
    object: those are renamed into place only when complete). Only call this when no other
    crawl writes to the same data directory."""
    n = 0
    for tmp in DataDir(data_dir).objects.glob("*/.incoming-*"):
        tmp.unlink(missing_ok=True)
        n += 1
    return n

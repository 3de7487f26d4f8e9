"""What one crawl process shares between its spider, middlewares and pipeline:
the archive database, the object store, the ledger, the WARC log, the run, and
per-site progress (pages, reports, documents; blocked or not).

``get_state(crawler)`` returns the one instance of a crawler, opened on first use.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import scrapy

from archive import records
from archive.ledger import Ledger
from archive.schema import open_archive
from archive.store import ObjectStore
from archive.warc import WarcLog

log = logging.getLogger(__name__)


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


def netloc(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{host}:{port}"


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
        self.allowed_netlocs: set[str] = set()
        self.allowed_suffixes = tuple(x.strip().lower() for x in s.getlist("RENFANG_ALLOWED_SUFFIXES") if x.strip())
        self.warc: WarcLog | None = None
        self.bytes_downloaded = 0

    def open(self, spider) -> "CrawlState":
        if self.opened:
            return self
        self.opened = True
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = open_archive(self.data_dir / "archive.db")
        # WAL + synchronous=NORMAL: a commit survives the process being killed (SIGKILL), only an
        # OS crash can lose the last commits, and the database stays consistent either way.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.store = ObjectStore(self.data_dir / "objects",
                                 fsync=self.crawler.settings.get("RENFANG_FSYNC"))
        self.ledger = Ledger(self.db)
        if self.own_run:
            self.run_id = records.start_run(self.db, getattr(spider, "registry", "") or "")
        for site in getattr(spider, "sites", []):
            records.upsert_agency(self.db, site)
            self.sites[site.id] = site
            self.progress[site.id] = SiteProgress()
            self.allowed_netlocs.add(netloc(site.url))
            if site.column_url:
                self.allowed_netlocs.add(netloc(site.column_url))
        if self.crawler.settings.getbool("RENFANG_WARC"):
            self.warc = WarcLog(self.data_dir / "warc", self.run_id, spider.name,
                                f"renfang-archive (Scrapy {scrapy.__version__})")
            records.add_warc(self.db, self.run_id, str(self.warc.path.relative_to(self.data_dir)))
        return self

    def on_target(self, url: str) -> bool:
        """Only the registry's hosts (with their ports) and the allowed suffixes (*.gov.cn)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        if netloc(url) in self.allowed_netlocs:
            return True
        host = (parts.hostname or "").lower()
        return any(host.endswith(sfx) or host == sfx.lstrip(".") for sfx in self.allowed_suffixes)

    def site_of(self, request) -> SiteProgress | None:
        return self.progress.get(request.meta.get("agency_id"))

    def log_progress(self) -> None:
        for sid, p in self.progress.items():
            log.info("progress %s: %d pages, %d reports found, %d documents stored%s", sid, p.pages,
                     len(p.reports), p.documents, f", BLOCKED by {p.blocked}" if p.blocked else "")

    def close(self, spider, status: str = "finished") -> None:
        if not self.opened or self.closed:
            return
        self.closed = True
        self.store.sync()
        if self.warc:
            self.warc.close()
        records.finish_sites(self.db, self.run_id, self.progress, self.ledger,
                             mark_gone=status == "finished",
                             max_list_pages=self.crawler.settings.getint("RENFANG_MAX_LIST_PAGES"))
        records.add_bytes(self.db, self.run_id, self.bytes_downloaded)
        if self.own_run:
            records.finish_run(self.db, self.run_id, status)
        self.db.close()


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
    for tmp in (Path(data_dir) / "objects").glob("*/.incoming-*"):
        tmp.unlink(missing_ok=True)
        n += 1
    return n

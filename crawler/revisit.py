"""Every archived document revalidated, whatever its list page did.

A recrawl stops paging a list whose page answered 304 with every report on it known
(``crawler.middlewares.EarlyStopMiddleware``): the list pages beneath are not asked for, and
neither are the documents they lead to. Without more, a document replaced at the same URL
under an unchanged list would never be seen. So once the crawl has nothing left to do
(Scrapy's ``spider_idle``), this extension asks once more, conditionally (the
``LedgerMiddleware`` adds If-None-Match / If-Modified-Since), for every archived report
document of the run's sites that the run has not asked for although it may still be listed:
beneath an unchanged list it did not page through, or below a page that failed
(``crawler.records.revisit_due``): a 304 costs no body, other bytes are stored as a new
version, a 404/410 marks it gone. What a page read again no longer links is left to be marked
gone, and what lies beneath a list that changed and led nowhere (a layout change) is not
judged: the site says so. ``RENFANG_REVISIT_DAYS`` (``--revisit-days N``) limits it to
the documents last asked N days ago or more; 0 (the default) asks for all of them every run.

A worker of a shared frontier (``renfang crawl --redis``) does not revisit: another worker may
have asked for a document this one's ledger does not show asked, and the merged archive sends
its conditional requests in the next round (README "A crawl across machines").
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from archive.schema import now
from crawler import records
from crawler.state import get_state

log = logging.getLogger(__name__)


def last_asked_before(days: float) -> str | None:
    """The timestamp a document must have been last asked before to be revisited (None: any)."""
    if days <= 0:
        return None
    return (datetime.fromisoformat(now()) - timedelta(days=days)).isoformat()


class RevisitExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        self.done = False

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.get("SCHEDULER", "").startswith("crawler.distributed"):
            raise NotConfigured("a worker of a shared frontier does not revisit")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        return ext

    def spider_idle(self, spider):
        if self.done:
            return
        self.done = True        # once a run: what it asks for now is answered, or recorded as failed
        state = get_state(self.crawler).open(spider)
        sites = [sid for sid, p in state.progress.items() if not p.blocked and sid in state.sites]
        due = records.revisit_due(state.db, sites, state.run_id,
                                  last_asked_before(self.crawler.settings.getfloat("RENFANG_REVISIT_DAYS")))
        if not due:
            return
        log.info("revisiting %d archived document(s) the lists of this run did not lead to", len(due))
        for agency_id, url, kind, parent, title, year in due:
            self.crawler.engine.crawl(spider.retry(state.sites[agency_id], url, kind, parent, title, year))
        raise DontCloseSpider(f"revisiting {len(due)} archived document(s)")

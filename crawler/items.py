"""What the spiders yield. Plain dataclasses, handled by crawler.pipelines.ArchivePipeline.

Every HTTP response is logged by the pipeline on its own (``fetches``); items
say what a response *means*: that a list names a report, or that a document
belongs to one.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ReportListing:
    """A list entry naming an annual report of ``agency_id`` for ``year``."""
    agency_id: str
    year: int
    title: str
    url: str
    list_url: str
    issued_by: str | None = None   # another body's report listed in the office's column (attributed to it)


@dataclass
class ReportDocument:
    """A document (the article page or an attachment) that belongs to a report."""
    agency_id: str
    year: int | None
    title: str
    report_url: str     # the article page of the report
    url: str            # as requested
    final_url: str      # after redirects
    kind: str           # "article" for the article page; for attachments the sniffed type: pdf, docx, …
    filename: str       # from Content-Disposition, else the last path segment
    body: bytes
    issued_by: str | None = None   # the body that issued it when not the office (its report is that body's)


#: the error of a request robots.txt forbids (a refused FetchFailure; the ledger keeps it as last_error)
ROBOTS_REFUSAL = "forbidden by robots.txt, not requested"


@dataclass
class FetchFailure:
    """A request that ended without a usable response: no HTTP answer at all (DNS, refused,
    timeout, size cap …), or an exception while handling it (``error`` says which)."""
    agency_id: str
    url: str
    method: str
    error: str
    key: str = ""           # the ledger key of the request
    kind: str | None = None
    parent: str | None = None
    raised: bool = False    # an exception of the crawler's own code (not the site's fault)
    refused: bool = False   # not requested by policy (robots.txt): recorded, not a failure of the site


@dataclass
class PageSeen:
    """What the spider made of one navigation or list page: the shapes it recognised, each
    report-like entry taken or not (and why), and what it asked for next. The pipeline
    turns it into site status (a list page that suddenly yields nothing) and ``--explain``."""
    agency_id: str
    url: str
    kind: str                   # home, column, list, api
    key: str                    # ledger key of the request
    notes: list                 # "strategy: what it saw"
    verdicts: list              # crawler.offices.Verdict
    follows: list               # (url, strategy, reason)
    explore: bool = False       # reached by exploring (a year page, a sub-column): may be empty
    problem: str | None = None  # what is wrong with it for the crawl ("no disclosure column linked")
    depth: int = 0              # links from the start page (orders --explain, whatever answered first)
    unfollowed_pager: bool = False  # the page says it has more pages that no strategy could reach


@dataclass
class BrowserTraffic:
    """What a page in the browser fetched (``crawler.browser.Exchange``: the page itself, its
    scripts, the XHR its lists came from, a challenge's reloads), as the wire carried it: the
    pipeline writes it to the run's WARC file, as Scrapy's own responses are."""
    agency_id: str
    url: str
    exchanges: list

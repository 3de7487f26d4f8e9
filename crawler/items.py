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


@dataclass
class FetchFailure:
    """A request that got no HTTP response at all (DNS, refused, timeout, size cap …)."""
    agency_id: str
    url: str
    method: str
    error: str
    key: str = ""           # the ledger key of the request
    kind: str | None = None
    parent: str | None = None

"""The one pipeline: every response into the fetch log, every body into the store,
every report document linked to its report.

Logging happens on Scrapy's ``response_received`` signal rather than in the
spiders, so a 500, a robots.txt or a page no spider callback wanted is logged
all the same.
"""
from __future__ import annotations

from pathlib import Path

from scrapy import signals

from archive import records
from archive.schema import open_archive
from archive.store import ObjectStore
from crawler.items import FetchFailure, ReportDocument, ReportListing

# Media types (sniffed from the bytes) to the report_documents.kind vocabulary.
KIND_BY_MEDIA_TYPE = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/html": "html",
    "text/plain": "text",
    "application/zip": "zip",
    "image/png": "image",
    "image/jpeg": "image",
}


def decoded_headers(headers) -> dict:
    # Header bytes are kept as latin-1 text so nothing is lost (GBK file names included).
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in headers.items()}


class ArchivePipeline:
    def __init__(self, data_dir: str, run_id: int | None):
        self.data_dir = Path(data_dir)
        self.run_id = run_id
        self.own_run = run_id is None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings.get("RENFANG_DATA_DIR"), crawler.settings.getint("RENFANG_RUN_ID") or None)
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = open_archive(self.data_dir / "archive.db")
        self.store = ObjectStore(self.data_dir / "objects")
        if self.own_run:
            self.run_id = records.start_run(self.db, getattr(spider, "registry", "") or "")
        for site in getattr(spider, "sites", []):
            records.upsert_agency(self.db, site)

    def close_spider(self, spider=None):
        if self.own_run:
            records.finish_run(self.db, self.run_id)
        self.db.close()

    def response_received(self, response, request, spider):
        sha256 = media_type = None
        if 200 <= response.status < 300 and response.body:
            sha256, media_type = records.store_document(self.db, self.store, response.body)
        original = (request.meta.get("redirect_urls") or [request.url])[0]
        records.record_fetch(
            self.db, run_id=self.run_id, agency_id=request.meta.get("agency_id"),
            method=request.method, url=original, final_url=response.url, status=response.status,
            sha256=sha256, size=len(response.body), media_type=media_type,
            filename=request.meta.get("filename") or None,
            headers=decoded_headers(response.headers),
            error=None if response.status < 400 else f"HTTP {response.status}",
        )

    def process_item(self, item, spider=None):
        if isinstance(item, ReportListing):
            records.record_listing(self.db, item.agency_id, item.year, item.title, item.url, item.list_url)
        elif isinstance(item, ReportDocument):
            sha256, media_type = records.store_document(self.db, self.store, item.body)
            if item.year is not None:
                rid = records.record_listing(self.db, item.agency_id, item.year, item.title, item.report_url)
                kind = item.kind if item.kind == "article" else KIND_BY_MEDIA_TYPE.get(media_type, "other")
                records.record_report_document(self.db, rid, sha256, item.final_url, kind, item.filename)
        elif isinstance(item, FetchFailure):
            records.record_fetch(self.db, run_id=self.run_id, agency_id=item.agency_id,
                                 method=item.method, url=item.url, error=item.error)
        return item

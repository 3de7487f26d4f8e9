"""Scrapy's HttpCompressionMiddleware, with a record of the gzip bombs it stops.

Scrapy drops a response whose body would exceed ``DOWNLOAD_MAXSIZE`` once decompressed with an
``IgnoreRequest``, which the spiders' errback rightly treats as "deliberately not requested" and
so leaves no trace. This subclass (in its place, at 590) records that refusal like any other size
cap: a ``fetches`` row and a failed ledger row, error ``size cap: …`` (nothing of the body is
stored), then lets Scrapy drop it.
"""
from __future__ import annotations

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils._compression import _DecompressionMaxSizeExceeded

from crawler.state import get_state


class RecordedHttpCompressionMiddleware(HttpCompressionMiddleware):
    def __init__(self, stats=None, *, crawler=None):
        super().__init__(stats, crawler=crawler)
        self.renfang_crawler = crawler

    def process_response(self, request, response, spider=None):
        try:
            return super().process_response(request, response)
        except IgnoreRequest as e:
            if isinstance(e.__cause__, _DecompressionMaxSizeExceeded):
                from crawler.middlewares import record_failure

                cap = request.meta.get("download_maxsize", self._max_size)
                encoding = b", ".join(response.headers.getlist("Content-Encoding")).decode("latin-1")
                state = get_state(self.renfang_crawler).open(self.renfang_crawler.spider)
                record_failure(state, request, request.url, response.url,
                               f"size cap: larger than DOWNLOAD_MAXSIZE ({cap} bytes) once decompressed "
                               f"({encoding}, {len(response.body)} bytes as sent), not stored")
            raise

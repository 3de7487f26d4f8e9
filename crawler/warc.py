"""WARC files of a crawl (warcio): every request and every response as it came
off the wire, so that the archive can be replayed with pywb or any WARC tool.

One gzipped WARC file per crawl process and spider,
``DATA_DIR/warc/renfang-<run>-<spider>-<UTC time>.warc.gz``. Each record is its
own gzip member, so a file cut short by a killed crawl is still readable up to
its last whole record; a resumed crawl writes a new file.
"""
from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# Scrapy hands over bodies already de-chunked: the header would lie.
_DROP = {"transfer-encoding"}


class WarcLog:
    def __init__(self, directory: str | Path, run_id: int, spider: str, software: str):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        self.path = self.dir / f"renfang-{run_id}-{spider}-{stamp}.warc.gz"
        self._file = open(self.path, "ab")
        self._writer = WARCWriter(self._file, gzip=True)
        self.records = 0
        info = self._writer.create_warcinfo_record(self.path.name, {
            "software": software, "format": "WARC File Format 1.1",
            "description": f"renfang-archive crawl run {run_id}, spider {spider}"})
        self._write(info)

    def _write(self, record) -> None:
        self._writer.write_record(record)
        self._file.flush()
        self.records += 1

    def write_exchange(self, method: str, url: str, request_headers: list[tuple[str, str]],
                       request_body: bytes, status: int, reason: str, protocol: str,
                       response_headers: list[tuple[str, str]], body: bytes, truncated: str | None = None) -> None:
        """A response record and its request record, concurrent-to each other; ``truncated``
        (WARC-Truncated) when ``body`` is not all the server sent."""
        headers = [(k, v) for k, v in response_headers if k.lower() not in _DROP]
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol=protocol or "HTTP/1.1")
        response = self._writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                   length=len(body), http_headers=http,
                                                   warc_headers_dict={"WARC-Truncated": truncated} if truncated else None)
        target = url.split("://", 1)[-1].split("/", 1)
        path = "/" + (target[1] if len(target) > 1 else "")
        req_http = StatusAndHeaders(f"{method} {path} HTTP/1.1", request_headers, is_http_request=True)
        request = self._writer.create_warc_record(
            url, "request", payload=io.BytesIO(request_body), length=len(request_body),
            http_headers=req_http,
            warc_headers_dict={"WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
        self._write(response)
        self._write(request)

    def close(self) -> None:
        self._file.close()

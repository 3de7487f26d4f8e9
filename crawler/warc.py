"""WARC files of a crawl: every request and every response as it came off the wire, so that
the archive can be replayed with pywb or any WARC tool (warcio reads them back, and
``renfang verify`` checks their digests, archive/fixity.py).

One gzipped WARC file per crawl process and spider,
``DATA_DIR/warc/renfang-<run>-<spider>-<UTC time>.warc.gz``. Each record is its
own gzip member, so a file cut short by a killed crawl is still readable up to
its last whole record; a resumed crawl writes a new file.

The records are the ones warcio's ``WARCWriter`` writes (WARC/1.0, the same header fields
in the same order, SHA-1 block and payload digests), built here directly: warcio's writer cost
~270 µs of CPU an exchange, most of it zlib setting up a 32 KiB window and a 64 K-entry hash
(and zeroing them) for each gzip member at level 9, and its own per-record bookkeeping. Here each
member's window is sized to the record (the same compression, ~5 µs for a request record instead
of ~30), text at zlib's default level 6, and a body already compressed by its format (PDF,
ZIP-based documents, images, archives) is stored in its member, not deflated again: deflating a
PDF again took ~20 µs a KiB of CPU and saved 2–3 % of its size (the bytes read back are the same).
"""
from __future__ import annotations

import hashlib
import uuid
import zlib
from datetime import datetime, timezone
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders

# Scrapy hands over bodies already de-chunked: the header would lie.
_DROP = {"transfer-encoding"}
_VERSION = "WARC/1.0"
_CONTENT_TYPES = {"warcinfo": "application/warc-fields", "response": "application/http; msgtype=response",
                  "request": "application/http; msgtype=request"}
# a body that starts like one of these is compressed already: stored in its gzip member as it is
_COMPRESSED = (b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf",
               b"RIFF", b"\x00\x00\x00\x0cjP", b"BZh")


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _digest(*parts: bytes) -> str:
    """``sha1:`` and the base32 of the SHA-1 (as warcio writes it; 160 bits are 32 base32 digits,
    no padding: computed from the integer, which base64.b32encode, pure Python, does slower)."""
    h = hashlib.sha1()
    for p in parts:
        h.update(p)
    n = int.from_bytes(h.digest(), "big")
    return "sha1:" + "".join([_B32[(n >> shift) & 31] for shift in range(155, -1, -5)])


def _compressed_already(body: bytes) -> bool:
    return body.startswith(_COMPRESSED) or b"%PDF-" in body[:1024]


def gzip_member(data: bytes, stored: bool = False) -> bytes:
    """``data`` as one gzip member: a window no larger than the data needs (the same output as
    a 32 KiB window for a record that fits, without setting up and clearing the larger one);
    ``stored``: no deflating (a body compressed by its own format)."""
    wbits = max(9, min(15, (max(len(data), 1) - 1).bit_length()))
    c = zlib.compressobj(0 if stored else 6, zlib.DEFLATED, 16 + wbits, max(1, min(8, wbits - 7)))
    return c.compress(data) + c.flush()


def _http_block(first_line: str, headers: list[tuple[str, str]], protocol: str, statusline: str) -> bytes:
    """An HTTP header block as warcio writes it: ASCII, or (a header with other characters, a GBK
    file name kept as latin-1 text) percent-encoded as warcio does (RFC 8187)."""
    text = first_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        return StatusAndHeaders(statusline, headers, protocol=protocol).to_ascii_bytes()


class WarcLog:
    def __init__(self, directory: str | Path, run_id: int, spider: str, software: str):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        self.path = self.dir / f"renfang-{run_id}-{spider}-{stamp}.warc.gz"
        self._file = open(self.path, "ab")
        self.records = 0
        self._date = (0, "")
        fields = {"software": software, "format": "WARC File Format 1.1",
                  "description": f"renfang-archive crawl run {run_id}, spider {spider}"}
        block = "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v).encode("utf-8")
        record, _ = self._record("warcinfo", None, b"", block, [("WARC-Filename", self.path.name)], payload=False)
        self._write(record)

    def _warc_date(self) -> str:
        now = datetime.now(timezone.utc)
        second = int(now.timestamp())
        if self._date[0] != second:
            self._date = (second, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        return self._date[1]

    def _record(self, kind: str, url: str | None, http: bytes, body: bytes, extra: list[tuple[str, str]],
                payload: bool = True, first: list[tuple[str, str]] = ()) -> tuple[bytes, str]:
        """(the record as a gzip member, its WARC-Record-ID). ``first``: fields written before
        WARC-Type (warcio puts the caller's own fields first); ``extra``: after WARC-Record-ID."""
        record_id = f"<urn:uuid:{uuid.uuid4()}>"
        fields = [*first, ("WARC-Type", kind), ("WARC-Record-ID", record_id), *extra]
        if url is not None:
            fields.append(("WARC-Target-URI", url))
        fields.append(("WARC-Date", self._warc_date()))
        if payload:
            fields.append(("WARC-Payload-Digest", _digest(body)))
        fields += [("WARC-Block-Digest", _digest(http, body)), ("Content-Type", _CONTENT_TYPES[kind]),
                   ("Content-Length", str(len(http) + len(body)))]
        head = (_VERSION + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n").encode("utf-8")
        stored = payload and len(body) > 512 and _compressed_already(body)
        return gzip_member(b"".join((head, http, body, b"\r\n\r\n")), stored=stored), record_id

    def _write(self, *members: bytes) -> None:
        self._file.write(b"".join(members))
        self._file.flush()
        self.records += len(members)

    def write_exchange(self, method: str, url: str, request_headers: list[tuple[str, str]],
                       request_body: bytes, status: int, reason: str, protocol: str,
                       response_headers: list[tuple[str, str]], body: bytes, truncated: str | None = None) -> None:
        """A response record and its request record, concurrent-to each other; ``truncated``
        (WARC-Truncated) when ``body`` is not all the server sent."""
        headers = [(k, v) for k, v in response_headers if k.lower() not in _DROP and k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        protocol = protocol or "HTTP/1.1"
        statusline = f"{status} {reason}".strip()
        http = _http_block(f"{protocol} {statusline}", headers, protocol, statusline)
        response, response_id = self._record("response", url, http, body, [],
                                             first=[("WARC-Truncated", truncated)] if truncated else [])
        target = url.split("://", 1)[-1].split("/", 1)
        path = "/" + (target[1] if len(target) > 1 else "")
        req_line = f"{path} HTTP/1.1"
        req_http = _http_block(f"{method} {req_line}", list(request_headers), method, req_line)
        request, _ = self._record("request", url, req_http, request_body, [],
                                  first=[("WARC-Concurrent-To", response_id)])
        self._write(response, request)

    def close(self) -> None:
        self._file.close()

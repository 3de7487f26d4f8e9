"""The crawl's WARC records (crawler/warc.py) are the records warcio's own writer makes of the same
exchange: the same fields in the same order, the same HTTP header blocks (a header that is not
ASCII percent-encoded as warcio does), the same bytes, digests that warcio checks and passes."""
from __future__ import annotations

import gzip
import io
import os
import re
import zlib

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.warc import WarcLog, gzip_member

PDF = b"%PDF-1.4\n" + os.urandom(6000) + b"\n%%EOF\n"
EXCHANGES = [
    # method, url, request headers, request body, status, reason, protocol, response headers, body, truncated
    ("GET", "http://127.0.0.1:8/a/b.html?x=1", [("User-Agent", "ua"), ("Accept", "*/*")], b"", 200, "OK", "HTTP/1.1",
     [("Content-Type", "text/html"), ("Content-Length", "99"), ("Transfer-Encoding", "chunked"),
      ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")], "<p>年度报告</p>".encode() * 300, "length"),
    ("POST", "http://127.0.0.1:8/api/list.do", [("Content-Type", "application/x-www-form-urlencoded")],
     b"page=2&size=10", 404, "", "HTTP/1.0", [("Server", "x")], b"", None),
    # a GBK file name kept as latin-1 text: not ASCII
    ("GET", "http://127.0.0.1:8/f.pdf", [], b"", 200, "OK", None,
     [("Content-Disposition", 'attachment; filename="' + "年报.pdf".encode("gbk").decode("latin-1") + '"')], PDF, None),
    ("GET", "http://127.0.0.1:8", [("Accept", "*/*")], b"", 301, "Moved Permanently", "HTTP/1.1",
     [("Location", "/x/")], b"", None),
    ("GET", "http://127.0.0.1:8/big.html", [], b"", 200, "OK", "HTTP/1.1", [("Content-Type", "text/html")],
     b"<p>x</p>" * 20000, None),
]


def warcio_exchange(writer: WARCWriter, method, url, request_headers, request_body, status, reason, protocol,
                    response_headers, body, truncated) -> None:
    """The exchange as warcio's WARCWriter writes it (what crawler/warc.py did before)."""
    headers = [(k, v) for k, v in response_headers if k.lower() not in ("transfer-encoding", "content-length")]
    headers.append(("Content-Length", str(len(body))))
    http = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol=protocol or "HTTP/1.1")
    response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
                                         warc_headers_dict={"WARC-Truncated": truncated} if truncated else None)
    target = url.split("://", 1)[-1].split("/", 1)
    path = "/" + (target[1] if len(target) > 1 else "")
    req_http = StatusAndHeaders(f"{method} {path} HTTP/1.1", request_headers, is_http_request=True)
    request = writer.create_warc_record(url, "request", payload=io.BytesIO(request_body), length=len(request_body),
                                        http_headers=req_http, warc_headers_dict={
                                            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
    writer.write_record(response)
    writer.write_record(request)


def read(path) -> list[tuple]:
    out = []
    with open(path, "rb") as f:
        for r in ArchiveIterator(f, check_digests=True):
            fields = [(k, v) for k, v in r.rec_headers.headers if k not in ("WARC-Record-ID", "WARC-Date",
                                                                             "WARC-Concurrent-To", "WARC-Filename")]
            out.append((r.rec_headers.protocol, fields, r.http_headers.to_str() if r.http_headers else None,
                        r.content_stream().read(), r.digest_checker.passed, r.digest_checker.problems))
    return out


def anonymous(path) -> bytes:
    """The file's bytes uncompressed, its record ids and dates left out."""
    return re.sub(rb"<urn:uuid:[0-9a-f-]+>|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"-", gzip.open(path).read())


def test_records_are_warcios(tmp_path):
    ours = WarcLog(tmp_path / "ours", 1, "portal", "renfang-archive (test)")
    for x in EXCHANGES:
        ours.write_exchange(*x)
    ours.close()
    theirs_path = tmp_path / "theirs.warc.gz"
    with open(theirs_path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        writer.write_record(writer.create_warcinfo_record(ours.path.name, {
            "software": "renfang-archive (test)", "format": "WARC File Format 1.1",
            "description": "renfang-archive crawl run 1, spider portal"}))
        for x in EXCHANGES:
            warcio_exchange(writer, *x)
    got, expected = read(ours.path), read(theirs_path)
    assert ours.records == len(got) == 1 + 2 * len(EXCHANGES)
    assert got == expected
    assert all(passed is True and not problems for *_, passed, problems in got)
    assert anonymous(ours.path) == anonymous(theirs_path)
    # the GBK file name percent-encoded as warcio does
    assert "filename*=UTF-8''%C3%84%C3%AA%C2%B1%C2%A8.pdf" in got[5][2]


def test_each_record_is_its_own_gzip_member(tmp_path):
    log = WarcLog(tmp_path, 1, "portal", "x")
    for x in EXCHANGES:
        log.write_exchange(*x)
    log.close()
    data, members = log.path.read_bytes(), 0
    while data:
        d = zlib.decompressobj(16 + 15)
        d.decompress(data)
        assert d.eof
        data, members = d.unused_data, members + 1
    assert members == log.records


@pytest.mark.parametrize("data", [b"", b"x", b"WARC/1.0\r\n" * 40, os.urandom(70000), b"<p>x</p>" * 9000])
def test_a_member_holds_its_bytes(data):
    assert gzip.decompress(gzip_member(data)) == data
    assert gzip.decompress(gzip_member(data, stored=True)) == data


def test_a_compressed_body_is_stored_text_deflated(tmp_path):
    log = WarcLog(tmp_path, 1, "portal", "x")
    start = log.path.stat().st_size
    log.write_exchange("GET", "http://127.0.0.1:8/f.pdf", [], b"", 200, "OK", "HTTP/1.1", [], PDF)
    log._file.flush()
    pdf_size = log.path.stat().st_size - start
    log.write_exchange("GET", "http://127.0.0.1:8/a.html", [], b"", 200, "OK", "HTTP/1.1", [], b"<p>x</p>" * 2000)
    log.close()
    assert len(PDF) < pdf_size < len(PDF) + 1500           # stored (and nothing lost)
    assert log.path.stat().st_size - start - pdf_size < 1500  # 16,000 bytes of markup deflated

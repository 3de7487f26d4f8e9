"""Programmable test portals on 127.0.0.1 for the crawler's tests and benchmarks.

Each site is a dict ``path(?query) -> Page`` rebuilt by a builder function for a
given *round* (so a test can change, remove and add documents between two
crawls), plus POST handlers. The server behaves like real government servers in
the ways that matter: ETag / Last-Modified with 304 answers to conditional
requests, redirects, 404s, a page that fails with 500 the first time, slow pages,
raw GBK bytes in ``Content-Disposition``, anti-bot challenges.

Every request is logged with the status sent and the number of body bytes sent,
so tests read the server's own account of what was transferred.
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Page:
    body: bytes
    ctype: str = "text/html"
    status: int = 200
    headers: list = field(default_factory=list)
    delay: float = 0.0
    fail_first: int = 0           # answer 500 this many times before answering properly
    location: str | None = None   # redirect target (status 301/302)
    modified: float = 1704067200.0  # Last-Modified (2024-01-01)
    validators: bool = True       # send ETag / Last-Modified (and honour conditional requests)
    chunked: bool = False         # no Content-Length: the body in chunks (size unknown until the end)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class Hit:
    site: str
    method: str
    path: str
    status: int
    sent: int                      # body bytes sent
    conditional: bool              # the request carried If-None-Match / If-Modified-Since
    user_agent: str


class SiteServer:
    def __init__(self, portal: "TestPortal", site_id: str):
        self.portal, self.id = portal, site_id
        self.pages: dict[str, Page] = {}
        self.post: dict[str, object] = {}   # path -> fn(query: dict, form: dict) -> Page
        self.failures: dict[str, int] = {}
        self.dynamic = None                 # fn(path) -> Page | None, for pages not in ``pages``
        # fn(method, path, headers) -> Page | None, asked before anything else: a page it answers
        # is sent instead (a cookie challenge that guards every URL of the site)
        self.gate = None
        # path -> fn(query, body: bytes, headers) -> Page: POSTs whose body is not a form (JSON)
        self.raw_post: dict[str, object] = {}
        handler = type(f"H_{site_id}", (_Handler,), {"site": self})
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def set_pages(self, pages: dict[str, Page], post: dict | None = None, dynamic=None) -> None:
        self.pages, self.post, self.failures, self.dynamic = pages, post or {}, {}, dynamic


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        import sys
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # a client killed mid-answer (the resume test does that on purpose)
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    site: SiteServer

    def version_string(self):
        return self.server_version

    def log_message(self, *args):
        pass

    def _answer(self, method: str, page: Page) -> None:
        if page.delay:
            time.sleep(page.delay)
        key = self.path
        status, body, headers = page.status, page.body, list(page.headers)
        if page.fail_first and self.site.failures.get(key, 0) < page.fail_first:
            self.site.failures[key] = self.site.failures.get(key, 0) + 1
            status, body, headers = 500, b"<html><body><h1>500 Internal Server Error</h1></body></html>", []
        conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
        if status == 200 and page.validators:
            headers += [("ETag", page.etag), ("Last-Modified", formatdate(page.modified, usegmt=True))]
            inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
            fresh = False
            if inm is not None:
                fresh = page.etag in [t.strip() for t in inm.split(",")]
            elif ims:
                try:
                    fresh = parsedate_to_datetime(ims).timestamp() >= int(page.modified)
                except (TypeError, ValueError):
                    fresh = False
            if fresh:
                status, body = 304, b""
                headers = [h for h in headers if h[0] in ("ETag", "Last-Modified")]
        if page.location:
            headers.append(("Location", page.location))
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", page.ctype if status == page.status else "text/html")
        chunked = page.chunked and status == 200
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        sent = 0
        if method != "HEAD" and body:
            try:
                if chunked:
                    for i in range(0, len(body), 16384):
                        part = body[i:i + 16384]
                        self.wfile.write(b"%x\r\n" % len(part) + part + b"\r\n")
                        self.wfile.flush()
                        sent += len(part)
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.wfile.write(body)
                    sent = len(body)
            except (BrokenPipeError, ConnectionResetError):   # the client gave up (size cap)
                self.close_connection = True
        self.site.portal._log(Hit(self.site.id, method, self.path, status, sent, conditional,
                                  self.headers.get("User-Agent", "")))

    def do_GET(self):
        gated = self.site.gate(self.command, self.path, self.headers) if self.site.gate else None
        if gated is not None:
            return self._answer(self.command, gated)
        page = self.site.pages.get(self.path) or self.site.pages.get(urlsplit(self.path).path)
        if page is None and self.site.dynamic is not None:
            page = self.site.dynamic(self.path)
        if self.path == "/robots.txt" and page is None:
            page = Page(b"User-agent: *\nDisallow: /private/\n", "text/plain")
        self._answer("GET", page or Page(b"<html><body>404 Not Found</body></html>", status=404))

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        gated = self.site.gate("POST", self.path, self.headers) if self.site.gate else None
        if gated is not None:
            return self._answer("POST", gated)
        url = urlsplit(self.path)
        if url.path in self.site.raw_post:
            page = self.site.raw_post[url.path](parse_qs(url.query), raw, self.headers)
        else:
            fn = self.site.post.get(url.path)
            form = parse_qs(raw.decode("utf-8", "replace")) if raw else {}
            page = fn(parse_qs(url.query), form) if fn else Page(b"405", status=405)
        self._answer("POST", page)


class TestPortal:
    """Several sites, each on its own loopback port; ``build(round)`` (re)fills them."""

    def __init__(self, site_ids: list[str]):
        self._lock = threading.Lock()
        self.hits: list[Hit] = []
        self.sites = {sid: SiteServer(self, sid) for sid in site_ids}

    def _log(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def clear(self) -> None:
        with self._lock:
            self.hits.clear()

    def url(self, site_id: str) -> str:
        return self.sites[site_id].url

    def stop(self) -> None:
        for s in self.sites.values():
            s.httpd.shutdown()
            s.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

"""Serve the sample 人防 portals on 127.0.0.1.

    python -m sample_portal.server [--port-base 8701]

pzhrf on the port base, jxrf on port base + 1. In code::

    with sample_portal.server.start() as portal:      # free ports
        portal.write_registry("registry.csv")
        ...  # crawl portal.sites[i]["url"]
        portal.requests                                # [(site_id, method, path), ...]

Static pages come from ``sample_portal/sites/<id>/`` (stored in the bytes that
go on the wire: GBK for pzhrf, UTF-8 for jxrf); attachments come from
``sample_portal/documents/``. Dynamic routes: the faults listed in
``sites.py`` (HTTP 500), jxrf's ``dataproxy.jsp`` (POST only) and
``downfile.jsp`` (raw GBK bytes in Content-Disposition, as those servers send).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import signal
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sample_portal.sites import (
    DATAPROXY, DOCUMENTS_DIR, DOWNFILE, JX_DOWNLOADS, JX_NEWS_COLUMN, JX_NEWS_RECORDS,
    JX_REPORT_COLUMN, JX_REPORT_RECORDS, SITES, SiteSpec, hanweb_record,
)

REGISTRY_FIELDS = ("id", "name", "level", "province", "url", "cms")

CONTENT_TYPES = {
    ".txt": "text/plain", ".pdf": "application/pdf", ".css": "text/css", ".js": "application/javascript",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

JX_COLUMNS = {JX_REPORT_COLUMN: JX_REPORT_RECORDS, JX_NEWS_COLUMN: JX_NEWS_RECORDS}


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


class _Handler(BaseHTTPRequestHandler):
    server_version = "Apache"
    protocol_version = "HTTP/1.1"
    site: SiteSpec  # set on the per-site subclass
    portal: "Portal"

    # -- plumbing ---------------------------------------------------------
    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def _record(self) -> None:
        self.portal._log(self.site.id, self.command, self.path)

    def _send(self, status: int, body: bytes, content_type: str,
              extra: list[tuple[str, str]] = (), head: bool = False) -> None:
        # Conditional GETs, as real servers answer them: 304 without a body when unchanged.
        if status == 200 and self.command in ("GET", "HEAD") and (
                self.headers.get("If-None-Match") == _etag(body)
                or (self.headers.get("If-None-Match") is None
                    and self.headers.get("If-Modified-Since") == self.site.last_modified)):
            self.send_response(304)
            self.send_header("Last-Modified", self.site.last_modified)
            self.send_header("ETag", _etag(body))
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status == 200:
            self.send_header("Last-Modified", self.site.last_modified)
            self.send_header("ETag", _etag(body))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _error(self, status: int, head: bool = False, allow: str = "") -> None:
        phrase = HTTPStatus(status).phrase
        page = (f"<html><head><title>{status} {phrase}</title></head>"
                f"<body><h1>{status} {phrase}</h1></body></html>").encode("ascii")
        extra = [("Allow", allow)] if allow else []
        self._send(status, page, "text/html", extra, head)

    # -- methods ----------------------------------------------------------
    def do_GET(self):
        self._record()
        self._dispatch(head=False)

    def do_HEAD(self):
        self._record()
        self._dispatch(head=True)

    def do_POST(self):
        self._record()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        if self.site.id == "jxrf" and url.path == DATAPROXY:
            return self._dataproxy(url.query, body)
        if self._static_path(url.path) is not None or url.path in self.site.documents:
            return self._error(405, allow="GET, HEAD")
        return self._error(404)

    # -- routing ----------------------------------------------------------
    def _dispatch(self, head: bool) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        if path in self.site.faults:
            return self._error(self.site.faults[path], head)
        if self.site.id == "jxrf":
            if path == DATAPROXY:
                return self._error(405, head, allow="POST")
            if path == DOWNFILE:
                return self._downfile(url.query, head)
        if path in self.site.documents:
            name, ctype = self.site.documents[path]
            return self._send(200, (DOCUMENTS_DIR / name).read_bytes(), ctype, head=head)
        fs = self._static_path(path)
        if fs is None:
            return self._error(404, head)
        if fs.is_dir():
            if not path.endswith("/"):
                return self._send(301, b"", "text/html", [("Location", path + "/")], head)
            fs = fs / "index.html"
            if not fs.is_file():
                return self._error(404, head)
        ctype = (self.site.html_content_type if fs.suffix in (".html", ".htm")
                 else CONTENT_TYPES.get(fs.suffix, "application/octet-stream"))
        self._send(200, fs.read_bytes(), ctype, head=head)

    def _static_path(self, path: str) -> Path | None:
        root = self.site.root.resolve()
        fs = (root / path.lstrip("/")).resolve()
        if fs != root and root not in fs.parents:
            return None
        return fs if fs.exists() else None

    # -- Hanweb dynamic routes ----------------------------------------------
    def _downfile(self, query: str, head: bool) -> None:
        q = parse_qs(query)
        key = (q.get("filename") or [""])[0]
        if key not in JX_DOWNLOADS:
            return self._error(404, head)
        name, shown = JX_DOWNLOADS[key]
        # The header carries the GBK bytes of the file name, unescaped. http.server
        # encodes header values as latin-1, so bytes.decode("latin-1") passes them through.
        disposition = b'attachment; filename="' + shown.encode("gbk") + b'"'
        self._send(200, (DOCUMENTS_DIR / name).read_bytes(), "application/octet-stream",
                   [("Content-Disposition", disposition.decode("latin-1"))], head)

    def _dataproxy(self, query: str, body: bytes) -> None:
        q = parse_qs(query)
        form = parse_qs(body.decode("utf-8", "replace"))
        column = (form.get("columnid") or [""])[0]
        if not column:
            return self._error(400)
        try:
            records = JX_COLUMNS.get(int(column), [])
            per = int((q.get("perpage") or ["15"])[0])
            start = int((q.get("startrecord") or ["1"])[0])
            end = int((q.get("endrecord") or [str(start + per - 1)])[0])
        except ValueError:
            return self._error(400)
        start, end = max(1, start), min(len(records), end)
        chosen = records[start - 1:end] if start <= end else []
        xml = ('<?xml version="1.0" encoding="UTF-8"?><datastore>'
               f"<totalrecord>{len(records)}</totalrecord><recordset>"
               + "".join(f"<record><![CDATA[{hanweb_record(r)}]]></record>" for r in chosen)
               + "</recordset></datastore>")
        self._send(200, xml.encode("utf-8"), "text/xml;charset=UTF-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class Portal:
    """The running sample sites. Use as a context manager or call stop()."""

    def __init__(self) -> None:
        self._servers: list[tuple[SiteSpec, _Server, threading.Thread]] = []
        self._lock = threading.Lock()
        self._requests: list[tuple[str, str, str]] = []

    # (site_id, method, path-with-query), in arrival order
    @property
    def requests(self) -> list[tuple[str, str, str]]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def _log(self, site_id: str, method: str, path: str) -> None:
        with self._lock:
            self._requests.append((site_id, method, path))

    @property
    def sites(self) -> list[dict]:
        return [{"id": s.id, "name": s.name, "level": s.level, "province": s.province,
                 "url": f"http://{srv.server_address[0]}:{srv.server_address[1]}/", "cms": s.cms}
                for s, srv, _ in self._servers]

    def url(self, site_id: str) -> str:
        return next(s["url"] for s in self.sites if s["id"] == site_id)

    def write_registry(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=REGISTRY_FIELDS, lineterminator="\n")
            w.writeheader()
            for s in self.sites:
                w.writerow({k: s[k] for k in REGISTRY_FIELDS})
        return path

    def stop(self) -> None:
        for _, srv, thread in self._servers:
            srv.shutdown()
            srv.server_close()
            thread.join(timeout=5)
        self._servers.clear()

    def __enter__(self) -> "Portal":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start(host: str = "127.0.0.1", ports: dict[str, int] | None = None) -> Portal:
    """Start every sample site on ``host`` (loopback only); port 0 = a free port."""
    if host not in ("127.0.0.1", "localhost"):
        raise ValueError("the sample portal binds 127.0.0.1 only")
    ports = ports or {}
    portal = Portal()
    try:
        for spec in SITES.values():
            handler = type(f"Handler_{spec.id}", (_Handler,), {"site": spec, "portal": portal})
            srv = _Server(("127.0.0.1", ports.get(spec.id, 0)), handler)
            t = threading.Thread(target=srv.serve_forever, name=f"sample-portal-{spec.id}",
                                 kwargs={"poll_interval": 0.1}, daemon=True)
            t.start()
            portal._servers.append((spec, srv, t))
    except BaseException:
        portal.stop()
        raise
    return portal


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Serve the sample 人防 portals on 127.0.0.1.")
    ap.add_argument("--port-base", type=int, default=8701,
                    help="pzhrf on this port, jxrf on the next (default 8701)")
    ap.add_argument("--registry", type=Path, help="also write the registry CSV here")
    args = ap.parse_args(argv)
    ids = list(SITES)
    portal = start(ports={sid: args.port_base + i for i, sid in enumerate(ids)})
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):  # also when started with SIGINT ignored (`cmd &`)
        signal.signal(sig, lambda *_: stop.set())
    try:
        for s in portal.sites:
            print(f"{s['id']:6} {s['url']}  {s['name']} ({s['cms']})", flush=True)
        if args.registry:
            portal.write_registry(args.registry)
            print(f"registry: {args.registry}", flush=True)
        print("Ctrl-C to stop", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The archive's own Datasette plugin (loaded with --plugins-dir archive/datasette/plugins).

- ``/-/documents/<sha256>``: the archived bytes of a document, served from ``DATA_DIR/objects``
  (never from the government portal), with its media type and the SHA-256 in the headers
  (``Digest``, ``X-Content-SHA256``), so anyone can check what they downloaded.
- ``/-/report/<id>`` and ``/-/report/<id>.json``: a report as printed (archive/printed.py).
- SQL functions ``cjk_fts_query(q)`` and ``cjk_snippet(text, q)`` for the Chinese search
  (archive/search.py), used by the ``search`` canned query.
- Datasette's own search box (``?_search=`` on ``search_docs``, whose ``fts_table`` is the bigram
  index ``search_bigrams``): Datasette turns the box's text into a MATCH expression with the SQL
  function ``escape_fts()``; this plugin registers a CJK-aware ``escape_fts`` after Datasette's
  (``trylast``) that encodes CJK terms as bigram phrases (``cjk_fts_query``), so a search for
  人防 (two characters), 人民防空 or 防 finds what the ``search`` query finds. Queries without
  CJK characters are escaped exactly as Datasette does.
- Cell links: SHA-256 columns link to the archived document, report ids to the printed report.
"""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from datasette import hookimpl
from datasette.utils import escape_fts as datasette_escape_fts
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from archive.printed import build_report
from archive.search import _RUNS, fts_query, snippet
from archive.store import ObjectStore

DATABASE = "archive"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
SHA_COLUMNS = {"sha256", "source_sha256", "old_sha256", "new_sha256", "previous_sha256"}
REPORT_ID_COLUMNS = {("reports", "id"), ("report_overview", "report_id"), ("coverage", "report_id"),
                     ("search", "report_id"), ("failing_checks", "report_id"),
                     ("version_changes", "report_id"), ("new_reports", "report_id"),
                     ("applications_wide", "report_id"), ("disclosure_wide", "report_id"),
                     ("appeals_wide", "report_id")}


def _database(datasette):
    return datasette.get_database(DATABASE)


def _store(datasette) -> ObjectStore:
    return ObjectStore(Path(_database(datasette).path).parent / "objects")


def escape_fts(query: str | None) -> str:
    """Datasette's ``escape_fts`` for the bigram index: CJK terms become bigram phrases."""
    if query and _RUNS.search(query):
        return fts_query(query)
    return datasette_escape_fts(query or "")


@hookimpl(trylast=True)  # after Datasette's own prepare_connection: our escape_fts wins
def prepare_connection(conn):
    conn.create_function("cjk_fts_query", 1, fts_query, deterministic=True)
    conn.create_function("cjk_snippet", 2, snippet, deterministic=True)
    conn.create_function("escape_fts", 1, escape_fts, deterministic=True)


async def serve_document(datasette, request):
    sha256 = request.url_vars["sha256"]
    db = _database(datasette)
    row = (await db.execute(
        """select d.media_type, d.size, (select filename from report_documents rd
                                         where rd.sha256 = d.sha256 and filename is not null limit 1)
           from documents d where d.sha256 = ?""", [sha256])).first()
    path = _store(datasette).path(sha256)
    if row is None or not path.exists():
        return Response.text(f"no archived document {sha256}\n", status=404)
    body = path.read_bytes()
    digest = hashlib.sha256(body)
    if digest.hexdigest() != sha256:  # never serve bytes that are not what the archive says
        return Response.text(f"stored object {sha256} is damaged\n", status=500)
    media_type, _, filename = row
    headers = {"X-Content-SHA256": sha256,
               "Digest": "sha-256=" + base64.b64encode(digest.digest()).decode(),
               "Cache-Control": "public, max-age=31536000, immutable",
               "X-Content-Type-Options": "nosniff"}
    if filename:
        from urllib.parse import quote
        headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    if media_type.startswith("text/html"):  # archived web pages may carry scripts: sandbox them
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return Response(body, status=200, headers=headers, content_type=media_type or "application/octet-stream")


async def serve_report(datasette, request):
    report_id = request.url_vars["report_id"]
    as_json = bool(request.url_vars.get("format"))

    def fact_url(rid, table, row, column):
        return datasette.urls.row(DATABASE, "facts", ",".join(tilde_encode(v) for v in (rid, table, row, column)))

    data = await _database(datasette).execute_fn(lambda conn: build_report(conn, report_id, fact_url))
    if data is None:
        if as_json:
            return Response.json({"error": f"no report {report_id}"}, status=404)
        return Response.html(await datasette.render_template(
            "report.html", {"missing": report_id, "data": None}, request=request), status=404)
    if as_json:
        return Response.json(data, default=str)
    return Response.html(await datasette.render_template(
        "report.html", {"data": data, "report_json": f"/-/report/{tilde_encode(report_id)}.json",
                        "facts_url": datasette.urls.table(DATABASE, "facts") + "?report_id=" + tilde_encode(report_id)},
        request=request))


@hookimpl
def register_routes():
    return [
        (r"^/-/documents/(?P<sha256>[0-9a-f]{64})(/[^/]*)?$", serve_document),
        (r"^/-/report/(?P<report_id>[^/]+?)(?P<format>\.json)?$", serve_report),
        (r"^/-/coverage$", serve_coverage),
    ]


@hookimpl
def render_cell(value, column, table, database, datasette):
    if database != DATABASE or not isinstance(value, str):
        return None
    if column in SHA_COLUMNS and SHA256.match(value):
        return Markup(f'<a href="/-/documents/{value}" title="archived document (SHA-256)">{value[:12]}…</a>')
    if column == "document_path" and value.startswith("/-/documents/"):
        return Markup(f'<a href="{escape(value)}">original 原件</a>')
    if (table, column) in REPORT_ID_COLUMNS:
        return Markup(f'<a href="/-/report/{escape(tilde_encode(value))}" title="report as printed 报告原表">{escape(value)}</a>')
    return None


@hookimpl
def menu_links(datasette):
    return [{"href": "/-/coverage", "label": "Coverage 覆盖情况"},
            {"href": datasette.urls.query(DATABASE, "search"), "label": "Search 全文检索"}]


async def serve_coverage(datasette, request):
    """Offices × years, one coloured cell per (office, year) from the ``coverage`` view."""
    rows = (await _database(datasette).execute(
        "select agency_id, agency, province, level, year, status, report_id, deadline from coverage "
        "order by province, agency, year")).rows
    years = sorted({r["year"] for r in rows})
    offices: dict[str, dict] = {}
    for r in rows:
        o = offices.setdefault(r["agency_id"], {"id": r["agency_id"], "name": r["agency"],
                                                "province": r["province"], "level": r["level"], "cells": {}})
        o["cells"][r["year"]] = dict(r)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return Response.html(await datasette.render_template(
        "coverage.html", {"years": years, "offices": list(offices.values()), "counts": counts},
        request=request))

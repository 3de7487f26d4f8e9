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
- The coverage, office and map pages are renfang_coverage.py's (beside this file).
- Atom feeds (one builder, :func:`_atom`): ``/-/feed.atom`` (new reports), ``/-/alerts.atom``
  (one entry per alert occurrence, crawler/monitors.py) and ``/-/changes.atom``; the change log
  page ``/-/changes`` (archive/changelog.py).
"""
from __future__ import annotations

import asyncio
import base64
import re
from pathlib import Path
from urllib.parse import unquote, urlencode

from datasette import hookimpl
from datasette.utils import escape_fts as datasette_escape_fts
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Response, asgi_start
from markupsafe import Markup, escape

from archive import changelog, replay
from archive.datadir import DataDir
from archive.printed import build_report, number
from archive.search import CJK_RUNS, MARK, RANK_LIMIT, fts_query, snippet
from archive.store import ObjectStore
from archive.vocab import COVERAGE_STATES, AlertState, Change
from parsers.vocab import PARSE_READ, CheckStatus, ParseStatus, sql_list

DATABASE = "archive"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
YEAR = re.compile(r"[0-9]{4}")    # a year of ?year= (str.isdigit() takes '²', int() not)
RUN = re.compile(r"[0-9]{1,18}")  # a crawl run of ?run=, within SQLite's integers
SHA_COLUMNS = {"sha256", "source_sha256", "old_sha256", "new_sha256", "previous_sha256"}
REPORT_ID_COLUMNS = {("reports", "id"), ("report_overview", "report_id"), ("coverage", "report_id"),
                     ("search", "report_id"), ("failing_checks", "report_id"),
                     ("version_changes", "report_id"), ("new_reports", "report_id"),
                     ("applications_wide", "report_id"), ("disclosure_wide", "report_id"),
                     ("appeals_wide", "report_id")}


def _database(datasette):
    return datasette.get_database(DATABASE)


def _store(datasette) -> ObjectStore:
    return ObjectStore(DataDir(Path(_database(datasette).path).parent).objects)


def escape_fts(query: str | None) -> str:
    """Datasette's ``escape_fts`` for the bigram index: CJK terms become bigram phrases."""
    query = (query or "").replace("\x00", " ")  # FTS5 reads its query up to a NUL
    if query and CJK_RUNS.search(query):
        return fts_query(query)
    # Datasette's escape of a lone quote (`"`, `"""`) is empty, an FTS5 syntax error: match nothing
    return datasette_escape_fts(query or "") or '""'


@hookimpl(trylast=True)  # after Datasette's own prepare_connection: our escape_fts wins
def prepare_connection(conn):
    conn.create_function("cjk_fts_query", 1, fts_query, deterministic=True)
    conn.create_function("cjk_snippet", 2, snippet, deterministic=True)
    conn.create_function("escape_fts", 1, escape_fts, deterministic=True)


CHUNK = 1 << 20  # bytes of a document read (in a worker thread) and sent at a time


class StreamedObject:
    """An archived object streamed from its file: read 1 MiB at a time in a worker thread (the
    event loop never waits on the disk), never whole in memory."""

    def __init__(self, path: Path, size: int, headers: dict, content_type: str):
        self.path, self.size, self.headers, self.content_type = path, size, headers, content_type

    async def asgi_send(self, send):
        f = await asyncio.to_thread(open, self.path, "rb")
        try:
            await asgi_start(send, 200, {**self.headers, "content-length": str(self.size)}, self.content_type)
            sent, more = 0, True
            while more:
                chunk = await asyncio.to_thread(f.read, min(CHUNK, self.size - sent))
                sent += len(chunk)
                more = bool(chunk) and sent < self.size  # a file that shrank ends the body early
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
        finally:
            await asyncio.to_thread(f.close)


async def serve_document(datasette, request):
    """The archived bytes under their SHA-256. The object's name is its hash (checked when it was
    stored, and by `renfang verify`): the headers carry it, the bytes are not re-hashed."""
    sha256 = request.url_vars["sha256"]
    db = _database(datasette)
    row = (await db.execute(
        """select d.media_type, d.size, (select filename from report_documents rd
                                         where rd.sha256 = d.sha256 and filename is not null limit 1)
           from documents d where d.sha256 = ?""", [sha256])).first()
    path = _store(datasette).path(sha256)
    try:
        size = (await asyncio.to_thread(path.stat)).st_size if row is not None else None
    except OSError:
        size = None
    if size is None:
        return Response.text(f"no archived document {sha256}\n", status=404)
    media_type, recorded_size, filename = row
    if size != recorded_size:  # never serve bytes that are not what the archive says
        return Response.text(f"stored object {sha256} is damaged\n", status=500)
    headers = {"X-Content-SHA256": sha256,
               "Digest": "sha-256=" + base64.b64encode(bytes.fromhex(sha256)).decode(),
               "Cache-Control": "public, max-age=31536000, immutable",
               "X-Content-Type-Options": "nosniff"}
    if filename:
        from urllib.parse import quote
        headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    if media_type.startswith("text/html"):  # archived web pages may carry scripts: sandbox them
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        if not request.args.get("raw") and size <= replay.MAX_REWRITE_BYTES:
            replayed = await _replayed(datasette, path, sha256, headers)
            if replayed is not None:
                return replayed
    return StreamedObject(path, size, headers, media_type or "application/octet-stream")


async def _replayed(datasette, path: Path, sha256: str, headers: dict) -> Response | None:
    """An archived page with its links rewritten (archive/replay.py): to the archived copy where
    the archive holds the URL, to the original otherwise; None when the archive does not know
    where the page was fetched. Its exact bytes (and their SHA-256) stay at ``?raw=1``."""
    from crawler.encoding import choose_encoding

    body = await asyncio.to_thread(path.read_bytes)

    def rewrite(conn) -> str | None:
        base = replay.fetched_at(conn, sha256)
        if base is None:
            return None
        text = body.decode(choose_encoding(body), errors="replace")
        return replay.rewrite_html(text, base, lambda urls: replay.archived_urls(conn, list(urls)))

    text = await _database(datasette).execute_fn(rewrite)
    if text is None:
        return None
    kept = {k: v for k, v in headers.items() if k not in ("X-Content-SHA256", "Digest", "Cache-Control")}
    return Response(text, content_type="text/html; charset=utf-8", headers={
        **kept, "X-Archived-SHA256": sha256, "Cache-Control": "no-cache",
        "Link": f'<{replay.DOCUMENT_ROUTE}{sha256}?raw=1>; rel="original"'})


def report_ids(raw: str) -> list[str]:
    """The report ids a ``/-/report/`` path can mean: tilde-encoded as the site's own links
    (``sc~2Erf-2020`` for ``sc.rf-2020``), or percent-encoded as a browser sends Chinese or spaces."""
    return list(dict.fromkeys([tilde_decode(raw), unquote(raw)]))


async def serve_report(datasette, request):
    candidates = report_ids(request.url_vars["report_id"])
    as_json = bool(request.url_vars.get("format"))

    def fact_url(rid, table, row, column):
        return datasette.urls.row(DATABASE, "facts", ",".join(tilde_encode(v) for v in (rid, table, row, column)))

    def first_report(conn):
        for candidate in candidates:
            data = build_report(conn, candidate, fact_url)
            if data is not None:
                return candidate, data
        return candidates[0], None

    report_id, data = await _database(datasette).execute_fn(first_report)
    if data is None:
        if as_json:
            return Response.json({"error": f"no report {report_id}"}, status=404)
        return Response.html(await datasette.render_template(
            "report.html", {"missing": report_id, "data": None, "states": COVERAGE_STATES}, request=request), status=404)
    if as_json:
        return Response.json(data, default=str)
    return Response.html(await datasette.render_template(
        "report.html", {"data": data, "states": COVERAGE_STATES, "report_json": f"/-/report/{tilde_encode(report_id)}.json",
                        "facts_url": datasette.urls.table(DATABASE, "facts") + "?report_id=" + tilde_encode(report_id)},
        request=request))


@hookimpl
def register_routes():
    return [
        (r"^/-/documents/(?P<sha256>[0-9a-f]{64})(/[^/]*)?$", serve_document),
        (r"^/-/report/(?P<report_id>[^/]+?)(?P<format>\.json)?$", serve_report),
        (r"^/-/compare(?P<format>\.json|\.csv)?$", serve_compare),
        (r"^/-/feed\.atom$", serve_feed),
        (r"^/-/alerts\.atom$", serve_alerts_feed),
        (r"^/-/changes$", serve_changes),
        (r"^/-/changes\.atom$", serve_changes_feed),
    ]


def check_rule(code: str) -> str | None:
    """A check's rule in words (parsers/codes.py CHECKS; the cross-year check of archive/views.py)."""
    from parsers.codes import CHECKS

    from archive.views import CARRY_CHAIN_RULE

    return {**CHECKS, "applications.carry_chain": CARRY_CHAIN_RULE}.get(code)


@hookimpl
def handle_exception(datasette, request, exception):
    """The request's mistakes are 400s that say so, not Datasette's 500s: a sort a table does not
    offer (``?_sort=nope``), and a CSV whose query ran past the time limit (Datasette turns the
    interrupted query into a 400 on its pages, not in its CSV)."""
    from datasette.database import QueryInterrupted
    from datasette.views.base import DatasetteError

    if isinstance(exception, QueryInterrupted):
        return Response.text(f"SQL query took too long: over the site's time limit of "
                             f"{datasette.setting('sql_time_limit_ms') / 1000:g} s\n", status=400)
    if isinstance(exception, DatasetteError) and exception.status == 500 \
            and str(exception.message).startswith("Cannot sort table by"):
        exception.status = 400
        exception.title = "Invalid sort"
    return None  # Datasette's own handler renders it


@hookimpl
def render_cell(value, column, table, database, datasette):
    if database != DATABASE:
        return None
    if isinstance(value, float) and value.is_integer():  # a count as printed: 2, not 2.0
        return number(value)
    if not isinstance(value, str):
        return None
    if column == "code" and table in ("checks", "failing_checks") and check_rule(value):  # a check: its rule in words
        return Markup(f'<code>{escape(value)}</code> <span class="rule">{escape(check_rule(value))}</span>')
    if column == "snippet" and MARK[0] in value:  # the search term, marked by cjk_snippet()
        return Markup(str(escape(value)).replace(MARK[0], "<mark>").replace(MARK[1], "</mark>"))
    if column == "report_page" and value.startswith("/-/report/"):
        return Markup(f'<a href="{escape(value)}">report page 报告页</a>')
    if column in SHA_COLUMNS and SHA256.match(value):
        return Markup(f'<a href="/-/documents/{value}" title="archived document (SHA-256)">{value[:12]}…</a>')
    if column == "document_path" and value.startswith("/-/documents/"):
        return Markup(f'<a href="{escape(value)}">original 原件</a>')
    if (table, column) in REPORT_ID_COLUMNS or (table is None and column == "report_id"):  # canned queries
        return Markup(f'<a href="/-/report/{escape(tilde_encode(value))}" title="report as printed 报告原表">{escape(value)}</a>')
    return None


@hookimpl
def menu_links(datasette):
    return [{"href": "/-/coverage", "label": "Coverage 覆盖情况"},
            {"href": "/-/map", "label": "Map 地图"},
            {"href": "/-/compare", "label": "Compare offices 机关对比"},
            {"href": "/-/changes", "label": "Change log 变更记录"},
            {"href": datasette.urls.query(DATABASE, "search"), "label": "Search 全文检索"}]


async def _choices(db) -> tuple[list[str], list[str]]:
    """The provinces and levels of the registry, for the filters of a page."""
    provinces = [p for (p,) in (await db.execute(
        "select distinct province from agencies where province is not null order by province")).rows]
    levels = [lv for (lv,) in (await db.execute("select distinct level from agencies order by level")).rows]
    return provinces, levels


# ------------------------------------------------------------------ researchers' pages

# /archive in the order a researcher reads it; anything not listed goes under the last group
SITE_GROUPS = [
    ("Reports and figures 报告与数据", ["report_overview", "failing_checks", "applications_wide", "disclosure_wide",
                                   "appeals_wide", "facts", "checks", "reports", "agencies", "codes"]),
    ("Coverage and versions 覆盖与版本", ["national_coverage", "coverage", "missing_reports", "version_changes", "search_docs"]),
    ("How the archive was made 抓取与解析记录", []),
]


def _row_counts(conn) -> dict[str, int]:
    """Row counts from the planner's statistics (ANALYZE at every load): instant at any size."""
    counts: dict[str, int] = {}
    try:
        for table, stat in conn.execute("select tbl, stat from sqlite_stat1 where stat is not null"):
            n = int(stat.split()[0])
            counts[table] = max(counts.get(table, 0), n)
    except Exception:  # no statistics yet (an archive never loaded by this version)
        return {}
    return counts


async def _database_vars(datasette):
    db = _database(datasette)
    names = await db.table_names()
    views = await db.view_names()
    hidden = set(await db.hidden_table_names())
    listed = {n for _, names_ in SITE_GROUPS for n in names_}
    groups = [(title, [n for n in names_ if n in names or n in views]) for title, names_ in SITE_GROUPS[:-1]]
    rest = [n for n in sorted(names) + sorted(views) if n not in listed and n not in hidden]
    groups.append((SITE_GROUPS[-1][0], rest))
    counts = await db.execute_fn(_row_counts)
    return {"site_groups": groups, "row_counts": counts}


def _headline(conn) -> dict:
    one = conn.execute(
        f"""select count(*), sum(parse_status in {sql_list(PARSE_READ)}), sum(parse_status = ?),
                  min(year), max(year), sum(facts), sum(failing_checks > 0), count(distinct agency_id)
           from report_overview""", [ParseStatus.PARSED]).fetchone()
    latest = conn.execute(
        f"""select report_id, agency, province, year, parse_status, failing_checks, first_seen from report_overview
           where parse_status in {sql_list(PARSE_READ)} order by first_seen desc, report_id limit 10""").fetchall()
    offices = conn.execute("select count(*) from agencies").fetchone()[0]
    return {"offices": offices, "reports": one[0] or 0, "readable": one[1] or 0, "parsed": one[2] or 0,
            "first_year": one[3], "last_year": one[4], "facts": one[5] or 0, "failing_reports": one[6] or 0,
            "offices_reporting": one[7] or 0,
            "latest": [dict(zip(("report_id", "agency", "province", "year", "parse_status", "failing_checks",
                                 "first_seen"), r)) for r in latest]}


#: the vocabulary in every template, so that templates compare by name (``ParseStatus.PARSED``),
#: never by a spelled-out word (scripts/vocab_literals.py checks the templates too)
TEMPLATE_VOCABULARY = {"ParseStatus": ParseStatus, "CheckStatus": CheckStatus, "Change": Change,
                       "SEARCH_RANK_LIMIT": RANK_LIMIT}   # and the search's bound (archive/search.py)


@hookimpl
def extra_template_vars(template, datasette, request):
    async def inner():
        if template == "index.html":
            return {**TEMPLATE_VOCABULARY, "headline": await _database(datasette).execute_fn(_headline)}
        if template == "database-archive.html" or (template == "database.html" and request
                                                    and request.url_vars.get("database") == DATABASE):
            return {**TEMPLATE_VOCABULARY, **await _database_vars(datasette)}
        return TEMPLATE_VOCABULARY
    return inner


async def serve_compare(datasette, request):
    """``/-/compare`` (and ``.json``, ``.csv``): one figure across offices, year by year
    (archive/compare.py): money with its unit, totals per unit."""
    from archive import compare

    db = _database(datasette)
    fmt = request.url_vars.get("format")
    figure = request.args.get("figure") or compare.DEFAULT
    province, level, year = (request.args.get(k) or "" for k in ("province", "level", "year"))
    error = None
    if figure not in compare.FIGURES:
        error, figure = f"unknown figure {figure!r}", compare.DEFAULT
    if year and not YEAR.fullmatch(year):
        error, year = f"not a year: {year!r}", ""
    data = await db.execute_fn(lambda conn: compare.compare(conn, figure, province, level, int(year) if year else None))
    if fmt == ".json":
        body = compare.as_json(data, {"figure": figure, "province": province, "level": level, "year": year})
        if error:
            body["error"] = error
        return Response.json(body, status=400 if error else 200)
    if fmt == ".csv":
        if error:
            return Response.text(error + "\n", status=400)
        return Response(compare.as_csv(data), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'inline; filename="compare.csv"'})
    provinces, levels = await _choices(db)
    years = [y for (y,) in (await db.execute("select distinct year from reports order by year")).rows]
    query = urlencode({k: v for k, v in (("figure", figure), ("province", province), ("level", level),
                                         ("year", year)) if v})
    return Response.html(await datasette.render_template(
        "compare.html", {"data": data, "total_rows": compare.total_rows(data), "no_unit": compare.NO_UNIT, "figures": list(compare.FIGURES.values()),
                         "figure": figure, "province": province, "level": level, "year": year,
                         "provinces": provinces, "levels": levels, "all_years": years, "error": error,
                         "exports": {"json": f"/-/compare.json?{query}", "csv": f"/-/compare.csv?{query}"}},
        request=request), status=400 if error else 200)


FEED_ENTRIES = 50


def checks_in_words(checks: int, failing: int) -> str:
    """A report's checks in one phrase: a report with none is not one whose checks pass."""
    if not checks:
        return "no checks (no table of figures to check)"
    if failing:
        return f"{failing} of {checks} checks fail"
    return f"all {checks} checks pass"


def _atom(datasette, request, path: str, alternate: str, title: str, entries: list[dict]) -> Response:
    """An Atom (RFC 4287) feed at ``path``: each entry a dict of id, title, updated, link,
    author and summary (ids and links absolute)."""
    import xml.etree.ElementTree as ET

    atom = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", atom)

    def sub(parent, tag, text=None, **attrs):
        el = ET.SubElement(parent, f"{{{atom}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    feed = ET.Element(f"{{{atom}}}feed")
    sub(feed, "id", datasette.absolute_url(request, path))
    sub(feed, "title", title)
    sub(feed, "updated", max((_rfc3339(e["updated"]) for e in entries), default="1970-01-01T00:00:00Z"))
    sub(feed, "link", href=datasette.absolute_url(request, path), rel="self", type="application/atom+xml")
    sub(feed, "link", href=datasette.absolute_url(request, alternate), rel="alternate", type="text/html")
    sub(sub(feed, "author"), "name", "renfang-archive")
    for e in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", e["id"])
        sub(entry, "title", e["title"])
        sub(entry, "updated", _rfc3339(e["updated"]))
        sub(entry, "link", href=e["link"], rel="alternate", type="text/html")
        sub(sub(entry, "author"), "name", e["author"])
        sub(entry, "summary", e["summary"])
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")
    return Response(body, content_type="application/atom+xml; charset=utf-8")


async def serve_feed(datasette, request):
    """Atom of the newest readable reports: absolute ids and links."""
    rows = (await _database(datasette).execute(
        f"""select report_id, agency, province, year, title, parse_status, first_seen, source_sha256, facts,
                  failing_checks, (select count(*) from checks c where c.report_id = o.report_id) as checks
           from report_overview o where parse_status in {sql_list(PARSE_READ)}
           order by first_seen desc, report_id limit ?""", [FEED_ENTRIES])).rows
    entries = []
    for r in rows:
        url = datasette.absolute_url(request, f"/-/report/{tilde_encode(r['report_id'])}")
        checks = checks_in_words(r["checks"], r["failing_checks"])
        entries.append({"id": url, "title": f"{r['agency']} {r['year']} · {r['title'] or ''}".strip(" ·"),
                        "updated": r["first_seen"], "link": url, "author": r["agency"],
                        "summary": f"{r['agency']} ({r['province'] or ''}), {r['year']}: {r['parse_status']}, "
                                   f"{r['facts']} figures, {checks}; SHA-256 {r['source_sha256']}"})
    return _atom(datasette, request, "/-/feed.atom", "/", "人防政府信息公开年报档案: newly archived reports 新存档的年报",
                 entries)


ALERT_ENTRIES = 200


async def serve_alerts_feed(datasette, request):
    """Atom of the alerts (crawler/monitors.py), newest first: one entry per occurrence, whose id
    and ``updated`` (when it opened) never change, so a feed reader shows each alert once; a
    resolved one says so in its title."""
    rows = (await _database(datasette).execute(
        """select key, kind, agency_id, message, state, coalesce(opened_at, first_seen) as opened_at,
                  last_seen, resolved_at from alerts order by opened_at desc, key limit ?""", [ALERT_ENTRIES])).rows
    entries = []
    for r in rows:
        row_url = datasette.absolute_url(request, datasette.urls.row(DATABASE, "alerts", tilde_encode(r["key"])))
        resolved = r["state"] == AlertState.RESOLVED
        entries.append({"id": f"{row_url}?opened={r['opened_at']}", "link": row_url, "updated": r["opened_at"],
                        "title": f"{r['kind']} {r['agency_id']}" + (" (resolved 已解除)" if resolved else ""),
                        "author": r["agency_id"],
                        "summary": f"{r['message']} (open since {r['opened_at']}"
                                   + (f", resolved {r['resolved_at']})" if resolved else f", last seen {r['last_seen']})")})
    return _atom(datasette, request, "/-/alerts.atom", datasette.urls.table(DATABASE, "alerts"), "人防年报档案告警 renfang-archive alerts", entries)


def _change_entries(datasette, request, rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        url = datasette.absolute_url(request, f"/-/report/{tilde_encode(r['report_id'])}")
        what = {Change.ADDED: "new report 新增", Change.CHANGED: "changed 已修改", Change.GONE: "gone 已下线"}[r["change"]]
        detail = (f"; the document at {r['url']} now has SHA-256 {r['sha256']} (was {r['previous_sha256']})"
                  if r["change"] == Change.CHANGED else f"; {r['url']} is no longer on the portal"
                  if r["change"] == Change.GONE else "")
        checks = f"; {r['failing_checks']} failing checks" if r["failing_checks"] else ""
        out.append({"id": datasette.absolute_url(request, f"/-/changes?run={r['run_id']}") + "#"
                    + tilde_encode(f"{r['change']}:{r['report_id']}:{r['url'] or ''}"),
                    "link": url, "updated": r["run_at"], "author": r["agency"] or r["agency_id"],
                    "title": f"{what}: {r['agency'] or r['agency_id']} {r['year']} ({r['report_id']})",
                    "summary": f"crawl run {r['run_id']}: {r['title'] or r['report_id']} {r['change']}{detail}{checks}"})
    return out


def _number_arg(request, name: str, what: str) -> tuple[int | None, str | None]:
    """``?name=N``: a number SQLite can hold (a larger one names nothing: an error, not a 500)."""
    raw = request.args.get(name) or ""
    if not raw:
        return None, None
    if not RUN.fullmatch(raw) or int(raw) > changelog.MAX_RUN:
        return None, f"not a {what}: {raw[:40]!r}"
    return int(raw), None


def _changes_args(request) -> tuple[int | None, str | None, int, str | None]:
    """The change log's filters: ``?run=N``, ``?office=ID``, ``?page=N`` (from 1), and what is
    wrong with them."""
    run, error = _number_arg(request, "run", "run number")
    page, page_error = _number_arg(request, "page", "page number")
    office = request.args.get("office") or None
    return run, office, max(1, min(page or 1, changelog.MAX_RUN // changelog.LIMIT)), error or page_error


def _changes_url(run: int | None, office: str | None, page: int | None = None) -> str:
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in (("run", run), ("office", office), ("page", page)) if v})
    return "/-/changes" + ("?" + query if query else "")


async def serve_changes(datasette, request):
    """The change log page: the newest runs, then the changes newest first, a page at a time
    (``?run=N``: that run only; ``?office=ID``: that office only; ``?page=N``: further back),
    each run's added, changed and gone reports and the failing checks of the new versions, in
    words."""
    run, office, page, error = _changes_args(request)
    db = _database(datasette)
    offset = (page - 1) * changelog.LIMIT

    def read(conn):
        total = changelog.count(conn, run, office)
        entries = changelog.changes(conn, run, changelog.LIMIT, office, offset, total)
        return (entries, total, changelog.new_failing_checks(conn, entries),
                changelog.runs(conn, run_id=run))

    changes, total, checks, runs = await db.execute_fn(read)
    by_run: dict[int, dict] = {}
    known = {r["run_id"]: r for r in runs}
    for c in changes:
        by_run.setdefault(c["run_id"], {**known.get(c["run_id"], {"run_id": c["run_id"]}), "entries": [],
                                        "checks": []})["entries"].append(c)
    if run is not None and run in known and run not in by_run:
        by_run[run] = {**known[run], "entries": [], "checks": []}
    for c in checks:
        if c["run_id"] in by_run:
            by_run[c["run_id"]]["checks"].append(c)
    pages = max(1, -(-total // changelog.LIMIT))
    return Response.html(await datasette.render_template(
        "changes.html", {"runs": runs, "shown": list(by_run.values()), "run": run, "office": office,
                         "error": error, "limit": changelog.LIMIT, "total": total, "page": page, "pages": pages,
                         "feed": "/-/changes.atom" + _changes_url(run, office)[len("/-/changes"):],
                         "newer": _changes_url(run, office, page - 1) if page > 1 else None,
                         "older": _changes_url(run, office, page + 1) if page < pages else None},
        request=request), status=400 if error else 200)


async def serve_changes_feed(datasette, request):
    run, office, _, error = _changes_args(request)
    if error:
        return Response.text(error, status=400)
    rows = await _database(datasette).execute_fn(lambda conn: changelog.changes(conn, run, FEED_ENTRIES * 4, office))
    return _atom(datasette, request, "/-/changes.atom", _changes_url(run, office),
                 "人防年报档案变更记录 renfang-archive change log", _change_entries(datasette, request, rows))


def _rfc3339(stamp: str | None) -> str:
    if not stamp:
        return "1970-01-01T00:00:00Z"
    if "T" not in stamp:
        stamp += "T00:00:00"
    if not re.search(r"(Z|[+-]\d\d:\d\d)$", stamp):
        stamp += "Z"
    return stamp

"""A table page of a table too large to count in a request is served without its row count.

Datasette counts the rows of every table page it serves (``select count(*)``, within the SQL
time limit): 2.8 s for ``facts`` at national scale with a cold cache, tens of seconds at ten
times it, so the page waited for the time limit (3 s) and then showed no count anyway. For a
table that the planner's statistics (``sqlite_stat1``, written by ANALYZE at every load) say has
more than :data:`COUNT_LIMIT` rows, every request for its page (HTML, JSON, CSV; filtered or not)
is answered as with ``?_nocount=1`` (the page shows its rows, not how many there are; the
database page ``/archive`` gives every table's count from the same statistics). Its page is
served without the facets of its metadata too (``?_nofacet=1``: the status facet of 9.5 million
checks at ten times national scale timed out at the 500 ms facet limit every time); a request
that names a facet (``?_facet=status``) gets it. A request that says ``?_nocount=`` or
``?_nofacet=`` itself is left as it is.

The home page and ``/archive`` ask Datasette for every table's count too (``table_counts``: a
``count(*)`` of each of 40 tables, each cut off after 5–10 ms; 0.2 s a page at national scale,
seconds at ten times it with a cold cache, where one step of a count can outlast its limit).
Those counts are made only for the tables the statistics say are small (:data:`EXACT_LIMIT`);
the others are shown from the statistics (``≈``, archive/datasette/templates/database-archive.html).

The search box of a table with a full-text index (``search_docs``: ``?_search=人防``) is counted
the same way by Datasette, one lookup of a 6 KB row a match (0.4 s, 4.4 s with a cold cache, for
the 302,740 reports of 人防 at ten times national scale; 1.96 s for the 30,274 at national scale
with a cold cache). When the index says more than
:data:`SEARCH_COUNT_LIMIT` documents match, the page is served with ``?_nocount=1`` too, and says
that more than :data:`SEARCH_COUNT_LIMIT` match (``search_matches``, counted in the index up to
that + 1, at 0.04–1.3 µs a match; the ``table-archive-search_docs.html`` template). Datasette's
own page query still reads every match (``id in (select rowid …)``): 0.05–0.45 s there.
"""
from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path
from urllib.parse import parse_qsl, unquote

from datasette import hookimpl
from datasette.database import QueryInterrupted

DATABASE = "archive"
COUNT_LIMIT = 1_000_000   # rows: above, a table page is not counted (counting 1 M rows takes ~0.3 s)
EXACT_LIMIT = 20_000     # rows: up to this, the database page counts a table exactly (~1 ms)
SEARCH_COUNT_LIMIT = 10_000  # matches of a search box: above, Datasette does not count them (~15 ms; ~0.6 s cold, scaled)
STATS_SECONDS = 60        # the statistics are read again at most this often
_TABLE_PAGE = re.compile(rf"^/{DATABASE}/([^/]+?)(\.(json|csv))?$")


class Stats:
    """Row counts of the archive's tables from ``sqlite_stat1``, read at most every
    :data:`STATS_SECONDS` (a load's ANALYZE writes them)."""

    def __init__(self):
        self.path: Path | None = None
        self.counts: dict[str, int] = {}
        self.read_at = 0.0

    def rows(self, datasette, table: str) -> int | None:
        if time.monotonic() - self.read_at > STATS_SECONDS:
            self.read_at = time.monotonic()
            try:
                path = Path(datasette.get_database(DATABASE).path)
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                try:
                    counts: dict[str, int] = {}
                    for name, stat in conn.execute("select tbl, stat from sqlite_stat1 where stat is not null"):
                        counts[name] = max(counts.get(name, 0), int(stat.split()[0]))
                    self.counts = counts
                finally:
                    conn.close()
            except (sqlite3.Error, KeyError, ValueError):
                self.counts = {}   # no statistics yet: every page is counted
        return self.counts.get(table)


STATS = Stats()


def too_large(datasette, path: str) -> str | None:
    """The table of a table page ``path`` when it has more than :data:`COUNT_LIMIT` rows."""
    match = _TABLE_PAGE.match(path)
    if not match:
        return None
    table = unquote(match.group(1))
    rows = STATS.rows(datasette, table)
    return table if rows is not None and rows > COUNT_LIMIT else None


def fts_table(datasette, table: str) -> str | None:
    """The full-text index the site's metadata gives ``table`` for its search box."""
    return (datasette.table_metadata(DATABASE, table) or {}).get("fts_table")


async def search_matches(datasette, table: str, args, cap: int | None = None) -> int | None:
    """How many documents of ``table``'s full-text index match its search box's ``?_search=``
    (with ``cap``: at most ``cap``), the MATCH expression made as Datasette makes it (the
    plugin's ``escape_fts()``, or the text itself with ``?_searchmode=raw``); None without a
    search, or when the index refuses the expression (Datasette then says why)."""
    fts = fts_table(datasette, table)
    text = args.get("_search")
    if not fts or text is None:
        return None
    raw = args.get("_searchmode") == "raw" or (
        args.get("_searchmode") != "escaped" and (datasette.table_metadata(DATABASE, table) or {}).get("searchmode") == "raw")
    match = "?" if raw else "escape_fts(?)"
    quoted = '"' + fts.replace('"', '""') + '"'
    sql = f"select rowid from {quoted} where {quoted} match {match}" + (f" limit {int(cap)}" if cap else "")
    try:
        return (await datasette.get_database(DATABASE).execute(f"select count(*) from ({sql})", [text])).first()[0]
    except Exception:  # an FTS5 syntax error of a raw search, or the time limit: Datasette's own answer says it
        return None


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def counted(scope, receive, send):
            if scope.get("type") == "http":
                query = scope.get("query_string", b"")
                added = []
                if too_large(datasette, scope.get("path", "")):
                    added = [b"_nocount=1"] if b"_nocount=" not in query else []
                    if b"_nofacet=" not in query and b"_facet=" not in query and b"_facet_" not in query:
                        added.append(b"_nofacet=1")
                elif b"_nocount=" not in query and await many_matches(datasette, scope.get("path", ""), query):
                    added = [b"_nocount=1"]
                if added:
                    scope = {**scope, "query_string": b"&".join(([query] if query else []) + added)}
            await app(scope, receive, send)
        return counted
    return wrap


def small_table_counts(datasette, db):
    """``db.table_counts`` counting only the tables the statistics do not say are large (over
    :data:`EXACT_LIMIT` rows); the others are None, as a count Datasette gave up on is."""
    async def table_counts(limit=10):
        counts: dict[str, int | None] = {}
        for table in await db.table_names():
            rows = STATS.rows(datasette, table)
            if rows is not None and rows > EXACT_LIMIT:
                counts[table] = None
                continue
            try:
                counts[table] = (await db.execute(f"select count(*) from [{table}]",
                                                  custom_time_limit=limit)).rows[0][0]
            except (QueryInterrupted, sqlite3.OperationalError, sqlite3.DatabaseError):
                counts[table] = None
        return counts
    return table_counts


@hookimpl
def startup(datasette):
    db = datasette.databases.get(DATABASE)
    if db is not None and db.is_mutable:   # an immutable database's counts are made once and kept
        db.table_counts = small_table_counts(datasette, db)


async def many_matches(datasette, path: str, query: bytes) -> bool:
    """A table page with a search box's search that more than :data:`SEARCH_COUNT_LIMIT`
    documents match."""
    match = _TABLE_PAGE.match(path)
    if not match or b"_search=" not in query:
        return False
    args = dict(parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True))
    found = await search_matches(datasette, unquote(match.group(1)), args, cap=SEARCH_COUNT_LIMIT + 1)
    return found is not None and found > SEARCH_COUNT_LIMIT


@hookimpl
def extra_template_vars(view_name, table, request, datasette):
    """``search_matches`` (and ``search_filtered``: the page has other filters) on a table page
    with a search box's search: how many documents match (up to :data:`SEARCH_COUNT_LIMIT` + 1),
    counted in the full-text index, when Datasette did not count (``_nocount``)."""
    if view_name != "table" or request is None or "_search" not in request.args or "_nocount" not in request.args:
        return {}

    async def inner():
        return {"search_matches": await search_matches(datasette, table, request.args, cap=SEARCH_COUNT_LIMIT + 1),
                "search_count_limit": SEARCH_COUNT_LIMIT,
                "search_filtered": any(not k.startswith("_") for k in request.args)}
    return inner

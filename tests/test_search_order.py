"""How the search orders its results (issue 24): by relevance (bm25) while few reports match,
newest in the archive first when more than ``RANK_LIMIT`` do (ranking every match of a word in
every report took 1.4–2.2 s at ten times national scale), and the page says which and how many
matched (exactly up to ``RANK_LIMIT``, "more than" past it: counting costs too). The search box
of ``search_docs`` is not counted by Datasette past ``SEARCH_COUNT_LIMIT`` matches: the page
says so from the index.

One generated archive: ``RANK_LIMIT`` + 7 reports (12 an office) whose titles say 人民防空 (every one
of them matches it), 5 of them also 攀枝花 (few: ranked), indexed by the loader's own
``refresh_search``; one Datasette serves it.
"""
from __future__ import annotations

import importlib.util
import re
import sqlite3
import urllib.error

import pytest

from archive.datadir import DataDir
from archive.search import (BY_RELEVANCE, FTS_TABLE, NEWEST_FIRST, RANK_LIMIT, SHOWN, fts_query, refresh_search,
                            search, site_sql, snippet)
from parsers.vocab import ParseStatus
from tests.helpers import REPO, Site, start_datasette, stop_datasette

MANY = RANK_LIMIT + 7
FEW = {17: 1, 400: 3, 9000: 1, 30000: 2, MANY - 1: 1}   # report number: times 攀枝花 is in its title


def title(i: int) -> str:
    return f"测试{i}号人民防空办公室{2014 + i % 12}年报告" + "攀枝花" * FEW.get(i, 0)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    from archive.schema import open_archive

    data = tmp_path_factory.mktemp("search-order") / "data"
    data.mkdir()
    (data / "objects").mkdir()
    db = open_archive(DataDir(data).db)
    with db.atomic():
        # offices of 12 reports each, one a year (as real offices: the coverage triggers redo an office a report)
        db.conn.executemany("insert into agencies (id, name, level, province) values (?, ?, 'city', '四川')",
                            [(f"t{k}", f"测试{k}人民防空办公室") for k in range(MANY // 12 + 1)])
        # listed, no document: a report indexed by its title alone
        db.conn.executemany("insert into reports (id, agency_id, year, title, parse_status) values (?, ?, ?, ?, ?)",
                            [(f"t-{i}", f"t{i // 12}", 2014 + i % 12, title(i), ParseStatus.NO_DOCUMENT)
                             for i in range(MANY)])
    assert refresh_search(db) == MANY
    db.conn.commit()
    db.close()
    return data


def connect(data_dir) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{DataDir(data_dir).db}?mode=ro", uri=True)
    conn.create_function("cjk_fts_query", 1, fts_query, deterministic=True)
    conn.create_function("cjk_snippet", 2, snippet, deterministic=True)
    return conn


def by_bm25(conn, q: str) -> list[str]:
    """Every match of ``q`` ranked by bm25 (title 5, text 1), ties newest first: the order to expect."""
    return [r for (r,) in conn.execute(
        f"""select d.report_id from {FTS_TABLE} join search_docs d on d.id = {FTS_TABLE}.rowid
            where {FTS_TABLE} match ? order by bm25({FTS_TABLE}, 5.0, 1.0), d.id desc""", [fts_query(q)])]


def test_the_rule_in_sql(data_dir):
    conn = connect(data_dir)
    titles = dict(conn.execute("select report_id, title from search_docs"))
    ids = dict(conn.execute("select report_id, id from search_docs"))
    few = {f"t-{i}" for i in FEW}
    # few matches: every one, best first (the most 攀枝花 in the shortest title), as bm25 ranks them
    rows = conn.execute(site_sql(), {"q": "攀枝花"}).fetchall()
    assert [r[0] for r in rows] == by_bm25(conn, "攀枝花") and {r[0] for r in rows} == few
    assert rows[0][0] == "t-400" and {(r[5], r[6]) for r in rows} == {(5, BY_RELEVANCE)}
    # the same query with a lower bound: too many to rank, the newest in the index first
    rows = conn.execute(site_sql(rank_limit=4), {"q": "攀枝花"}).fetchall()
    assert [r[0] for r in rows] == sorted(few, key=ids.get, reverse=True)
    assert {(r[5], r[6]) for r in rows} == {(None, NEWEST_FIRST.replace(f"{RANK_LIMIT:,}", "4"))}
    assert {r[5] for r in conn.execute(site_sql(rank_limit=5), {"q": "攀枝花"})} == {5}
    # many: the SHOWN newest, every one a real match, "more than RANK_LIMIT" (matches null)
    rows = conn.execute(site_sql(), {"q": "人民防空"}).fetchall()
    assert len(rows) == SHOWN and {(r[5], r[6]) for r in rows} == {(None, NEWEST_FIRST)}
    assert [ids[r[0]] for r in rows] == sorted(ids.values(), reverse=True)[:SHOWN]
    assert all("人民防空" in titles[r[0]] for r in rows)
    # the Python API orders as the site does
    db_rows = search(_Db(conn), "攀枝花", limit=3)
    assert [r["report_id"] for r in db_rows] == by_bm25(conn, "攀枝花")[:3] and db_rows[0]["score"] < 0
    db_rows = search(_Db(conn), "人民防空", limit=3)
    assert [r["report_id"] for r in db_rows] == [r[0] for r in rows[:3]] and {r["score"] for r in db_rows} == {None}
    assert search(_Db(conn), "防空人民") == []


class _Db:
    """What :func:`archive.search.search` uses of a sqlite_utils.Database."""

    def __init__(self, conn):
        self.execute = conn.execute


@pytest.fixture(scope="module")
def site(data_dir):
    proc, base = start_datasette(data_dir)
    try:
        yield Site(base, data_dir)
    finally:
        stop_datasette(proc)


def test_few_matches_are_ranked_and_the_page_says_so(site):
    conn = connect(site.data_dir)
    rows = site.rows("/archive/search.json", q="攀枝花")
    assert [r["report_id"] for r in rows] == by_bm25(conn, "攀枝花")
    assert {(r["matches"], r["ordered_by"]) for r in rows} == {(5, BY_RELEVANCE)}
    _, _, html = site.get("/archive/search", q="攀枝花")
    summary = re.search(r'<p class="search-summary">(.*?)</p>', html.decode(), re.S).group(1)
    assert re.sub(r"\s+", " ", summary) == f"5 reports match 份报告匹配; ordered by 排序: {BY_RELEVANCE}."


def test_many_matches_are_listed_newest_first_and_the_page_says_so(site):
    conn = connect(site.data_dir)
    newest = [r for (r,) in conn.execute(
        f"select report_id from search_docs where title like '%人民防空%' order by id desc limit {SHOWN}")]
    rows = site.rows("/archive/search.json", q="人民防空")
    assert [r["report_id"] for r in rows] == newest
    assert {(r["matches"], r["ordered_by"]) for r in rows} == {(None, NEWEST_FIRST)}
    _, _, html = site.get("/archive/search", q="人民防空")
    summary = re.sub(r"\s+", " ", re.search(r'<p class="search-summary">(.*?)</p>', html.decode(), re.S).group(1))
    assert summary == (f"More than {RANK_LIMIT:,} reports match 份报告匹配; the first {SHOWN} listed 列出前 {SHOWN} 份, "
                       f"ordered by 排序: {NEWEST_FIRST}.")
    # what the page offers, as the benchmark fetches it: its .json and .csv answer
    links = re.findall(r'href="(/archive/search\.(?:json|csv)[^"]*)"', html.decode())
    assert len(links) == 2
    for link in links:
        status, _, body = site.get(link.replace("&amp;", "&"))
        assert status == 200 and newest[0] in body.decode(), link


def test_the_search_box_counts_in_the_index_when_matches_are_many(site):
    counts = _plugin("renfang_counts")
    assert counts.SEARCH_COUNT_LIMIT < MANY
    # many: Datasette does not count, the page says how many from the index
    data = site.json("/archive/search_docs.json", _search="人民防空")
    assert data["filtered_table_rows_count"] is None and len(data["rows"]) > 0
    _, _, html = site.get("/archive/search_docs", _search="人民防空")
    assert (f'<p class="search-summary">More than {counts.SEARCH_COUNT_LIMIT:,} reports match the search 份报告匹配 '
            "“人民防空” (counted in the search index).</p>") in html.decode()
    # asked not to count, with few matches: the exact count of the index
    _, _, html = site.get("/archive/search_docs", _search="攀枝花", _nocount="1")
    assert '<p class="search-summary">5 reports match the search 份报告匹配 “攀枝花” (counted in the search index).</p>' \
        in html.decode()
    _, _, html = site.get("/archive/search_docs", _search="人民防空", report_id="t-17")
    assert "(counted in the search index, before the page's other filters)" in html.decode()
    # few: Datasette's own count, no sentence of ours
    data = site.json("/archive/search_docs.json", _search="攀枝花")
    assert data["filtered_table_rows_count"] == 5
    _, _, html = site.get("/archive/search_docs", _search="攀枝花")
    assert "5 rows" in html.decode() and "search-summary" not in html.decode()
    # a search the index refuses (raw mode) is Datasette's to answer, not ours
    with pytest.raises(urllib.error.HTTPError) as refused:
        site.get("/archive/search_docs.json", _search='"', _searchmode="raw")
    assert refused.value.code == 400 and "unterminated string" in refused.value.read().decode()


def _plugin(name):
    spec = importlib.util.spec_from_file_location(name, REPO / "archive" / "datasette" / "plugins" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

"""Guards against what would keep a crawl busy for ever or fill the store with junk: a download
larger than the size cap, a redirect loop, an endless redirect chain, a pager that never ends
(tests/portals/guards.py). Each ends as a recorded error or warning with its reason, the run
finishes, nothing half-written is stored, and the list stops at RENFANG_MAX_LIST_PAGES."""
from __future__ import annotations

import hashlib

import pytest

from archive.store import ObjectStore
from tests.helpers import ONLY_REGISTRY, q, renfang
from tests.portals import guards

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

MAX_LIST_PAGES = 4
MAX_REDIRECTS = 5
GUARDED = [*ONLY_REGISTRY, "-s", f"DOWNLOAD_MAXSIZE={guards.CAP}", "-s", f"REDIRECT_MAX_TIMES={MAX_REDIRECTS}"]
NB = guards.NB


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    root = tmp_path_factory.mktemp("guards")
    portal = guards.start()
    try:
        registry = guards.write_registry(portal, root / "registry.csv")
        data = root / "data"
        proc = renfang("crawl", "--registry", registry, "--data-dir", data, *GUARDED,
                       "-s", f"RENFANG_MAX_LIST_PAGES={MAX_LIST_PAGES}", timeout=120, expect=3)
        hits1 = list(portal.hits)
        portal.clear()
        # a second run with a lower cap (and no early stop on unchanged list pages, which would
        # end this trap by itself): the pages now beyond the cap must not be taken for gone
        proc2 = renfang("crawl", "--registry", registry, "--data-dir", data, *GUARDED,
                        "-s", "RENFANG_MAX_LIST_PAGES=2", "-s", "RENFANG_EARLY_STOP=False", timeout=120, expect=3)
        yield dict(data=data, base=portal.url("guardx"), hits=hits1, hits2=list(portal.hits),
                   out=proc.stdout, out2=proc2.stdout)
    finally:
        portal.stop()


def test_the_run_finishes(crawl):
    assert q(crawl["data"], "select status from crawl_runs order by id") == [("finished",), ("finished",)]
    # what could be found was found: reports listed, their good documents stored
    assert {r for (r,) in q(crawl["data"], "select id from reports")} == {
        "guardx-2023", "guardx-2022", "guardx-2021", "guardx-2020"}
    assert sorted(q(crawl["data"], "select report_id, kind from report_documents")) == [
        ("guardx-2021", "article"), ("guardx-2023", "article"), ("guardx-2023", "pdf")]


@pytest.mark.parametrize("name, announced", [("2023_big.pdf", True), ("2023_stream.pdf", False)])
def test_a_download_over_the_size_cap_is_an_error_and_nothing_of_it_is_stored(crawl, name, announced):
    data, url = crawl["data"], crawl["base"] + NB.lstrip("/") + name
    # one attempt (a size cap is not retried), recorded with its reason
    assert [h.path for h in crawl["hits"] if h.path == NB + name] == [NB + name]
    ((status, size, sha256, error),) = q(data, "select status, size, sha256, error from fetches "
                                               "where run_id = 1 and url = ?", [url])
    assert (status, size, sha256) == (None, None, None)
    assert error.startswith(f"size cap: larger than DOWNLOAD_MAXSIZE ({guards.CAP} bytes)"), error
    if announced:   # refused on its Content-Length, before the body was read
        assert f"Expected to receive {guards.BIG} bytes" in error
    assert q(data, "select kind, stage, last_error from crawl_ledger where key = ?", [url]) == [
        ("attachment", "failed", error)]
    assert q(data, "select count(*) from report_documents where url = ?", [url]) == [(0,)]


def test_nothing_half_written_is_stored(crawl):
    data = crawl["data"]
    store = ObjectStore(data / "objects")
    names = list(store)
    assert names and all(hashlib.sha256(store.get(n)).hexdigest() == n for n in names)
    assert max(len(store.get(n)) for n in names) <= guards.CAP
    assert q(data, "select count(*) from documents where size > ?", [guards.CAP]) == [(0,)]
    assert not [p for p in (data / "objects").rglob("*") if p.name.startswith(".incoming-")]
    assert {n for (n,) in q(data, "select sha256 from documents")} == set(names)


def test_a_redirect_loop_is_an_error(crawl):
    data, base = crawl["data"], crawl["base"] + NB.lstrip("/")
    # A → B, B → A: stopped at the first repeat, not followed round again
    assert [(h.path, h.status) for h in crawl["hits"] if h.path.startswith(NB + "2022")] == [
        (NB + "2022.html", 302), (NB + "2022_m.html", 302)]
    loop = f"redirect loop: {base}2022.html → {base}2022_m.html → {base}2022.html"
    assert q(data, "select final_url, status, error from fetches where run_id = 1 and url = ?",
             [base + "2022.html"]) == [(base + "2022_m.html", None, loop)]
    assert q(data, "select kind, stage, last_error from crawl_ledger where key = ?", [base + "2022.html"]) == [
        ("article", "failed", loop)]
    assert q(data, "select count(*) from report_documents where report_id = 'guardx-2022'") == [(0,)]


def test_an_endless_redirect_chain_stops_at_redirect_max_times(crawl):
    data, base = crawl["data"], crawl["base"] + NB.lstrip("/")
    chain = [h.path for h in crawl["hits"] if h.path.startswith(NB + "2020")]
    assert chain == [NB + "2020.html"] + [f"{NB}2020.html?r={i}" for i in range(1, MAX_REDIRECTS + 1)]
    ((error,),) = q(data, "select error from fetches where run_id = 1 and url = ?", [base + "2020.html"])
    assert error == (f"too many redirects (more than REDIRECT_MAX_TIMES={MAX_REDIRECTS}): "
                     f"{base}2020.html → … → {base}2020.html?r={MAX_REDIRECTS + 1}")
    assert q(data, "select stage from crawl_ledger where key = ?", [base + "2020.html"]) == [("failed",)]


def test_a_pagination_trap_stops_at_the_list_page_cap(crawl):
    data, base = crawl["data"], crawl["base"] + NB.lstrip("/")
    lists = [h.path for h in crawl["hits"] if h.path.startswith(NB + "index")]
    assert sorted(lists) == sorted([NB + "index.html"] + [f"{NB}index_{i}.html" for i in range(1, MAX_LIST_PAGES)])
    assert len(lists) == MAX_LIST_PAGES
    ((status, message, docs_failed),) = q(data, "select status, message, docs_failed from crawl_sites "
                                                "where run_id = 1 and agency_id = 'guardx'")
    assert status == "list_capped"
    assert message == (f"pagination trap? more list pages than RENFANG_MAX_LIST_PAGES={MAX_LIST_PAGES}; "
                       f"1 not requested, first: {base}index_{MAX_LIST_PAGES}.html")
    assert docs_failed == 4   # 2 over the size cap, the redirect loop, the endless redirect
    assert "  guardx: list_capped, " in crawl["out"] and "pagination trap?" in crawl["out"]


def test_a_capped_list_marks_nothing_gone(crawl):
    data = crawl["data"]
    assert len([h for h in crawl["hits2"] if h.path.startswith(NB + "index")]) == 2
    assert q(data, "select status from crawl_sites where run_id = 2") == [("list_capped",)]
    # index_2 and index_3 were not requested because of the cap, not because the site dropped them
    assert q(data, "select count(*) from crawl_ledger where gone_since is not null") == [(0,)]
    assert q(data, "select count(*) from report_documents where gone_since is not null") == [(0,)]


def test_a_report_whose_document_is_over_the_cap_says_so_not_not_report(crawl, tmp_path):
    """Issue 23: guardx 2023's article page links a (damaged) PDF it stored and two PDFs over
    the download cap: the report is corrupt, and its message says the others were not fetched.
    With the stored PDF gone, the article page alone is no report, but the report is not
    `not_report`: it is `no_document`, with the URL and the size-cap error."""
    import sqlite3

    from tests.helpers import copy_archive

    data = copy_archive(crawl["data"], tmp_path / "loaded")
    renfang("load", "--data-dir", data)
    (status, message), = q(data, "select parse_status, parse_message from reports where id = 'guardx-2023'")
    assert status == "corrupt" and "; and its document " in message, message
    assert "could not be fetched: size cap: larger than DOWNLOAD_MAXSIZE" in message and "(and 1 more)" in message
    conn = sqlite3.connect(data / "archive.db")
    conn.execute("delete from report_documents where report_id = 'guardx-2023' and kind != 'article'")
    conn.commit()
    conn.close()
    renfang("load", "--data-dir", data)
    (status, message), = q(data, "select parse_status, parse_message from reports where id = 'guardx-2023'")
    assert status == "no_document", message
    assert message.startswith(f"its document {crawl['base']}{NB.lstrip('/')}2023_"), message
    assert "could not be fetched: size cap: larger than DOWNLOAD_MAXSIZE" in message
    assert "(the article archived is not_report: " in message
    # the reports whose URL redirected for ever say so too
    assert "could not be fetched: redirect loop: " in q(data, "select parse_message from reports where id = 'guardx-2022'")[0][0]

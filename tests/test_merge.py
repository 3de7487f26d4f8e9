"""archive/merge.py on archives written by the crawler's own record functions (crawler/records.py):
what two workers of one distributed round can each hold of one report."""
from __future__ import annotations

import pytest

from archive.merge import merge
from archive.schema import open_archive
from archive.store import ObjectStore
from archive.vocab import Kind, RunStatus
from crawler import records

LISTED = "http://127.0.0.1:9/art/2023/1/20/art_2001_21.html"    # the list links this; it answers 302
PAGE = "http://127.0.0.1:9/art/2023/1/20/art_2001_21_0.html"    # the report's own page
LIST = "http://127.0.0.1:9/col/col2001/index.html"
TITLE = "测试省人民防空办公室2022年政府信息公开工作年度报告"


def worker(root, saw_listing: bool, followed_redirect: bool):
    """A worker's data dir after its share of the round: the list page (the report listed
    under the URL the list links), or the redirect and the page it led to, or both."""
    db, store = open_archive(root / "archive.db"), ObjectStore(root / "objects")
    run = records.start_run(db, "registry.csv")
    db.execute("insert or ignore into agencies (id, name) values ('hanx', '测试省人民防空办公室')")
    if saw_listing:
        records.record_listing(db, "hanx", 2022, TITLE, LISTED, LIST)
    if followed_redirect:   # as crawler/pipelines.py writes an article reached through a redirect
        sha256, _ = records.store_document(db, store, f"<html><title>{TITLE}</title></html>".encode())
        records.record_fetch(db, run_id=run, agency_id="hanx", method="GET", url=LISTED, final_url=PAGE,
                             status=200, sha256=sha256)
        rid = records.record_listing(db, "hanx", 2022, TITLE, PAGE)
        records.record_report_document(db, rid, sha256, PAGE, Kind.ARTICLE, None)
        records.set_report_url(db, rid, LISTED, PAGE)
    db.execute("update crawl_runs set status = ?, finished_at = started_at where id = ?", [RunStatus.FINISHED, run])
    db.conn.commit()
    return db, store


@pytest.mark.parametrize("order", ["lister first", "follower first"])
def test_a_report_listed_by_one_worker_and_followed_by_another_is_known_by_its_page(tmp_path, order):
    """One worker lists the report under the URL its list links; the other follows that URL's
    redirect to the report's page. Merged, the report is known by its page, as when one worker
    did both (crawler/records.set_report_url), whichever worker is merged first; its list is kept."""
    (tmp_path / "lister").mkdir()
    (tmp_path / "follower").mkdir()
    (tmp_path / "single").mkdir()
    sources = {"lister": worker(tmp_path / "lister", True, False),
               "follower": worker(tmp_path / "follower", False, True)}
    single, _ = worker(tmp_path / "single", True, True)
    target, target_store = open_archive(tmp_path / "merged.db"), ObjectStore(tmp_path / "objects")
    names = ["lister", "follower"] if order == "lister first" else ["follower", "lister"]
    for name in names:
        db, store = sources[name]
        merge(target, target_store, tmp_path, db, store, tmp_path / name)
    expected = single.execute("select id, url, list_url, title from reports").fetchall()
    assert expected == [("hanx-2022", PAGE, LIST, TITLE)]
    assert target.execute("select id, url, list_url, title from reports").fetchall() == expected
    assert target.execute("select url, kind from report_documents").fetchall() == [(PAGE, Kind.ARTICLE)]


def test_a_round_that_failed_a_document_is_partial_though_the_share_that_failed_it_saw_no_report(tmp_path):
    """The share that got the 404 saw nothing else of the site and said ``no_reports``; the share
    that saw the reports said ``ok``. Combined, the round is judged on its ledger: ``partial``,
    with the reason a single crawl gives (crawler/records.partial_message)."""
    from archive.merge import combine_sites, recount_site
    from archive.vocab import Outcome, SiteStatus, Stage
    from crawler.ledger import Ledger

    db = open_archive(tmp_path / "archive.db")
    run = records.start_run(db, "registry.csv")
    db.execute("insert into agencies (id, name) values ('trsx', '测试市人民防空办公室')")
    records.record_listing(db, "trsx", 2021, TITLE, LISTED, LIST)
    Ledger(db).record(LIST, url=LIST, run_id=run, agency_id="trsx", kind=Kind.LIST, parent=None,
                      stage=Stage.STORED, status=200, sha256="0" * 64, outcome=Outcome.NEW)
    Ledger(db).record(PAGE, url=PAGE, run_id=run, agency_id="trsx", kind=Kind.ARTICLE, parent=LIST,
                      stage=Stage.FAILED, status=404, error="HTTP 404", outcome=Outcome.FAILED)
    share = {"run_id": run, "agency_id": "trsx", "message": None, "pages": 1, "reports": 1, "docs_new": 0,
             "docs_changed": 0, "docs_unchanged": 0, "docs_gone": 0, "docs_failed": 0, "errors": 0,
             "entries_taken": 1, "entries_rejected": 0}
    combined = combine_sites([{**share, "status": SiteStatus.OK},
                              {**share, "status": SiteStatus.NO_REPORTS, "reports": 0, "docs_failed": 1,
                               "message": "no list entry was a report of this office"}])
    assert combined["status"] == SiteStatus.OK       # what the shares say, before the round is judged
    db["crawl_sites"].insert(combined)
    assert recount_site(db, run, "trsx") == {
        "reports": 1, "status": SiteStatus.PARTIAL,
        "message": f"1 document(s) could not be fetched, first: {PAGE} (HTTP 404)"}

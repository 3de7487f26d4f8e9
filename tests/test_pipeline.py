"""The whole pipeline on the sample portal: crawl over loopback, store, parse, load."""
from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys

import pytest

from archive.store import ObjectStore
from tests.helpers import FAST, REPO, renfang
from tests.helpers import q as query


def test_every_report_of_the_portal_is_found_with_its_agency_and_year(archive_dir):
    reports = dict(query(archive_dir, "select id, parse_status from reports"))
    assert reports == {
        "pzhrf-2019": "parsed",       # HTML article with tables + PDF attachment
        "pzhrf-2018": "corrupt",      # its only rendition is a truncated PDF
        "pzhrf-2017": "no_document",  # the article page answers 500
        "jxrf-2020": "parsed",        # DOCX + PDF attachments
        "jxrf-2019": "not_report",    # the wrong file was uploaded
        "jxrf-2014": "parsed",        # a pre-2019 free-text report: figures from its sentences only
    }
    agencies = dict(query(archive_dir, "select id, name from agencies"))
    assert agencies == {"pzhrf": "攀枝花市人民防空办公室", "jxrf": "江西省人民防空办公室"}


def test_distractors_are_never_downloaded(portal, archive_dir):
    paths = {path for _, _, path in portal.requests}
    assert "/zwgk/zfxxgknb/202003/t20200305_5150.html" not in paths   # 工作要点
    assert "/zwgk/zfxxgknb/201907/P020190710420000000001.pdf" not in paths  # 决算 attachment
    assert not any(p.startswith("/art/2021/7/15/") for p in paths)  # 部门决算


def test_report_renditions_are_linked_to_one_report(archive_dir):
    kinds = sorted(k for (k,) in query(
        archive_dir, "select kind from report_documents where report_id = 'pzhrf-2019'"))
    assert kinds == ["article", "pdf"]
    kinds = sorted(k for (k,) in query(
        archive_dir, "select kind from report_documents where report_id = 'jxrf-2020'"))
    assert kinds == ["article", "docx", "pdf"]
    # the GBK Content-Disposition file name is kept
    names = {n for (n,) in query(archive_dir, "select filename from report_documents where kind = 'docx'")}
    assert "江西省人民防空办公室2020年政府信息公开工作年度报告.docx" in names


def test_figures_are_loaded_with_their_source_document(archive_dir):
    rows = query(archive_dir, """select f.value, f.raw, d.media_type from facts f join documents d using (sha256)
                                 where report_id = 'pzhrf-2019' and table_name = 'disclosure'
                                 and row_code = 'licensing' and column_code = 'items_change'""")
    assert rows == [(36, "增加 36 件", "application/pdf")]
    # every printed cell of tables 二, 三 (23 rows x 7) and 四 (15) of the 2019 layout is a fact
    counts = dict(query(archive_dir, """select table_name, count(*) from facts
                                        where report_id = 'jxrf-2020' group by table_name"""))
    assert counts["applications"] == 23 * 7
    assert counts["appeals"] == 15
    assert query(archive_dir, """select value, unit from facts where report_id = 'jxrf-2020'
                                 and row_code = 'procurement' and column_code = 'amount'""") == [(3995.07, "万元")]
    # pages are known for PDF sources
    assert query(archive_dir, "select count(*) from facts where report_id = 'pzhrf-2019' and page is null") == [(0,)]


def test_failing_checks_are_recorded_with_both_sides(archive_dir):
    rows = query(archive_dir, """select key, status, lhs, rhs from checks
                                 where report_id = 'pzhrf-2019' and code = 'applications.balance' order by key""")
    assert ("natural_person", "fail", 2, 0) in rows
    assert ("total", "fail", 2, 0) in rows
    assert query(archive_dir, "select count(*) from checks where report_id = 'jxrf-2020' and status = 'fail'") == [(0,)]


def test_errors_are_recorded_and_the_run_finishes(archive_dir):
    assert query(archive_dir, "select status, error from fetches where url like '%t20180125_4001.html'") == [
        (500, "HTTP 500")]
    (message,) = query(archive_dir, "select parse_message from reports where id = 'pzhrf-2018'")[0]
    assert message
    assert "load:" in (archive_dir / "first-run.txt").read_text()


def test_every_object_hashes_to_its_name(archive_dir):
    store = ObjectStore(archive_dir / "objects")
    names = list(store)
    assert len(names) >= 10
    for name in names:
        assert hashlib.sha256(store.path(name).read_bytes()).hexdigest() == name
    assert query(archive_dir, "select count(*) from documents") == [(len(names),)]
    assert renfang("verify", "--data-dir", archive_dir).returncode == 0


TABLES = ["agencies", "documents", "reports", "report_documents", "facts", "checks", "parses", "codes"]


def snapshot(data_dir):
    conn = sqlite3.connect(data_dir / "archive.db")
    try:
        return {t: sorted(conn.execute(f"select * from {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        conn.close()


@pytest.mark.slow
def test_a_second_run_over_an_unchanged_portal_adds_nothing(registry, tmp_path):
    data_dir = tmp_path / "twice"
    renfang("run", "--registry", registry, "--data-dir", data_dir, *FAST, expect=3)   # pzhrf: a 500
    before = snapshot(data_dir)
    out = renfang("run", "--registry", registry, "--data-dir", data_dir, *FAST, expect=3).stdout
    after = snapshot(data_dir)
    assert "0 new documents" in out
    assert "0 reports written" in out
    for table in TABLES:
        if table == "documents":  # last_seen moves on; nothing else does
            assert [r[:4] for r in after[table]] == [r[:4] for r in before[table]]
        elif table in ("reports", "report_documents"):
            assert len(after[table]) == len(before[table])
        else:
            assert after[table] == before[table], table
    runs = query(data_dir, "select count(*) from crawl_runs")
    assert runs == [(2,)]
    assert query(data_dir, """select count(*) from (select run_id, method, url, count(*) n from fetches
                              group by 1, 2, 3 having n > 1)""") == [(0,)]
    # and loading again on its own changes nothing either
    renfang("load", "--data-dir", data_dir, "--jobs", "2")
    assert snapshot(data_dir)["facts"] == before["facts"]


@pytest.mark.slow
def test_scrapy_crawl_works_from_the_checkout(registry, tmp_path):
    data_dir = tmp_path / "scrapy"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"registry={registry}", "-a", "site=jxrf",
         "-s", f"RENFANG_DATA_DIR={data_dir}", *FAST],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert query(data_dir, "select count(*) from crawl_runs where status = 'finished'") == [(1,)]
    kinds = {k for (k,) in query(data_dir, "select kind from report_documents")}
    assert {"article", "docx"} <= kinds

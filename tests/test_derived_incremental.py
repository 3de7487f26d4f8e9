"""Derived data refreshed report by report equals derived data rebuilt whole (issue 24, point 1).

Two crawl rounds of the test portals, each loaded incrementally as `renfang run` does (round 2:
trsx's 2023 report added, its 2022 PDF changed under the same URL, hanx's 2021 report gone), then
revisions made in SQL as a user or a merge could (a title, an office renamed, a file name),
loaded again; and the sample portal's archive with figures, given two reports of 洪泽区 (the real
PDF: a cross-year check), a second version of one of them and a report gone; every derived table (wide tables, report
overview, search documents and the full-text index itself, cross-year checks, version figures
(none here: the test portals' changed PDF has no tables; tests/test_reliability_versions.py
parses versions), change log) and the views over them must then be exactly what `renfang load --rebuild-derived`
makes from the archive's own tables.
"""
from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from tests.helpers import HONGZE_PDF, ONLY_REGISTRY, renfang
from tests.portals import sites

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

# every derived table and view, with the columns that identify a row (search_docs.id is a rowid
# the full-text index keys on: compared through the report it belongs to)
DERIVED = {
    "applications_wide": "*", "disclosure_wide": "*", "appeals_wide": "*", "report_overview": "*",
    "change_log": "*", "checks": "*", "version_facts": "*",
    "search_docs": "report_id, sha256, title, text",
    "version_changes": "*", "failing_checks": "*", "coverage": "*",
    "coverage_offices": "*", "coverage_cells": "*", "missing_reports": "*", "national_coverage": "*",
}


def snapshot(db_path) -> dict:
    conn = sqlite3.connect(db_path)
    try:
        out = {name: sorted(conn.execute(f"select {columns} from {name}").fetchall(), key=repr)
               for name, columns in DERIVED.items()}
        # the full-text index as it is stored: every term of every document, where it occurs
        conn.execute("create virtual table temp.terms using fts5vocab('main', 'search_bigrams', 'instance')")
        out["search_bigrams"] = sorted(conn.execute(
            """select d.report_id, t.term, t.col, t."offset" from temp.terms t
               join search_docs d on d.id = t.doc""").fetchall())
        out["queue"] = conn.execute("select count(*) from derived_queue").fetchone()[0]
        return out
    finally:
        conn.close()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("incremental")
    data = tmp / "data"
    portal = sites.start()
    try:
        registry = sites.write_registry(portal, tmp / "registry.csv", ids=["trsx", "hanx"])
        for rnd, now in ((1, "2024-03-01"), (2, "2024-03-02")):
            sites.build(portal, rnd)
            renfang("run", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, "--now", now, expect=3)
    finally:
        portal.stop()
    # each run left the files as it recorded them: the next writer trusts them (no integrity_check
    # of the whole file: archive/fixity.py writer_damage)
    from archive.fixity import _file_state

    assert json.loads((data / "archive.db.checked").read_text()) == _file_state(data / "archive.db")
    return data


def test_incremental_derived_data_equals_a_full_rebuild(loaded, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(loaded, data)
    db = data / "archive.db"
    after_crawls = snapshot(db)
    # the crawls made every kind of derived row
    changes = {c for (_, c, *_) in after_crawls["change_log"]}
    assert changes == {"added", "changed", "gone"}, after_crawls["change_log"]
    assert after_crawls["search_bigrams"] and after_crawls["report_overview"]
    assert after_crawls["queue"] == 0

    # revisions, as SQL (a merge, a user) makes them: a retitled report, a renamed office, a
    # document's file name corrected (reports are never deleted: gone is a state, and foreign
    # keys refuse a report's deletion while its search document exists)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("pragma foreign_keys = on")
        conn.execute("update reports set title = title || '（修订）' where id = 'trsx-2021'")
        conn.execute("update agencies set name = name || '（国防动员办公室）' where id = 'hanx'")
        # the registry gives an office an earlier first year: its coverage cells (triggers) follow
        conn.execute("update agencies set since = 2015 where id = 'trsx'")
        conn.execute("update report_documents set filename = 'renamed.pdf' where report_id = 'trsx-2019'")
    queued = {r for (r,) in conn.execute("select report_id from derived_queue")}
    conn.close()
    assert {"trsx-2021", "trsx-2019", "hanx-2022", "hanx-2023"} <= queued
    out = renfang("load", "--data-dir", data).stdout
    assert "0 documents parsed" in out
    incremental = snapshot(db)
    assert incremental["queue"] == 0
    assert [r for r in incremental["report_overview"] if r[0] == "trsx-2021"][0][6].endswith("（修订）")
    assert all("（国防动员办公室）" in r[1] for r in incremental["report_overview"] if r[0].startswith("hanx-"))
    assert min(r[5] for r in incremental["coverage_cells"] if r[0] == "trsx") == 2015

    # a load with nothing new changes nothing
    assert "0 reports written" in renfang("load", "--data-dir", data).stdout
    assert snapshot(db) == incremental

    assert_rebuild_gives(data, incremental)


def assert_rebuild_gives(data, incremental: dict) -> None:
    renfang("load", "--data-dir", data, "--rebuild-derived")
    rebuilt = snapshot(data / "archive.db")
    for name in incremental:
        assert rebuilt[name] == incremental[name], name


def crawl_hongze(data, year: int, run: int, body: bytes, when: str) -> None:
    """What a crawl run that fetched 洪泽区's report of ``year`` writes (its fetch dated in ``run``)."""
    from types import SimpleNamespace

    from crawler import records
    from archive.schema import open_archive
    from archive.store import ObjectStore

    db = open_archive(data / "archive.db")
    with db.atomic():
        db.execute("insert into crawl_runs (id, started_at, finished_at, status) values (?, ?, ?, 'finished') "
                   "on conflict do nothing", [run, when, when])
    records.upsert_agency(db, SimpleNamespace(id="hzq", name="淮安市洪泽区人民政府", aliases=(), level="county",
                                              province="江苏", url="http://127.0.0.1:1/", cms=""))
    rid = records.record_listing(db, "hzq", year, f"淮安市洪泽区人民政府{year}年政府信息公开工作年度报告",
                                 f"http://127.0.0.1:1/hzq/{year}.html")
    sha, _ = records.store_document(db, ObjectStore(data / "objects"), body)
    url = f"http://127.0.0.1:1/hzq/{year}.pdf"
    with db.atomic():
        db.execute("insert into fetches (run_id, agency_id, url, status, fetched_at, sha256) values (?, 'hzq', ?, 200, ?, ?)",
                   [run, url, when, sha])
    records.record_report_document(db, rid, sha, url, "pdf", f"{year}.pdf")
    db.close()


def test_figures_versions_and_cross_year_checks_refreshed_per_report_equal_a_rebuild(archive_dir, tmp_path):
    """The sample portal's archive (figures), then 洪泽区 2022 and 2023 (the real PDF: a cross-year
    check between them), its 2023 PDF re-uploaded at the same URL a run later (two versions),
    one report gone during that run and one retitled; each step loaded as a crawl's load would be."""
    import time

    data = tmp_path / "data"
    shutil.copytree(archive_dir, data)
    pdf = HONGZE_PDF.read_bytes()
    crawl_hongze(data, 2022, 901, pdf + b"\n% 2022\n", "2025-03-01T12:00:00+00:00")
    crawl_hongze(data, 2023, 901, pdf, "2025-03-01T12:00:00+00:00")
    renfang("load", "--data-dir", data)
    time.sleep(1.1)  # a later first_seen for the re-upload
    crawl_hongze(data, 2023, 902, pdf + b"\n% re-uploaded\n", "2025-03-02T12:00:00+00:00")
    renfang("load", "--data-dir", data)
    conn = sqlite3.connect(data / "archive.db")
    with conn:
        conn.execute("update reports set title = title || '（修订）' where id = 'jxrf-2020'")
        conn.execute("update reports set gone_since = '2025-03-02T12:00:00+00:00' where id = 'pzhrf-2019'")
    conn.close()
    renfang("load", "--data-dir", data)
    incremental = snapshot(data / "archive.db")
    assert incremental["queue"] == 0
    assert any(c[0] == "hzq-2023" and c[1] == "applications.carry_chain" for c in incremental["checks"])
    assert {v[0] for v in incremental["version_facts"]} and incremental["applications_wide"]
    assert ("hzq-2023", "changed") in {(c[2], c[1]) for c in incremental["change_log"]}
    assert ("pzhrf-2019", "gone") in {(c[2], c[1]) for c in incremental["change_log"]}
    assert_rebuild_gives(data, incremental)

"""Derived data refreshed report by report equals derived data rebuilt whole (issue 24, point 1).

Two crawl rounds of the test portals, each loaded incrementally as `renfang run` does (round 2:
trsx's 2023 report added, its 2022 PDF changed under the same URL, hanx's 2021 report gone), then
a revision and a deletion made in SQL as a user or a merge could (a title, an office renamed, a
report deleted with its documents), loaded again; every derived table (wide tables, report
overview, search documents and the full-text index itself, cross-year checks, version figures,
change log) and the views over them must then be exactly what `renfang load --rebuild-derived`
makes from the archive's own tables.
"""
from __future__ import annotations

import shutil
import sqlite3

import pytest

from tests.helpers import ONLY_REGISTRY, renfang
from tests.portals import sites

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

# every derived table and view, with the columns that identify a row (search_docs.id is a rowid
# the full-text index keys on: compared through the report it belongs to)
DERIVED = {
    "applications_wide": "*", "disclosure_wide": "*", "appeals_wide": "*", "report_overview": "*",
    "change_log": "*", "checks": "*", "version_facts": "*",
    "search_docs": "report_id, sha256, title, text",
    "version_changes": "*", "failing_checks": "*", "coverage": "*",
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
    return data


def test_incremental_derived_data_equals_a_full_rebuild(loaded, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(loaded, data)
    db = data / "archive.db"
    after_crawls = snapshot(db)
    # the crawls made every kind of derived row
    changes = {c for (_, c, *_) in after_crawls["change_log"]}
    assert changes == {"added", "changed", "gone"}, after_crawls["change_log"]
    assert after_crawls["version_facts"] and after_crawls["version_changes"] and after_crawls["search_bigrams"]
    assert any(c[1] == "applications.carry_chain" for c in after_crawls["checks"])
    assert after_crawls["queue"] == 0

    # revisions and a deletion, as SQL (a merge, a user) makes them
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("pragma foreign_keys = on")
        conn.execute("update reports set title = title || '（修订）' where id = 'trsx-2021'")
        conn.execute("update agencies set name = name || '（国防动员办公室）' where id = 'hanx'")
        deleted = "hanx-2022"
        for table in ("facts", "checks", "report_documents"):
            conn.execute(f"delete from {table} where report_id = ?", [deleted])
        conn.execute("delete from reports where id = ?", [deleted])
    queued = {r for (r,) in conn.execute("select report_id from derived_queue")}
    conn.close()
    assert {"trsx-2021", deleted, "hanx-2023"} <= queued
    out = renfang("load", "--data-dir", data).stdout
    assert "0 documents parsed" in out
    incremental = snapshot(db)
    assert incremental["queue"] == 0
    assert not [r for r in incremental["report_overview"] if r[0] == deleted]
    assert [r for r in incremental["report_overview"] if r[0] == "trsx-2021"][0][6].endswith("（修订）")
    assert all("（国防动员办公室）" in r[1] for r in incremental["report_overview"] if r[0].startswith("hanx-"))

    # a load with nothing new changes nothing
    assert "0 reports written" in renfang("load", "--data-dir", data).stdout
    assert snapshot(db) == incremental

    renfang("load", "--data-dir", data, "--rebuild-derived")
    rebuilt = snapshot(db)
    for name in incremental:
        assert rebuilt[name] == incremental[name], name

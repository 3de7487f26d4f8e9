"""The coverage view and a report gone from its portal, through a running Datasette (issue 6).

A real crawl in two rounds (the test portals of tests/portals, Hanweb site ``hanx`` only): in round
2 the portal no longer lists its 2021 report and the pages 404, so the crawler marks the report
and its documents ``gone_since``. After `renfang load` the archive is served by `renfang serve`
and the coverage view, the coverage page, the report's versions and the archived originals are
read through the JSON API and the HTML, as a researcher would.
"""
from __future__ import annotations

import hashlib
from markupsafe import escape    # as the templates escape
import sqlite3
from datetime import date, datetime

import pytest

from archive.datadir import DataDir
from archive.gaps import NO_REPORT
from archive.views import coverage_sql
from tests.helpers import ONLY_REGISTRY, Site, renfang, start_datasette, stop_datasette
from tests.portals import sites

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"



@pytest.fixture(scope="module")
def gone_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("coverage")
    portal = sites.start()
    try:
        registry = sites.write_registry(portal, root / "registry.csv", ids=["hanx"])
        data = root / "data"
        # the test portal's hanx lists 2021–2023 and nothing after: by the calendar each later year
        # due is a gap (archive/gaps.py), so the site is missing_years and the crawl exits 3
        proc = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, expect=3)
        assert "hanx: missing_years, " in proc.stdout and "(missing years: 2024 no report archived or listed" in proc.stdout
        conn = sqlite3.connect(DataDir(data).db)
        round1 = conn.execute("select id, gone_since from reports order by id").fetchall()
        conn.close()
        sites.build(portal, 2)          # the 2021 公告 leaves the list; its pages answer 404
        # one report fewer than last run: the crawl says so (status fewer_reports, exit 3)
        renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, expect=3)
    finally:
        portal.stop()                   # the portal is gone: everything below comes from the archive
    renfang("load", "--data-dir", data)
    proc, base = start_datasette(data)
    try:
        yield Site(base, data), round1
    finally:
        stop_datasette(proc)


def test_the_second_round_marked_the_vanished_report_gone(gone_site):
    site, round1 = gone_site
    assert round1 == [("hanx-2021", None), ("hanx-2022", None), ("hanx-2023", None)]
    reports = {r["id"]: r for r in site.rows("/archive/reports.json")}
    assert reports["hanx-2021"]["gone_since"] is not None
    assert reports["hanx-2022"]["gone_since"] is None and reports["hanx-2023"]["gone_since"] is None
    docs = site.rows("/archive/report_documents.json", report_id="hanx-2021")
    assert sorted(d["kind"] for d in docs) == ["article", "pdf"] and all(d["gone_since"] for d in docs)


def test_coverage_view_shows_gone_archived_and_missing(gone_site):
    site, _ = gone_site
    rows = {(r["agency_id"], r["year"]): r for r in site.rows("/archive/coverage.json", _size="max")}
    status = {year: r["status"] for (_, year), r in rows.items()}
    today = date.today()
    last = today.year - 1                      # the last completed year
    assert sorted(status) == list(range(2021, last + 1))
    assert status[2021] == "gone" and rows[("hanx", 2021)]["gone_since"]
    # the test portal's PDFs are placeholders no PDF reader opens: archived, but unreadable
    assert rows[("hanx", 2022)]["parse_status"] == "corrupt"
    assert status[2022] == "unreadable" and status[2023] == "unreadable"
    for year in range(2024, last + 1):
        assert rows[("hanx", year)]["deadline"] == f"{year + 1}-01-31"
        assert status[year] == ("not_due" if today.isoformat() <= f"{year + 1}-01-31" else "missing")
    # the canned query of missing reports lists the gone one too (the portal no longer has it)
    missing = {(r["agency_id"], r["year"]): r["status"] for r in site.rows("/archive/missing_reports.json")}
    assert missing[("hanx", 2021)] == "gone" and missing[("hanx", 2022)] == "unreadable"
    # the coverage page: one coloured cell per office × year, linking the printed report
    _, _, html = site.get("/-/coverage")
    html = html.decode()
    # every year due without a readable report is a gap of hanx's calendar (archive/gaps.py): the
    # unreadable ones (the load read them) with the parser's reason, the missing with "no report"
    reason = {year: rows[("hanx", year)]["gap_reason"] for year in status}
    assert reason[2021].startswith("corrupt: ") and reason[2022].startswith("corrupt: ")
    assert all(reason[year] == NO_REPORT for year in range(2024, last + 1) if status[year] == "missing")
    assert (f'<td class="st gone gap" data-gap="{escape(reason[2021])}" title="2021: archived, then removed from '
            f'the portal 已下线 (corrupt) · deadline 2022-01-31 · gap 缺失: {escape(reason[2021])}">'
            '<a href="/-/report/hanx-2021">gone</a></td>') in html
    assert (f'<td class="st unreadable gap" data-gap="{escape(reason[2022])}" title="2022: archived, but the '
            f'document cannot be read 已存档但无法读取 (corrupt) · deadline 2023-01-31 · gap 缺失: {escape(reason[2022])}">'
            '<a href="/-/report/hanx-2022">unreadable</a></td>') in html
    assert (f'<td class="st missing gap" data-gap="{NO_REPORT}" title="2024: deadline passed, no report found 缺失 '
            f'· deadline 2025-01-31 · gap 缺失: {NO_REPORT}">missing</td>') in html
    assert f'<span class="gap-year" data-year="2024">2024: {NO_REPORT}</span>' in html
    assert '<strong class="count-gone">1</strong>' in html and '<strong class="count-unreadable">2</strong>' in html


def test_the_gone_report_is_still_downloadable_from_the_archive(gone_site):
    site, _ = gone_site
    docs = site.rows("/archive/report_documents.json", report_id="hanx-2021")
    for doc in docs:   # the exact bytes (?raw=1: an archived page is otherwise shown with its links rewritten)
        status, headers, body = site.get("/-/documents/" + doc["sha256"], raw=1)
        assert status == 200 and hashlib.sha256(body).hexdigest() == doc["sha256"]
        assert headers["X-Content-SHA256"] == doc["sha256"]
    pdf = next(d for d in docs if d["kind"] == "pdf")
    assert site.get("/-/documents/" + pdf["sha256"])[2] == sites.pdf("hanx 2021")
    # the report's page lists its versions, gone since when, each linked to the archived bytes
    data = site.json("/-/report/hanx-2021.json")
    versions = {v["kind"]: v for v in data["versions"]}
    assert set(versions) == {"article", "pdf"}
    for v in versions.values():
        assert v["gone_since"] and not v["current"] and v["archive_url"] == "/-/documents/" + v["sha256"]
        assert datetime.fromisoformat(v["gone_since"]) >= datetime.fromisoformat(v["first_seen"])
    _, _, html = site.get("/-/report/hanx-2021")
    html = html.decode()
    assert f'<a class="sha" href="/-/documents/{pdf["sha256"]}">' in html
    assert f'<td class="gone-since">{versions["pdf"]["gone_since"]}</td>' in html


def test_coverage_deadline_is_31_january_of_the_next_year(gone_site):
    """The status of a year without a report turns from not_due to missing after 31 January."""
    site, _ = gone_site
    conn = sqlite3.connect(DataDir(site.data_dir).db)

    def status_on(today: str) -> dict:
        return {y: s for y, s in conn.execute(
            f"select year, status from ({coverage_sql(today)}) where agency_id = 'hanx'")}

    on_deadline, after = status_on("2025-01-31"), status_on("2025-02-01")
    assert max(on_deadline) == max(after) == 2024          # up to the last completed year
    assert on_deadline[2024] == "not_due" and after[2024] == "missing"
    assert on_deadline[2021] == after[2021] == "gone"
    assert on_deadline[2023] == "unreadable"
    # a report filed in a year not yet due has its state all the same (years reach the latest report)
    assert status_on("2023-06-01") == {2021: "gone", 2022: "unreadable", 2023: "unreadable"}
    with pytest.raises(ValueError):
        coverage_sql("2025-01-31'; drop table reports; --")

"""Who publishes a report: a renamed office's names become aliases of one agency (agencies.aliases),
and a provincial portal listing every department's reports yields only the office's, by its
registry hint: the office's names alone decide (tests/portals/offices.py)."""
from __future__ import annotations

import json

import pytest

from crawler import records
from archive.schema import open_archive
from crawler.registry import Site
from tests.helpers import ONLY_REGISTRY, q, renfang
from tests.portals import offices

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    root = tmp_path_factory.mktemp("offices")
    portal = offices.start()
    try:
        registry = offices.write_registry(portal, root / "registry.csv")
        data = root / "data"
        # provx and renamex publish up to 2024: by the calendar (archive/gaps.py) their 2025 report,
        # due 31 January 2026, is a gap, so they are missing_years and the crawl exits 3
        out1 = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, timeout=120,
                       expect=3).stdout
        hits1 = list(portal.hits)
        aliases1 = dict(q(data, "select id, aliases from agencies"))
        portal.clear()
        out2 = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, "--fresh",
                       timeout=120, expect=3).stdout
        yield dict(data=data, hits=hits1, aliases1=aliases1, out1=out1, out2=out2,
                   base={sid: portal.url(sid) for sid in offices.BUILDERS})
    finally:
        portal.stop()


# ---------------------------------------------------------------------- aliases from report titles
def test_a_renamed_office_keeps_one_agency_id(crawl):
    data = crawl["data"]
    assert q(data, "select id, agency_id from reports where agency_id = 'renamex' order by year") == [
        ("renamex-2021", "renamex"), ("renamex-2022", "renamex"), ("renamex-2023", "renamex"),
        ("renamex-2024", "renamex")]
    assert q(data, "select title from reports where id = 'renamex-2024'") == [
        (f"{offices.RENAMED}2024年政府信息公开工作年度报告",)]
    assert q(data, "select name from agencies where id = 'renamex'") == [(offices.RENAMEX,)]
    assert q(data, "select count(*) from agencies") == [(2,)]   # no agency made of the new name


def test_publishing_names_in_titles_and_pages_become_aliases(crawl):
    aliases = json.loads(crawl["aliases1"]["renamex"])
    assert len(aliases) == len(set(aliases))                 # deduplicated
    assert set(aliases) == {
        "测试省人防办",                  # from the registry, and printed in the 2022 公告's title
        offices.RENAMED,                 # the newest report's title (in the list and on its page)
        "测试省人民防空局",              # printed only on the 2021 report's page (the list gives no name)
    }
    assert offices.RENAMEX not in aliases                    # its own name is not an alias of itself
    assert json.loads(crawl["aliases1"]["provx"]) == [offices.PROVX_RENAMED]


def test_learnt_aliases_survive_the_next_run(crawl):
    # the registry is read again at the start of every run: what titles taught is kept, once
    assert q(crawl["data"], "select count(*) from crawl_runs") == [(2,)]
    aliases = json.loads(q(crawl["data"], "select aliases from agencies where id = 'renamex'")[0][0])
    assert sorted(aliases) == sorted(json.loads(crawl["aliases1"]["renamex"]))


def test_add_agency_alias_takes_only_office_names(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    records.upsert_agency(db, Site("x", "某省人民防空办公室", "province", "某省", "http://x.gov.cn/",
                                   aliases=("某省人防办",)))
    assert records.add_agency_alias(db, "x", "某省人民政府国防动员办公室")
    assert not records.add_agency_alias(db, "x", "某省人民政府国防动员办公室")   # already there
    assert not records.add_agency_alias(db, "x", "某省人防办")                   # from the registry
    assert not records.add_agency_alias(db, "x", "某省人民防空办公室")           # its own name
    assert not records.add_agency_alias(db, "x", "某省人民政府办公厅")           # not a 人防 office
    assert not records.add_agency_alias(db, "x", None)
    assert not records.add_agency_alias(db, "nosuch", "某市人防办")
    assert json.loads(db["agencies"].get("x")["aliases"]) == ["某省人防办", "某省人民政府国防动员办公室"]
    db.close()


# ---------------------------------------------------------------------- a provincial portal, no hint
def test_only_the_offices_reports_are_taken_from_a_provincial_portal(crawl):
    data, hits = crawl["data"], crawl["hits"]
    assert {r for (r,) in q(data, "select id from reports where agency_id = 'provx'")} == {
        "provx-2024", "provx-2023", "provx-2022"}
    col = "/zfxxgk/zfxxgknb/"
    requested = {h.path for h in hits if h.site == "provx"}
    office = {col + href[2:] for href in offices.PROVX_OFFICE}
    others = {col + href[2:] for entries in offices.PROVX_LISTS for _, href in entries} - office
    assert office <= requested                      # every report of the office, both list pages
    assert not others & requested                   # no other department's report, no 法治政府 report
    assert {col + "index_1.html", "/", "/zfxxgk/"} <= requested
    for path in office:
        assert path[:-5] + ".pdf" in requested
    urls = [u for (u,) in q(data, "select rd.url from report_documents rd join reports r on r.id = rd.report_id "
                                  "where r.agency_id = 'provx'")]
    assert len(urls) == 6 and all(u.rsplit("/", 1)[1].split(".")[0] in {
        h.rsplit("/", 1)[1][:-5] for h in offices.PROVX_OFFICE} for u in urls)
    assert q(data, "select status, reports from crawl_sites where run_id = 1 and agency_id = 'provx'") == [
        ("missing_years", 3)]      # every page fetched; the years after its last report are gaps


# ---------------------------------------------------------------------- registry hints
def test_registry_hints_override_detection_and_bad_hints_stop_the_crawl_before_any_request(tmp_path):
    from tests.portals import sites
    portal = sites.start()
    try:
        registry = sites.write_registry(portal, tmp_path / "hints.csv", ids=["hintx", "trsx"], hints=True)
        data = tmp_path / "data"
        # trsx: cms=trs_wcm (only the TRS strategies); hintx: column_url + list_selector
        out = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, expect=3).stdout
        assert {r for (r,) in q(data, "select id from reports")} == {
            "hintx-2022", "trsx-2022", "trsx-2021", "trsx-2020", "trsx-2019"}
        assert "hintx: missing_years" in out      # its one report (2022): the later years due are gaps
        portal.clear()
        bad = tmp_path / "bad.csv"
        bad.write_text("id,name,level,province,url,title_filter,list_selector\n"
                       f"plainx,测试区人民防空办公室,district,湖北,{portal.url('plainx')},,\n"
                       f"badx,坏市人民防空办公室,city,四川,{portal.url('trsx')},[unclosed,\n", encoding="utf-8")
        proc = renfang("crawl", "--registry", bad, "--data-dir", tmp_path / "bad", *ONLY_REGISTRY, check=False)
        assert proc.returncode == 1
        assert "title_filter is not a valid regular expression" in proc.stderr and "bad.csv:3" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert portal.hits == []                     # checked before any request
    finally:
        portal.stop()

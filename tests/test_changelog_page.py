"""The change log at scale (issue 24, point 2; issue 23's items on /-/changes): the page and its
feed read the indexed ``change_log`` table a page at a time, newest run first, filtered by run or
office; a failing check of a new version is said in words with its figures as printed (17, not
17.0); a run number no integer holds is a 400, not a 500. And every canned query for which
Datasette offers an .atom link answers it (new_reports did 400).

The archive is written directly (no crawl): 450 reports added in run 1, one of them changed in
run 2 (a new version at the same URL, whose balance fails) and one gone in run 2.
"""
from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from tests.helpers import REPO, start_datasette, stop_datasette

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

ATOM = "{http://www.w3.org/2005/Atom}"
HUGE = "9" * 30
COLUMNS = ("natural_person", "commercial", "research", "social_org", "legal_services", "other_org", "total")


def _archive(data):
    from archive.derived import refresh_derived
    from archive.schema import open_archive

    data.mkdir()
    db = open_archive(data / "archive.db")
    stamp = "2024-03-0{}T12:00:00+00:00"
    with db.atomic():
        db.execute("insert into crawl_runs (id, started_at, finished_at, status) values (1, ?, ?, 'finished'), "
                   "(2, ?, ?, 'finished')", [stamp.format(1), stamp.format(1), stamp.format(2), stamp.format(2)])
        for n in range(150):
            db.execute("insert into agencies (id, name, level, province) values (?, ?, 'county', '江苏')",
                       [f"o{n:03d}", f"测试{n}县人民防空办公室"])
            for year in (2021, 2022, 2023):
                rid, sha, url = f"o{n:03d}-{year}", f"{n:03d}{year}".ljust(64, "a"), f"http://o{n:03d}.gov.cn/{year}.pdf"
                db.execute("insert into documents (sha256, size, media_type, first_seen, last_seen) "
                           "values (?, 1, 'application/pdf', ?, ?)", [sha, stamp.format(1), stamp.format(1)])
                db.execute("insert into reports (id, agency_id, year, title, url, parse_status, source_sha256, "
                           "first_seen, last_seen) values (?, ?, ?, ?, ?, 'parsed', ?, ?, ?)",
                           [rid, f"o{n:03d}", year, f"{year}年报告", url, sha, stamp.format(1), stamp.format(1)])
                db.execute("insert into report_documents (report_id, sha256, url, kind, first_seen, last_seen) "
                           "values (?, ?, ?, 'pdf', ?, ?)", [rid, sha, url, stamp.format(1), stamp.format(1)])
                db.execute("insert into fetches (run_id, agency_id, url, status, fetched_at, sha256) "
                           "values (1, ?, ?, 200, ?, ?)", [f"o{n:03d}", url, stamp.format(1), sha])
        # run 2: o007-2022 has a new version at the same URL, its balance failing; o008-2021 is gone
        new = "b" * 64
        db.execute("insert into documents (sha256, size, media_type, first_seen, last_seen) "
                   "values (?, 1, 'application/pdf', ?, ?)", [new, stamp.format(2), stamp.format(2)])
        db.execute("insert into report_documents (report_id, sha256, url, kind, first_seen, last_seen) "
                   "values ('o007-2022', ?, 'http://o007.gov.cn/2022.pdf', 'pdf', ?, ?)",
                   [new, stamp.format(2), stamp.format(2)])
        db.execute("insert into fetches (run_id, agency_id, url, status, fetched_at, sha256) "
                   "values (2, 'o007', 'http://o007.gov.cn/2022.pdf', 200, ?, ?)", [stamp.format(2), new])
        db.execute("update reports set source_sha256 = ? where id = 'o007-2022'", [new])
        cells = {"received": 17, "carried_over": 0, "total_handled": 16, "carried_forward": 0, "granted": 16}
        for row, value in cells.items():
            for column in COLUMNS:
                db.execute("insert into facts (report_id, table_name, row_code, column_code, value, raw, sha256) "
                           "values ('o007-2022', 'applications', ?, ?, ?, ?, ?)",
                           [row, column, value if column in ("natural_person", "total") else 0,
                            str(value), new])
        for column in ("natural_person", "total"):
            db.execute("insert into checks (report_id, code, key, status, lhs, rhs) "
                       "values ('o007-2022', 'applications.balance', ?, 'fail', 17, 16)", [column])
        db.execute("update reports set gone_since = ? where id = 'o008-2021'", ["2024-03-02T12:00:00+00:00"])
        db.execute("insert into derived_queue (report_id) values ('o007-2022') on conflict do nothing")
    refresh_derived(db, data)
    # the planner's statistics say facts is too large to count in a request (renfang_counts.py)
    db.execute("update main.sqlite_stat1 set stat = '2000000' || substr(stat, instr(stat || ' ', ' ')) "
               "where tbl in ('facts', 'checks')")
    db.conn.commit()
    db.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("changes") / "data"
    _archive(data)
    proc, base = start_datasette(data)
    try:
        yield base
    finally:
        stop_datasette(proc)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def entries(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr class="change-(\w+)"><td>\w+</td><td><a href="/-/report/([\w-]+)">', page)


def test_the_change_log_is_paged_newest_run_first(site):
    status, page = get(site + "/-/changes")
    assert status == 200
    assert "452 change(s), page 1 of 3 (200 a page)" in page
    first = entries(page)
    assert first[:2] == [("changed", "o007-2022"), ("gone", "o008-2021")] and len(first) == 200
    second, third = entries(get(site + "/-/changes?page=2")[1]), entries(get(site + "/-/changes?page=3")[1])
    assert len(second) == 200 and len(third) == 52
    assert len({e for e in first + second + third}) == 452
    assert {c for c, _ in second + third} == {"added"}
    assert 'href="/-/changes?page=2"' in page and 'href="/-/changes?page=2"' in get(site + "/-/changes?page=3")[1]
    # a page past the end is an empty page, not an error
    status, past = get(site + "/-/changes?page=" + "9" * 12)
    assert status == 200 and entries(past) == [] and "452 change(s)" in past


def test_the_change_log_by_run_and_by_office(site):
    run2 = entries(get(site + "/-/changes?run=2")[1])
    assert run2 == [("changed", "o007-2022"), ("gone", "o008-2021")]
    office = entries(get(site + "/-/changes?office=o007")[1])
    assert office == [("changed", "o007-2022"), ("added", "o007-2021"), ("added", "o007-2022"),
                      ("added", "o007-2023")]
    feed = ET.fromstring(get(site + "/-/changes.atom?office=o008")[1])
    assert [e.find(ATOM + "title").text for e in feed.iter(ATOM + "entry")] == [
        "gone 已下线: 测试8县人民防空办公室 2021 (o008-2021)", "new report 新增: 测试8县人民防空办公室 2021 (o008-2021)",
        "new report 新增: 测试8县人民防空办公室 2022 (o008-2022)", "new report 新增: 测试8县人民防空办公室 2023 (o008-2023)"]


def test_a_run_number_no_integer_holds_is_a_400(site):
    for path in (f"/-/changes?run={HUGE}", f"/-/changes.atom?run={HUGE}", "/-/changes?run=x",
                 f"/-/changes?page={HUGE}"):
        status, body = get(site + path)
        assert status == 400, (path, status)
        assert "Traceback" not in body


def test_failing_checks_of_a_new_version_are_said_in_words_with_integers(site):
    page = html.unescape(get(site + "/-/changes?run=2")[1])
    checks = page[page.index("New failing checks"):]
    assert "applications.balance" not in checks and "natural_person" not in checks
    # the report page's sentence, the rule of the check, both sides as printed
    assert "自然人: 一、本年新收 + 二、上年结转 = 17" in checks and "but （七）总计 + 四、结转下年度 = 16" in checks
    assert "每列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度" in checks
    assert "<td>17</td><td>16</td>" in checks and "17.0" not in page and "16.0" not in page
    row = re.search(r'<tr class="change-changed">.*?</tr>', page, re.S).group(0)
    assert row.endswith("<td>2</td></tr>")  # its failing checks, a count


def test_every_canned_query_offering_an_atom_feed_serves_it(site):
    meta = json.loads((REPO / "archive" / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    offered = []
    for name in meta["databases"]["archive"]["queries"]:
        status, page = get(f"{site}/archive/{name}")
        assert status == 200, name
        for link in re.findall(r'href="(/archive/' + name + r'\.atom[^"]*)"', page):
            offered.append(name)
            status, feed = get(site + html.unescape(link))
            assert status == 200, (name, feed[:300])
            assert ET.fromstring(feed.encode()).tag == ATOM + "feed"
    assert "new_reports" in offered
    feed = ET.fromstring(get(site + "/archive/new_reports.atom")[1].encode())
    first = next(feed.iter(ATOM + "entry"))
    assert first.find(ATOM + "id").text.startswith("urn:renfang-archive:report:")


def test_a_table_too_large_to_count_is_served_without_its_count(site):
    import json as json_

    for path in ("/archive/facts.json", "/archive/facts.json?table_name=applications"):
        data = json_.loads(get(site + path)[1])
        assert data["filtered_table_rows_count"] is None and data["rows"], path
    assert json_.loads(get(site + "/archive/reports.json")[1])["filtered_table_rows_count"] == 450
    status, page = get(site + "/archive/facts")
    assert status == 200 and "o007-2022" in page


def test_a_table_too_large_to_count_is_served_without_its_facets_unless_asked(site):
    import json as json_

    # checks has a status facet in the metadata (archive/site_metadata.py FACETS)
    assert json_.loads(get(site + "/archive/checks.json")[1])["facet_results"] == {}
    asked = json_.loads(get(site + "/archive/checks.json?_facet=status")[1])["facet_results"]
    assert {f["value"]: f["count"] for f in asked["status"]["results"]}["fail"] == 2
    # a table the statistics call small keeps its facets
    assert "year" in json_.loads(get(site + "/archive/reports.json")[1])["facet_results"]


def test_the_database_page_counts_small_tables_and_shows_large_ones_from_the_statistics(site):
    status, page = get(site + "/archive")
    assert status == 200
    assert re.search(r"<strong>reports</strong></a> <span class=\"count\">450 rows</span>", page)
    assert re.search(r"<strong>facts</strong></a> <span class=\"count\" title=\"[^\"]*\">≈ 2,000,000 rows</span>",
                     page)

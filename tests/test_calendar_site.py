"""Honesty by calendar on a real crawl (issue 19, acceptance 4): a static test site whose
annual-report column lists every year but one between its first and the last year due. Crawled
by `renfang run` from a bare registry: the site is not ``ok`` (``missing_years``), the gap is
named in ``crawl_sites`` and in the summary, the exit code is 3, `--explain` ends with the
calendar, and the coverage page of a real `renfang serve` marks the gap cell with its reason."""
from __future__ import annotations

import html as markup
import json
import re
from datetime import date
from pathlib import Path

import pytest

from archive.gaps import NO_REPORT, last_due_year
from archive.vocab import SiteStatus
from crawler.run import EXIT_SITES_NOT_OK
from tests.helpers import ONLY_REGISTRY, SHARED, Site, q, renfang, start_datasette, stop_datasette
from tests.portals import server as portal_server
from tests.portals.server import Page
from tests.portals.sites import html

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

NAME = "江西省人民防空办公室"
# the years are those due on the day the test runs (the crawl judges on the real clock)
LAST = last_due_year(date.today())
FIRST, GAP = LAST - 3, LAST - 1
PUBLISHED = [y for y in range(FIRST, LAST + 1) if y != GAP]


def report_page(year: int) -> bytes:
    """A report published as its article page: a real report's text (seed 004) for ``year``."""
    text = next((SHARED / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")
    text = text.replace("2020 年", f"{year} 年").replace("2020年", f"{year}年")
    body = "<div class='content'>" + "".join(f"<p>{markup.escape(line)}</p>" for line in text.split("\n")) + "</div>"
    return html(f"{NAME}{year}年政府信息公开工作年度报告", body)


def pages() -> dict[str, Page]:
    entries = "".join(f'<li><a href="/nb/{y}.html">{NAME}{y}年政府信息公开工作年度报告</a><span>{y + 1}-01-20</span></li>'
                      for y in sorted(PUBLISHED, reverse=True))
    return {
        "/": Page(html(NAME, '<div class="nav"><a href="/gk/">政府信息公开</a></div>')),
        "/gk/": Page(html("政府信息公开", '<ul class="menu"><a href="/nb/">政府信息公开年报</a></ul>')),
        "/nb/": Page(html("政府信息公开年报", f'<ul class="list">{entries}</ul>')),
        **{f"/nb/{y}.html": Page(report_page(y)) for y in PUBLISHED},
    }


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("calendar")
    portal = portal_server.TestPortal(["calx"])
    try:
        portal.sites["calx"].set_pages(pages())
        registry = root / "registry.csv"      # bare: id,name,level,province,url and nothing else
        registry.write_text(f"id,name,level,province,url\ncalx,{NAME},province,江西,{portal.url('calx')}\n",
                            encoding="utf-8")
        data = root / "data"
        proc = renfang("run", "--registry", registry, "--data-dir", data, "--explain", "calx", *ONLY_REGISTRY,
                       "--jobs", "1", expect=EXIT_SITES_NOT_OK)
    finally:
        portal.stop()
    yield data, proc


def test_the_site_with_a_missing_year_is_not_ok_and_names_the_gap(crawled):
    data, proc = crawled
    assert proc.returncode == EXIT_SITES_NOT_OK
    assert q(data, "select year from reports order by year") == [(y,) for y in PUBLISHED]
    [(status, message, expected, found, gap_years, reasons)] = q(
        data, "select status, message, years_expected, years_found, gap_years, gap_reasons from crawl_sites")
    assert status == SiteStatus.MISSING_YEARS
    assert (expected, found, json.loads(gap_years)) == (4, 3, [GAP])
    assert reasons == f"{GAP} {NO_REPORT}" and message == f"missing years: {GAP} {NO_REPORT}"
    # the summary names the gap per site, before and after the load (its reports are readable)
    assert f"  calx: missing_years, " in proc.stdout and f"(missing years: {GAP} {NO_REPORT})" in proc.stdout
    assert "after load" not in proc.stdout
    assert f"1 of 1 site(s) not ok: calx missing_years (gaps {GAP})" in proc.stderr
    assert q(data, "select parse_status from reports order by year") == [("parsed",)] * 3
    # --explain ends with the calendar
    explained = next((data / "logs").glob("explain-calx-run1.txt")).read_text(encoding="utf-8").splitlines()
    assert explained[-2].startswith("calendar on ")
    assert explained[-1] == f"  years expected {FIRST}–{LAST} (4), found 3; gaps: {GAP} {NO_REPORT}"


def test_the_coverage_page_marks_the_gap_with_its_reason(crawled):
    data, _ = crawled
    proc, base = start_datasette(data)
    try:
        site = Site(base, data)
        cells = {r["year"]: r for r in site.rows("/archive/coverage.json", agency_id="calx", _size="max")}
        assert sorted(cells) == list(range(FIRST, LAST + 1))
        assert cells[GAP]["status"] == "missing" and cells[GAP]["gap_reason"] == NO_REPORT
        assert all(cells[y]["gap_reason"] is None and cells[y]["status"] == "archived" for y in PUBLISHED)
        _, _, page = site.get("/-/coverage")
        page = page.decode()
        gap_cell = re.search(rf'<td class="st missing gap" data-gap="{NO_REPORT}" title="{GAP}: [^"]*'
                             rf'· gap 缺失: {NO_REPORT}">missing</td>', page)
        assert gap_cell, page
        assert f'<span class="gap-year" data-year="{GAP}">{GAP}: {NO_REPORT}</span>' in page
        assert page.count(' gap"') == 1                  # the published years are not marked
        _, _, office = site.get("/-/office/calx")
        assert f'<span class="gap-year" data-year="{GAP}">{GAP}: {NO_REPORT}</span>' in office.decode()
    finally:
        stop_datasette(proc)

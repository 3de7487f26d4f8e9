"""The Datasette site in headless Chromium (Debian `chromium`), as a person sees it (acceptance 2).

Each page is rendered by Chromium (scripts run, charts draw), its DOM is checked, and a
screenshot is saved under test-artifacts/browser/ (git-ignored). Chromium runs with the flags of
TECH-NOTES.md so it sends nothing but requests to the loopback Datasette.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
import urllib.parse

import pytest

from tests.helpers import REPO, SCRIPT_TITLE, extend_archive, start_datasette, stop_datasette

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # test tiers: README "Development"

ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
         "--metrics-recording-only", "--hide-scrollbars", "--lang=zh-CN"]


@pytest.fixture(scope="module")
def browser_site(archive_dir, tmp_path_factory):
    assert CHROMIUM, "Debian package chromium is not installed (scripts/system-packages.txt)"
    data_dir = tmp_path_factory.mktemp("browser") / "data"
    extend_archive(archive_dir, data_dir)
    proc, base = start_datasette(data_dir)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield base
    finally:
        stop_datasette(proc)


def render(url: str, name: str, height: int = 1600) -> str:
    """The DOM after scripts ran; also saves test-artifacts/browser/<name>.png."""
    with tempfile.TemporaryDirectory() as profile:
        common = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=8000",
                  f"--window-size=1280,{height}"]
        shot = ARTIFACTS / f"{name}.png"
        shot.unlink(missing_ok=True)
        subprocess.run([*common, f"--screenshot={shot}", url], capture_output=True, timeout=90)
        assert shot.exists() and shot.stat().st_size > 10_000, f"no screenshot of {url}"
        dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, timeout=90, text=True)
    (ARTIFACTS / f"{name}.html").write_text(dom.stdout, encoding="utf-8")
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout


def test_home_page(browser_site):
    dom = render(browser_site + "/", "home")
    assert "人防政府信息公开年报档案" in dom
    assert 'action="/archive/search"' in dom and "Coverage 覆盖情况" in dom
    assert "CC BY 4.0" in dom


def test_report_as_printed(browser_site):
    dom = render(browser_site + "/-/report/pzhrf-2019", "report-pzhrf-2019", height=3000)
    assert "三、收到和处理政府信息公开申请情况" in dom and "四、结转下年度继续办理" in dom
    assert dom.count('<td class="fail fail-') == 8  # the cells of the failing checks, and only those
    assert "原件 original document" in dom and "/-/documents/" in dom
    assert 'href="/archive/facts/pzhrf-2019,applications,received,natural_person"' in dom
    # 四 as printed: a two-level header over ONE row of 15 cells; the blank 行政复议 cells are blank
    four = dom[dom.index('<table class="printed appeals-row">'):]
    four = four[:four.index("</table>")]
    assert four.count('<tr class="data">') == 1 and four.count("<td ") == 15
    assert '<th colspan="5" rowspan="2" title="review">行政复议' in four and "未经复议直接起诉" in four
    assert '<a class="fact" href="/archive/facts/pzhrf-2019,appeals,review,total"></a>' in four
    # the versions of its documents, and the figure that changed between them
    assert '<section id="versions">' in dom and '<td class="old">增加 36 件</td><td class="new">增加 37 件</td>' in dom


def test_table_four_failing_totals_highlighted(browser_site):
    dom = render(browser_site + "/-/report/hzq-2023#appeals", "report-hzq-2023", height=3400)
    four = dom[dom.index('<table class="printed appeals-row">'):]
    four = four[:four.index("</table>")]
    assert four.count('<td class="fail fail-') == 5 and four.count('class="fail-group"') == 2
    assert '<td class="fail fail-printed" data-code="review.total"' in four
    assert "（六）其他处理 <code>other</code>" in dom and "本年制发件数" in dom


def test_datasette_search_box(browser_site):
    dom = render(browser_site + "/archive/search_docs?" + urllib.parse.urlencode({"_search": "人防"}),
                 "search-box-人防")
    assert 'name="_search" value="人防"' in dom and "pzhrf-2019" in dom and "jxrf-2020" in dom


def test_search_result(browser_site):
    dom = render(browser_site + "/archive/search?" + urllib.parse.urlencode({"q": "复议"}), "search-复议")
    assert "pzhrf-2019" in dom and "jxrf-2020" in dom
    assert '<p class="zero-results">' not in dom   # Datasette's "0 results" (the description says "100 results")


def test_search_result_links_its_report_with_the_term_marked(browser_site):
    dom = render(browser_site + "/archive/search?" + urllib.parse.urlencode({"q": "维持"}), "search-维持")
    assert '<a href="/-/report/hzq-2023" title="report as printed 报告原表">hzq-2023</a>' in dom
    snippets = re.findall(r'<td class="col-snippet[^"]*">(.*?)</td>', dom, re.S)
    assert len(snippets) == 5 and all("<mark>维持</mark>" in s for s in snippets)  # each report printing 结果维持


def layout(url: str, name: str, height: int = 1600) -> dict:
    """The page's own layout check (renfang-static/layout-check.js at #layout-check): element boxes."""
    dom = render(url + "#layout-check", name, height)
    found = re.search(r'<pre id="layout-report">(.*?)</pre>', dom, re.S)
    assert found, "the layout check did not run"
    return json.loads(html.unescape(found.group(1)))


def test_failing_check_sentence_and_only_its_cells_highlighted(browser_site):
    dom = render(browser_site + "/-/report/pzhrf-2019#failing", "report-failing-sentence", height=1200)
    summary = dom[dom.index('<div class="failing-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert "自然人: （七）总计 printed 0, but （一）…（六） sum to 2 (（一）予以公开 2)" in summary
    assert re.findall(r'<td class="fail fail-(\w+)" data-code="([\w.]+)"', dom) == [
        ("sum", "received.natural_person"), ("sum", "received.total"), ("sum", "granted.natural_person"),
        ("sum", "granted.total"), ("printed", "total_handled.natural_person"), ("printed", "total_handled.total"),
        ("printed", "carried_forward.natural_person"), ("printed", "carried_forward.total")]


def test_unparsed_reports_say_why(browser_site):
    for report_id, words in (("pzhrf-2018", "Failed to load document (PDFium: Data format error)"),
                             ("jxrf-2019", "the archived document is not an annual report"),
                             ("pzhrf-2017", "t20180125_4001.html could not be fetched: HTTP 500")):
        dom = render(browser_site + f"/-/report/{report_id}", f"report-{report_id}-status", height=900)
        assert dom.count('class="status-box') == 1 and words in dom, report_id
        assert "No figures of this table" not in dom


def test_coverage_view(browser_site):
    from archive.vocab import COVERAGE_STATES

    dom = render(browser_site + "/-/coverage", "coverage")
    assert "江西省人民防空办公室" in dom and 'class="st missing"' in dom and 'class="st archived"' in dom
    assert 'class="st unreadable"' in dom and 'class="st not_report"' in dom and 'class="st listed_only"' in dom
    report = layout(browser_site + "/-/coverage", "coverage-layout")
    colours = report["colours"]
    assert set(colours) == set(COVERAGE_STATES)
    assert len(set(colours.values())) == len(COVERAGE_STATES)  # a colour per state
    assert colours["archived"] == "rgb(159, 223, 159)" and colours["missing"] == "rgb(255, 138, 138)"
    assert report["overlaps"] == [] and report["spills"] == []


def test_office_page_and_comparison(browser_site):
    dom = render(browser_site + "/-/office/jxrf", "office-jxrf", height=2400)
    assert "All years side by side" in dom
    head = dom[dom.index('<table class="printed office-years">'):]
    assert [y for y in re.findall(r'<th><a href="/-/report/jxrf-(\d{4})">', head[:head.index("</tr>")])] == \
        ["2014", "2019", "2020", "2021", "2022"]
    assert re.search(r'<a href="/-/report/jxrf-2021#failing" title="4 of \d+ checks fail">4</a>', dom)
    dom = render(browser_site + "/-/compare?" + urllib.parse.urlencode(
        {"figure": "applications.received.total", "level": ""}), "compare", height=1000)
    assert "本年新收政府信息公开申请数量 × 总计" in dom
    assert re.search(r'<a href="/-/office/hzq">淮安市洪泽区人民政府</a>.*?<a href="/-/report/hzq-2023">21</a>', dom, re.S)


def test_wide_table_rows_start_near_the_top(browser_site):
    """applications_wide describes ~190 columns: the descriptions scroll in a box, the rows follow."""
    report = layout(browser_site + "/archive/applications_wide", "applications-wide", height=1600)
    assert report["rows_table_top"] < 1200, report["rows_table_top"]
    dom = render(browser_site + "/archive/applications_wide?report_id=pzhrf-2019", "applications-wide-row")
    assert '<td class="col-received__natural_person type-int">2</td>' in dom  # an integer, not 2.0


@pytest.mark.parametrize("path", ["/", "/-/report/pzhrf-2019", "/-/report/jxrf-2022", "/-/report/hzq-2023",
                                  "/-/office/jxrf", "/-/compare", "/-/coverage", "/archive/failing_checks"])
def test_no_overlapping_labels(browser_site, path):
    report = layout(browser_site + path, "layout" + path.replace("/", "-"), height=3400)
    assert report["cells"] > 2  # table cells and form controls looked at
    assert report["overlaps"] == [], report["overlaps"][:5]
    assert report["spills"] == [], report["spills"][:5]


def test_chart(browser_site):
    dom = render(browser_site + "/-/dashboards/overview", "charts", height=1400)
    assert "Applications received by year" in dom
    # Vega drew the charts: one canvas (or svg) per chart, inside vega-embed containers
    assert dom.count("<canvas") + dom.count('class="marks"') >= 5
    dom = render(browser_site + "/-/dashboards/overview?agency_id=jxrf", "charts-jxrf", height=1800)
    assert 'value="jxrf"' in dom and dom.count("<canvas") + dom.count('class="marks"') >= 5


def test_script_in_a_title_is_shown_as_text(browser_site):
    dom = render(browser_site + "/archive/report_overview?year=2020", "script-title")
    assert "&lt;script&gt;document.title='XSS'" in dom   # the title is text on the page
    assert "<title>XSS</title>" not in dom
    assert "<body>PWNED" not in dom
    report_dom = render(browser_site + "/-/report/pzhrf-2020", "script-title-report")
    assert "&lt;script&gt;" in report_dom and "<title>XSS" not in report_dom
    shown = html.escape(SCRIPT_TITLE, quote=False)     # the whole stored title, as text on both pages
    assert shown in dom and shown in report_dom, "the title is not shown as stored"

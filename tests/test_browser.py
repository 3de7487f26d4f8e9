"""The Datasette site in headless Chromium (Debian `chromium`), as a person sees it (acceptance 2).

Each page is rendered by Chromium (scripts run, charts draw), its DOM is checked, and a
screenshot is saved under test-artifacts/browser/ (git-ignored). Chromium runs with the flags of
TECH-NOTES.md so it sends nothing but requests to the loopback Datasette.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import urllib.parse

import pytest

from tests.conftest import REPO
from tests.test_datasette_site import SCRIPT_TITLE, extend_archive, start_datasette, stop_datasette

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
    assert dom.count('class="fail"') >= 4          # failing checks highlighted
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
    assert four.count('<td class="fail"') == 10 and four.count('class="fail-group"') == 2
    assert 'data-code="review.total" title="review × total · 第 4 页 · ✗ appeals.group_sum[review]: 11 ≠ 0"' in four
    assert "（六）其他处理 <code>other</code>" in dom and "本年制发件数" in dom


def test_datasette_search_box(browser_site):
    dom = render(browser_site + "/archive/search_docs?" + urllib.parse.urlencode({"_search": "人防"}),
                 "search-box-人防")
    assert 'name="_search" value="人防"' in dom and "pzhrf-2019" in dom and "jxrf-2020" in dom


def test_search_result(browser_site):
    dom = render(browser_site + "/archive/search?" + urllib.parse.urlencode({"q": "复议"}), "search-复议")
    assert "pzhrf-2019" in dom and "jxrf-2020" in dom
    assert "0 results" not in dom


def test_coverage_view(browser_site):
    dom = render(browser_site + "/-/coverage", "coverage")
    assert "江西省人民防空办公室" in dom and 'class="st missing"' in dom and 'class="st archived"' in dom


def test_chart(browser_site):
    dom = render(browser_site + "/-/dashboards/overview", "charts", height=1400)
    assert "Applications received by year" in dom
    # Vega drew the charts: one canvas (or svg) per chart, inside vega-embed containers
    assert dom.count("<canvas") + dom.count('class="marks"') >= 4


def test_script_in_a_title_is_shown_as_text(browser_site):
    dom = render(browser_site + "/archive/report_overview?year=2020", "script-title")
    assert "&lt;script&gt;document.title='XSS'" in dom   # the title is text on the page
    assert "<title>XSS</title>" not in dom
    assert "<body>PWNED" not in dom
    report_dom = render(browser_site + "/-/report/pzhrf-2020", "script-title-report")
    assert "&lt;script&gt;" in report_dom and "<title>XSS" not in report_dom
    assert SCRIPT_TITLE.startswith("<script>")

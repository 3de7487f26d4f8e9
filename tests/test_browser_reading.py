"""The researcher's pages in real Chromium at 1,280 px (issue 23, acceptance 4): the report,
office, coverage and compare pages (and the others a reader opens) fit a 1,280 px screen with no
horizontal scroll, each with a full-page screenshot under test-artifacts/browser/ (git-ignored);
the charts' axes count in integers, each label once.

Chromium is Debian's /usr/bin/chromium driven by Playwright (never a downloaded browser).
"""
from __future__ import annotations

import struct

import pytest

from tests.helpers import REPO, extend_archive, start_datasette, stop_datasette

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # test tiers: README "Development"

ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
WIDTH = 1280
# the four pages of the acceptance first, then the others a reader reaches from the home page
PAGES = {
    "report": "/-/report/pzhrf-2019",
    "office": "/-/office/pzhrf",
    "coverage": "/-/coverage",
    "compare": "/-/compare?figure=disclosure.procurement.amount",
    "home": "/",
    "report-pre2019": "/-/report/jxrf-2014",
    "report-unread": "/-/report/pzhrf-2017",
    "report-2021-layout": "/-/report/jxrf-2022",
    "report-pdf": "/-/report/hzq-2023",
    "office-jxrf": "/-/office/jxrf",
    "compare-counts": "/-/compare",
    "changes": "/-/changes",
    "dashboard": "/-/dashboards/overview",
    "search": "/archive/search?q=%E4%BA%BA%E9%98%B2",
    "tables": "/archive",
    "reports": "/archive/report_overview",
    "failing-checks": "/archive/failing_checks",
}


@pytest.fixture(scope="module")
def base(archive_dir, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("browser-reading") / "data"
    extend_archive(archive_dir, data_dir)
    proc, url = start_datasette(data_dir)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield url
    finally:
        stop_datasette(proc)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


def png_width(path) -> int:
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", head[16:20])[0]


@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_fits_1280_px_without_horizontal_scroll(base, browser, name):
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    try:
        response = page.goto(base + PAGES[name], wait_until="networkidle")
        assert response.status == 200, (name, response.status)
        shot = ARTIFACTS / f"1280-{name}.png"
        shot.unlink(missing_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000 and png_width(shot) == WIDTH
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
            .filter(el => el.getBoundingClientRect().right > 1281 && el.children.length < 3)
            .slice(0, 3).map(el => el.tagName + '.' + el.className + ': ' + (el.textContent || '').trim().slice(0, 50))""")
        assert width <= WIDTH, f"{PAGES[name]} is {width} px wide: {wide}"
    finally:
        page.close()


# vega-embed is wrapped before the page's scripts run, so the test can read each chart's scene
RECORD_VIEWS = """
window.__views = [];
Object.defineProperty(window, 'vegaEmbed', {configurable: true, get() { return undefined; }, set(embed) {
  Object.defineProperty(window, 'vegaEmbed', {configurable: true, writable: true, value: function (...args) {
    const done = embed(...args);
    done.then(result => window.__views.push(result.view));
    return done;
  }});
}});
"""
AXIS_LABELS = """async () => {
  const axes = [];
  for (const view of window.__views) {
    await view.runAsync();
    (function walk(node, axis) {
      if (!node) return;
      if (node.marktype && node.role === 'axis') { axis = []; axes.push(axis); }
      if (node.marktype && node.role === 'axis-label' && axis) {
        for (const item of node.items) axis.push(String(item.text));
      }
      for (const child of node.items || []) walk(child, axis);
    })(view.scenegraph().root, null);
  }
  return axes;
}"""


def test_chart_axes_count_in_integers_each_label_once(base, browser):
    """Counts on an axis are integers: no 0 0.5 1 1.5 shown as "0 1 1 2 2 2"."""
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    try:
        page.add_init_script(RECORD_VIEWS)
        page.goto(base + "/-/dashboards/overview", wait_until="networkidle")
        page.wait_for_function("window.__views.length >= 4", timeout=30_000)
        axes = page.evaluate(AXIS_LABELS)
    finally:
        page.close()
    axes = [labels for labels in axes if labels]   # a grid is an axis without labels
    assert len(axes) >= 6, axes   # x and y of the bar and line charts
    numeric = 0
    for labels in axes:
        assert len(labels) == len(set(labels)), f"a label repeats: {labels}"
        numbers = [label.replace(",", "") for label in labels if label.replace(",", "").lstrip("-").isdigit()]
        numeric += bool(numbers)
        assert not [label for label in labels if "." in label and label.replace(".", "").isdigit()], labels
    assert numeric >= 4, axes

"""The province map and an office's calendar in real Chromium (issue 22, acceptance 3), driven by
Playwright (Debian's /usr/bin/chromium, never a downloaded browser), on the small frozen
national archive of tests/helpers.py. Screenshots are written to the test's tmp dir and copied to
test-artifacts/browser/ (git-ignored); benchmarks/screenshots/ has the copies the closing note shows.
"""
from __future__ import annotations

import shutil
import urllib.parse
from datetime import date

import pytest

from archive import province_map
from archive.gaps import last_due_year
from archive.vocab import CALENDAR_STATES
from tests.helpers import REPO, national_archive, start_datasette, stop_datasette

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts" / "browser"
LAST = last_due_year(date.today())
WIDTH = 1280


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    data = tmp_path_factory.mktemp("national-browser") / "data"
    national_archive(data, LAST)
    proc, url = start_datasette(data)
    try:
        yield url
    finally:
        stop_datasette(proc)


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser.new_page(viewport={"width": WIDTH, "height": 900})
        finally:
            browser.close()


def shoot(page, tmp_path, name: str):
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000, "an empty screenshot"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / shot.name)
    return shot


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_the_province_map_as_drawn(base, page, tmp_path):
    page.goto(base + "/-/map")
    # every province drawn with an area on the screen, each in its share's colour
    boxes = page.eval_on_selector_all(
        "figure.province-map g.provinces path",
        "ps => ps.map(p => { const b = p.getBoundingClientRect(); return [p.dataset.province, b.width, b.height,"
        " getComputedStyle(p).fill]; })")
    assert len(boxes) == 34 and all(w > 1 and h > 1 for _, w, h, _ in boxes)
    fills = {name: fill for name, _, _, fill in boxes}
    data = {p["province"]: p for p in page.request.get(base + "/-/map.json").json()["provinces"]}
    assert fills["江西"] == rgb(province_map.colour(data["江西"]["reported_pct"]))
    assert fills["山东"] == rgb(province_map.colour(data["山东"]["reported_pct"]))
    assert fills["台湾"] == rgb(province_map.NO_DATA)
    # the inset of the South China Sea and the legend are on the page, and the page fits 1,280 px
    assert page.locator("g.inset path.maritime").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    shoot(page, tmp_path, "map")
    # a province is a link to its offices
    page.click('a:has(path[data-province="江西"])')
    assert page.url.endswith("/-/coverage?province=" + urllib.parse.quote("江西"))


def test_an_office_calendar_as_drawn(base, page, tmp_path):
    page.goto(base + "/-/office/rf370000")
    cells = page.eval_on_selector_all(
        "ol.office-calendar li",
        "ls => ls.map(l => [l.dataset.year, l.className, getComputedStyle(l).backgroundColor, l.innerText])")
    years = [int(y) for y, _, _, _ in cells]
    assert years == list(range(2008, LAST + 1))
    state = {int(y): cls.split()[1] for y, cls, _, _ in cells}
    assert state[LAST - 3] == "archived" and state[LAST - 1] == "missing" and state[LAST] == "listed_only"
    for y, cls, colour, _ in cells:      # each state in its colour
        assert colour == rgb(CALENDAR_STATES[cls.split()[1]][1]), y
    assert page.locator("table.office-urls tr").count() == 3          # a header and two URLs
    assert page.locator("td.parents").inner_text() == "—"             # a province: nothing above it
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    shoot(page, tmp_path, "office-calendar")
    page.goto(base + "/-/office/rf370181")                            # 章丘市, abolished in 2016
    assert "济南市人民防空办公室" in page.locator("td.parents").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    shoot(page, tmp_path, "office-abolished")


def test_the_coverage_page_fits_the_screen(base, page, tmp_path):
    page.goto(base + "/-/coverage?" + urllib.parse.urlencode({"province": "山东", "level": "province"}))
    assert page.locator("table.national-years tr").count() == LAST - 2008 + 2
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    shoot(page, tmp_path, "coverage-shandong")

"""The script-built test portals' ground truth (tests/portals/shapes_js.py) is consistent with
what they serve, and their registry is bare (no browser, no crawler here; the scripts run in
tests/test_portals_js.py)."""
from __future__ import annotations

import csv
import urllib.error
import urllib.request
from datetime import date

import pytest

from tests.portals import shapes, shapes_js

pytestmark = pytest.mark.loopback  # test tiers: README "Development"


@pytest.fixture(scope="module")
def js_portal():
    with shapes_js.SITES.start() as running:
        yield running


def status(portal, sid: str, path: str, cookies: dict | None = None) -> int:
    """The status ``path`` answers with (redirects followed), sending ``cookies``."""
    req = urllib.request.Request(portal.url(sid) + path.lstrip("/"))
    if cookies:
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_every_expected_document_and_distractor_is_served(js_portal):
    for sid in shapes_js.SITE_IDS:
        cookies = shapes_js.COOKIES.get(sid)
        docs = set().union(*shapes_js.expected_reports(sid).values())
        assert docs and not docs & shapes_js.SITES.never_archived[sid], sid
        bad = [(p, c) for p in sorted(docs | shapes_js.SITES.never_archived[sid])
               if (c := status(js_portal, sid, p, cookies)) != 200]
        assert bad == [], sid


def test_each_site_publishes_reports_of_plausible_years_and_has_distractors():
    for sid in shapes_js.SITE_IDS:
        years = shapes_js.expected_reports(sid)
        assert 5 <= len(years) <= 9 and all(2015 <= y <= 2025 for y in years), sid
        assert shapes_js.SITES.never_requested[sid], sid       # 工作要点, 决算 … on the list itself


def test_the_registry_has_only_the_five_columns(js_portal, tmp_path):
    path = shapes_js.SITES.write_registry(js_portal, tmp_path / "registry.csv")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["id", "name", "level", "province", "url"]
    assert [r[0] for r in rows[1:]] == shapes_js.SITE_IDS
    assert len({r[1] for r in rows[1:]}) == len(rows) - 1
    assert not {r[1] for r in rows[1:]} & {n for n, _, _ in [*shapes.NAMES.values(), *shapes.HOLDOUT.names.values()]}


def test_the_cookie_challenge_guards_every_url(js_portal):
    """cookierf: without the cookie the script computes, every URL (robots.txt and the
    documents too) is the 521 challenge; with it, the page."""
    pdf = next(p for p in sorted(set().union(*shapes_js.expected_reports("cookierf").values())) if p.endswith(".pdf"))
    for path in ("/", "/robots.txt", "/zfxxgk/ndbg/index.html", pdf):
        assert status(js_portal, "cookierf", path) == 521, path
        assert status(js_portal, "cookierf", path, {"__waf_jsclearance": "wrong"}) == 521, path
    assert status(js_portal, "cookierf", pdf, shapes_js.COOKIES["cookierf"]) == 200


def test_the_calendar_of_each_site_is_what_its_portal_published():
    """A site's truthful status follows its calendar: the years between its first report and
    the last year due that it never published."""
    on = date(2026, 12, 7)
    assert shapes_js.calendar_gaps("btnrf", on) == [2020]
    assert shapes_js.expected_status("btnrf", on=on) == "missing_years"
    assert shapes_js.expected_status("cfgrf", on=on) == "ok"
    assert shapes_js.expected_status("cookierf", browser=False, on=on) == "blocked"
    assert shapes_js.calendar_gaps("cfgrf", date(2027, 2, 1)) == [2026]     # 2026 due from February 2027


def test_the_gaps_are_the_years_the_portals_never_published():
    on = date(2026, 12, 7)
    gaps = {sid: shapes_js.calendar_gaps(sid, on) for sid in shapes_js.SITE_IDS}
    assert {sid: g for sid, g in gaps.items() if g} == {"btnrf": [2020], "dwrf": [2022], "treerf": [2024, 2025]}


def test_the_copy_site_is_served_beside_the_sites_and_never_in_the_registry(js_portal, tmp_path):
    registry = shapes_js.SITES.write_registry(js_portal, tmp_path / "registry.csv").read_text(encoding="utf-8")
    copy = js_portal.url("copyx")
    assert copy not in registry and "copyx" not in registry
    home = urllib.request.urlopen(js_portal.url("lurerf"), timeout=10).read().decode("utf-8")
    assert copy + "zt/tinglan/ndbg/" in home          # a lure of the home page
    assert status(js_portal, "copyx", "/zt/tinglan/ndbg/") == 200

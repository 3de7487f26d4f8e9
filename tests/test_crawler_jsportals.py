"""The crawler on portals whose pages are built by JavaScript (tests/portals/shapes_js.py: lists
from endpoints named in configuration objects, button pagers, a year select a script fills, a
cookie challenge, downloads behind page functions, …), from a registry of
``id,name,level,province,url`` only (issue 19, acceptance 1 and 2):

- with the browser: every report found, nothing else archived, no exception, every status true;
- with ``--no-browser``: what the static layers find, and every site left short is not ``ok``
  and says why.

One portal server and one crawl of each kind for the module (the crawls are the slow part).
"""
from __future__ import annotations

import pytest

from archive.vocab import SiteStatus
from tests.helpers import ONLY_REGISTRY, q, renfang
from tests.portals import shapes_js

pytestmark = [pytest.mark.slow, pytest.mark.loopback, pytest.mark.browser]

#: every site: each report found, nothing else archived, a true status (with the browser)
HANDLED = list(shapes_js.SITE_IDS)


def _crawl(portal, root, *options):
    registry = shapes_js.SITES.write_registry(portal, root / "registry.csv")
    data = root / "data"
    proc = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, *options,
                   timeout=900, check=False)
    return dict(proc=proc, data=data, score=shapes_js.SITES.score(portal, data), registry=registry,
                statuses=dict(q(data, "select agency_id, status from crawl_sites")),
                messages=dict(q(data, "select agency_id, message from crawl_sites")))


@pytest.fixture(scope="module")
def portal():
    portal = shapes_js.SITES.start()
    try:
        yield portal
    finally:
        portal.stop()


@pytest.fixture(scope="module")
def with_browser(portal, tmp_path_factory):
    return _crawl(portal, tmp_path_factory.mktemp("js-browser"))


@pytest.fixture(scope="module")
def static_only(portal, tmp_path_factory, with_browser):
    portal.clear()
    return _crawl(portal, tmp_path_factory.mktemp("js-static"), "--no-browser")


def test_the_registry_is_bare(with_browser):
    assert with_browser["registry"].read_text(encoding="utf-8").splitlines()[0] == "id,name,level,province,url"


@pytest.mark.parametrize("site", HANDLED)
def test_every_report_found_and_nothing_else(with_browser, site):
    s = with_browser["score"][site]
    assert (s["recall"], s["precision"], s["missing"], s["extra"]) == (1.0, 1.0, [], []), s
    assert s["documents_found"] == s["documents_expected"], s
    assert s["wrongly_archived"] == [] and s["distractors_requested"] == [], s


@pytest.mark.parametrize("site", shapes_js.SITE_IDS)
def test_nothing_wrong_is_archived_on_any_site_and_no_short_site_says_ok(with_browser, site):
    s = with_browser["score"][site]
    assert s["extra"] == [] and s["wrongly_archived"] == [], s
    if s["recall"] != 1.0:                       # a miss is never silent
        assert with_browser["statuses"][site] != SiteStatus.OK and with_browser["messages"][site], s


def test_every_status_is_true_and_no_exception(with_browser):
    assert {sid: with_browser["statuses"][sid] for sid in HANDLED} == {
        sid: shapes_js.expected_status(sid) for sid in HANDLED}
    assert q(with_browser["data"], "select sum(errors) from crawl_sites") == [(0,)]
    assert with_browser["proc"].returncode == 3, with_browser["proc"].stderr[-3000:]   # gaps, not-yet sites


def test_browser_pages_are_counted_and_explained(with_browser):
    log = (with_browser["data"] / "logs" / "crawl-run1.log").read_text(encoding="utf-8")
    # a site that needs the browser to enter or to list its reports used it, within its budget
    for sid in shapes_js.NEEDS_BROWSER_TO_ENTER:
        assert f"'renfang/browser_pages/{sid}': " in log
    used = {line.split("/")[-1].split("'")[0]: int(line.rsplit(":", 1)[1].strip(" ,"))
            for line in log.splitlines() if "'renfang/browser_pages/" in line}
    assert used and all(0 < n <= 12 for n in used.values()), used     # RENFANG_BROWSER_PAGES


def test_without_the_browser_every_short_site_says_why(static_only):
    for sid in HANDLED:
        s, status = static_only["score"][sid], static_only["statuses"][sid]
        assert s["extra"] == [] and s["wrongly_archived"] == [], s          # never a wrong report
        if s["recall"] != 1.0:                                              # left short: said aloud
            assert status != SiteStatus.OK and static_only["messages"][sid], (sid, status, s)
        elif status != shapes_js.expected_status(sid, browser=False):
            # all found, but controls only a browser drives may hide more: a caution, said aloud
            assert status == SiteStatus.PARTIAL and "controls its scripts handle" in static_only["messages"][sid], (
                sid, status, static_only["messages"][sid])
    for sid in shapes_js.NEEDS_BROWSER_TO_ENTER:
        assert static_only["statuses"][sid] == SiteStatus.BLOCKED
        assert "the browser is off" in static_only["messages"][sid]
    assert static_only["proc"].returncode == 3
    assert "renfang/browser_pages" not in (static_only["data"] / "logs" / "crawl-run1.log").read_text(encoding="utf-8")


@pytest.mark.parametrize("site", shapes_js.SITE_IDS)
def test_another_bodys_report_in_the_offices_column_is_archived_and_attributed_to_it(site, with_browser):
    s = with_browser["score"][site]
    # each listed report of the government or another department: its page archived, under that body
    assert {tuple(p) for p in s["other_bodies_expected"]} <= {tuple(p) for p in s["attributed"]}, s
    assert {body for _, body in s["attributed"]} == {body for _, body in s["other_bodies_expected"]}, s

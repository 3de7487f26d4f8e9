"""The crawler on sites it was never tuned for (tests/portals/shapes*.py: JSON/XML-filled lists,
XHR POSTs, a Vue front-end, count-down and script pagers, year selectors and per-year module
pages, city portals listing ~30 departments per year, download scripts with percent-encoded,
raw GBK and RFC 5987 file names, iframes, split articles), from a registry of
``id,name,level,province,url`` only: every report found, nothing else archived, every site's
status true, and a second run over the unchanged portal says the same."""
from __future__ import annotations

import json
import shutil
from datetime import date
from urllib.parse import unquote, urlsplit

import pytest

from archive import gaps
from archive.vocab import SiteStatus
from parsers.vocab import ParseStatus
from tests.helpers import ONLY_REGISTRY, q, renfang
from tests.portals import shapes

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

#: the years each portal never published, from its first report to the last year due today: the
#: gaps its calendar must name (the reports it does publish are all found, see below)
CALENDAR_GAPS = {sid: sorted(gaps.judge({int(r.rsplit("-", 1)[1]): (ParseStatus.PENDING, None) for r in reports},
                                        date.today()).gaps)
                 for sid, reports in shapes.EXPECTED.items()}


def truthful_statuses() -> dict[str, str]:
    """``ok`` for a site whose portal has a report for every year due, else ``missing_years``."""
    return {sid: SiteStatus.MISSING_YEARS if CALENDAR_GAPS[sid] else SiteStatus.OK for sid in shapes.SITE_IDS}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    portal = shapes.start()
    try:
        registry = shapes.write_registry(portal, root / "registry.csv")
        data = root / "data"
        # most of these portals publish no report for some year now due (their calendar's gaps,
        # archive/gaps.py): those sites are missing_years and the crawl exits 3
        first = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, timeout=600,
                        expect=3 if any(CALENDAR_GAPS.values()) else 0)
        score = shapes.score(portal, data)
        hits = list(portal.hits)
        shutil.copytree(data, root / "data1")
        portal.clear()
        second = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, timeout=600,
                         expect=3 if any(CALENDAR_GAPS.values()) else 0)
        yield dict(portal=portal, data=root / "data1", data2=data, score=score, hits=hits,
                   first=first, second=second, registry=registry)
    finally:
        portal.stop()


def test_the_registry_has_no_hint_columns(crawled):
    assert crawled["registry"].read_text(encoding="utf-8").splitlines()[0] == "id,name,level,province,url"


@pytest.mark.parametrize("site", shapes.SITE_IDS)
def test_every_report_found_and_only_reports_of_this_office(crawled, site):
    s = crawled["score"][site]
    assert (s["recall"], s["precision"], s["missing"], s["extra"]) == (1.0, 1.0, [], []), s
    assert s["documents_found"] == s["documents_expected"], s
    assert s["wrongly_archived"] == [], s
    assert s["distractors_requested"] == [], s


def test_every_site_is_ok_but_for_its_calendar_with_no_exception(crawled):
    data = crawled["data"]
    statuses = dict(q(data, "select agency_id, status from crawl_sites"))
    assert statuses == truthful_statuses()
    # the gaps named are exactly the years the portal never published
    assert {sid: json.loads(g or "[]") for sid, g in q(data, "select agency_id, gap_years from crawl_sites")} == \
        CALENDAR_GAPS
    assert q(data, "select sum(errors) from crawl_sites") == [(0,)]
    assert crawled["first"].returncode == (3 if any(CALENDAR_GAPS.values()) else 0)
    assert "Traceback" not in crawled["first"].stderr
    log = (data / "logs" / "crawl-run1.log").read_text(encoding="utf-8")
    assert "Spider closed (finished)" in log and "Traceback" not in log and " ERROR: " not in log
    # what the crawl took was taken from what the pages say: entries judged, others turned down
    taken, rejected = q(data, "select sum(entries_taken), sum(entries_rejected) from crawl_sites")[0]
    assert taken >= sum(len(v) for v in shapes.EXPECTED.values()) and rejected > 0


def test_only_registry_sites_are_requested(crawled):
    ports = {urlsplit(crawled["portal"].url(sid)).port for sid in shapes.SITE_IDS}
    for (url,) in q(crawled["data"], "select url from fetches"):
        assert urlsplit(url).hostname == "127.0.0.1" and urlsplit(url).port in ports, url


def test_download_script_file_names_are_decoded(crawled):
    names = {unquote(n) for (n,) in q(crawled["data"], """select filename from report_documents
                                                       where report_id like 'attrf-%' and kind != 'article'""")}
    assert names and all("\ufffd" not in n for n in names), names
    assert sum(1 for n in names if "年度报告" in n or "年报" in n) >= 3, names


def test_a_second_run_over_the_unchanged_portal_finds_the_same(crawled):
    data = crawled["data2"]
    run = q(data, "select max(run_id) from crawl_sites")[0][0]
    rows = dict(q(data, "select agency_id, status from crawl_sites where run_id = ?", [run]))
    assert rows == truthful_statuses(), rows
    assert crawled["second"].returncode == (3 if any(CALENDAR_GAPS.values()) else 0)
    assert q(data, "select count(*) from reports where gone_since is not null") == [(0,)]
    found = q(data, "select agency_id, reports from crawl_sites where run_id = ? order by 1", [run])
    assert found == sorted((sid, len(v)) for sid, v in shapes.EXPECTED.items())


@pytest.mark.parametrize("site", shapes.SITE_IDS)
def test_another_bodys_report_in_the_offices_column_is_archived_and_attributed_to_it(site, crawled):
    s = crawled["score"][site]
    # each listed report of the government or another department: its page archived, under that body
    assert {tuple(p) for p in s["other_bodies_expected"]} <= {tuple(p) for p in s["attributed"]}, s
    assert {body for _, body in s["attributed"]} == {body for _, body in s["other_bodies_expected"]}, s

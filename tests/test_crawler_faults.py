"""Faults that must be recorded, not mistaken: a list page whose layout changed (no entries is
not "no reports": nothing is marked gone) and a site that does not answer at all."""
from __future__ import annotations

import re

import pytest

from tests.helpers import ONLY_REGISTRY, free_port, q, renfang
from tests.portals import sites
from tests.portals.server import Page

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"


def test_layout_change_and_dead_site_are_recorded(tmp_path):
    portal = sites.start()
    try:
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["trsx"])
        with registry.open("a", encoding="utf-8") as f:   # a site whose server is down
            f.write(f"deadx,停机市人民防空办公室,city,四川,http://127.0.0.1:{free_port()}/,,,,\n")
        data = tmp_path / "data"
        renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, expect=3)
        assert len(q(data, "select id from reports where agency_id = 'trsx'")) == 4
        # the portal is redesigned: entries are no longer links and the page holds no URL of them
        # (crawler.discover reads data-* URLs and handlers: none is left for it to read)
        site = portal.sites["trsx"]
        for path, page in list(site.pages.items()):
            if path == "/zwgk/xxgknb/" or path.startswith("/zwgk/xxgknb/index"):  # the list pages
                body = re.sub(rb'<a href="[^"]*"', b"<span", page.body).replace(b"</a>", b"</span>")
                site.pages[path] = Page(body, page.ctype)
        out = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, expect=3).stdout
    finally:
        portal.stop()
    status, message = q(data, "select status, message from crawl_sites where run_id = 2 and agency_id = 'trsx'")[0]
    assert status == "layout_changed" and "likely a layout change" in message
    assert "trsx: layout_changed" in out
    # nothing was marked gone: a changed layout says nothing about what disappeared
    assert q(data, "select count(*) from report_documents where gone_since is not null") == [(0,)]
    assert q(data, "select count(*) from reports where gone_since is not null") == [(0,)]
    # the dead site: an error row with its reason in each run, the site 'failed', the run finished
    errors = q(data, "select run_id, error from fetches where agency_id = 'deadx' and error is not null")
    assert {r for r, _ in errors} == {1, 2}
    assert all("ConnectionRefused" in e or "Connection was refused" in e for _, e in errors), errors
    assert q(data, "select status from crawl_sites where agency_id = 'deadx'") == [("failed",), ("failed",)]
    assert q(data, "select status from crawl_runs") == [("finished",), ("finished",)]


def test_one_site_with_progress(tmp_path):
    portal = sites.start()
    try:
        registry = sites.write_registry(portal, tmp_path / "registry.csv")
        data = tmp_path / "data"
        proc = renfang("crawl", "--registry", registry, "--data-dir", data, "--site", "hanx",
                       *ONLY_REGISTRY[:-2], "-s", "RENFANG_PROGRESS_INTERVAL=0.2", "--now", "2026-06-20", expect=3)
        hits = list(portal.hits)
        verbose = renfang("crawl", "--registry", registry, "--data-dir", tmp_path / "v", "--site", "hanx",
                          *ONLY_REGISTRY[:-2], "-v", expect=3)
    finally:
        portal.stop()
    assert {h.site for h in hits} == {"hanx"}
    assert {a for (a,) in q(data, "select distinct agency_id from fetches where agency_id is not null")} == {"hanx"}
    # every page fetched, but hanx lists 2021–2023: on 2026-06-20 its 2024 and 2025 reports are
    # due, gaps of its calendar (archive/gaps.py), so it is missing_years and the crawl exits 3
    assert q(data, "select agency_id, status, reports, gap_years from crawl_sites") == [
        ("hanx", "missing_years", 3, "[2024, 2025]")]
    # progress lines per site while crawling go to the run's log, not the terminal; one line per
    # site and the summary (also kept in logs/runs.log) are what the command prints
    log = (data / "logs" / "crawl-run1.log").read_text(encoding="utf-8")
    progress = [line for line in log.splitlines() if "progress hanx:" in line]
    assert progress and progress[-1].endswith("12 pages, 3 reports found, 7 documents stored")
    assert "progress hanx:" not in proc.stderr and "[scrapy" not in proc.stderr, proc.stderr
    assert ("  hanx: missing_years, 12 pages, 3 reports; documents 7 new, 0 changed, 0 unchanged, 0 gone, 0 failed "
            "(missing years: 2024 no report archived or listed; 2025 no report archived or listed)") in proc.stdout
    summary = proc.stdout.strip().splitlines()[-1]
    assert summary == (f"renfang crawl {data}: run 1: 1 site(s) (1 missing_years), 3 reports, 7 new and 0 changed "
                       "report documents, 1 new alert(s); exit 3"), proc.stdout   # hanx's 2025 report is late
    assert (data / "logs" / "runs.log").read_text(encoding="utf-8").strip().endswith(summary)
    assert "INFO: Spider closed (finished)" in verbose.stderr      # -v: Scrapy's log on stderr too
    assert "INFO: Spider closed (finished)" in (tmp_path / "v" / "logs" / "crawl-run1.log").read_text(encoding="utf-8")


RAISING_CRAWL = """
import sys
from crawler.run import crawl
from crawler.spiders import PortalSpider

class Raising(PortalSpider):
    '''The real spider, except that handling one list page raises (a bug of ours, a page we
    cannot read): what the run must make of that is the test.'''
    def parse_list(self, response):
        if response.url.endswith(sys.argv[3]):
            raise ValueError("cannot read this list page")
        yield from super().parse_list(response)

result = crawl(sys.argv[1], sys.argv[2], overrides=tuple(sys.argv[4:]), spider_cls=Raising)
sys.exit(result.exit_code)
"""


def test_a_callback_that_raises_is_a_failed_fetch_not_a_silent_ok(tmp_path):
    import subprocess
    import sys

    from tests.helpers import REPO
    portal = sites.start()
    try:
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["plainx"])
        data = tmp_path / "data"
        # plainx lists 2021–2023: the later years due are gaps (archive/gaps.py), so exit 3
        renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, expect=3)
        before = q(data, "select count(*) from report_documents")
        # second run: the first list page's callback raises
        script = tmp_path / "raising_crawl.py"   # a file: Scrapy reads callbacks' source
        script.write_text(RAISING_CRAWL, encoding="utf-8")
        proc = subprocess.run([sys.executable, str(script), str(registry), str(data), "/xxgk/nb/list1.html",
                               *[a for a in ONLY_REGISTRY if a != "-s"]], cwd=REPO, capture_output=True, text=True,
                              timeout=120, env={**__import__("os").environ, "PYTHONPATH": str(REPO)})
    finally:
        portal.stop()
    assert proc.returncode == 3, proc.stderr[-3000:]
    list_url = portal.url("plainx") + "xxgk/nb/list1.html"
    # the URL is a failed fetch with the exception, and the ledger will retry it next run
    assert q(data, "select error from fetches where run_id = 2 and url = ? and error is not null", [list_url]) == [
        ("parse_list raised ValueError: cannot read this list page",)]
    assert q(data, "select stage, outcome from crawl_ledger where key = ?", [list_url]) == [("failed", "failed")]
    # the site says so, with the reason, and is not ok
    status, message, errors = q(data, "select status, message, errors from crawl_sites where run_id = 2")[0]
    assert (status, errors) == ("errors", 1) and "cannot read this list page" in message
    # nothing beneath the list page that failed is taken for gone
    assert q(data, "select count(*) from report_documents") == before
    assert q(data, "select count(*) from report_documents where gone_since is not null") == [(0,)]
    assert q(data, "select count(*) from reports where gone_since is not null") == [(0,)]
    assert q(data, "select count(*) from crawl_ledger where gone_since is not null") == [(0,)]


def test_what_failed_last_run_is_asked_again_even_below_an_unchanged_list_page(tmp_path):
    """plainx's 2022 page answers 500 through every retry in run 1; in run 2 the first list page
    is unchanged (304) with every report on it known, so paging stops there: the failed page
    beneath must be requested all the same (and now it works)."""
    portal = sites.start()
    try:
        page = portal.sites["plainx"].pages["/xxgk/nb/2022.html"]
        page.fail_first = 3                      # RETRY_TIMES = 2: three 500s and the run gives up
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["plainx"])
        data = tmp_path / "data"
        out1 = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, expect=3).stdout
        assert "plainx: partial" in out1 and "2022.html (HTTP 500)" in out1
        assert q(data, "select count(*) from report_documents where report_id = 'plainx-2022'") == [(0,)]
        portal.clear()
        out2 = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, expect=3).stdout
        hits = [(h.path, h.status) for h in portal.hits]
    finally:
        portal.stop()
    assert ("/xxgk/nb/list2.html", 200) not in hits and ("/xxgk/nb/list2.html", 304) not in hits  # paging stopped
    assert ("/xxgk/nb/2022.html", 200) in hits                                                   # yet retried
    # nothing failed this time: the crawl finds the site ok, and only its calendar (no report after
    # 2023) keeps it from ok
    assert "plainx: missing_years" in out2
    assert q(data, "select kind from report_documents where report_id = 'plainx-2022'") == [("article",)]


def test_a_site_with_no_report_says_so_with_its_reason(tmp_path):
    portal = sites.start()
    try:
        portal.sites["hintx"].set_pages({"/": Page(b"<html><body><p>\xe7\xbd\x91\xe7\xab\x99\xe7\xbb\xb4\xe6\x8a\xa4\xe4\xb8\xad"
                                                   b"</p><a href='/news/'>news</a></body></html>", "text/html")})
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["hintx"])
        proc = renfang("crawl", "--registry", registry, "--data-dir", tmp_path / "data", *ONLY_REGISTRY, expect=3)
    finally:
        portal.stop()
    status, message = q(tmp_path / "data", "select status, message from crawl_sites")[0]
    assert status == "no_reports"
    assert message.startswith("no disclosure column (政府信息公开 / 信息公开 / 政务公开) linked from ")
    assert "hintx: no_reports" in proc.stdout and "1 of 1 site(s) not ok: hintx no_reports" in proc.stderr


def test_an_item_the_pipeline_cannot_write_is_an_error_row_not_a_lost_crawl(tmp_path):
    from scrapy.utils.test import get_crawler

    from crawler.items import ReportListing
    from crawler.pipelines import ArchivePipeline
    from crawler.registry import Site
    from crawler.spiders import PortalSpider
    from crawler.state import get_state
    from scrapy.settings import Settings
    settings = Settings()
    settings.setmodule("crawler.settings")
    site = Site("x", "某市人民防空办公室", "city", "四川", "http://127.0.0.1:1/")
    ours = {k: v for k, v in settings.copy_to_dict().items() if k.startswith("RENFANG_")}
    crawler = get_crawler(PortalSpider, {**ours, "RENFANG_DATA_DIR": str(tmp_path), "RENFANG_WARC": False})
    crawler.spider = PortalSpider.from_crawler(crawler, sites=[site])
    pipeline = ArchivePipeline.from_crawler(crawler)
    # a listing without a year breaks the reports table's NOT NULL: the write fails for real
    item = ReportListing("x", None, "某市人民防空办公室政府信息公开工作年度报告", "http://127.0.0.1:1/a.html",
                         "http://127.0.0.1:1/list.html")
    assert pipeline.process_item(item) is item
    state = get_state(crawler)
    assert len(state.progress["x"].errors) == 1 and "IntegrityError" in state.progress["x"].errors[0]
    state.close(crawler.spider)
    assert q(tmp_path, "select url, error like 'pipeline raised IntegrityError%' from fetches") == [
        ("http://127.0.0.1:1/a.html", 1)]
    assert q(tmp_path, "select status from crawl_sites") == [("errors",)]


def test_what_robots_txt_forbids_is_recorded_and_the_site_says_so(tmp_path):
    portal = sites.start()
    try:
        portal.sites["plainx"].pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /xxgk/nb/2022.html\n",
                                                           "text/plain")
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["plainx"])
        data = tmp_path / "data"
        out = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, expect=3).stdout
        assert ("plainx", "/xxgk/nb/2022.html") not in {(h.site, h.path) for h in portal.hits}
        portal.clear()
        renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, "--ignore-robots", expect=3)
        assert ("plainx", "/xxgk/nb/2022.html") in {(h.site, h.path) for h in portal.hits}
    finally:
        portal.stop()
    url = portal.url("plainx") + "xxgk/nb/2022.html"
    assert "plainx: partial" in out and f"1 URL(s) forbidden by robots.txt, first: {url}" in out
    assert q(data, "select error from fetches where run_id = 1 and url = ?", [url]) == [
        ("forbidden by robots.txt, not requested",)]
    # fetched with --ignore-robots: nothing failed; the years after plainx's 2023 report are gaps
    assert q(data, "select status from crawl_sites order by run_id") == [("partial",), ("missing_years",)]


def test_a_missing_robots_txt_is_no_error(tmp_path):
    """Issue 23: a site without robots.txt (404) forbids nothing (RFC 9309): the fetch is logged
    with its status, but the run counts no error and the site stays ok."""
    portal = sites.start()
    try:
        portal.sites["plainx"].pages["/robots.txt"] = Page(b"<html><body>404 Not Found</body></html>", status=404)
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["plainx"])
        data = tmp_path / "data"
        out = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, "--now", "2024-03-01").stdout
    finally:
        portal.stop()
    robots = portal.url("plainx") + "robots.txt"
    assert q(data, "select status, error from fetches where url = ?", [robots]) == [(404, None)]
    assert q(data, "select errors from crawl_runs") == [(0,)]
    assert q(data, "select status from crawl_sites") == [("ok",)]
    assert " 0 errors;" in out


def test_explain_covers_every_article_and_attachment(tmp_path):
    """Issue 23: `--explain` goes on past the list pages: each article and attachment of the
    site's reports, stored (with its SHA-256), refused or failed and why, and its report."""
    portal = sites.start()
    try:
        portal.sites["plainx"].pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /xxgk/nb/2022.html\n",
                                                           "text/plain")
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["plainx"])
        data = tmp_path / "data"
        out = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, "--explain", "plainx",
                      expect=3).stdout
    finally:
        portal.stop()
    base = portal.url("plainx")
    lines = out.splitlines()
    docx = base + "xxgk/nb/2023.docx"
    at = lines.index(f"ATTACHMENT {docx}")
    (sha,) = q(data, "select sha256 from report_documents where url = ?", [docx])[0]
    assert lines[at + 1].startswith(f"  stored  {sha[:16]}… (") and lines[at + 1].endswith(", new)")
    assert lines[at + 2].startswith("  report  2023 ") and "(docx, 2023.docx)" in lines[at + 2]
    at = lines.index(f"ARTICLE {base}xxgk/nb/2023.html")
    assert lines[at + 1].startswith("  stored  ") and lines[at + 2].startswith("  report  2023 ")
    assert f"ARTICLE {base}xxgk/nb/2021.pdf" in lines    # listed itself: the report's own URL
    at = lines.index(f"ARTICLE {base}xxgk/nb/2022.html")
    assert lines[at + 1] == "  refused forbidden by robots.txt, not requested"
    # after the list pages, before the calendar
    assert max(i for i, l in enumerate(lines) if l.startswith("LIST")) < at < next(
        i for i, l in enumerate(lines) if l.startswith("calendar on "))

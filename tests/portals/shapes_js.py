"""Test portals whose pages are built by JavaScript that really runs in Chromium (issue 19,
acceptance 1): each site is one office, shaped like a real Chinese government portal, in a
shape the other test portals (``shapes.py``, its hold-out set) do not have.

| site | office (registry name) | what the scripts do | module |
|---|---|---|---|
| cfgrf | 青岚市人民防空办公室 | a module loader (``require([...])``) calls ``listModel({listUrl: SiteInfo.searchUrl})``; ``SiteInfo`` lives in another script file; JSON pages | shapes_js_lists |
| btnrf | 石砚县人民防空办公室 | ``go(p)`` loads GBK HTML fragments into an empty ``<div>``; ``<button onclick="go(2)">`` pagers; no 2020 report | shapes_js_lists |
| morerf | 凤鸣市人民防空办公室 | 5 entries in the HTML, the rest appended by 加载更多 (``fetch``, template literals) | shapes_js_lists |
| layrf | 安澜市人民防空办公室 | layui ``laypage.render({jump})``: each page a POST of a JSON body to ``/xxgk/api/list`` | shapes_js_lists |
| nuxtrf | 澄湖区人民防空办公室 | Nuxt: the list is ``window.__NUXT__=(function(a,b,…){…}(…))``, paths split into parameters and ``\u002F``, rendered by app.js | shapes_js_lists |
| sparf | 楚汀市人民防空办公室 | a hash-routed single-page app (``#/column/xxgk``, ``#/list/ndbg/2``, ``#/detail/ID``); API base only in ``/config.js``; RuoYi-style JSON | shapes_js_lists |
| scrollrf | 白沙县人民防空办公室 | 4 entries in the HTML, the rest loaded as the page scrolls (``IntersectionObserver``), each page's XHR signed by the script (``sign=``), refused unsigned | shapes_js_lists |
| dwrf | 青溪县人民防空办公室 | the list is ``document.writeln``'d by a GBK script file (TRS js 调用); no 2022 report | shapes_js_lists |
| tplrf | 邕岸市人民防空办公室 | an avalon-like ``ms-for`` template rendered from ``<script type="application/json">``; further pages by JSONP with a generated callback name | shapes_js_lists |
| ysrf | 鹤川区人民防空办公室 | a script fills the year ``<select onchange="window.location.href=this.options[…].value">`` | shapes_js_nav |
| cookierf | 霞溪市人民防空办公室 | every URL behind a JS cookie challenge (HTTP 521, cookie computed by script) | shapes_js_nav |
| tabrf | 松桥县人民防空办公室 | the 年度报告 column is a tab (``<li>`` with a click handler) whose pane is fetched, then year tabs ``<span>2024年</span>`` fetch each year's list | shapes_js_nav |
| treerf | 柏川区人民防空办公室 | a 信息公开目录 tree expanded by click (children fetched as JSON), a year leaf loads its list; nothing after 2023 | shapes_js_nav |
| jumprf | 桐溪市人民防空办公室 | the root only redirects by script (``location.replace``, mobile or PC) | shapes_js_nav |
| postrf | 枫林县人民防空办公室 | the root redirects by ``<meta refresh>``; the list's pager POSTs a hidden form (``toPage(n)``); a GET ignores ``pageNo`` | shapes_js_nav |
| lurerf | 汀澜市人民防空办公室 | report-titled home-page lures (and a script-built floating box) to a copy site on another port (``copyx``, never in the registry) | shapes_js_nav |
| dlrf | 金坪市人民防空办公室 | attachments behind ``onclick="downloadFile('8f3a21')"``, a page function in article.js | shapes_js_docs |
| viewrf | 岩溪区人民防空办公室 | PDFs only in viewers: an iframe whose ``src`` a script sets to ``viewer.html?file=…``, ``PDFObject.embed``, an ``<object>`` built from ``data-src``, a framed / embedded PDF, a viewer link | shapes_js_docs |

The registry gives ``id,name,level,province,url`` only (``write_registry``); ``SITES`` is the
set (the :class:`~tests.portals.shapes.SiteSet` interface: ``start()``, ``expected``,
``expected_documents``, ``never_archived``, ``never_requested``, ``score(portal, data_dir)``);
``expected_reports(sid)`` gives ``{year: {path of each document}}``; ``expected_status(sid)``
the status a truthful crawl gives (``ok``, or ``missing_years`` with the years the portal
never published, by ``archive/gaps.py``; ``blocked`` for cookierf when the browser is off).
Each site's ``probes`` say what a person sees in Chromium (``tests/test_portals_js.py``).

``.venv/bin/python -m tests.portals.shapes_js DATA_DIR [renfang crawl options, e.g. --no-browser]``
serves the sites, runs ``renfang crawl`` on a bare registry of them and prints the score.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from archive import gaps
from archive.vocab import SiteStatus
from parsers.vocab import ParseStatus
from tests.helpers import q
from tests.portals import shapes_js_docs, shapes_js_lists, shapes_js_nav
from tests.portals.server import TestPortal
from tests.portals.shapes import SiteSet
from tests.portals.shapes_js_common import JsSite

BUILDERS = {**shapes_js_lists.BUILDERS, **shapes_js_nav.BUILDERS, **shapes_js_docs.BUILDERS}
#: request cookies a browser that passed a site's challenge sends (for tests that fetch directly)
COOKIES: dict[str, dict[str, str]] = {**shapes_js_nav.COOKIES}
#: sites the crawl cannot enter without running the page's script
NEEDS_BROWSER_TO_ENTER = {"cookierf"}


class JsSiteSet(SiteSet):
    """:class:`SiteSet` whose sites may guard every URL (``gate``), answer JSON POSTs
    (``raw_post``) and link hosts that are not in the registry (``extra``: builders of
    other loopback sites, e.g. a copy site, served beside them but never in the registry)."""

    def __init__(self, builders: dict, extra: dict | None = None):
        self.extra = extra or {}
        super().__init__(builders)

    def build(self, base: dict[str, str]) -> dict[str, JsSite]:
        # the truth is built with one made-up root for every site: the extra hosts get other ports
        base = {**{sid: f"http://127.0.0.1:{8 - i}/" for i, sid in enumerate(self.extra)}, **base}
        return super().build(base)

    def start(self) -> TestPortal:
        """Every site and extra host on its loopback port; ``portal.built`` holds the sites as
        built for those ports (their probes name absolute URLs of other hosts)."""
        portal = TestPortal(self.ids + list(self.extra))
        base = {sid: s.url for sid, s in portal.sites.items()}
        built = self.build(base)
        for sid, fn in self.extra.items():
            built_extra = fn(base)
            portal.sites[sid].set_pages(built_extra.pages, built_extra.post, built_extra.dynamic)
        for sid, site in built.items():
            server = portal.sites[sid]
            server.set_pages(site.pages, site.post, site.dynamic)
            server.gate, server.raw_post = site.gate, dict(site.raw_post)
        portal.built = built
        return portal

    def score(self, portal: TestPortal, data_dir) -> dict[str, dict]:
        """:meth:`SiteSet.score` plus, per site, what the crawl archived as the office's from
        other hosts (``off_host_archived``: URLs) and the requests made of the hosts that are
        not in the registry (``off_registry_requests``, the same count on every site)."""
        out = super().score(portal, data_dir)
        rows = q(data_dir, "select r.agency_id, rd.url from reports r join report_documents rd on rd.report_id = r.id")
        extra_hits = sum(1 for h in portal.hits if h.site in self.extra)
        for sid in out:
            netloc = urlsplit(portal.url(sid)).netloc
            out[sid]["off_host_archived"] = sorted(u for a, u in rows if a == sid and urlsplit(u).netloc != netloc)
            out[sid]["off_registry_requests"] = extra_hits
        return out


SITES = JsSiteSet(BUILDERS, shapes_js_nav.EXTRA)
SITE_IDS: list[str] = SITES.ids


def expected_reports(sid: str) -> dict[int, set[str]]:
    """The reports a crawl must find on ``sid``: year -> path(?query) of each of its documents."""
    return {int(r.rsplit("-", 1)[1]): set(SITES.expected_documents[r]) for r in SITES.expected[sid]}


def calendar_gaps(sid: str, on: date | None = None) -> list[int]:
    """The years due (by ``archive/gaps.py``) that the portal never published a report for."""
    reports = {y: (ParseStatus.PENDING, None) for y in expected_reports(sid)}
    return sorted(gaps.judge(reports, on or date.today()).gaps)


def expected_status(sid: str, browser: bool = True, on: date | None = None) -> str:
    """What a truthful crawl says of ``sid`` once every report it publishes is found."""
    if not browser and sid in NEEDS_BROWSER_TO_ENTER:
        return SiteStatus.BLOCKED
    return SiteStatus.MISSING_YEARS if calendar_gaps(sid, on) else SiteStatus.OK


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.portals.shapes_js DATA_DIR [renfang crawl options]``: serve every site,
    ``renfang crawl`` a bare registry of them into DATA_DIR, print per site the score and the
    status the crawl gave beside the truthful one, as JSON."""
    import json
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    if not args or args[0].startswith("-"):
        print(main.__doc__, file=sys.stderr)
        return 2
    browser = "--no-browser" not in args
    renfang = str(Path(sys.executable).with_name("renfang"))
    with SITES.start() as portal, tempfile.TemporaryDirectory() as tmp:
        registry = SITES.write_registry(portal, Path(tmp) / "registry.csv")
        proc = subprocess.run([renfang, "crawl", "--registry", str(registry), "--data-dir", args[0],
                               "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
                               "-s", "RENFANG_ALLOWED_SUFFIXES=", "-s", "RENFANG_PROGRESS_INTERVAL=0", *args[1:]])
        score = SITES.score(portal, args[0])
        rows = {sid: (status, message) for sid, status, message in q(
            args[0], "select agency_id, status, message from crawl_sites where run_id = "
                     "(select max(run_id) from crawl_sites)")}
        for sid, row in score.items():
            row["status"], row["message"] = rows.get(sid, (None, None))
            row["truthful_status"] = expected_status(sid, browser)
        print(json.dumps(score, ensure_ascii=False, indent=1))
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())

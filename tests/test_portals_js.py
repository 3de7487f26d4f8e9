"""The script-built test portals (tests/portals/shapes_js.py) in headless Chromium: each site's
JavaScript really runs and builds what a person sees — the list entries, the year options, the
download a page function asks for, the page behind a cookie challenge — and what only the
script builds is not in the static HTML (a crawler that reads the HTML alone cannot see it).

One portal server and one Chromium (Playwright, Debian's /usr/bin/chromium, as the project
launches it) for the module; every probe in a fresh browser context, requests to any host
but the portal's refused (the page furniture links www.gov.cn scripts).
"""
from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.portals import shapes_js

pytestmark = [pytest.mark.browser, pytest.mark.loopback]  # test tiers: README "Development"

CHROMIUM = "/usr/bin/chromium"
_TRUTH = shapes_js.SITES.build({sid: "http://127.0.0.1:9/" for sid in shapes_js.SITE_IDS})
PROBES = [(sid, n) for sid in shapes_js.SITE_IDS for n in range(len(_TRUTH[sid].probes))]

# every URL the page shows: links, frames, embedded and framed documents, in every frame
_DOM_URLS = """() => {
  const out = [location.href];
  document.querySelectorAll('a[href]').forEach(a => out.push(a.href));
  document.querySelectorAll('iframe[src], frame[src], embed[src]').forEach(e => out.push(e.src));
  document.querySelectorAll('object[data]').forEach(e => out.push(e.data));
  document.querySelectorAll('option[value]').forEach(o => out.push(new URL(o.value, location.href).href));
  return out;
}"""


@pytest.fixture(scope="module")
def js_portal():
    with shapes_js.SITES.start() as running:
        yield running


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def key(url: str, root: str) -> str:
    """A URL of the site as ``path?query`` (the truth's form), with a route fragment (``#/…``
    of a single-page app); other hosts' URLs whole."""
    u, r = urlsplit(url), urlsplit(root)
    if u.netloc != r.netloc:
        return url
    return u.path + ("?" + u.query if u.query else "") + ("#" + u.fragment if u.fragment.startswith("/") else "")


def static_html(url: str) -> str:
    """The page as a plain HTTP client gets it (no script run, no cookie): the body of any
    status, decoded as its bytes allow (UTF-8 or GBK)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body = r.read()
    except urllib.error.HTTPError as e:
        body = e.read()
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030")


def open_probe(chromium, portal, sid: str, n: int):
    """Run probe ``n`` of ``sid`` in a fresh context: the probe, the keys of what was shown or
    requested, the text the page showed."""
    probe = portal.built[sid].probes[n]
    root = portal.url(sid)
    allowed = {urlsplit(portal.url(s)).netloc for s in portal.sites}
    context = chromium.new_context(accept_downloads=True)
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc in allowed
                  else route.abort())
    requested: list[str] = []
    context.on("request", lambda req: requested.append(req.url))
    shown: set[str] = set()
    texts: list[str] = []
    try:
        page = context.new_page()
        page.goto(root + probe.path.lstrip("/"), wait_until="load")
        if probe.ready:
            page.wait_for_selector(probe.ready, state="attached", timeout=15_000)
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        try:   # the page's own requests settle; an embedded PDF viewer may keep one open on a loaded machine
            page.wait_for_load_state("networkidle", timeout=15_000)
        except PlaywrightTimeout:
            pass

        def snap():
            for frame in page.frames:
                shown.update(frame.evaluate(_DOM_URLS))
            texts.append(page.inner_text("body"))
        snap()
        if probe.drive:
            probe.drive(page, snap)
            snap()
    finally:
        context.close()
    return probe, {key(u, root) for u in shown | set(requested)}, "\n".join(texts)


@pytest.mark.parametrize("sid,n", PROBES, ids=[f"{sid}-{n}" for sid, n in PROBES])
def test_the_script_builds_what_a_person_sees(js_portal, chromium, sid, n):
    probe, seen, text = open_probe(chromium, js_portal, sid, n)
    assert probe.shows, probe
    assert sorted(probe.shows - seen) == [], probe.what
    assert probe.says in text
    static = static_html(js_portal.url(sid) + probe.path.lstrip("/"))
    assert [h for h in sorted(probe.hidden) if h in static] == [], "in the static HTML: " + probe.what

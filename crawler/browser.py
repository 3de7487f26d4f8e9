"""The browser, the last extractor: headless Chromium (Debian ``chromium``) through scrapy-playwright,
for the pages the static pass says are built by script (``../shared/STYLE.md`` §7).

Three parts:

- :func:`script_signals` (pure, on the static page): why a page's content is built by script, so
  that a browser should see it; ``[]`` for a plain static page.
- :func:`browser_meta` (the request meta that sends one request through the browser, one browser
  context per site) and :func:`visit` (run in the request's callback on the Playwright page it
  hands over): the network settles, a cookie challenge passes, every XHR/fetch response is captured,
  the behaviours (every ``<select>`` option, pagers, disclosure/annual-report/year tabs and tree
  nodes, 加载更多) are driven within a :class:`Budget`, and each DOM state is snapshotted. Every
  URL the page navigates to or opens is recorded and *not* followed (Scrapy fetches it); requests
  to other hosts are blocked.
- :class:`BrowserDownloadHandler`, the download handler of ``crawler/settings.py``: Scrapy's own
  HTTP handler for every request without ``meta["playwright"]``; Playwright's driver and Chromium
  are started on the first browser request only, so a crawl in which no page needs the browser
  never starts either. When :func:`browser_available` gives a reason (``RENFANG_BROWSER`` off,
  no Chromium at ``RENFANG_CHROMIUM``), it is Scrapy's plain HTTP handler and nothing else.

From a spider (a sketch of the wiring)::

    from crawler import browser

    budget = self.budgets.setdefault(site.id, browser.Budget.from_settings(self.settings))
    if browser.script_signals(response.selector, js, response.url, status=response.status) \\
            and self.browser_off is None and budget.take():
        yield scrapy.Request(url, self.parse_browser, errback=self.browser_failed, dont_filter=True,
                             meta={**meta, **browser.browser_meta(site.id, scope=self.scope)})

    async def parse_browser(self, response):
        browser.count_browser_page(self.crawler.stats, response.meta["agency_id"])
        seen = await browser.visit(response.meta["playwright_page"], budget=budget,
                                   on_target=self.scope.allows)
        for url, html in seen.snapshots: ...          # parse like any page (HtmlResponse(url, body=html))
        for captured in seen.responses: ...           # a JSON list: parse like an API page
        for url, found_in in seen.navigations: ...    # request them with Scrapy
        cookies = browser.scrapy_cookies(seen, response.url)   # Request(..., cookies=cookies)

    def browser_failed(self, failure):
        browser.release_page(failure)                 # always close the page
        ...

``browser_off = browser.browser_available(self.settings)`` is ``None`` when the browser can run,
else the reason (for ``--explain`` and the sites left short).
"""
from __future__ import annotations

import asyncio
import functools
import importlib.util
import os
import re
import time
from dataclasses import dataclass, field
from typing import AsyncIterator, Callable, Iterable
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from crawler.antibot import detect_challenge
from crawler.scope import netloc

# The flags of ../notes/COMMON.md: the browser sends nothing but the crawl's own requests.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
                 "--metrics-recording-only", "--lang=zh-CN",
                 # (memory: no GPU process of its own for software compositing, no spare renderer kept
                 # waiting; with RENFANG_BROWSER_AT_ONCE a crawl with Chromium stays under 1.5 GB)
                 "--in-process-gpu", "--disable-features=SpareRendererForSitePerProcess"]
CAPTURE_CHARS = 2_000_000        # an XHR body kept up to this many characters (a list is far smaller)
CHALLENGE_SECONDS = 15.0         # a cookie challenge reloads within a few seconds, or not at all
MAX_STEPS = 60                   # clicks and choices per visit, whatever time is left
STATS_KEY = "renfang/browser_pages"


# ---------------------------------------------------------------- is the browser there?

def launch_options(chromium: str) -> dict:
    """Playwright's launch options for Debian's Chromium (never a downloaded browser)."""
    return {"executable_path": chromium, "headless": True, "args": list(CHROMIUM_ARGS)}


def browser_available(settings) -> str | None:
    """``None`` when pages can go through the browser, else why not (a sentence for ``--explain``
    and for the sites left short). ``settings``: Scrapy's settings or any mapping."""
    on = settings.get("RENFANG_BROWSER", True)
    if isinstance(on, str):
        on = on.strip().lower() not in ("0", "false", "no", "off", "")
    if not on:
        return "the browser is off (RENFANG_BROWSER=False, --no-browser)"
    chromium = settings.get("RENFANG_CHROMIUM") or "/usr/bin/chromium"
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        return f"no Chromium at {chromium} (Debian package chromium; RENFANG_CHROMIUM)"
    if importlib.util.find_spec("scrapy_playwright") is None:   # (not imported: only a browser page needs it)
        return "scrapy-playwright is not installed (requirements.lock)"
    return None


# ---------------------------------------------------------------- signals: does a page need the browser?

@dataclass(frozen=True)
class Signal:
    found_in: str        # the element or script, e.g. "ul#list", "script[2]"
    why: str
    kind: str = "built"  # challenge, built (a loader, an empty container, a template), or a control:


#: controls the static pass cannot drive (a pager, a select, a tab/menu/tree node, 加载更多):
#: entries may hide behind them even when the static page listed some
PAGER, SELECT, TAB, MORE = "pager", "select", "tab", "more"
CONTROLS = (PAGER, SELECT, TAB, MORE)


_CONTAINER_NAME = re.compile(r"app|root|list|lst|news|data|result|item|info|article|table|pag|content|cont\b|"
                             r"main|view|container|tree|menu|nav|tab", re.I)
_TEMPLATE_ATTRS = ("v-for", "v-if", "v-html", "v-bind", "ms-repeat", "ms-for", "ms-controller", "ng-repeat",
                   "ng-app", "x-for", "x-data", "data-bind")
_HANDLER_ATTR = re.compile(r"^(onclick|ondblclick|onmousedown|@click|v-on:click|ng-click|ms-click|x-on:click|"
                           r"\(click\)|data-page|data-pageindex|data-index|data-year|data-href|data-url)$", re.I)
_PAGER = re.compile(r"^(下一?页|后一页|上一?页|前一页|首页|尾页|末页|next|prev(ious)?|next page|[>›»<‹«]{1,2}|\d{1,3})$", re.I)
_COLUMN = re.compile(r"信息公开|政务公开|年度报告|年报|工作报告|公开目录|公开指南")
_YEAR = re.compile(r"^\s*(19|20)\d{2}\s*年?度?\s*$")
_MORE = re.compile(r"加载更多|点击加载|查看更多|显示更多|load more", re.I)
# a script that loads as the page scrolls (infinite scroll): an IntersectionObserver or a scroll
# handler in a script that also asks for data; a scroll handler alone is a 返回顶部 button
_ON_SCROLL = re.compile(r"\bIntersectionObserver\b|addEventListener\(\s*['\"]scroll['\"]|\bonscroll\s*=|"
                        r"\$\(\s*(?:window|document)\s*\)\.(?:scroll\s*\(|on\(\s*['\"]scroll)")
_ASKS = re.compile(r"\bfetch\s*\(|XMLHttpRequest|\$\.(?:ajax|get|post|getJSON)\s*\(|\baxios\b")
_LOADER = re.compile(r"\brequire\s*\(\s*\[|\bdefine\s*\(\s*(\[|function|['\"])|\brequire(js)?\.config\s*\(|"
                     r"\bseajs\.use\s*\(|\bSystem\.import\s*\(|\bimport\s*\(\s*['\"]")
_LOADER_SRC = re.compile(r"(^|/)(require|sea|system|almond)(\.min)?\.js", re.I)
_JQ_BIND = re.compile(r"""\$\(\s*['"]([^'"]{1,80})['"]\s*\)\s*\.\s*(?:on\s*\(\s*['"](click|change)|(click|change)\s*\()""")
_DOM_BIND = re.compile(r"""getElementById\(\s*['"]([\w-]+)['"]\s*\)\s*\.\s*(?:on(click|change)\s*=|"""
                       r"""addEventListener\s*\(\s*['"](click|change))""")
_NAVIGATES = re.compile(r"location|window\.open|\.submit\(|href", re.I)


def _describe(el) -> str:
    tag = el.root.tag if isinstance(el.root.tag, str) else "?"
    ident = el.attrib.get("id")
    if ident:
        return f"{tag}#{ident}"
    classes = (el.attrib.get("class") or "").split()
    return tag + "".join(f".{c}" for c in classes[:2])


def _real_href(el) -> bool:
    """An element that is (or sits in) a link with a real target: the static pass follows it."""
    for a in [el, *el.xpath("ancestor::a[@href]")]:
        href = (a.attrib.get("href") or "").strip() if a.root.tag == "a" else None
        if href is not None:
            return bool(href) and not href.startswith("#") and not href.lower().startswith("javascript:")
    return False


def _own_text(el) -> str:
    return re.sub(r"\s+", "", "".join(el.xpath(".//text()").getall()))[:40]


_CONTROL_ROLES = ("tab", "treeitem", "button", "menuitem")


def _body_elements(sel):
    """The elements ``//body//*`` that can be controls (a handler attribute, a button or a
    control's role, a link without a real target), as Selectors: on an HTML page's parsed tree
    the others (most of a page) are passed over without a Selector made for each."""
    from lxml import etree

    from crawler.extract import PARSEL_HTML

    root = sel.root
    if sel.type != PARSEL_HTML or not isinstance(root, etree._Element):
        yield from sel.xpath("//body//*")
        return
    make = sel.__class__
    for node in _BODY_ELEMENTS(root):
        attrib = node.attrib
        if node.tag == "a":
            href = (attrib.get("href") or "").strip()     # (_real_href of the link itself)
            if href and not href.startswith("#") and not href.lower().startswith("javascript:"):
                continue      # a link with a real target is no control, whatever it handles
        elif node.tag != "button" and (attrib.get("role") or "") not in _CONTROL_ROLES and not any(
                _HANDLER_ATTR.match(a) or a.startswith("v-on:") or a.startswith("@") for a in attrib):
            continue
        yield make(root=node, type="html")


def _body_elements_xpath():
    from lxml import etree
    return etree.XPath("//body//*")


_BODY_ELEMENTS = _body_elements_xpath()


def script_signals(sel, js: str | Iterable[str] | None, url: str, *, status: int = 200,
                   controls_only: bool = False) -> list["Signal"]:
    """The reasons a page's content is built by script and a browser should see it, read off the
    static page ``sel`` (a parsel Selector), its inline scripts and ``js`` (the text of its script
    files, when the caller fetched them). ``[]``: nothing here needs the browser. ``controls_only``:
    only the controls a browser could drive (kinds PAGER, TAB, MORE, SELECT), not the signs of
    content built by script nor a challenge (what a page that did not come up short asks)."""
    signals: list[Signal] = []
    seen: set[tuple[str, str]] = set()

    def add(found_in: str, why: str, kind: str = "built") -> None:
        if (found_in, why) not in seen:
            seen.add((found_in, why))
            signals.append(Signal(found_in, why, kind))

    challenge = None if controls_only else detect_challenge(status, (sel.get() or "").encode("utf-8", "replace"))
    if challenge:
        add(f"HTTP {status} page", f"{challenge} challenge: a script sets a cookie and reloads the page; "
                                   "the browser runs it and earns the cookie", "challenge")
    inline = [s for s in sel.xpath("//script[not(@src)]/text()").getall() if s.strip()]
    linked = sel.xpath("//script[@src]")
    extra = [t for t in ([js] if isinstance(js, str) else list(js or [])) if t and t.strip()]
    scripts = inline + extra
    # (else nothing can fill an empty container; the signs of built content not looked for at all
    # when only the controls are asked)
    has_scripts = bool(inline or linked or extra) and not controls_only

    # a module loader: the page is assembled by modules the static pass does not run
    for i, el in enumerate(sel.xpath("//script") if not controls_only else ()):
        src = el.attrib.get("src") or ""
        if (el.attrib.get("type") or "").lower() == "module":
            add(f"script[{i}]" + (f" {src}" if src else ""), "an ES module (type=\"module\") builds the page")
        elif el.attrib.get("data-main") or _LOADER_SRC.search(src):
            add(f"script[{i}] {src}", "a module loader (RequireJS/Sea.js) loads the page's scripts")
    for i, text in enumerate(scripts if not controls_only else ()):
        m = _LOADER.search(text)
        if m:
            add("inline script" if i < len(inline) else "script file",
                f"a module loader call ({m.group(0).strip()}…) builds the page")

    # an empty container beside scripts: the list is filled in by script
    for el in sel.xpath("//ul|//ol|//tbody|//table|//div|//section|//main|//dl") if has_scripts else ():
        tag = el.root.tag
        names = " ".join(filter(None, [el.attrib.get("id"), el.attrib.get("class")]))
        if el.xpath("./*") or _own_text(el):
            continue
        if tag in ("ul", "ol", "tbody", "table", "dl") or (names and _CONTAINER_NAME.search(names)):
            add(_describe(el), f"an empty <{tag}> the page's scripts fill in")
    # a template: a list written for a script framework to render
    for attr in _TEMPLATE_ATTRS if has_scripts else ():
        for el in sel.xpath(f"//*[@{attr}]")[:1]:
            add(_describe(el), f"a script template ({attr}=\"{el.attrib.get(attr)[:40]}\")")
    body_text = " ".join(sel.xpath("//body//text()[not(parent::script)]").getall()) if has_scripts else ""
    m = re.search(r"\{\{[^{}]{1,80}\}\}", body_text) if has_scripts else None
    if m:
        add("body text", f"a script template ({m.group(0)[:50]})")

    # controls whose click or change is handled by script and that have no link to follow
    def control(el, how: str) -> None:
        if _real_href(el):
            return
        text = _own_text(el) or (el.attrib.get("value") or "").strip()
        if _PAGER.match(text):
            add(_describe(el), f"a pager control \"{text}\" handled by script ({how}), no link", PAGER)
        elif _COLUMN.search(text) or _YEAR.match(text):
            add(_describe(el), f"a tab/menu/tree node \"{text}\" handled by script ({how}), no link", TAB)
        elif _MORE.search(text):
            add(_describe(el), f"\"{text}\" loads more entries by script ({how})", MORE)

    for el in _body_elements(sel):
        attrs = [a for a in el.attrib if _HANDLER_ATTR.match(a) or a.startswith("v-on:") or a.startswith("@")]
        if attrs:
            control(el, attrs[0])
        elif el.root.tag == "button" or (el.attrib.get("role") or "") in _CONTROL_ROLES:
            control(el, f"<{el.root.tag}>" if el.root.tag == "button" else f"role={el.attrib['role']}")
        elif el.root.tag == "a" and not _real_href(el):
            control(el, "a link without a target")
    for text in scripts:
        for m in _JQ_BIND.finditer(text):
            event = m.group(2) or m.group(3)
            try:
                targets = sel.css(m.group(1))
            except Exception:       # a jQuery selector CSS cannot read (":eq(0)"): nothing to point at
                continue
            for el in targets:
                if el.root.tag == "select" and event == "change":
                    _select(el, f"$('{m.group(1)}').{event}", text, add)
                elif event == "click":
                    control(el, f"$('{m.group(1)}').click")
                    for inner in el.xpath(".//*[not(*)]"):
                        control(inner, f"$('{m.group(1)}').click")
        for m in _DOM_BIND.finditer(text):
            event = m.group(2) or m.group(3)
            for el in sel.xpath(f"//*[@id='{m.group(1)}']"):
                if el.root.tag == "select":
                    _select(el, f"#{m.group(1)}.on{event}", text, add)
                elif event == "click":
                    control(el, f"#{m.group(1)}.on{event}")
    for el in sel.xpath("//select"):
        attrs = [a for a in el.attrib if a.lower() in ("onchange", "@change", "v-on:change", "v-model", "ms-duplex",
                                                        "ng-model", "ng-change", "x-model")]
        if attrs:
            _select(el, attrs[0], el.attrib[attrs[0]], add)
    for i, text in enumerate(scripts):
        m = _ON_SCROLL.search(text)
        if m and _ASKS.search(text):
            add("inline script" if i < len(inline) else "script file",
                f"entries load as the page scrolls ({m.group(0)}…)", MORE)
    for el in sel.xpath("//*[not(*)][contains(text(), '加载更多') or contains(text(), '点击加载') "
                        "or contains(text(), '查看更多') or contains(text(), '显示更多')]"):
        if not _real_href(el) and el.root.tag not in ("script", "style"):  # not vocabulary: HTML tags
            add(_describe(el), f"\"{_own_text(el)}\" loads more entries by script", MORE)
    return signals


def _select(el, how: str, handler: str, add) -> None:
    options = el.xpath(".//option")
    navigates = " and navigates" if _NAVIGATES.search(handler or "") else ""
    if len(options) < 2:
        if navigates or _YEAR_IN.search(handler or ""):
            # an empty choice (请选择年份) a script fills: nothing static to read
            add(_describe(el), f"a <select> with no choice in the HTML whose options a script builds ({how})"
                               f"{navigates}", SELECT)
        return
    texts = [" ".join(o.xpath(".//text()").getall()).strip() or (o.attrib.get("value") or "") for o in options]
    # a choice of years or columns may hide reports; a choice of other sites (友情链接) does not
    if not any(_YEAR_IN.search(t) or _COLUMN.search(t) for t in texts):
        return
    add(_describe(el), f"a <select> of {len(options)} options whose choice is handled by script ({how}){navigates}",
        SELECT)


_YEAR_IN = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")


# ---------------------------------------------------------------- requests through the browser

@dataclass
class Budget:
    """A site's browser budget for one run: browser pages (requests sent through the browser) and
    seconds of browser time, shared by its visits (``RENFANG_BROWSER_PAGES``, ``_SECONDS``)."""
    pages: int = 12
    seconds: float = 90.0
    used_pages: int = 0
    used_seconds: float = 0.0

    @classmethod
    def from_settings(cls, settings) -> "Budget":
        return cls(pages=int(settings.get("RENFANG_BROWSER_PAGES", 12)),
                   seconds=float(settings.get("RENFANG_BROWSER_SECONDS", 90.0)))

    @property
    def seconds_left(self) -> float:
        return max(0.0, self.seconds - self.used_seconds)

    def take(self) -> bool:
        """One more browser page for the site, if the budget allows (call before sending it)."""
        if self.used_pages >= self.pages or self.seconds_left <= 0:
            return False
        self.used_pages += 1
        return True

    def spent(self) -> str | None:
        """Why no more browser page may be sent, or None."""
        if self.used_pages >= self.pages:
            return f"browser page budget spent ({self.pages} pages, RENFANG_BROWSER_PAGES)"
        if self.seconds_left <= 0:
            return f"browser time budget spent ({self.seconds:g} s, RENFANG_BROWSER_SECONDS)"
        return None


def browser_meta(site_id: str, *, scope=None, wait_until: str = "load", timeout: float = 30.0,
                 user_agent: str | None = None) -> dict:
    """The meta that sends a request through the browser: a Playwright page handed to the callback
    (``response.meta["playwright_page"]``; :func:`visit` closes it, :func:`release_page` in the
    errback), one browser context per site (its cookies never mix with another site's). ``scope``:
    a picklable object whose ``allows(url)`` says which hosts the page may request (``crawler.scope.Scope``);
    without it, only the page's own host. Every status reaches the callback (a 521 challenge page
    is driven by :func:`visit`)."""
    return {
        "playwright": True,
        "playwright_include_page": True,
        "playwright_context": f"site-{site_id}",
        # every request of the page says who asks, as Scrapy's own do (its scripts, its images too)
        "playwright_context_kwargs": {"user_agent": user_agent} if user_agent else {},
        "playwright_page_goto_kwargs": {"wait_until": wait_until, "timeout": timeout * 1000},
        "playwright_page_init_callback": "crawler.browser.prepare_page",
        "renfang_browser": True,
        # the page handed over within this long, or the request fails (a page that reloads for
        # ever never lets scrapy-playwright read its content)
        "renfang_browser_timeout": timeout + CHALLENGE_SECONDS,
        "renfang_scope": scope,
        "handle_httpstatus_all": True,
    }


def release_page(failure_or_request) -> None:
    """Close the Playwright page of a request that failed (call from the errback): an open page
    holds browser memory until the crawl ends."""
    request = getattr(failure_or_request, "request", failure_or_request)
    meta = getattr(request, "meta", None) or {}
    page = meta.pop("playwright_page", None)
    if page is not None and not page.is_closed():
        asyncio.ensure_future(page.close())


async def close_failed(page) -> list["Exchange"]:
    """Close the page of a request that failed (an errback's part: an open page holds browser
    memory) and give what it fetched until then, every answer read."""
    if page is None:
        return []
    rec = getattr(page, "_renfang_recorder", None)
    if not page.is_closed():
        try:      # bounded: a page that reloads for ever must not hold the crawl
            await asyncio.wait_for(page.close(), 10)
        except Exception:        # already closing with its context: nothing more to fetch either
            pass
    if rec is None:
        return []
    if rec.tasks:
        await asyncio.wait(list(rec.tasks), timeout=5)
    return list(rec.exchanges)


def count_browser_page(stats, site_id: str | None) -> None:
    """One page seen through the browser: ``renfang/browser_pages`` and ``renfang/browser_pages/<site>``."""
    stats.inc_value(STATS_KEY)
    if site_id:
        stats.inc_value(f"{STATS_KEY}/{site_id}")


# ---------------------------------------------------------------- what the page did

@dataclass(frozen=True)
class Captured:
    """An XHR/fetch response the page received."""
    url: str
    method: str
    post_data: str | None
    status: int
    content_type: str
    body: str                 # text, at most CAPTURE_CHARS characters
    truncated: bool
    found_in: str             # the step that made the page ask for it ("load", "clicked 下一页 (a.next)")


@dataclass(frozen=True)
class Exchange:
    """One request the page made and the answer, as it went over the wire: for the WARC file
    (Browsertrix records every resource of a page, so a replay shows what the browser saw)."""
    method: str
    url: str
    request_headers: list          # [(name, value)]
    request_body: bytes
    status: int
    reason: str
    response_headers: list         # [(name, value)]
    body: bytes
    truncated: str | None = None   # WARC-Truncated: the body could not be kept ("length", "unspecified")


WARC_BYTES = 50_000_000          # a resource larger than this is not kept in the WARC file


@dataclass
class Visit:
    final_url: str
    snapshots: list[tuple[str, str]] = field(default_factory=list)      # (url, html) after each step
    responses: list[Captured] = field(default_factory=list)
    navigations: list[tuple[str, str]] = field(default_factory=list)    # (url, found_in): not followed
    posts: list[tuple[str, str]] = field(default_factory=list)          # (url, form body) of POST navigations
    cookies: list[dict] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)                      # what was driven, for --explain
    undriven: list[str] = field(default_factory=list)                   # what could not be, and why
    blocked: list[str] = field(default_factory=list)                    # requests to hosts off the site
    exchanges: list[Exchange] = field(default_factory=list)             # every answer, wire bytes


class _Recorder:
    """What one page does, from before its first request (``prepare_page``) to :func:`visit`'s end."""

    def __init__(self, page, allows: Callable[[str], bool]):
        self.page, self.allows = page, allows
        self.step = "load"
        self.driving = False           # after the first load: navigations are recorded, not made
        self.documents: list[tuple[str, int]] = []     # main-frame document responses (url, status)
        self.responses: list[Captured] = []
        self.navigations: list[tuple[str, str]] = []
        self.posts: list[tuple[str, str]] = []       # a form a control POSTs: Scrapy replays it
        self.blocked: list[str] = []
        self.exchanges: list[Exchange] = []
        self.inflight = 0
        self.tasks: set[asyncio.Task] = set()

    def navigated(self, url: str, found_in: str) -> None:
        if url not in {u for u, _ in self.navigations}:
            self.navigations.append((url, found_in))

    # page events
    def on_request(self, request) -> None:
        self.inflight += 1

    def on_done(self, request) -> None:
        self.inflight = max(0, self.inflight - 1)

    def on_response(self, response) -> None:
        request = response.request
        if request.resource_type == "document" and request.frame == self.page.main_frame:
            self.documents.append((response.url, response.status))
        elif request.resource_type in ("xhr", "fetch"):
            self._task(self._capture(response, self.step))
        if self.allows(response.url):
            self._task(self._exchange(response))

    def _task(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _exchange(self, response) -> None:
        request = response.request
        truncated = None
        if 300 <= response.status < 400:
            body = b""
        elif response.status >= 400 and request.resource_type not in ("document", "xhr", "fetch"):
            # Chromium keeps no body of a failed subresource: asking for it fetches it again,
            # outside the page (another request, another User-Agent); the record says so instead
            body, truncated = b"", "unspecified"
        else:
            try:
                body = await response.body()
            except Exception:      # gone with a navigation: headers only, marked
                body, truncated = b"", "unspecified"
        if len(body) > WARC_BYTES:
            body, truncated = b"", "length"
        try:
            sent = await request.headers_array()
            answered = await response.headers_array()
        except Exception:
            sent, answered = list(request.headers.items()), list(response.headers.items())
        pairs = lambda headers: [(h["name"], h["value"]) if isinstance(h, dict) else tuple(h) for h in headers]
        self.exchanges.append(Exchange(request.method, response.url, pairs(sent), request.post_data_buffer or b"",
                                       response.status, response.status_text or "", pairs(answered), body,
                                       truncated))

    async def _capture(self, response, step: str) -> None:
        request = response.request
        try:
            body = await response.text() if not 300 <= response.status < 400 else ""
        except Exception as e:        # the body is gone (page closed, a redirect): say so in the record
            body = f"(body not read: {type(e).__name__}: {e})"[:300]
        headers = response.headers
        self.responses.append(Captured(response.url, request.method, request.post_data, response.status,
                                       headers.get("content-type", ""), body[:CAPTURE_CHARS],
                                       len(body) > CAPTURE_CHARS, step))

    def opened(self, url: str) -> None:
        self.navigated(url, f"window.open ({self.step})" if self.allows(url) else
                       f"window.open off the site, not followed ({self.step})")

    def on_download(self, download) -> None:
        self.navigated(download.url, f"download ({self.step})")
        asyncio.ensure_future(download.cancel())

    def on_popup(self, popup) -> None:
        if popup.url and popup.url != "about:blank":
            self.navigated(popup.url, f"window.open ({self.step})")
        asyncio.ensure_future(popup.close())

    # routes: the page's (registered after scrapy-playwright's, so it runs first) and the context's (popups)
    async def guard(self, route, request) -> None:
        url = request.url
        if not url.startswith(("http://", "https://")):
            await route.fallback()
            return
        if not self.allows(url):
            self.blocked.append(url)
            if request.is_navigation_request():
                self.navigated(url, f"navigation off the site, not followed ({self.step})")
            await route.abort("blockedbyclient")
            return
        if self.driving and request.is_navigation_request() and request.frame == self.page.main_frame:
            # a choice or click that navigates: the URL is recorded for Scrapy, the page stays
            self.navigated(url, self.step if request.method == "GET" else f"{self.step} ({request.method} "
                                                                          f"{(request.post_data or '')[:200]})")
            if request.method == "POST" and (url, request.post_data or "") not in self.posts:
                self.posts.append((url, request.post_data or ""))
            await route.abort("aborted")
            return
        await route.fallback()

    async def guard_popups(self, route, request) -> None:
        try:
            mine = request.frame.page is self.page
        except Exception:       # a service worker's request has no frame: not a popup
            mine = True
        if mine:
            await route.fallback()
            return
        url = request.url
        if request.is_navigation_request() and url.startswith(("http://", "https://")):
            self.navigated(url, f"window.open ({self.step})" if self.allows(url) else
                           f"window.open off the site, not followed ({self.step})")
        await route.abort("aborted")


_OPEN_JS = r"""
(() => {
  window.open = function (url) {
    try { if (url) window.__renfangOpened(String(new URL(String(url), location.href))); } catch (e) {}
    return null;
  };
})();
"""


async def prepare_page(page, request) -> None:
    """scrapy-playwright's page init callback (set by :func:`browser_meta`): record what the page
    does and block other hosts from its first request on."""
    scope = request.meta.get("renfang_scope")
    home = netloc(request.url)
    allows = scope.allows if scope is not None else (lambda u: netloc(u) == home)
    rec = _Recorder(page, allows)
    page._renfang_recorder = rec
    page.on("request", rec.on_request)
    page.on("requestfinished", rec.on_done)
    page.on("requestfailed", rec.on_done)
    page.on("response", rec.on_response)
    page.on("download", rec.on_download)
    page.on("popup", rec.on_popup)
    # window.open(url) records the URL and opens nothing (a popup's first request is not always routed)
    await page.expose_function("__renfangOpened", rec.opened)
    await page.add_init_script(_OPEN_JS)
    await page.route("**", rec.guard)
    context = page.context
    context._renfang_recorder = rec          # the page driven now in this site's context
    if not getattr(context, "_renfang_guarded", False):
        context._renfang_guarded = True

        async def guard_popups(route, req):
            await context._renfang_recorder.guard_popups(route, req)
        await context.route("**", guard_popups)


async def browser_headers(*, browser_type_name: str, playwright_request, scrapy_request_data: dict) -> dict:
    """``PLAYWRIGHT_PROCESS_REQUEST_HEADERS``: the browser's own headers (its cookies: a challenge's
    cookie must go with the reload), with the crawl's User-Agent and the cookies Scrapy holds for
    the site added where the browser has none of that name."""
    headers = dict(await playwright_request.all_headers())
    scrapy_headers = scrapy_request_data["headers"].to_unicode_dict()
    if scrapy_headers.get("user-agent"):
        headers["user-agent"] = scrapy_headers["user-agent"]
    theirs = scrapy_headers.get("cookie")
    if theirs and playwright_request.is_navigation_request():
        mine = headers.get("cookie", "")
        names = {c.split("=", 1)[0].strip() for c in mine.split(";") if c.strip()}
        added = [c.strip() for c in theirs.split(";") if c.strip() and c.split("=", 1)[0].strip() not in names]
        headers["cookie"] = "; ".join(filter(None, [mine, *added]))
    return headers


def scrapy_cookies(visit: Visit, url: str) -> dict[str, str]:
    """The cookies the browser earned that go with ``url`` (host and path match), as
    ``Request(url, cookies=...)`` takes them: Scrapy's downloader then passes the challenge itself."""
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path or "/"
    out = {}
    for c in visit.cookies:
        domain = (c.get("domain") or "").lower()
        if not (host == domain.lstrip(".") or (domain.startswith(".") and host.endswith(domain))):
            continue
        if not path.startswith(c.get("path") or "/"):
            continue
        if c.get("secure") and parts.scheme != "https":
            continue
        out[c["name"]] = c["value"]
    return out


# ---------------------------------------------------------------- behaviours

# In-page helpers: every element a behaviour may click, found again before each step (a pager
# re-renders itself). Marked with data-renfang so the click can name it.
_FIND_JS = r"""
([kind, pager, column, year, more]) => {
  const rx = {pager: new RegExp(pager, 'i'), column: new RegExp(column), year: new RegExp(year),
              more: new RegExp(more, 'i')};
  const text = el => (el.innerText || el.textContent || '').replace(/\s+/g, '');
  const realHref = el => {
    const a = el.closest('a[href]');
    if (!a) return false;
    const h = a.getAttribute('href').trim();
    // an app's route (#/list/ndbg) is a URL the crawl follows; its pager is clicked here
    if (/^#!?\//.test(h)) return kind !== 'pager';
    return !(h === '' || h.startsWith('#') || /^javascript:/i.test(h));
  };
  const visible = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const describe = el => { let s = el.tagName.toLowerCase();
    if (el.id) return s + '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim())
      s += '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.');
    const p = el.parentElement;
    if (p && p.id) s = '#' + p.id + ' ' + s;
    return s; };
  const disabled = el => el.disabled || /disabled|current|active|cur\b|on\b/i.test(el.className || '')
                         || el.getAttribute('aria-disabled') === 'true';
  const matches = t => kind === 'pager' ? rx.pager.test(t) : kind === 'columns' ? (rx.column.test(t) || rx.year.test(t))
                                          : rx.more.test(t);
  const out = [];
  window.__renfangSeq = window.__renfangSeq || 0;
  for (const el of document.querySelectorAll('body *')) {
    if (['SCRIPT', 'STYLE', 'OPTION', 'SELECT', 'HTML', 'BODY', 'TEMPLATE'].includes(el.tagName)) continue;
    const t = text(el);
    if (!t || t.length > 24 || !matches(t)) continue;
    // the innermost element that says it (a click on it reaches its parents' handlers too)
    if ([...el.children].some(c => matches(text(c)))) continue;
    if (realHref(el) || !visible(el)) continue;
    if (!el.dataset.renfang) el.dataset.renfang = String(++window.__renfangSeq);
    out.push({id: el.dataset.renfang, text: t, desc: describe(el), disabled: disabled(el)});
  }
  return out;
}
"""
_ENTRIES_JS = r"""
() => {
  const s = new Set();
  for (const a of document.querySelectorAll('a[href]')) s.add('a ' + a.href);
  for (const e of document.querySelectorAll('li, tr, dd, iframe, embed, object')) {
    if (e.querySelector('a[href]')) continue;      // a row with a link: its link is the entry
    const t = (e.innerText || e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 120);
    const src = e.src || e.data || '';
    if (t || src) s.add(e.tagName + ' ' + t + ' ' + src);
  }
  return [...s];
}
"""
_SELECTS_JS = r"""
() => [...document.querySelectorAll('select')].map((el, i) => {
  let d = 'select'; if (el.id) d += '#' + el.id; else if (el.name) d += '[name=' + el.name + ']';
  return {index: i, desc: d, options: [...el.options].map(o => (o.text || o.value).trim())};
})
"""
PAGER_TEXT = r"^(下一?页|后一页|下一頁|next|nextpage|[>›»]|\d{1,3})$"
NEXT_TEXT = re.compile(r"^(下一?页|后一页|下一頁|next|nextpage|[>›»])$", re.I)
COLUMN_TEXT = _COLUMN.pattern
YEAR_TEXT = r"^(19|20)\d{2}年?度?$"
MORE_TEXT = _MORE.pattern


class Drive:
    """One visit's driving state, shared by its behaviours: the clock, the entries seen, the steps."""

    def __init__(self, page, rec: _Recorder, visit: Visit, deadline: float):
        self.page, self.rec, self.visit, self.deadline = page, rec, visit, deadline
        self.entries: set[str] = set()
        self.clicks = 0
        self._last_html = None

    def left(self) -> float:
        return self.deadline - time.monotonic()

    async def settle(self, longest: float = 3.0, quiet: float = 0.3) -> None:
        """Until no request of the page is in flight for ``quiet`` seconds (or ``longest``)."""
        end = min(self.deadline, time.monotonic() + longest)
        await asyncio.sleep(0.05)
        calm_since = time.monotonic()
        while time.monotonic() < end:
            if self.rec.inflight > 0:
                calm_since = time.monotonic()
            elif time.monotonic() - calm_since >= quiet:
                break
            await asyncio.sleep(0.05)

    async def new_entries(self) -> int:
        try:
            now = set(await self.page.evaluate(_ENTRIES_JS))
        except Exception:
            return 0
        new = now - self.entries
        self.entries |= now
        return len(new)

    async def snapshot(self) -> None:
        try:
            html = await self.page.content()
        except Exception as e:          # navigating or closed: the step says so
            self.visit.undriven.append(f"no snapshot after {self.rec.step}: {type(e).__name__}: {e}"[:300])
            return
        if html != self._last_html:
            self._last_html = html
            self.visit.snapshots.append((self.page.url, html))

    async def find(self, kind: str) -> list[dict]:
        return await self.page.evaluate(_FIND_JS, [kind, PAGER_TEXT, COLUMN_TEXT, YEAR_TEXT, MORE_TEXT])

    async def click(self, control: dict) -> str | None:
        """Click a found control; None, or why it could not be clicked."""
        self.clicks += 1
        locator = self.page.locator(f'[data-renfang="{control["id"]}"]')
        try:
            await locator.click(timeout=min(2000, max(100, self.left() * 1000)))
            return None
        except Exception as first:
            try:        # covered or moving: the element's own click() still runs its handlers
                await locator.evaluate("el => el.click()", timeout=1000)
                return None
            except Exception:
                return f"click raised {type(first).__name__}: {str(first).splitlines()[0][:160]}"


class Behaviour:
    """One kind of control the browser drives (Browsertrix's behaviours): ``is_match`` on the page,
    then ``steps`` yields a sentence per step; ``share`` is its part of the visit's time."""
    name = "behaviour"
    share = 1.0

    async def is_match(self, drive: Drive) -> bool:
        raise NotImplementedError

    def steps(self, drive: Drive) -> AsyncIterator[str]:
        raise NotImplementedError


class ChooseEveryOption(Behaviour):
    name, share = "select", 0.3

    async def is_match(self, drive):
        self.selects = [s for s in await drive.page.evaluate(_SELECTS_JS) if len(s["options"]) > 1]
        return bool(self.selects)

    async def steps(self, drive):
        for sel in self.selects:
            navigated = changed = tried = 0
            for i, label in enumerate(sel["options"]):
                if drive.left() <= 0 or drive.clicks >= MAX_STEPS:
                    drive.visit.undriven.append(f"{sel['desc']}: stopped after {tried} of {len(sel['options'])} "
                                                "options: " + _why_stopped(drive))
                    break
                drive.rec.step = f"{sel['desc']} option {label}"
                before = len(drive.rec.navigations)
                drive.clicks += 1
                try:
                    await drive.page.locator("select").nth(sel["index"]).select_option(
                        index=i, timeout=min(2000, max(100, drive.left() * 1000)))
                except Exception as e:
                    drive.visit.undriven.append(f"could not drive {sel['desc']} option {label}: "
                                                f"select raised {type(e).__name__}: {str(e).splitlines()[0][:160]}")
                    continue
                tried += 1
                await drive.settle()
                navigated += len(drive.rec.navigations) > before
                new = await drive.new_entries()
                changed += new > 0
                await drive.snapshot()
            yield f"{sel['desc']}: {len(sel['options'])} options, {navigated} navigated, {changed} changed the page"


class ClickPager(Behaviour):
    name, share = "pager", 0.3

    async def is_match(self, drive):
        return bool(await drive.find("pager"))

    async def steps(self, drive):
        clicked: set[str] = set()
        # 下一页 until nothing new, then any numbered page not reached that way
        pages = 1
        while True:
            nexts = [c for c in await drive.find("pager") if NEXT_TEXT.match(c["text"]) and not c["disabled"]]
            if not nexts:
                break
            if drive.left() <= 0 or drive.clicks >= MAX_STEPS:
                drive.visit.undriven.append(f"pager {nexts[0]['desc']}: stopped after {pages} pages, "
                                            f"\"{nexts[0]['text']}\" still there: " + _why_stopped(drive))
                break
            pages += 1
            c = nexts[0]
            drive.rec.step = f"clicked {c['text']} ({c['desc']})"
            error = await drive.click(c)
            if error:
                drive.visit.undriven.append(f"could not drive {c['desc']} \"{c['text']}\": {error}")
                break
            await drive.settle()
            new = await drive.new_entries()
            await drive.snapshot()
            yield f"{drive.rec.step} → {new} new entries"
            if not new:
                if drive.left() <= 0:     # cut while the page was still answering, not the last page
                    drive.visit.undriven.append(f"pager {c['desc']}: stopped after {pages - 1} pages, \"{c['text']}\" "
                                                "still there: browser time budget spent")
                break
        numbers = [c for c in await drive.find("pager") if c["text"].isdigit()]
        for c in numbers:
            if drive.left() <= 0 or drive.clicks >= MAX_STEPS:
                drive.visit.undriven.append(f"pager {c['desc']}: pages from {c['text']} on not clicked: "
                                            + _why_stopped(drive))
                break
            if c["text"] in clicked or c["disabled"]:
                continue
            clicked.add(c["text"])
            drive.rec.step = f"clicked page {c['text']} ({c['desc']})"
            error = await drive.click(c)
            if error:     # re-rendered away: found again below by its number
                again = [x for x in await drive.find("pager") if x["text"] == c["text"]]
                error = await drive.click(again[0]) if again else error
            if error:
                drive.visit.undriven.append(f"could not drive {c['desc']} \"{c['text']}\": {error}")
                continue
            await drive.settle()
            new = await drive.new_entries()
            await drive.snapshot()
            if new:
                yield f"{drive.rec.step} → {new} new entries"


class ClickColumns(Behaviour):
    """Tabs, menu items and tree nodes whose text names a disclosure/annual-report column or a year."""
    name, share = "columns", 0.25

    async def is_match(self, drive):
        self.controls = await drive.find("columns")
        return bool(self.controls)

    async def steps(self, drive):
        done: set[str] = set()
        queue = list(self.controls)
        while queue:
            c = queue.pop(0)
            if c["text"] in done:
                continue
            if drive.left() <= 0 or drive.clicks >= MAX_STEPS:
                drive.visit.undriven.append(f"{c['desc']} \"{c['text']}\" and {len(queue)} more not clicked: "
                                            + _why_stopped(drive))
                break
            done.add(c["text"])
            drive.rec.step = f"clicked {c['text']} ({c['desc']})"
            error = await drive.click(c)
            if error:
                drive.visit.undriven.append(f"could not drive {c['desc']} \"{c['text']}\": {error}")
                continue
            await drive.settle()
            new = await drive.new_entries()
            await drive.snapshot()
            yield f"{drive.rec.step} → {new} new entries"
            # a tree node opened: its children may be columns or years too
            queue += [x for x in await drive.find("columns") if x["text"] not in done and x not in queue]


class LoadMore(Behaviour):
    name, share = "more", 0.15

    async def is_match(self, drive):
        return bool(await drive.find("more"))

    async def steps(self, drive):
        while True:
            controls = [c for c in await drive.find("more") if not c["disabled"]]
            if not controls:
                break
            if drive.left() <= 0 or drive.clicks >= MAX_STEPS:
                drive.visit.undriven.append(f"{controls[0]['desc']} \"{controls[0]['text']}\" still there: "
                                            + _why_stopped(drive))
                break
            c = controls[0]
            drive.rec.step = f"clicked {c['text']} ({c['desc']})"
            error = await drive.click(c)
            if error:
                drive.visit.undriven.append(f"could not drive {c['desc']} \"{c['text']}\": {error}")
                break
            await drive.settle()
            new = await drive.new_entries()
            await drive.snapshot()
            yield f"{drive.rec.step} → {new} new entries"
            if not new:
                if drive.left() <= 0:
                    drive.visit.undriven.append(f"{c['desc']} \"{c['text']}\": stopped while loading: "
                                                "browser time budget spent")
                break


class ScrollToEnd(Behaviour):
    """A list that loads as the page scrolls (Browsertrix's autoscroll): to the foot of the page
    until no new entries come."""
    name, share = "scroll", 0.15

    async def is_match(self, drive):
        return bool(await drive.page.evaluate(
            "() => document.documentElement.scrollHeight > window.innerHeight + 10"))

    async def steps(self, drive):
        scrolls = 0
        while True:
            if drive.left() <= 0 or drive.clicks >= MAX_STEPS:
                drive.visit.undriven.append(f"scroll: stopped after {scrolls} scrolls, the page still growing: "
                                            + _why_stopped(drive))
                break
            drive.clicks += 1
            scrolls += 1
            drive.rec.step = f"scrolled to the foot of the page ({scrolls})"
            await drive.page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
            await drive.settle()
            new = await drive.new_entries()
            await drive.snapshot()
            if not new:
                break
            yield f"{drive.rec.step} → {new} new entries"


BEHAVIOURS: tuple[type[Behaviour], ...] = (ChooseEveryOption, ClickPager, ClickColumns, LoadMore, ScrollToEnd)


# ---------------------------------------------------------------- the visit

async def visit(page, *, budget: Budget, on_target: Callable[[str], bool] | None = None,
                max_seconds: float | None = None, behaviours: Iterable[type[Behaviour]] = BEHAVIOURS) -> Visit:
    """Drive a page scrapy-playwright handed over (``response.meta["playwright_page"]``, sent with
    :func:`browser_meta`), within the site's ``budget`` (its seconds are spent here; its pages when
    the request was sent, :meth:`Budget.take`), and close it. ``on_target(url)``: the hosts the page
    may request (default: what :func:`browser_meta`'s ``scope`` said)."""
    started = time.monotonic()
    seconds = budget.seconds_left if max_seconds is None else min(max_seconds, budget.seconds_left)
    deadline = started + seconds
    rec: _Recorder | None = getattr(page, "_renfang_recorder", None)
    visit_ = Visit(final_url=page.url)
    try:
        if rec is None:     # sent without browser_meta's init callback: the first load went unrecorded
            home = netloc(page.url)
            rec = _Recorder(page, on_target or (lambda u: netloc(u) == home))
            page.on("request", rec.on_request)
            page.on("requestfinished", rec.on_done)
            page.on("requestfailed", rec.on_done)
            page.on("response", rec.on_response)
            await page.route("**", rec.guard)
            visit_.undriven.append("the first load was not recorded (request sent without browser_meta)")
        elif on_target is not None:
            rec.allows = on_target
        drive = Drive(page, rec, visit_, deadline)
        await _pass_challenge(page, rec, visit_, started)
        await drive.settle(longest=min(8.0, max(0.5, drive.left())), quiet=0.5)
        await drive.new_entries()
        await drive.snapshot()
        rec.driving = True
        todo = []
        for kind in behaviours:
            behaviour = kind()
            try:
                if await behaviour.is_match(drive):
                    todo.append(behaviour)
            except Exception as e:
                visit_.undriven.append(_failed(behaviour, e))
        while todo:
            behaviour = todo.pop(0)
            if drive.left() <= 0:
                visit_.undriven.append(f"{behaviour.name}: not run: browser time budget spent")
                continue
            # its share of what is left, among the behaviours still to run (time unused passes on)
            share = behaviour.share / (behaviour.share + sum(b.share for b in todo))
            drive.deadline = time.monotonic() + drive.left() * share
            try:
                async for step in behaviour.steps(drive):
                    visit_.steps.append(step)
            except Exception as e:       # a behaviour that fails is a reason, the others still run
                visit_.undriven.append(_failed(behaviour, e))
            drive.deadline = deadline
        rec.driving = False
        if rec.tasks:
            await asyncio.wait(list(rec.tasks), timeout=5)
        visit_.final_url = page.url
        visit_.cookies = await page.context.cookies()
    finally:
        if rec is not None:
            visit_.responses = list(rec.responses)
            visit_.navigations = list(rec.navigations)
            visit_.posts = list(rec.posts)
            visit_.blocked = list(dict.fromkeys(rec.blocked))
            visit_.exchanges = list(rec.exchanges)
        budget.used_seconds += time.monotonic() - started
        if not page.is_closed():
            try:
                await page.close()
            except Exception as e:
                visit_.undriven.append(f"page not closed: {type(e).__name__}: {e}"[:300])
    return visit_


def _why_stopped(drive: Drive) -> str:
    return "browser time budget spent" if drive.left() <= 0 else f"{MAX_STEPS} clicks in one visit"


def _failed(behaviour: Behaviour, e: Exception) -> str:
    text = str(e).splitlines()[0][:200] if str(e) else ""
    return f"{behaviour.name}: {type(e).__name__}" + (f": {text}" if text else "")


async def _pass_challenge(page, rec: _Recorder, visit_: Visit, started: float) -> None:
    """A first answer of 4xx/5xx whose script sets a cookie and reloads: wait for the reload's answer."""
    if not rec.documents or rec.documents[0][1] < 400:
        return
    status = rec.documents[0][1]
    end = time.monotonic() + CHALLENGE_SECONDS
    while time.monotonic() < end and rec.documents[-1][1] >= 400:
        await asyncio.sleep(0.1)
    if rec.documents[-1][1] >= 400:
        visit_.undriven.append(f"HTTP {status} page: no reload into content within {CHALLENGE_SECONDS:g} s "
                               f"(still HTTP {rec.documents[-1][1]})")
        return
    try:
        await page.wait_for_load_state("load", timeout=10_000)
    except Exception as e:
        visit_.undriven.append(f"challenge reload did not finish loading: {type(e).__name__}")
    names = ", ".join(c["name"] for c in await page.context.cookies())
    visit_.steps.append(f"challenge (HTTP {status}) passed: reloaded into HTTP {rec.documents[-1][1]} after "
                        f"{time.monotonic() - started:.1f} s; cookies: {names or 'none'}")


# ---------------------------------------------------------------- the download handler


class BrowserDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's own HTTP/1.1 handler for every request without ``meta["playwright"]``; the first
    request with it builds scrapy-playwright's handler (:func:`_playwright_handler`), which starts
    Playwright's driver and Chromium then. Playwright's Python package is not even imported before
    (~0.1 s of CPU at every start, ~2 % of a static crawl of 2,000 pages). When the browser is not
    available (:func:`browser_available`), this is Scrapy's plain HTTP handler."""

    @classmethod
    def from_crawler(cls, crawler):
        reason = browser_available(crawler.settings)
        if reason is not None:
            from scrapy.utils.misc import build_from_crawler
            crawler.stats.set_value("renfang/browser_off", reason)
            return build_from_crawler(HTTP11DownloadHandler, crawler)
        return cls(crawler)

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self._browser = None        # scrapy-playwright's handler, from the first browser request on

    async def download_request(self, request):
        if request.meta.get("playwright"):
            if self._browser is None:
                self._browser = _playwright_handler()(self._crawler)
            return await self._browser.download_request(request)
        return await super().download_request(request)

    async def close(self) -> None:
        await super().close()
        if self._browser is not None:
            await self._browser.close()

    def __getattr__(self, name):
        # the browser's state (browser_provider, browser, page counts), once the browser handler runs
        browser = self.__dict__.get("_browser")
        if browser is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(browser, name)


@functools.cache
def _playwright_handler():
    """scrapy-playwright's handler, as the crawl uses it: Chromium launched on its first page (not
    at engine start), at most RENFANG_BROWSER_AT_ONCE pages open at once, a page's time limited."""
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

    class PlaywrightHandler(ScrapyPlaywrightDownloadHandler):
        def __init__(self, crawler) -> None:
            super().__init__(crawler)
            # RENFANG_CHROMIUM as this crawl's settings say (-s too), over crawler/settings.py's value
            self.config.launch_options = {**self.config.launch_options,
                                          "executable_path": crawler.settings.get("RENFANG_CHROMIUM")}
            self._start_lock = asyncio.Lock()
            # pages open at once in the whole crawl (each a renderer process of its own; sites in the
            # browser together had 29 renderers, 4.2 GB): a page waits for a slot before it loads
            self._open_pages = asyncio.Semaphore(max(1, crawler.settings.getint("RENFANG_BROWSER_AT_ONCE", 2)))

        async def _maybe_launch_in_thread(self) -> None:
            """Not at engine start: on the first browser request (:meth:`_download_request`)."""

        def _engine_started(self):
            return None

        async def _download_request(self, request, spider=None):
            await self._open_pages.acquire()       # (a wait for a slot is not the page's loading time)
            try:
                return await self._download_in_slot(request, spider)
            finally:
                page = request.meta.get("playwright_page")
                if page is not None and not page.is_closed():
                    # the slot is the page's until it is closed (visit(), an errback, _close_if_open)
                    page.once("close", lambda _page: self._open_pages.release())
                else:
                    self._open_pages.release()

        async def _download_in_slot(self, request, spider=None):
            async with self._start_lock:
                if getattr(self, "browser_provider", None) is None:
                    await self._launch()
            limit = request.meta.get("renfang_browser_timeout")
            try:
                response = await asyncio.wait_for(super()._download_request(request, spider), limit)
            except asyncio.TimeoutError:
                raise TimeoutError(f"the browser did not hand the page over within {limit:g} s "
                                   "(it kept loading or navigating)") from None
            page = request.meta.get("playwright_page")
            if page is not None:
                # a callback that never reaches visit() (or release_page) must not hold the page and its
                # context's slot (PLAYWRIGHT_MAX_PAGES_PER_CONTEXT) until the crawl ends
                limit = self._crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 60) + \
                    self._crawler.settings.getfloat("RENFANG_BROWSER_SECONDS", 90)
                asyncio.get_running_loop().call_later(limit, _close_if_open, page)
            return response

    return PlaywrightHandler


def _close_if_open(page) -> None:
    if not page.is_closed():
        asyncio.ensure_future(page.close())

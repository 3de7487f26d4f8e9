"""The one spider: home page → disclosure column → annual-report lists → report pages.

Every site of the registry is crawled by this spider; what a page *is* (a TRS list
with its ``createPageHTML`` pager, a Hanweb datastore, a list filled by a script
from a JSON endpoint, a per-year selector …) is read off the page itself by
``crawler.shapes``, and which entries are this office's reports is decided by
``crawler.offices``. Callbacks only turn those answers into requests and items;
they touch no database: what the pipeline needs to know (a list page that yields
nothing, why an entry was not taken) travels as a ``PageSeen`` item.
"""
from __future__ import annotations

import asyncio
import functools
import inspect
import json
import re

import scrapy

from archive.vocab import Found, Kind
from crawler import browser, discover, extract, shapes
from crawler.classify import (DISCLOSURE_COLUMN, REPORT_COLUMN, classify_title, link_score, normalize_title,
                              report_year)
from crawler.items import ROBOTS_REFUSAL, BrowserTraffic, FetchFailure, PageSeen, ReportDocument, ReportListing
from crawler.ledger import request_key
from crawler.offices import Office, judge_entries
from crawler.registry import Site, read_registry
from crawler.scope import Scope
from parsers.sniff import sniff_media_type


def _skip_challenges(callback):
    """Callbacks never read an anti-bot challenge page: the page goes to the browser, which runs
    the challenge's script and earns its cookie (``crawler.middlewares.AntiBotMiddleware`` left
    the site open for it), or the site is blocked for the run."""
    @functools.wraps(callback)
    def wrapper(self, response, *args, **kwargs):
        if response.meta.get("renfang_challenge"):
            if response.meta.get("renfang_browser_may_pass"):
                yield from self._challenge_to_browser(response)
            return
        yield from callback(self, response, *args, **kwargs) or ()
    return wrapper


_BACKWARD = re.compile(r"'(首页|上一?页|前一页|上页)'")


def browser_notes(signals, seen: "browser.Visit | None") -> list[str]:
    """What ``--explain`` says of a browser visit: why the page went, what was driven, what could
    not be (with where it was found), what was blocked."""
    notes = [f"browser: signal {found_in}: {why}" for found_in, why in signals]
    if seen is None:
        return notes
    notes.insert(0, f"browser: {len(seen.snapshots)} DOM state(s), {len(seen.responses)} XHR/fetch answer(s), "
                    f"{len(seen.navigations)} navigation(s)")
    notes += [f"browser: drove {step}" for step in seen.steps]
    notes += [f"browser: could not drive {what}" for what in seen.undriven]
    if seen.blocked:
        notes.append(f"browser: {len(seen.blocked)} request(s) to other hosts blocked, first: {seen.blocked[0]}")
    return notes


def _decoded(text: str) -> str:
    """A captured answer's text with JSON's escapes undone (``\\u5e74`` → 年) where it is JSON."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, registry: str | None = None, sites: list[Site] | None = None,
                 site: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.registry = registry or ""
        if sites is None:
            if not registry:
                raise ValueError(f"spider {self.name}: pass -a registry=FILE")
            sites = read_registry(registry)
        if site:
            sites = [s for s in sites if s.id in site.split(",")]
        self.sites = sites
        self.offices = {s.id: Office(s.name, s.aliases) for s in sites}
        # Off-site guard: only the registry's hosts and government hosts are ever requested
        # (crawler.middlewares.OnTargetMiddleware checks host *and* port on every request).
        self.allowed_domains = sorted({s.host for s in sites} | {"gov.cn"})
        # One bound method per callback, kept by the spider: Scrapy checks a callback's source
        # (inspect.getsource and ast.parse, WARN_ON_GENERATOR_RETURN_VALUE) unless the callable is
        # in its weak cache, and a bound method made per request died with it — the check ran
        # again for most responses (1–1.5 % of a static crawl's CPU); now once per callback.
        for name in dir(type(self)):
            if name.startswith("parse") and inspect.isfunction(getattr(type(self), name, None)):
                setattr(self, name, getattr(self, name))

    @functools.cached_property
    def earned_cookies(self) -> dict[str, dict[str, str]]:
        """site id -> the cookies its pages earned in the browser (a JavaScript challenge passed)."""
        return {}

    @functools.cached_property
    def routes_sent(self) -> dict[str, set[str]]:
        """site id -> the routes of its single-page app opened in the browser this run."""
        return {}

    @functools.cached_property
    def browser_off(self) -> str | None:
        """Why pages cannot go through the browser in this crawl (``--no-browser``, no Chromium), or None."""
        return browser.browser_available(self.settings)

    def budget(self, site: Site) -> browser.Budget:
        budgets = self.__dict__.setdefault("_budgets", {})
        return budgets.setdefault(site.id, browser.Budget.from_settings(self.settings))

    @property
    def scope(self) -> Scope:
        if not hasattr(self, "_scope"):
            self._scope = Scope(self.sites, self.settings.getlist("RENFANG_ALLOWED_SUFFIXES"))
        return self._scope

    # -- requests ---------------------------------------------------------------------
    def request(self, url, callback, site: Site, kind: str = "page", parent: str | None = None,
                method: str = "GET", formdata: dict | None = None, body: str | None = None,
                **meta) -> scrapy.Request:
        """A request of ``site``; ``kind`` (home, column, list, api, article, attachment) and the
        page it was found on (``parent``) go to the ledger."""
        meta = {"agency_id": site.id, "site": site, "renfang_kind": kind, "renfang_parent": parent, **meta}
        if extract.is_hash_route(url) and method == "GET" and kind in (Kind.HOME, Kind.COLUMN, Kind.LIST, Kind.ARTICLE):
            return self._route_request(url, site, kind, meta)
        cookies = self.earned_cookies.get(site.id) or None    # a challenge the browser passed
        if formdata is not None:
            return scrapy.FormRequest(url, formdata=formdata, callback=callback, errback=self.on_error,
                                      meta=meta, method=method, cookies=cookies)
        headers = {"Content-Type": "application/json"} if body is not None else None
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta, method=method,
                              body=body, headers=headers, cookies=cookies)

    def _route_request(self, url: str, site: Site, kind: str, meta: dict) -> scrapy.Request:
        """A route of a single-page app (``/#/detail/31``): no server answers it, only the app in a
        browser; each route once a run. Without a browser (``--no-browser``, its pages spent) the
        request is answered at once with why it could not be opened (``parse_unrouted``)."""
        routes = self.routes_sent.setdefault(site.id, set())
        budget = self.budget(site)
        if url in routes:
            why = "the route was opened in the browser already"
        elif self.browser_off or not budget.take():
            why = self.browser_off or budget.spent()
        else:
            routes.add(url)
            meta.update(renfang_page_kind=kind, renfang_counted=True, renfang_route=True,
                        renfang_signals=[(f"{kind} {url}", "a route of the site's single-page app")],
                        **browser.browser_meta(site.id, scope=self.scope, user_agent=self.settings.get("USER_AGENT")))
            return scrapy.Request(url, callback=self.parse_browser, errback=self.browser_failed, meta=meta,
                                  dont_filter=True)
        meta.update(renfang_unrouted=why, renfang_unrouted_url=url)
        # the app's shell, asked once more, carries the reason to a callback that records it
        return scrapy.Request(url.split("#")[0], callback=self.parse_unrouted, errback=self.on_error, meta=meta,
                              dont_filter=url not in routes)

    def parse_unrouted(self, response):
        meta = response.meta
        url = meta["renfang_unrouted_url"]
        why = meta["renfang_unrouted"]
        if why.startswith("the route was opened"):
            return
        yield PageSeen(meta["site"].id, url, meta["renfang_kind"], meta.get("renfang_parent") or request_key(
            response.request), [f"browser: not sent: a route of the site's single-page app, but {why}"], [], [],
            problem=f"{meta['renfang_kind']} {url} is a route of the site's single-page app; not opened: {why}")

    async def start(self):
        for site in self.sites:
            if site.column_url:
                yield self.request(site.column_url, self.parse_list, site, kind=Kind.LIST)
            else:
                yield self.request(site.url, self.parse_home, site, kind=Kind.HOME)

    def retry(self, site: Site, url: str, kind: str, parent: str | None, title: str | None,
              year: int | None) -> scrapy.Request:
        """A request again for what failed in an earlier run (crawler.middlewares.RetryFailedMiddleware)."""
        callback = {Kind.ARTICLE: self.parse_article, Kind.ATTACHMENT: self.parse_attachment}.get(kind, self.parse_list)
        return self.request(url, callback, site, kind=kind, parent=parent, title=title or "",
                            year=year, report_url=parent if kind == Kind.ATTACHMENT else None,
                            renfang_retry=True)

    def on_error(self, failure):
        from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
        from scrapy.spidermiddlewares.httperror import HttpError
        from twisted.internet.defer import CancelledError

        request = failure.request
        if failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
            # obeying robots.txt is a choice with a cost: the reports behind it are not fetched,
            # and the site says so (renfang crawl --ignore-robots fetches them)
            yield FetchFailure(agency_id=request.meta.get("agency_id", ""), url=request.url, method=request.method,
                               error=ROBOTS_REFUSAL, key=request_key(request),
                               kind=request.meta.get("renfang_kind"), parent=request.meta.get("renfang_parent"),
                               refused=True)
            return
        if failure.check(HttpError, IgnoreRequest):
            return  # a response already in the fetch log, or a request deliberately not made
        error = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        if failure.check(DownloadCancelledError, CancelledError):
            # Scrapy cancels a download larger than DOWNLOAD_MAXSIZE (from Content-Length, or
            # once that many bytes arrived); nothing of it reaches the store
            cap = request.meta.get("download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE"))
            detail = failure.getErrorMessage().strip()
            error = f"size cap: larger than DOWNLOAD_MAXSIZE ({cap} bytes), download cancelled" + (
                f" ({detail})" if detail else "")
        yield FetchFailure(agency_id=request.meta.get("agency_id", ""), url=request.url,
                           method=request.method, error=error,
                           key=request_key(request), kind=request.meta.get("renfang_kind"),
                           parent=request.meta.get("renfang_parent"))

    # -- navigation ---------------------------------------------------------------------
    @_skip_challenges
    def parse_home(self, response):
        """Home page: its annual-report column and its disclosure column, both walked (a
        report-titled link elsewhere never replaces the office's own navigation); a page that
        only moves on (``<meta refresh>``, ``location.replace``) or a ``<frameset>`` is followed
        as the home page."""
        site, key = response.meta["site"], request_key(response.request)
        if not self._html(response):
            yield from self.parse_article(response)
            return
        candidates = discover.page_candidates(response.selector, response.url)
        follows, problem, notes = [], None, []
        reports = self._column_links(response, candidates, REPORT_COLUMN[:3])
        disclosure = self._column_links(response, candidates, DISCLOSURE_COLUMN)
        for link in reports:
            follows.append((link.url, "links", f"{Kind.LIST} link {link.text!r}"))
            yield self.request(link.url, self.parse_list, site, kind=Kind.LIST, parent=key)
        for link in disclosure:
            if link.url not in {r.url for r in reports}:
                follows.append((link.url, "links", f"{Kind.COLUMN} link {link.text!r}"))
                yield self.request(link.url, self.parse_column, site, kind=Kind.COLUMN, parent=key)
        if not (reports or disclosure) and response.meta.get("depth", 0) < 3:
            # a home page that is only a way in: a frameset, a refresh, a script redirect
            onward = [c for c in candidates if c.source in (Found.REFRESH, Found.FRAME) and self.scope.allows(c.url)
                      and not discover.is_document_url(c.url)]
            for c in onward:
                follows.append((c.url, "generic", f"{c.found_in}: {c.why}"))
                yield self.request(c.url, self.parse_home, site, kind=Kind.HOME, parent=key)
            if not onward:
                rendered, why = yield from self._to_browser(response, Kind.HOME, key, shapes.scripts(response.selector),
                                                            short=True)
                notes += why
                if rendered:
                    follows.append((response.url, "browser", rendered))
                else:
                    problem = f"no disclosure column (政府信息公开 / 信息公开 / 政务公开) linked from {response.url}" + (
                        f" ({why[0][len('browser: '):]})" if why else "")
        # a home page may list reports itself (通知公告, a 年报 block)
        verdicts = self._verdicts(response, extract.list_items(response.selector, response.url))
        yield from self._take(response, verdicts)
        yield PageSeen(site.id, response.url, Kind.HOME, key, notes, verdicts, follows, problem=problem,
                       depth=response.meta.get("depth", 0))

    def _column_links(self, response, candidates, wanted) -> list[extract.Link]:
        """The links (and controls) naming a column on the office's own hosts: never a report's
        title (an entry, not a column) nor a link off target (a copy on another host)."""
        links = [l for l in extract.best_links(response.selector, response.url, wanted, most=8,
                                               accept=lambda l: self._is_column(l))][:2]
        if not links:
            controls = [extract.Link(c.url, c.text) for c in candidates if c.source == Found.HANDLER and c.text]
            scored = [(link_score(l.text, wanted), l) for l in controls if self._is_column(l)]
            best = max((s for s, _ in scored), default=0)
            links = [l for s, l in scored if s == best and s > 0][:2]
        return links

    def _is_column(self, link) -> bool:
        found = classify_title(link.text)
        # a long title naming a year is an entry (a report, its 图文解读), never a column's name
        entry = (found and found.year) or (report_year(link.text) and len(normalize_title(link.text)) > 12)
        return self.scope.allows(link.url) and not entry

    @_skip_challenges
    def parse_column(self, response):
        """The disclosure column: its annual-report column(s); the page itself may also be a
        list, a year index or hold the office's section."""
        site, key = response.meta["site"], request_key(response.request)
        if not self._html(response):
            yield from self.parse_article(response)
            return
        columns = self._column_links(response, discover.page_candidates(response.selector, response.url),
                                     REPORT_COLUMN)
        for link in columns:
            yield self.request(link.url, self.parse_list, site, kind=Kind.LIST, parent=key)
        yield from self._list_page(response, kind=Kind.COLUMN, browse=not columns,
                                   extra=[(l.url, "links", f"annual-report column {l.text!r}") for l in columns],
                                   problem=None if columns else f"no annual-report column on {response.url}")

    @_skip_challenges
    def parse_list(self, response):
        if not self._html(response):
            yield from self.parse_article(response)
            return
        yield from self._list_page(response, kind=Kind.LIST)

    def _analyse(self, response, linked_js: str = "") -> tuple[shapes.Analysis, list, set, str]:
        """A list page read statically: the strategies of ``crawler.shapes`` and every URL the page
        holds (``crawler.discover``), judged alike. (analysis, speculative follows, known URLs, js)."""
        site = response.meta["site"]
        only = shapes.CMS_STRATEGIES.get(site.cms, tuple(s for s in site.cms.split("|") if s)) if site.cms else None
        selector = site.extra.get("list_selector", "")
        js = shapes.scripts(response.selector)
        found = shapes.analyse_list(response.selector, response.text, response.url, self.offices[site.id],
                                    limit=self.settings.getint("RENFANG_MAX_LIST_PAGES"), only=only,
                                    from_proxy=bool(response.meta.get("dataproxy")), js=js)
        # every URL the page holds (crawler.discover): controls, handlers, frames, refreshes, scripts
        candidates = discover.page_candidates(response.selector, response.url, js, linked_js)
        more, speculative = shapes.generic(candidates, response.url, on_target=self.scope.allows)
        known = {f.url for f in found.follows} | {extract.page_url(e.url) for e in found.entries}
        found.entries += [e for e in more.entries if e.url not in known]
        found.follows += [f for f in more.follows if f.url not in known]
        found.notes += more.notes
        if selector:  # a per-site hint from the registry
            found.entries = extract.list_items_by_selector(response.selector, response.url, selector)
            found.notes.append(f"list_selector: {len(found.entries)} entries chosen by the registry's selector")
        found.options_read = {c.found_in.split(" > ")[0] for c in candidates if c.tag == "option"} | (
            {"*"} if any(n.startswith("year_index") for n in found.notes) else set())
        return found, speculative, known, js

    def _list_page(self, response, kind: str, extra=(), problem: str | None = None, linked_js: str = "",
                   key: str | None = None, browse: bool = True):
        site = response.meta["site"]
        key = key or request_key(response.request)
        found, speculative, known, js = self._analyse(response, linked_js)
        verdicts = self._verdicts(response, found.entries)
        if self._is_report_page(response, verdicts):
            # a per-year page, or a list entry that is the report itself: archive it as one
            yield from self.parse_article(response)
            return
        yield from self._take(response, verdicts)
        # (a 首页 / 上一页 link leads back, never further)
        paged = any((f.pager and not _BACKWARD.search(f.reason)) or f.kind == Kind.API for f in found.follows)
        short = not any(v.take for v in verdicts) and not paged
        # where the static pass leads on from the page (year pages, frames), a sub-column menu aside
        leads = any(f.strategy != "sub_columns" and not (f.pager or f.kind == Kind.API) for f in found.follows)
        deeper = False
        if short and not response.meta.get("dataproxy"):
            # the page came up short: the URLs its scripts hold, then its own script files, then a browser
            spec = [f for f in speculative if f.url not in known][:shapes.SPECULATIVE_PER_PAGE]
            if spec:
                found.follows += spec
                found.notes.append(f"generic: {len(spec)} URL(s) its scripts hold, explored")
            todo = [] if linked_js else [u for u in discover.linked_scripts(response.selector, response.url)
                                         if self.scope.allows(u)][:discover.LINKED_SCRIPTS_PER_PAGE]
            if todo:
                deeper = True
                found.notes.append(f"generic: reading its own script file(s): {', '.join(todo)}")
                yield self._script_request(response, todo, kind, key)
        rendered = None
        if not deeper:
            # the last extractor: a page whose content its scripts build goes to the browser
            rendered, why = yield from self._to_browser(response, kind, key, js + "\n" + linked_js,
                                                        short=browse and not leads and not any(v.take for v in verdicts)
                                                        and (short or not verdicts),
                                                        paged=paged, covered=bool(found.follows),
                                                        options_read=found.options_read)
            found.notes += why
        asked = set(response.meta.get("renfang_postbacks", ()))
        for f in found.follows:
            if f.postback is not None:
                if f.postback in asked:     # each page's form differs: ask every page number once
                    continue
                asked.add(f.postback)
            yield self._follow(f, site, key, postbacks=asked)
        follows = [*extra, *((f.url, f.strategy, f.reason) for f in found.follows)]
        if rendered:
            follows.append((response.url, "browser", rendered))
        explore = response.meta.get("renfang_explore", False) or kind == Kind.COLUMN
        waiting = deeper or bool(rendered)     # a later analysis of this page judges it
        # (the page count read only where it could say something: a list page with no pager followed)
        if (kind == Kind.LIST and not waiting and not paged and not response.meta.get("renfang_pager")
                and (pages := shapes.page_count(response.selector, js)) and pages > 1):
            # the page says it has more pages and no strategy could reach them: a miss, said aloud
            problem = problem or f"list page {response.url} says it has {pages} pages; its pager could not be followed"
        if kind == Kind.LIST and not any(v.take for v in verdicts) and not found.follows and not explore and not waiting:
            problem = problem or f"list page {response.url} has no report entries and no further pages"
        unsent = next((n for n in found.notes if n.startswith("browser: not sent")), None)
        if unsent and not waiting and not problem and not short:
            # entries may hide behind controls only a browser can drive: said aloud, the site is partial
            problem = f"list page {response.url} has controls its scripts handle; its pager could not be followed"
        if problem and unsent and not waiting:
            problem += " (" + unsent[len("browser: "):] + ")"
        unfollowed = bool(problem and "could not be followed" in problem)
        yield PageSeen(site.id, response.url, kind, key, found.notes, verdicts, follows,
                       explore=explore, problem=None if rendered else problem,
                       depth=response.meta.get("depth", 0), unfollowed_pager=unfollowed and not rendered)

    # -- the browser: the last extractor -------------------------------------------------
    def _to_browser(self, response, kind: str, key: str, js: str, *, short: bool, paged: bool = False,
                    covered: bool = False, options_read: frozenset = frozenset()):
        """Send the page to the browser when the static pass says its scripts build it: it came up
        ``short`` and has scripts that build content (``crawler.browser.script_signals``), or it has
        controls only a browser can drive that the static pass did not read: a button pager or
        加载更多 when it found no pager (``paged``), a select whose options gave no URL
        (``options_read``: the selects whose options were read), tabs when it found nowhere further to go (``covered``). Yields the
        browser request; returns (why it was sent or None,
        notes for ``--explain``: why it was not sent, when it should have been)."""
        meta = response.meta
        if meta.get("renfang_rendered") or response.request.method != "GET" or meta.get("dataproxy"):
            return None, []
        if not short and paged and covered:
            # every control a browser could drive here was read by the static pass (a pager found,
            # somewhere further to go): no signal could be wanted, the page's scripts are not scanned
            return None, []
        # (a page that did not come up short wants only the controls the static pass did not read:
        # the scans for script-built content are not run for it)
        signals = browser.script_signals(response.selector, js, response.url, status=response.status,
                                         controls_only=not short)
        if short and not signals:
            # nothing names the scripts' work, but the page came up short and runs scripts of its
            # own (document.write, a redirect in a timer, an app): the browser sees what they do
            own = [u for u in discover.linked_scripts(response.selector, response.url) if self.scope.allows(u)]
            inline = [t for t in response.selector.xpath("//script[not(@src)]/text()").getall() if t.strip()]
            if own or inline:
                signals = [browser.Signal(f"script {own[0]}" if own else "inline script",
                                          "the page came up short and runs scripts of its own")]
        read = {browser.PAGER: lambda sig: paged, browser.MORE: lambda sig: paged, browser.TAB: lambda sig: covered,
                browser.SELECT: lambda sig: paged or "*" in options_read or sig.found_in in options_read}
        wanted = signals if short else [sig for sig in signals if sig.kind in read and not read[sig.kind](sig)]
        # a page reached through a control the browser drove on the page before it (a year page of
        # the select): the same controls here lead where the browser already went. A page whose
        # content its scripts build (the next page of a rendered list) is rendered all the same
        driven = set(meta.get("renfang_driven", ()))
        wanted = [sig for sig in wanted if (sig.found_in, sig.why) not in driven or sig.kind not in read]
        if not wanted:
            return None, []
        why = "; ".join(f"{sig.found_in}: {sig.why}" for sig in wanted[:3]) + (
            f" (+{len(wanted) - 3} more)" if len(wanted) > 3 else "")
        kinds = sorted({sig.kind for sig in wanted})
        site = meta["site"]
        budget = self.budget(site)
        if self.browser_off or not budget.take():
            return None, [f"browser: not sent: its scripts build it ({'/'.join(kinds)}: {why}), but "
                          f"{self.browser_off or budget.spent()}"]
        keep = {k: meta[k] for k in ("title", "year", "renfang_explore", "renfang_strategy") if k in meta}
        request = self.request(response.url, self.parse_browser, site, kind=kind, parent=key, **keep,
                               renfang_page_kind=kind, renfang_counted=True,
                               renfang_signals=[(sig.found_in, sig.why) for sig in wanted],
                               **browser.browser_meta(site.id, scope=self.scope, user_agent=self.settings.get("USER_AGENT")))
        yield request.replace(dont_filter=True, errback=self.browser_failed)
        return f"its scripts build it: {why}", [f"browser: sent ({'/'.join(kinds)}: {why})"]

    def _challenge_to_browser(self, response):
        """A JavaScript challenge (HTTP 521 …) met by Scrapy: the browser runs it; the page is then
        asked again by Scrapy with the cookie the browser earned (``parse_browser``)."""
        meta, site = response.meta, response.meta["site"]
        budget = self.budget(site)
        if self.browser_off or not budget.take():
            self._block(response, meta["renfang_challenge"], self.browser_off or budget.spent())
            return
        keep = {k: meta[k] for k in ("title", "year", "report_url", "renfang_explore", "renfang_strategy",
                                     "renfang_verify") if k in meta}
        request = self.request(response.url, self.parse_browser, site, kind=meta["renfang_kind"],
                               parent=meta.get("renfang_parent"), **keep, renfang_page_kind=meta["renfang_kind"],
                               renfang_counted=True, renfang_challenge_of=meta["renfang_challenge"],
                               renfang_then=response.request.callback.__name__,
                               renfang_signals=[(f"HTTP {response.status} page",
                                                 f"{meta['renfang_challenge']} challenge")],
                               # the visit waits for the challenge's reload itself (a page that
                               # reloads for ever never fires "load")
                               **browser.browser_meta(site.id, scope=self.scope, wait_until="commit",
                                                      user_agent=self.settings.get("USER_AGENT")))
        yield request.replace(dont_filter=True, errback=self.browser_failed)

    def _block(self, response, challenge: str, why: str) -> None:
        """The site is blocked for the run: its challenge could not be passed (crawl_sites says why)."""
        from crawler.state import get_state

        request = response.request
        progress = get_state(self.crawler).open(self).site_of(request)
        if progress is not None and not progress.blocked:
            progress.blocked = f"{challenge}; not passed in the browser: {why}"
            self.logger.warning("%s: anti-bot challenge (%s) at %s not passed: %s; site blocked for this run",
                                request.meta.get("agency_id"), challenge, request.url, why)

    async def browser_failed(self, failure):
        """A page the browser could not load: the error recorded like any failed fetch, and said
        of the page (its static analysis left the judgement to the visit); a challenge not passed
        blocks the site."""
        request, meta = failure.request, failure.request.meta
        traffic = await browser.close_failed(meta.pop("playwright_page", None))
        if traffic:                     # what the page fetched before it failed: in the WARC file too
            yield BrowserTraffic(meta["agency_id"], request.url, traffic)
        for item in self.on_error(failure):
            yield item
        error = f"{failure.type.__name__}: {failure.getErrorMessage()}".splitlines()[0][:300]
        if meta.get("renfang_challenge_of"):
            self._block(failure, meta["renfang_challenge_of"], error)
        yield PageSeen(meta["agency_id"], request.url, meta["renfang_page_kind"], request_key(request),
                       browser_notes(meta.get("renfang_signals", ()), None), [], [],
                       problem=f"{meta['renfang_page_kind']} page {request.url}: the browser could not load it ({error})")

    async def parse_browser(self, response):
        """A page in the browser (``crawler.browser.visit``): a challenge passed and the page asked
        again by Scrapy with the cookie; or every DOM state it reached read like a static page,
        every list its scripts fetched taken (and the endpoint paged without the browser), every
        navigation its controls made requested by Scrapy."""
        meta = response.meta
        site, kind, key = meta["site"], meta["renfang_page_kind"], request_key(response.request)
        browser.count_browser_page(self.crawler.stats, site.id)
        page = meta.pop("playwright_page", None)
        if page is None:
            yield PageSeen(site.id, response.url, kind, key, [], [], [],
                           problem=f"{kind} page {response.url}: the browser handed over no page")
            return
        budget = self.budget(site)
        try:      # the visit keeps to its budget; this bound holds even if the page stops answering
            # an article is read, not driven: its headings are no controls
            behaviours = () if kind == Kind.ARTICLE else browser.BEHAVIOURS
            seen = await asyncio.wait_for(browser.visit(page, budget=budget, on_target=self.scope.allows,
                                                        behaviours=behaviours),
                                          budget.seconds_left + browser.CHALLENGE_SECONDS + 30)
        except asyncio.TimeoutError:
            traffic = await browser.close_failed(page)
            yield BrowserTraffic(site.id, response.url, traffic)
            if meta.get("renfang_challenge_of"):
                self._block(response, meta["renfang_challenge_of"], "the browser's visit did not end in time")
            yield PageSeen(site.id, response.url, kind, key, browser_notes(meta.get("renfang_signals", ()), None),
                           [], [], problem=f"{kind} page {response.url}: the browser's visit did not end in time")
            return
        yield BrowserTraffic(site.id, response.url, seen.exchanges)
        cookies = browser.scrapy_cookies(seen, response.url)
        if cookies:
            self.earned_cookies.setdefault(site.id, {}).update(cookies)
        notes = browser_notes(meta.get("renfang_signals", ()), seen)
        if meta.get("renfang_challenge_of"):
            for item in self._after_challenge(response, seen, cookies, notes):
                yield item
            return
        if kind == Kind.ARTICLE:
            for item in self._rendered_article(response, key, seen, notes):
                yield item
            return
        for item in self._rendered(response, kind, key, seen, notes):
            yield item

    def _rendered_article(self, response, key: str, seen: browser.Visit, notes: list[str]):
        """An article only a browser opens (an app's ``#/detail/31``): its document is the answer
        the app fetched that holds the article's title (the JSON or HTML the server sent, byte for
        byte), else the page as rendered; its attachments are the documents the rendered page links."""
        meta, site = response.meta, response.meta["site"]
        title, year, issued_by = meta.get("title") or "", meta.get("year"), meta.get("renfang_issued_by")
        wanted = normalize_title(title)
        wire = {x.url: x for x in seen.exchanges if x.status == 200}
        source = next((c for c in seen.responses if c.status == 200 and c.url in wire and wanted
                       and wanted in normalize_title(_decoded(c.body))), None)
        html_url, html = seen.snapshots[-1] if seen.snapshots else (response.url, "")
        if source is not None:
            document = self.document_of(site.id, Kind.ARTICLE, title, year, report_url=response.url,
                                        url=source.url, body=wire[source.url].body, issued_by=issued_by)
            notes.append(f"browser: the article is the answer to {source.method} {source.url} ({source.found_in})")
        else:
            document = self.document_of(site.id, Kind.ARTICLE, title, year, report_url=response.url,
                                        url=response.url, body=html.encode("utf-8"), issued_by=issued_by)
            notes.append("browser: the article as rendered (no answer of its scripts holds its title)")
        problem = None
        if not html and source is None:
            problem = f"article {response.url}: the browser rendered nothing"
        else:
            yield document
        if html:
            snap = scrapy.http.HtmlResponse(html_url, body=html.encode("utf-8"), encoding="utf-8",
                                            request=response.request.replace(url=html_url))
            attachments = [a for a in extract.attachments(snap.selector, html_url) if self.scope.allows(a.url)]
            attachments += [a for a in extract.control_attachments(
                discover.page_candidates(snap.selector, html_url), html_url, {a.url for a in attachments})
                if self.scope.allows(a.url)]
            for att in attachments:
                yield self.request(att.url, self.parse_attachment, site, kind=Kind.ATTACHMENT, parent=key,
                                   title=title, year=year, report_url=response.url, renfang_issued_by=issued_by)
            notes.append(f"browser: {len(attachments)} attachment(s) the rendered article links")
        yield PageSeen(site.id, response.url, Kind.ARTICLE, key, notes, [], [], problem=problem,
                       depth=meta.get("depth", 0))

    def _after_challenge(self, response, seen: browser.Visit, cookies: dict, notes: list[str]):
        meta, site = response.meta, response.meta["site"]
        challenge = meta["renfang_challenge_of"]
        passed = any(step.startswith("challenge") for step in seen.steps) and cookies
        if not passed:
            self._block(response, challenge, "; ".join(seen.undriven[:2]) or "the browser earned no cookie")
            yield PageSeen(site.id, response.url, meta["renfang_page_kind"], request_key(response.request), notes,
                           [], [], problem=f"{challenge} challenge at {response.url} not passed in the browser")
            return
        keep = {k: meta[k] for k in ("title", "year", "report_url", "renfang_explore", "renfang_strategy",
                                     "renfang_verify") if k in meta}
        again = self.request(response.url, getattr(self, meta["renfang_then"]), site,
                             kind=meta["renfang_page_kind"], parent=meta.get("renfang_parent"), **keep)
        yield again.replace(dont_filter=True)
        yield PageSeen(site.id, response.url, meta["renfang_page_kind"], request_key(response.request), notes,
                       [], [(response.url, "browser", f"{challenge} challenge passed: asked again with its cookie "
                                                     f"({', '.join(cookies)})")])

    def _rendered(self, response, kind: str, key: str, seen: browser.Visit, notes: list[str]):
        site = response.meta["site"]
        entries, follows, requests, seen_urls = [], [], [], {response.url}

        def new(url: str) -> bool:
            if url in seen_urls:
                return False
            seen_urls.add(url)
            return True

        # entries apart from where to go: a pager's "2" is among a list's links and its next page
        seen_entries: set[str] = set()

        def new_entry(url: str) -> bool:
            if url in seen_entries:
                return False
            seen_entries.add(url)
            return True

        # the app's routes the visit reached (its pager clicked): not opened again
        self.routes_sent.setdefault(site.id, set()).update(u for u, _ in seen.snapshots if extract.is_hash_route(u))
        for url, html in seen.snapshots:            # every DOM state the visit reached
            snap = scrapy.http.HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8", request=response.request.replace(
                url=url, meta={**response.meta, "renfang_rendered": True}))
            if kind in (Kind.HOME, Kind.COLUMN):
                candidates = discover.page_candidates(snap.selector, url)
                wanted = [(REPORT_COLUMN[:3] if kind == Kind.HOME else REPORT_COLUMN, self.parse_list, Kind.LIST)]
                if kind == Kind.HOME:
                    wanted.append((DISCLOSURE_COLUMN, self.parse_column, Kind.COLUMN))
                for words, callback, column_kind in wanted:
                    for link in self._column_links(snap, candidates, words):
                        if new(link.url):
                            follows.append((link.url, "browser", f"{column_kind} link {link.text!r} (rendered)"))
                            requests.append(self.request(link.url, callback, site, kind=column_kind, parent=key))
            found, _, _, _ = self._analyse(snap)
            entries += [e for e in found.entries if new_entry(extract.page_url(e.url))]
            for f in found.follows:
                if new(f.url):
                    follows.append((f.url, f"browser+{f.strategy}", f.reason))
                    requests.append(self._follow(f, site, key))
        endpoints: dict[tuple, list] = {}           # one endpoint's pages the visit fetched
        for captured in seen.responses:              # every list its scripts fetched
            if captured.status != 200 or not self.scope.allows(captured.url):
                continue
            got = shapes.api_page(captured.body, captured.url, None)
            if not got.entries:
                continue
            entries += [e for e in got.entries if new_entry(extract.page_url(e.url))]
            notes.append(f"browser: {captured.method} {captured.url} ({captured.found_in}): {got.format} answer "
                         f"with {len(got.entries)} rows")
            api = shapes.captured_api(captured.url, captured.method, captured.post_data, len(got.entries))
            if api is not None:
                endpoints.setdefault(shapes.endpoint_key(api), []).append((api, got))
        asked = {(c.method, c.url) for c in seen.responses}
        for pages in endpoints.values():   # its pages asked again and the further ones, without the browser
            for url, method, form, body, api in shapes.pages_after(pages, again=True):
                if new(f"{method} {url} {form} {body}"):
                    follows.append((url, "browser+script_api", f"{api['page_key']}={api['page']}"))
                    # a page the visit did not ask is a guess: an endpoint whose script signs each
                    # request (sign=…) refuses it, and that is no failure of the site
                    requests.append(self.request(url, self.parse_api, site, kind=Kind.LIST, parent=key,
                                                 method=method, formdata=form, body=body, renfang_api=api,
                                                 renfang_pager=True, renfang_strategy="script_api",
                                                 renfang_guess=(method, url) not in asked))
        replayed = set()
        for url, form_body in seen.posts:            # a pager that POSTs the page's form (pageNo=n)
            api = shapes.captured_api(url, "POST", form_body, 0) if self.scope.allows(url) else None
            if api is None:
                continue
            ep = shapes.Endpoint(api["url"], "POST", api["params"], api["page_key"], api["json_body"])
            req_url, method, form, body = shapes.endpoint_request(ep, api["page"])
            replayed.add(url)
            if new(f"{method} {req_url} {form} {body}"):
                # the form replayed by Scrapy, its further pages by the count the answer prints
                follows.append((req_url, "browser+form_pager", f"the page's form POSTed with {api['page_key']}="
                                                               f"{api['page']}"))
                requests.append(self.request(req_url, self.parse_api, site, kind=Kind.LIST, parent=key,
                                             method=method, formdata=form, body=body,
                                             renfang_api=api, renfang_pager=True,
                                             renfang_strategy="form_pager"))
        posted = []
        for url, found_in in seen.navigations:       # where its controls lead: Scrapy goes there
            if "(POST " in found_in:                 # a form the page POSTs: not the same page as a GET
                if url not in replayed:
                    posted.append(f"{url} {found_in}")
                continue
            if self.scope.allows(url) and new(url):
                follows.append((url, "browser", f"navigation: {found_in}"))
                requests.append(self.request(url, self.parse_list, site, kind=Kind.LIST, parent=key,
                                             renfang_explore=True))
        verdicts = self._verdicts(response, entries)
        yield from self._take(response, verdicts)
        # where the visit led: the same controls there lead where the browser already went
        driven = (*response.meta.get("renfang_driven", ()), *response.meta.get("renfang_signals", ()))
        for request in requests:
            request.meta["renfang_driven"] = driven
            yield request
        problem = None
        if not any(v.take for v in verdicts) and not follows:
            problem = (f"{kind} page {response.url} is built by script and the browser found no report entries "
                       f"and nowhere to go" + (f" (could not drive: {'; '.join(seen.undriven[:2])})"
                                               if seen.undriven else ""))
        unfollowed = False
        pages = max((shapes.page_count(scrapy.Selector(text=html), "") or 0 for _, html in seen.snapshots), default=0)
        paged = any(strategy.endswith("script_api") or "pager" in strategy for _, strategy, _ in follows)
        if kind == Kind.LIST and not problem and (posted or (pages > 1 and not paged and not any(
                "下一" in step or "next" in step.lower() for step in seen.steps))):
            # the page says it has more pages, and neither Scrapy nor the browser reached them
            unfollowed = True
            problem = (f"list page {response.url} says it has {pages} pages; its pager could not be followed "
                       f"in the browser either" if not posted else
                       f"list page {response.url}: its pager POSTs a form the crawl does not replay ({posted[0][:200]})")
        # (under the static page's key: a list that gave entries before and now gives none is a layout change)
        yield PageSeen(site.id, response.url, kind, response.meta.get("renfang_parent") or key, notes, verdicts,
                       follows, problem=problem,
                       explore=kind != Kind.LIST or bool(response.meta.get("renfang_explore")),
                       depth=response.meta.get("depth", 0), unfollowed_pager=unfollowed)

    def _script_request(self, response, todo: list[str], kind: str, key: str, **kept) -> scrapy.Request:
        """The page's own script files, read one after the other; the last one analyses the
        page again with everything its scripts assign (``SiteInfo`` in ``config.js``, an
        article's ``downloadFile`` in ``article.js``)."""
        page = response.meta.get("renfang_script_page") or {
            "url": response.url, "body": response.body, "encoding": response.encoding, "kind": kind, "key": key,
            "meta": {**{k: v for k, v in response.meta.items() if k.startswith("renfang_") and k not in (
                "renfang_kind", "renfang_parent", "renfang_script_page", "renfang_scripts", "renfang_js")},
                **kept}}
        # dont_filter: every page sharing one script file (article.js) needs it read for itself
        return self.request(todo[0], self.parse_script, response.meta["site"], kind=Kind.SCRIPT, parent=key,
                            renfang_script_page=page, renfang_scripts=todo[1:],
                            renfang_js=response.meta.get("renfang_js", ""), renfang_guess=True).replace(dont_filter=True)

    def parse_script(self, response):
        """One of a page's own script files: kept for the page's second analysis."""
        meta = response.meta
        page = meta["renfang_script_page"]
        js = meta.get("renfang_js", "")
        if isinstance(response, scrapy.http.TextResponse) and response.status == 200:
            js += "\n;\n" + response.text[:discover.SCRIPT_BYTES]
        else:
            js += "\n;\n" + response.body[:discover.SCRIPT_BYTES].decode("utf-8", "replace")
        if meta.get("renfang_scripts"):
            yield self._script_request(response, meta["renfang_scripts"], page["kind"], page["key"])
            return
        again = scrapy.http.HtmlResponse(page["url"], body=page["body"], encoding=page["encoding"],
                                         request=response.request.replace(url=page["url"], meta={
                                             **meta, **page["meta"], "renfang_kind": page["kind"]}))
        if page["kind"] == Kind.ARTICLE:
            again.request.meta["renfang_parent"] = page["key"]   # (its documents' parent: the article)
            yield from self._attachments(again, [], page["meta"].get("title"), page["meta"].get("year"), js,
                                         issued_by=page["meta"].get("renfang_issued_by"))
            return
        yield from self._list_page(again, kind=page["kind"], linked_js=js, key=page["key"])

    def _follow(self, f: shapes.Follow, site: Site, parent: str, postbacks=()) -> scrapy.Request:
        callback = self.parse_api if f.kind == Kind.API else self.parse_list
        meta = {"renfang_pager": f.pager, "renfang_explore": f.explore, "renfang_guess": f.guess,
                "renfang_strategy": f.strategy}
        if f.postback is not None:
            meta["renfang_postbacks"] = tuple(sorted(postbacks))
        if f.api is not None:
            meta["renfang_api"] = f.api
        if f.strategy == "hanweb":
            meta["dataproxy"] = True
        return self.request(f.url, callback, site, kind=Kind.LIST, parent=parent, method=f.method,
                            formdata=f.form, body=f.body, **meta)

    @_skip_challenges
    def parse_api(self, response):
        """A JSON/XML endpoint a list page's script calls: its rows, then its further pages."""
        site, key = response.meta["site"], request_key(response.request)
        api = response.meta["renfang_api"]
        text = response.text if isinstance(response, scrapy.http.TextResponse) else response.body.decode(
            "utf-8", "replace")
        js_templates = api.get("templates") or []
        got = shapes.api_page(text, response.url, api.get("size"), templates=js_templates)
        verdicts = self._verdicts(response, got.entries)
        yield from self._take(response, verdicts)
        follows = []
        previous = api.get("seen_first")
        first = got.entries[0].url if got.entries else None
        if first is None or first != previous:      # an endpoint that ignores the page number repeats itself
            for n, (url, method, form, body) in shapes.api_next(api, got):
                nxt = {**api, "page": n, "first": False, "seen_first": first}
                follows.append((url, "script_api", f"{api['page_key']}={n}"))
                yield self.request(url, self.parse_api, site, kind=Kind.LIST, parent=key, method=method,
                                   formdata=form, body=body, renfang_api=nxt, renfang_pager=True,
                                   renfang_strategy="script_api")
        notes = [f"script_api: {got.format} answer with {len(got.entries)} rows"
                 + (f", {got.pages} pages" if got.pages is not None else "")]
        problem = None
        if not got.entries and api.get("first", True):
            problem = f"endpoint {response.url} answered no rows"
        yield PageSeen(site.id, response.url, Kind.API, key, notes, verdicts, follows, problem=problem,
                       depth=response.meta.get("depth", 0))

    # -- entries ------------------------------------------------------------------------
    def _verdicts(self, response, entries):
        site = response.meta["site"]
        return judge_entries(entries, self.offices[site.id], self.scope.allows, site.extra.get("title_filter"))

    def _take(self, response, verdicts):
        site, key = response.meta["site"], request_key(response.request)
        for v in verdicts:
            if not v.take:
                continue
            if v.year is not None:
                yield ReportListing(site.id, v.year, v.title, v.url, response.url, issued_by=v.issued_by)
            yield self.request(v.url, self.parse_article, site, kind=Kind.ARTICLE, parent=key,
                               title=v.title, year=v.year, renfang_verify=v.verify, renfang_issued_by=v.issued_by)

    def _is_report_page(self, response, verdicts) -> bool:
        """A page reached as a list that is itself a report: its own title names a report of a
        year and it lists fewer than two reports."""
        if sum(1 for v in verdicts if v.take or v.year) >= 2:
            return False
        for title in extract.page_titles(response.selector)[:3]:
            found = classify_title(title)
            if found and found.year and (not found.agency or self.offices[response.meta["site"].id].matches(
                    found.agency)):
                return True
        return False

    @staticmethod
    def _html(response) -> bool:
        """A page to read (HTML, XML, JSON), not a document a list linked directly. A text
        response whose bytes start like a document (a PDF served as text/html) is a document."""
        if not isinstance(response, scrapy.http.TextResponse):
            return False
        head = response.body[:1024]
        if b"%PDF-" in head or head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            return False
        if head.lstrip()[:1] in (b"<", b"{", b"[") and isinstance(response, scrapy.http.HtmlResponse):
            return True      # markup or JSON as the server says: no need to sniff
        return sniff_media_type(response.body[:2048]) in ("text/html", "text/plain")

    # -- documents ---------------------------------------------------------------------
    @_skip_challenges
    def parse_article(self, response):
        """A report's page: archive it and every attachment."""
        site, meta = response.meta["site"], response.meta
        if not self._html(response):  # the list linked the file itself
            yield from self.parse_attachment(response)
            return
        titles = extract.page_titles(response.selector)
        own = next((t for t in titles if classify_title(t)), None)
        office = self.offices[site.id]
        issued_by = meta.get("renfang_issued_by")
        if own is not None:
            found = classify_title(own)
            if found.agency and not office.matches(found.agency):
                if meta.get("renfang_verify"):   # a title cut short on a list of several bodies' reports
                    yield PageSeen(site.id, response.url, Kind.ARTICLE, request_key(response.request),
                                   [f"article: its own title names another office: {own}"], [], [],
                                   explore=True)
                    return
                # listed in the office's column, issued by another body: archived, attributed to it
                issued_by = found.agency
        elif meta.get("renfang_verify"):
            yield PageSeen(site.id, response.url, Kind.ARTICLE, request_key(response.request),
                           [f"article: its own title is not a report's ({titles[0] if titles else 'none'})"],
                           [], [], explore=True)
            return
        title = own or meta.get("title") or (titles[0] if titles else "")
        year = meta.get("year") or report_year(title) or report_year(
            " ".join(response.css("body ::text").getall())[:3000])
        yield self.document(response, Kind.ARTICLE, title, year, report_url=response.url, issued_by=issued_by)
        for page in extract.continuation_pages(response.selector, response.url):   # an article split in pages
            yield self.request(page, self.parse_article, site, kind=Kind.ARTICLE, parent=request_key(response.request),
                               title=title, year=year, renfang_issued_by=issued_by)
        attachments = extract.attachments(response.selector, response.url)
        yield from self._attachments(response, attachments, title, year, issued_by=issued_by)
        if not attachments and not meta.get("renfang_script_page"):
            # a download control whose page function lives in the article's own script file
            todo = [u for u in discover.linked_scripts(response.selector, response.url)
                    if self.scope.allows(u)][:discover.LINKED_SCRIPTS_PER_PAGE]
            if todo and extract.download_controls(response.selector):
                yield self._script_request(response, todo, Kind.ARTICLE, request_key(response.request),
                                           title=title, year=year, renfang_issued_by=issued_by)

    def _attachments(self, response, attachments, title, year, linked_js: str = "", issued_by: str | None = None):
        """An article's attachments: its links to documents, and the documents its controls reach
        (``onclick="downloadFile('8f3a')"``, a viewer's file), its own script files read or not."""
        attachments = attachments + [a for a in extract.control_attachments(
            discover.page_candidates(response.selector, response.url, linked_js=linked_js), response.url,
            {a.url for a in attachments}) if self.scope.allows(a.url)]
        for att in attachments:
            yield self.request(att.url, self.parse_attachment, response.meta["site"], kind=Kind.ATTACHMENT,
                               parent=request_key(response.request), title=title, year=year,
                               report_url=response.url, renfang_issued_by=issued_by)

    @_skip_challenges
    def parse_attachment(self, response):
        meta = response.meta
        title = meta.get("title") or ""
        year = meta.get("year") or report_year(title)
        yield self.document(response, Kind.ATTACHMENT, title, year,
                            report_url=meta.get("report_url") or response.url, issued_by=meta.get("renfang_issued_by"))

    def document_of(self, agency_id: str, kind: str, title: str, year, *, report_url: str, url: str,
                    body: bytes, issued_by: str | None = None) -> ReportDocument:
        """A document a browser visit received (no Scrapy response, no redirect, no headers)."""
        return ReportDocument(agency_id=agency_id, year=year, title=title, report_url=report_url, url=url,
                              final_url=url, kind=kind, filename=extract.query_filename(url) or extract.url_filename(url),
                              body=body, issued_by=issued_by)

    def document(self, response, kind, title, year, report_url, issued_by: str | None = None) -> ReportDocument:
        original = (response.meta.get("redirect_urls") or [response.url])[0]
        return ReportDocument(issued_by=issued_by or response.meta.get("renfang_issued_by"),
            agency_id=response.meta["agency_id"], year=year, title=title, report_url=report_url,
            url=original, final_url=response.url, kind=kind,
            filename=next(filter(None, map(extract.safe_filename, (  # the raw header stays in fetches.headers
                extract.content_disposition_filename(response.headers.get("Content-Disposition")),
                extract.query_filename(response.url), extract.url_filename(response.url)))), ""),
            body=response.body,
        )

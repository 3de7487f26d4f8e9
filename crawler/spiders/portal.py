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

import functools

import scrapy

from archive.vocab import Found, Kind
from crawler import discover, extract, shapes
from crawler.classify import DISCLOSURE_COLUMN, REPORT_COLUMN, classify_title, link_score, report_year
from crawler.items import ROBOTS_REFUSAL, FetchFailure, PageSeen, ReportDocument, ReportListing
from crawler.ledger import request_key
from crawler.offices import Office, judge_entries
from crawler.registry import Site, read_registry
from crawler.scope import Scope
from parsers.sniff import sniff_media_type


def _skip_challenges(callback):
    """Callbacks never read an anti-bot challenge page (the pipeline logged it as blocked)."""
    @functools.wraps(callback)
    def wrapper(self, response, *args, **kwargs):
        if response.meta.get("renfang_challenge"):
            return
        yield from callback(self, response, *args, **kwargs) or ()
    return wrapper


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
        if formdata is not None:
            return scrapy.FormRequest(url, formdata=formdata, callback=callback, errback=self.on_error,
                                      meta=meta, method=method)
        headers = {"Content-Type": "application/json"} if body is not None else None
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta, method=method,
                              body=body, headers=headers)

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
        follows, problem = [], None
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
                problem = f"no disclosure column (政府信息公开 / 信息公开 / 政务公开) linked from {response.url}"
        # a home page may list reports itself (通知公告, a 年报 block)
        verdicts = self._verdicts(response, extract.list_items(response.selector, response.url))
        yield from self._take(response, verdicts)
        yield PageSeen(site.id, response.url, Kind.HOME, key, [], verdicts, follows, problem=problem,
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
        return self.scope.allows(link.url) and not (found and found.year)

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
        yield from self._list_page(response, kind=Kind.COLUMN,
                                   extra=[(l.url, "links", f"annual-report column {l.text!r}") for l in columns],
                                   problem=None if columns else f"no annual-report column on {response.url}")

    @_skip_challenges
    def parse_list(self, response):
        if not self._html(response):
            yield from self.parse_article(response)
            return
        yield from self._list_page(response, kind=Kind.LIST)

    def _list_page(self, response, kind: str, extra=(), problem: str | None = None, linked_js: str = "",
                   key: str | None = None):
        site = response.meta["site"]
        key = key or request_key(response.request)
        text = response.text
        only = shapes.CMS_STRATEGIES.get(site.cms, tuple(s for s in site.cms.split("|") if s)) if site.cms else None
        selector = site.extra.get("list_selector", "")
        js = shapes.scripts(response.selector)
        found = shapes.analyse_list(response.selector, text, response.url, self.offices[site.id],
                                    limit=self.settings.getint("RENFANG_MAX_LIST_PAGES"), only=only,
                                    from_proxy=bool(response.meta.get("dataproxy")), js=js)
        # every URL the page holds (crawler.discover): controls, handlers, frames, refreshes, scripts
        candidates = discover.page_candidates(response.selector, response.url, js, linked_js)
        more, speculative = shapes.generic(candidates, response.url, on_target=self.scope.allows)
        known = {f.url for f in found.follows} | {e.url.split("#")[0] for e in found.entries}
        found.entries += [e for e in more.entries if e.url not in known]
        found.follows += [f for f in more.follows if f.url not in known]
        found.notes += more.notes
        if selector:  # a per-site hint from the registry
            found.entries = extract.list_items_by_selector(response.selector, response.url, selector)
            found.notes.append(f"list_selector: {len(found.entries)} entries chosen by the registry's selector")
        verdicts = self._verdicts(response, found.entries)
        if self._is_report_page(response, verdicts):
            # a per-year page, or a list entry that is the report itself: archive it as one
            yield from self.parse_article(response)
            return
        yield from self._take(response, verdicts)
        short = not any(v.take for v in verdicts) and not any(f.pager or f.kind == Kind.API for f in found.follows)
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
        asked = set(response.meta.get("renfang_postbacks", ()))
        for f in found.follows:
            if f.postback is not None:
                if f.postback in asked:     # each page's form differs: ask every page number once
                    continue
                asked.add(f.postback)
            yield self._follow(f, site, key, postbacks=asked)
        follows = [*extra, *((f.url, f.strategy, f.reason) for f in found.follows)]
        explore = response.meta.get("renfang_explore", False) or kind == Kind.COLUMN
        pages = shapes.page_count(response.selector, js)
        if (pages and pages > 1 and not response.meta.get("renfang_pager") and kind == Kind.LIST and not deeper
                and not any(f.pager or f.kind == Kind.API for f in found.follows)):
            # the page says it has more pages and no strategy could reach them: a miss, said aloud
            problem = problem or f"list page {response.url} says it has {pages} pages; its pager could not be followed"
        if kind == Kind.LIST and not any(v.take for v in verdicts) and not found.follows and not explore and not deeper:
            problem = problem or f"list page {response.url} has no report entries and no further pages"
        unfollowed = bool(problem and "could not be followed" in problem)
        yield PageSeen(site.id, response.url, kind, key, found.notes, verdicts, follows,
                       explore=explore, problem=problem, depth=response.meta.get("depth", 0),
                       unfollowed_pager=unfollowed)

    def _script_request(self, response, todo: list[str], kind: str, key: str) -> scrapy.Request:
        """The page's own script files, read one after the other; the last one analyses the
        page again with everything its scripts assign (``SiteInfo`` in ``config.js``)."""
        page = response.meta.get("renfang_script_page") or {
            "url": response.url, "body": response.body, "encoding": response.encoding, "kind": kind, "key": key,
            "meta": {k: v for k, v in response.meta.items() if k.startswith("renfang_") and k not in (
                "renfang_kind", "renfang_parent", "renfang_script_page", "renfang_scripts", "renfang_js")}}
        return self.request(todo[0], self.parse_script, response.meta["site"], kind=Kind.SCRIPT, parent=key,
                            renfang_script_page=page, renfang_scripts=todo[1:],
                            renfang_js=response.meta.get("renfang_js", ""), renfang_guess=True)

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
                yield ReportListing(site.id, v.year, v.title, v.url, response.url)
            yield self.request(v.url, self.parse_article, site, kind=Kind.ARTICLE, parent=key,
                               title=v.title, year=v.year, renfang_verify=v.verify)

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
        if own is not None:
            found = classify_title(own)
            if found.agency and not office.matches(found.agency):
                yield PageSeen(site.id, response.url, Kind.ARTICLE, request_key(response.request),
                               [f"article: its own title names another office: {own}"], [], [],
                               explore=True)
                return
        elif meta.get("renfang_verify"):
            yield PageSeen(site.id, response.url, Kind.ARTICLE, request_key(response.request),
                           [f"article: its own title is not a report's ({titles[0] if titles else 'none'})"],
                           [], [], explore=True)
            return
        title = own or meta.get("title") or (titles[0] if titles else "")
        year = meta.get("year") or report_year(title) or report_year(
            " ".join(response.css("body ::text").getall())[:3000])
        yield self.document(response, Kind.ARTICLE, title, year, report_url=response.url)
        for page in extract.continuation_pages(response.selector, response.url):   # an article split in pages
            yield self.request(page, self.parse_article, site, kind=Kind.ARTICLE, parent=request_key(response.request),
                               title=title, year=year)
        attachments = extract.attachments(response.selector, response.url)
        attachments += [a for a in extract.control_attachments(
            discover.page_candidates(response.selector, response.url), response.url, {a.url for a in attachments})
            if self.scope.allows(a.url)]
        for att in attachments:
            yield self.request(att.url, self.parse_attachment, site, kind=Kind.ATTACHMENT,
                               parent=request_key(response.request), title=title, year=year,
                               report_url=response.url)

    @_skip_challenges
    def parse_attachment(self, response):
        meta = response.meta
        title = meta.get("title") or ""
        year = meta.get("year") or report_year(title)
        yield self.document(response, Kind.ATTACHMENT, title, year,
                            report_url=meta.get("report_url") or response.url)

    def document(self, response, kind, title, year, report_url) -> ReportDocument:
        original = (response.meta.get("redirect_urls") or [response.url])[0]
        return ReportDocument(
            agency_id=response.meta["agency_id"], year=year, title=title, report_url=report_url,
            url=original, final_url=response.url, kind=kind,
            filename=extract.content_disposition_filename(response.headers.get("Content-Disposition"))
            or extract.query_filename(response.url) or extract.url_filename(response.url),
            body=response.body,
        )

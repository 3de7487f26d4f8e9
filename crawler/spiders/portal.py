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

from archive.vocab import Kind
from crawler import extract, shapes
from crawler.classify import DISCLOSURE_COLUMN, REPORT_COLUMN, classify_title, report_year
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
        """Home page: the annual-report column if linked here, else the disclosure column."""
        site, key = response.meta["site"], request_key(response.request)
        if not self._html(response):
            yield from self.parse_article(response)
            return
        columns = extract.best_links(response.selector, response.url, REPORT_COLUMN[:3])
        follows, problem, callback, kind = [], None, self.parse_list, Kind.LIST
        if not columns:
            columns = extract.best_links(response.selector, response.url, DISCLOSURE_COLUMN)
            callback, kind = self.parse_column, Kind.COLUMN
        if not columns:
            frames = shapes.iframes(response.selector, response.url).follows
            if frames and response.meta.get("depth", 0) < 2:   # a <frameset> home page: its frames are the home
                for f in frames:
                    follows.append((f.url, "iframe", "a frame of the home page"))
                    yield self.request(f.url, self.parse_home, site, kind=Kind.HOME, parent=key)
            else:
                problem = f"no disclosure column (政府信息公开 / 信息公开 / 政务公开) linked from {response.url}"
        for link in columns:
            follows.append((link.url, "links", f"{kind} link {link.text!r}"))
            yield self.request(link.url, callback, site, kind=kind, parent=key)
        # a home page may list reports itself (通知公告, a 年报 block)
        verdicts = self._verdicts(response, extract.list_items(response.selector, response.url))
        yield from self._take(response, verdicts)
        yield PageSeen(site.id, response.url, Kind.HOME, key, [], verdicts, follows, problem=problem,
                       depth=response.meta.get("depth", 0))

    @_skip_challenges
    def parse_column(self, response):
        """The disclosure column: its annual-report column(s); the page itself may also be a
        list, a year index or hold the office's section."""
        site, key = response.meta["site"], request_key(response.request)
        if not self._html(response):
            yield from self.parse_article(response)
            return
        columns = extract.best_links(response.selector, response.url, REPORT_COLUMN)
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

    def _list_page(self, response, kind: str, extra=(), problem: str | None = None):
        site, key = response.meta["site"], request_key(response.request)
        text = response.text
        only = shapes.CMS_STRATEGIES.get(site.cms, tuple(s for s in site.cms.split("|") if s)) if site.cms else None
        selector = site.extra.get("list_selector", "")
        js = shapes.scripts(response.selector)
        found = shapes.analyse_list(response.selector, text, response.url, self.offices[site.id],
                                    limit=self.settings.getint("RENFANG_MAX_LIST_PAGES"), only=only,
                                    from_proxy=bool(response.meta.get("dataproxy")), js=js)
        if selector:  # a per-site hint from the registry
            found.entries = extract.list_items_by_selector(response.selector, response.url, selector)
            found.notes.append(f"list_selector: {len(found.entries)} entries chosen by the registry's selector")
        verdicts = self._verdicts(response, found.entries)
        if self._is_report_page(response, verdicts):
            # a per-year page, or a list entry that is the report itself: archive it as one
            yield from self.parse_article(response)
            return
        yield from self._take(response, verdicts)
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
        if (pages and pages > 1 and not response.meta.get("renfang_pager") and kind == Kind.LIST
                and not any(f.pager or f.kind == Kind.API for f in found.follows)):
            # the page says it has more pages and no strategy could reach them: a miss, said aloud
            problem = problem or f"list page {response.url} says it has {pages} pages; its pager could not be followed"
        if kind == Kind.LIST and not any(v.take for v in verdicts) and not found.follows and not explore:
            problem = problem or f"list page {response.url} has no report entries and no further pages"
        unfollowed = bool(problem and "could not be followed" in problem)
        yield PageSeen(site.id, response.url, kind, key, found.notes, verdicts, follows,
                       explore=explore, problem=problem, depth=response.meta.get("depth", 0),
                       unfollowed_pager=unfollowed)

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
        for att in extract.attachments(response.selector, response.url):
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

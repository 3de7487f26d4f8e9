"""The base spider: home page → disclosure column → annual-report list → report pages.

A CMS style (TRS WCM, Hanweb …) subclasses it and overrides only how a list
page gives its entries and its further pages. Sites come from the registry;
each request carries its site in ``meta`` so one spider crawls many sites.
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import scrapy

from crawler import extract
from crawler.classify import DISCLOSURE_COLUMN, REPORT_COLUMN, classify_title, report_year
from crawler.items import FetchFailure, ReportDocument, ReportListing
from crawler.registry import Site, read_registry
from parsers.sniff import sniff_media_type


def _skip_challenges(callback):
    """Callbacks never read an anti-bot challenge page (the pipeline logged it as blocked)."""
    import functools

    @functools.wraps(callback)
    def wrapper(self, response, *args, **kwargs):
        if response.meta.get("renfang_challenge"):
            return
        yield from callback(self, response, *args, **kwargs) or ()
    return wrapper


class PortalSpider(scrapy.Spider):
    name = "portal"
    #: the registry ``cms`` value this spider handles ("" = sites with no cms set)
    cms = ""

    def __init__(self, registry: str | None = None, sites: list[Site] | None = None,
                 site: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.registry = registry or ""
        if sites is None:
            if not registry:
                raise ValueError(f"spider {self.name}: pass -a registry=FILE")
            sites = [s for s in read_registry(registry) if s.cms == self.cms]
        if site:
            sites = [s for s in sites if s.id in site.split(",")]
        self.sites = sites
        # Off-site guard: only the registry's hosts and government hosts are ever requested
        # (crawler.middlewares.OnTargetMiddleware checks host *and* port on every request).
        self.allowed_domains = sorted({s.host for s in sites} | {"gov.cn"})

    # -- requests ---------------------------------------------------------------------
    def request(self, url, callback, site: Site, kind: str = "page", parent: str | None = None,
                **meta) -> scrapy.Request:
        """A request of ``site``; ``kind`` (home, column, list, article, attachment) and the
        page it was found on (``parent``) go to the ledger."""
        return scrapy.Request(url, callback=callback, errback=self.on_error,
                              meta={"agency_id": site.id, "site": site, "renfang_kind": kind,
                                    "renfang_parent": parent, **meta})

    async def start(self):
        for site in self.sites:
            if site.column_url:
                yield self.request(site.column_url, self.parse_list, site, kind="list")
            else:
                yield self.request(site.url, self.parse_home, site, kind="home")

    def on_error(self, failure):
        from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
        from scrapy.spidermiddlewares.httperror import HttpError
        from twisted.internet.defer import CancelledError

        from crawler.middlewares import request_key
        if failure.check(HttpError, IgnoreRequest):
            return  # a response already in the fetch log, or a request deliberately not made
        request = failure.request
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

    def _state(self):
        from crawler.state import get_state
        return get_state(self.crawler).open(self)

    # -- navigation ---------------------------------------------------------------------
    @_skip_challenges
    def parse_home(self, response):
        """Home page: go to the annual-report column if linked here, else to the disclosure column."""
        site = response.meta["site"]
        column = extract.best_link(response.selector, response.url, REPORT_COLUMN[:3])
        if column:
            yield self.request(column.url, self.parse_list, site, kind="list", parent=self.key(response))
            return
        disclosure = extract.best_link(response.selector, response.url, DISCLOSURE_COLUMN)
        if disclosure is None:
            self.logger.warning("%s: no disclosure column linked from %s", site.id, response.url)
            self._state().progress[site.id].layout.append(response.url)
            return
        yield self.request(disclosure.url, self.parse_disclosure, site, kind="column",
                           parent=self.key(response))

    @_skip_challenges
    def parse_disclosure(self, response):
        site = response.meta["site"]
        column = extract.best_link(response.selector, response.url, REPORT_COLUMN)
        if column is None:
            self.logger.warning("%s: no annual-report column on %s", site.id, response.url)
            self._state().progress[site.id].layout.append(response.url)
            return
        yield self.request(column.url, self.parse_list, site, kind="list", parent=self.key(response))

    @staticmethod
    def key(response) -> str:
        from crawler.middlewares import request_key
        return request_key(response.request)

    @_skip_challenges
    def parse_list(self, response):
        site = response.meta["site"]
        entries = self.list_entries(response)
        if not entries:
            # A list page that yields nothing is a layout change until shown otherwise,
            # never "no reports": the site is not marked complete for this run.
            self.logger.warning("%s: list page %s has no entries: layout change?", site.id, response.url)
            self._state().progress[site.id].layout.append(response.url)
        reports = list(self.follow_entries(response, entries))
        yield from reports
        if self.stop_paging(response, reports):
            from crawler.middlewares import request_key
            state = self._state()
            skipped = [request_key(r) for r in self.more_list_pages(response) if isinstance(r, scrapy.Request)]
            carried = state.ledger.carry(skipped, state.run_id)
            self.logger.info("%s: %s unchanged and every report on it known: not paging further "
                             "(%d known URLs beneath carried over)", site.id, response.url, carried)
            return
        yield from self.more_list_pages(response)

    def stop_paging(self, response, produced) -> bool:
        """Stop paging when this page is unchanged (304) and every report it lists is stored."""
        if not (self.settings.getbool("RENFANG_EARLY_STOP") and response.meta.get("renfang_not_modified")):
            return False
        from crawler.middlewares import request_key
        keys = [request_key(r) for r in produced if isinstance(r, scrapy.Request)]
        return self._state().ledger.known_unchanged(keys)

    def follow_entries(self, response, entries):
        site = response.meta["site"]
        state = self._state()
        for entry in entries:
            found = classify_title(entry.text)
            if found is None:
                continue
            title_filter = site.extra.get("title_filter")
            if title_filter and not re.search(title_filter, entry.text):
                continue  # a portal listing every department's reports: only this office's
            if not state.on_target(entry.url):  # a copy on a spam host, an off-site link
                self.logger.info("%s: %s links off target, ignored: %s", site.id, response.url, entry.url)
                continue
            if found.year is not None:
                yield ReportListing(site.id, found.year, entry.text, entry.url, response.url)
            yield self.request(entry.url, self.parse_article, site, kind="article",
                               parent=self.key(response), title=entry.text, year=found.year)

    # Overridden per CMS style -----------------------------------------------------------
    def list_entries(self, response) -> list[extract.Link]:
        selector = response.meta["site"].extra.get("list_selector", "")
        if selector:  # a per-site hint from the registry
            return extract.list_items_by_selector(response.selector, response.url, selector)
        return extract.list_items(response.selector, response.url)

    def more_list_pages(self, response):
        nxt = extract.next_page_link(response.selector, response.url)
        if nxt:
            yield self.request(nxt, self.parse_list, response.meta["site"], kind="list",
                               parent=self.key(response))

    # -- documents ---------------------------------------------------------------------
    @_skip_challenges
    def parse_article(self, response):
        """A report's page: archive it and every attachment."""
        site = response.meta["site"]
        if not isinstance(response, scrapy.http.TextResponse) or sniff_media_type(response.body) not in (
                "text/html", "text/plain"):  # the list linked the file itself
            yield from self.parse_attachment(response)
            return
        title = extract.page_title(response.selector) or response.meta["title"]
        year = response.meta["year"] or report_year(title) or report_year(
            " ".join(response.css("body ::text").getall())[:3000])
        yield self.document(response, "article", title, year, report_url=response.url)
        for att in extract.attachments(response.selector, response.url):
            yield self.request(att.url, self.parse_attachment, site, kind="attachment",
                               parent=self.key(response), title=title, year=year,
                               report_url=response.url)

    @_skip_challenges
    def parse_attachment(self, response):
        meta = response.meta
        yield self.document(response, "attachment", meta["title"], meta["year"],
                            report_url=meta.get("report_url", response.url))

    def document(self, response, kind, title, year, report_url) -> ReportDocument:
        original = (response.meta.get("redirect_urls") or [response.url])[0]
        return ReportDocument(
            agency_id=response.meta["agency_id"], year=year, title=title, report_url=report_url,
            url=original, final_url=response.url, kind=kind,
            filename=content_disposition_filename(response.headers.get("Content-Disposition"))
            or query_filename(response.url)
            or unquote(PurePosixPath(urlsplit(response.url).path).name),
            body=response.body,
        )


def query_filename(url: str) -> str:
    """``downfile.jsp?filename=2101.pdf``: the file name a download script was asked for."""
    from urllib.parse import parse_qs
    values = parse_qs(urlsplit(url).query).get("filename") or parse_qs(urlsplit(url).query).get("fileName")
    return values[0] if values and "." in values[0] else ""


def content_disposition_filename(value: bytes | None) -> str:
    """The file name of a Content-Disposition header: RFC 5987 ``filename*``, else raw
    ``filename`` bytes, which Chinese servers send in GBK (or UTF-8) without saying so."""
    if not value:
        return ""
    m = re.search(rb"filename\*\s*=\s*([\w-]+)''([^;]+)", value, re.I)
    if m:
        return unquote(m.group(2).decode("ascii", "replace"), encoding=m.group(1).decode() or "utf-8")
    m = re.search(rb'filename\s*=\s*"?([^";]+)"?', value, re.I)
    if not m:
        return ""
    raw = unquote(m.group(1).decode("latin-1")).encode("latin-1")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")

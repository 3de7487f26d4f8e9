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
        # Off-site guard: only the registry's hosts and government hosts are ever requested.
        self.allowed_domains = sorted({s.host for s in sites} | {"gov.cn"})

    # -- requests ---------------------------------------------------------------------
    def request(self, url, callback, site: Site, **meta) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.on_error,
                              meta={"agency_id": site.id, "site": site, **meta})

    async def start(self):
        for site in self.sites:
            if site.column_url:
                yield self.request(site.column_url, self.parse_list, site)
            else:
                yield self.request(site.url, self.parse_home, site)

    def on_error(self, failure):
        from scrapy.spidermiddlewares.httperror import HttpError
        if failure.check(HttpError):
            return  # the response itself is already in the fetch log
        request = failure.request
        yield FetchFailure(agency_id=request.meta.get("agency_id", ""), url=request.url,
                           method=request.method, error=f"{failure.type.__name__}: {failure.getErrorMessage()}")

    # -- navigation ---------------------------------------------------------------------
    def parse_home(self, response):
        """Home page: go to the annual-report column if linked here, else to the disclosure column."""
        site = response.meta["site"]
        column = extract.best_link(response.selector, response.url, REPORT_COLUMN[:3])
        if column:
            yield self.request(column.url, self.parse_list, site)
            return
        disclosure = extract.best_link(response.selector, response.url, DISCLOSURE_COLUMN)
        if disclosure is None:
            self.logger.warning("%s: no disclosure column linked from %s", site.id, response.url)
            return
        yield self.request(disclosure.url, self.parse_disclosure, site)

    def parse_disclosure(self, response):
        site = response.meta["site"]
        column = extract.best_link(response.selector, response.url, REPORT_COLUMN)
        if column is None:
            self.logger.warning("%s: no annual-report column on %s", site.id, response.url)
            return
        yield self.request(column.url, self.parse_list, site)

    def parse_list(self, response):
        site = response.meta["site"]
        entries = self.list_entries(response)
        if not entries:
            self.logger.warning("%s: list page %s has no entries", site.id, response.url)
        yield from self.follow_entries(response, entries)
        yield from self.more_list_pages(response)

    def follow_entries(self, response, entries):
        site = response.meta["site"]
        for entry in entries:
            found = classify_title(entry.text)
            if found is None:
                continue
            if found.year is not None:
                yield ReportListing(site.id, found.year, entry.text, entry.url, response.url)
            yield self.request(entry.url, self.parse_article, site, title=entry.text, year=found.year)

    # Overridden per CMS style -----------------------------------------------------------
    def list_entries(self, response) -> list[extract.Link]:
        return extract.list_items(response.selector, response.url)

    def more_list_pages(self, response):
        nxt = extract.next_page_link(response.selector, response.url)
        if nxt:
            yield self.request(nxt, self.parse_list, response.meta["site"])

    # -- documents ---------------------------------------------------------------------
    def parse_article(self, response):
        """A report's page: archive it and every attachment."""
        site = response.meta["site"]
        if not isinstance(response, scrapy.http.TextResponse):  # the list linked the file itself
            yield from self.parse_attachment(response)
            return
        title = extract.page_title(response.selector) or response.meta["title"]
        year = response.meta["year"] or report_year(title) or report_year(
            " ".join(response.css("body ::text").getall())[:3000])
        yield self.document(response, "article", title, year, report_url=response.url)
        for att in extract.attachments(response.selector, response.url):
            yield self.request(att.url, self.parse_attachment, site, title=title, year=year,
                               report_url=response.url)

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
            or unquote(PurePosixPath(urlsplit(response.url).path).name),
            body=response.body,
        )


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

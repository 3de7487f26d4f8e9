"""Hanweb (大汉) jcms sites: the first records sit in a ``<script type="text/xml">``
datastore; further records come from a POST to ``/module/web/jpage/dataproxy.jsp``
(the static ``index_1.html`` does not exist)."""
import scrapy

from crawler import extract
from crawler.spiders.base import PortalSpider


class HanwebSpider(PortalSpider):
    name = "hanweb"
    cms = "hanweb"

    def list_entries(self, response):
        records = extract.hanweb_records(response.text, response.url)
        return records or super().list_entries(response)

    def more_list_pages(self, response):
        if response.meta.get("dataproxy"):
            return  # every page was requested from the first one
        paging = extract.hanweb_paging(response.text, response.url)
        if paging is None:
            return
        site = response.meta["site"]
        shown = len(extract.hanweb_records(response.text, response.url))
        cap = self.settings.getint("RENFANG_MAX_LIST_PAGES")  # pagination-trap guard
        for url, form in extract.hanweb_page_requests(paging, already=shown, limit=cap):
            yield scrapy.FormRequest(url, formdata=form, callback=self.parse_list, errback=self.on_error,
                                     meta={"agency_id": site.id, "site": site, "dataproxy": True,
                                           "renfang_kind": "list", "renfang_parent": self.key(response)})

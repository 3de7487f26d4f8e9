"""TRS WCM sites: static list pages index.html, index_1.html … announced by
``createPageHTML(pageCount, currentIndex, "index", "html")``."""
from crawler import extract
from crawler.spiders.base import PortalSpider


class TrsWcmSpider(PortalSpider):
    name = "trs_wcm"
    cms = "trs_wcm"

    def more_list_pages(self, response):
        site = response.meta["site"]
        # a pager announcing absurdly many pages is a trap: no more than the per-site cap
        cap = self.settings.getint("RENFANG_MAX_LIST_PAGES")
        for url in extract.trs_next_pages(response.text, response.url, limit=cap):
            yield self.request(url, self.parse_list, site, kind="list", parent=self.key(response))

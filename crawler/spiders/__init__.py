"""One spider for every site: ``portal`` (``crawler.spiders.portal.PortalSpider``). What each
page is (its CMS style, its paging) is read off the page itself, not from the registry."""
from crawler.spiders.portal import PortalSpider

__all__ = ["PortalSpider"]

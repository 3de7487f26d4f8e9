"""One spider per CMS style; the registry's ``cms`` column picks it."""
from crawler.spiders.base import PortalSpider
from crawler.spiders.hanweb import HanwebSpider
from crawler.spiders.trs_wcm import TrsWcmSpider

#: registry ``cms`` value -> spider class ("" = a site of no known style: generic lists with 下一页)
SPIDERS_BY_CMS = {spider.cms: spider for spider in (PortalSpider, TrsWcmSpider, HanwebSpider)}

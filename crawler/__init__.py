"""The Scrapy project (scrapy.cfg: ``crawler.settings``): spiders, middlewares, pipelines."""
import os

# Scrapy's cookie middleware splits domains with tldextract, which downloads the Public Suffix
# List from publicsuffix.org on first use: a request to a host outside the registry, from every
# new machine and every test run. An empty URL list (tldextract's own switch, read when Scrapy
# builds its splitter) makes it use the list it bundles; set the variable to fetch a live one.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

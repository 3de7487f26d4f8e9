"""Scrapy settings for renfang-archive: the one place crawl behaviour is set.

Defaults are polite to small government servers. ``renfang crawl -s KEY=VALUE``
and ``scrapy crawl … -s KEY=VALUE`` override any of them.
Docs: https://docs.scrapy.org/en/latest/topics/settings.html
"""
from archive.settings import DOWNLOAD_CAP_BYTES as _DOWNLOAD_CAP_BYTES
from archive.settings import defaults as _renfang_defaults
from archive.settings import get as _renfang_setting
from crawler.browser import launch_options as _browser_launch_options
from scrapy.settings.default_settings import EXTENSIONS_BASE as _SCRAPY_EXTENSIONS

BOT_NAME = "renfang"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Say who we are: a research archive of published government reports.
USER_AGENT = "renfang-archive/0.1 (research archive of government information disclosure reports)"

# Obey robots.txt (renfang crawl --ignore-robots turns this off).
ROBOTSTXT_OBEY = True

# Small servers: at most 2 requests at a time per host, with AutoThrottle adapting the delay.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Retries with backoff on 5xx and timeouts.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 60
# Backoff before the n-th retry: RETRY_BACKOFF_BASE * 2**(n-1) seconds (crawler.middlewares).
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0

DOWNLOAD_MAXSIZE = _DOWNLOAD_CAP_BYTES  # size cap per download (archive/settings.py says why)
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
REDIRECT_MAX_TIMES = 10  # redirect-loop guard (with crawler.middlewares.RedirectGuardMiddleware)
DEPTH_LIMIT = 12

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# Items are a few synchronous SQLite writes: Scrapy's default of 100 parallel item workers
# per response only costs task bookkeeping (measured: -20 % CPU per page with 4); one worker
# (the pipeline never awaits anything) creates 3 asyncio tasks fewer per response than 4.
CONCURRENT_ITEMS = 1

# crawler/middlewares.py: callback exceptions as failed fetches, early stop on unchanged lists,
# a retry of what failed in earlier runs (spider middlewares, next to the spider).
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.RetryFailedMiddleware": 940,
    "crawler.middlewares.EarlyStopMiddleware": 945,
    "crawler.middlewares.CallbackErrorMiddleware": 950,
}

# crawler/revisit.py: once the lists are done, every archived document they did not lead to is
# asked for again, conditionally (RENFANG_REVISIT_DAYS).
EXTENSIONS = {"crawler.revisit.RevisitExtension": 500}
# Not Scrapy's remote control (Scrapy 2.19): an HTTP server on localhost that runs the Python code
# sent to it, of no use to a crawl. Scrapy imports every extension it lists, even one set to None
# in EXTENSIONS (aiohttp: 0.15–0.2 s of every crawl process's start), so it leaves the base list.
EXTENSIONS_BASE = {k: v for k, v in _SCRAPY_EXTENSIONS.items() if not k.endswith(".RemoteControl")}
REMOTE_CONTROL_ENABLED = False

# crawler/middlewares.py: on target, ledger (resume + conditional requests), charset,
# anti-bot challenges, WARC (next to the network, so it sees every exchange).
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.BackoffMiddleware": 30,
    "crawler.middlewares.OnTargetMiddleware": 40,
    "crawler.middlewares.AntiBotMiddleware": 45,
    "crawler.middlewares.CharsetMiddleware": 55,
    "crawler.middlewares.LedgerMiddleware": 60,
    "crawler.middlewares.RedirectGuardMiddleware": 650,
    # Scrapy's decompression, recording what it refuses as too large (a gzip bomb)
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.compression.RecordedHttpCompressionMiddleware": 590,
    "crawler.middlewares.WarcMiddleware": 960,
}
# Every RENFANG_* setting (allowed hosts, list-page cap, conditional requests, early stop, WARC,
# fsync, the schedule's cadence, data dir…) is described in archive/settings.py, with its default;
# `-s NAME=VALUE` and the environment variable of the same name override it.
globals().update(_renfang_defaults())

# The browser, the last extractor (crawler/browser.py): scrapy-playwright driving Debian's chromium.
# Only requests with meta["playwright"] go through it, and Playwright's driver and Chromium start on
# the first of them: a crawl in which no page needs the browser runs Scrapy's own HTTP handler
# only. With RENFANG_BROWSER off or no Chromium at RENFANG_CHROMIUM, the handler is Scrapy's plain one.
DOWNLOAD_HANDLERS = {"http": "crawler.browser.BrowserDownloadHandler",
                     "https": "crawler.browser.BrowserDownloadHandler"}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"   # scrapy-playwright needs it
PLAYWRIGHT_BROWSER_TYPE = "chromium"
# headless, with the flags that keep Chromium from calling home; never `playwright install`
PLAYWRIGHT_LAUNCH_OPTIONS = _browser_launch_options(_renfang_setting("RENFANG_CHROMIUM"))
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000          # ms, a page's first load
# the browser's own headers (its cookies: a passed challenge's cookie goes with the reload), our User-Agent
PLAYWRIGHT_PROCESS_REQUEST_HEADERS = "crawler.browser.browser_headers"
# at most 2 pages open per site's context (2 cores); a site's budget of browser pages and seconds
# is RENFANG_BROWSER_PAGES / RENFANG_BROWSER_SECONDS (archive/settings.py)
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False

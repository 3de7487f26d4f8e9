"""Scrapy settings for renfang-archive: the one place crawl behaviour is set.

Defaults are polite to small government servers. ``renfang crawl -s KEY=VALUE``
and ``scrapy crawl … -s KEY=VALUE`` override any of them.
Docs: https://docs.scrapy.org/en/latest/topics/settings.html
"""
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

# A report is a few MB at most; anything far larger is not one.
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024  # size cap per download
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
REDIRECT_MAX_TIMES = 10  # redirect-loop guard (with crawler.middlewares.RedirectGuardMiddleware)
DEPTH_LIMIT = 12

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# Items are a few synchronous SQLite writes: Scrapy's default of 100 parallel item workers
# per response only costs task bookkeeping (measured: -20 % CPU per page with 4).
CONCURRENT_ITEMS = 4

# crawler/middlewares.py: callback exceptions as failed fetches, early stop on unchanged lists,
# a retry of what failed in earlier runs (spider middlewares, next to the spider).
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.RetryFailedMiddleware": 940,
    "crawler.middlewares.EarlyStopMiddleware": 945,
    "crawler.middlewares.CallbackErrorMiddleware": 950,
}

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
# Hosts beyond the registry's own (host:port) that may be requested: government hosts.
# Tests set it empty so that nothing but the loopback sites of their registry is ever requested.
RENFANG_ALLOWED_SUFFIXES = [".gov.cn"]
# Pagination-trap guard: list pages per site and run.
RENFANG_MAX_LIST_PAGES = 300
# Recrawls send If-None-Match / If-Modified-Since for documents already stored.
RENFANG_CONDITIONAL = True
# Stop paging a list once a page is unchanged (304) and every report on it is known.
RENFANG_EARLY_STOP = True
# Write every exchange to DATA_DIR/warc/*.warc.gz.
RENFANG_WARC = True
# fsync of stored objects: "batch" (all new objects once a second and at the end) or "every".
RENFANG_FSYNC = "batch"
# Seconds between progress lines per site (0: none).
RENFANG_PROGRESS_INTERVAL = 30

# Site ids (comma-separated) whose pages are explained: DATA_DIR/logs/explain-<id>-run<N>.txt
# (renfang crawl --explain ID).
RENFANG_EXPLAIN = ""

# renfang run --due (crawler/schedule.py): daily in the reporting season (month-day..month-day),
# weekly otherwise, sooner after a run that went wrong, longer each time a site blocks us.
RENFANG_DUE_SEASON = "01-15..03-31"
RENFANG_DUE_IN_SEASON_HOURS = 24
RENFANG_DUE_OFF_SEASON_HOURS = 168
RENFANG_DUE_AFTER_FAILURE_HOURS = 6
RENFANG_DUE_BLOCKED_HOURS = 48          # doubled for each blocked run in a row …
RENFANG_DUE_BLOCKED_MAX_HOURS = 720     # … up to 30 days

# Where the archive lives: DATA_DIR/objects/ and DATA_DIR/archive.db.
RENFANG_DATA_DIR = "data"
# The crawl_runs row this crawl writes under (renfang crawl sets it; a bare
# `scrapy crawl` opens a run of its own).
RENFANG_RUN_ID = None

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False

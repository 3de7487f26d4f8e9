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

# A report is a few MB at most; anything far larger is not one.
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
DEPTH_LIMIT = 12

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}

# Where the archive lives: DATA_DIR/objects/ and DATA_DIR/archive.db.
RENFANG_DATA_DIR = "data"
# The crawl_runs row this crawl writes under (renfang crawl sets it; a bare
# `scrapy crawl` opens a run of its own).
RENFANG_RUN_ID = None

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False

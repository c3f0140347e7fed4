"""Scrapy settings of the Yuqing crawler project (``scrapy.cfg`` points here).

The engine (``crawlers.engine``) starts from these too, so ``scrapy crawl`` and ``yuqing run``
crawl the same way. Per-source delay, concurrency and headers are applied by the spiders.
"""

from __future__ import annotations

BOT_NAME = "yuqing"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = "Yuqing/0.1 (public-opinion monitoring for a market-regulation press office)"
ROBOTSTXT_OBEY = True

# The platform's default Twisted reactor (epoll on Linux), chosen on purpose instead of
# Scrapy's asyncio default: the engine runs the reactor in a daemon thread, which the plain
# reactor supports without an asyncio event loop bound to the main thread.
TWISTED_REACTOR = None

DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# Each retry waits longer: 1 s, then 2 s (crawlers.middlewares.BackoffRetryMiddleware).
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
# Slow down when a site answers slowly; the source's own delay stays the minimum and its
# concurrency the target (both set by the spider), so a quick site is not held back.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.0
AUTOTHROTTLE_MAX_DELAY = 60.0
# An article page is well under a megabyte; anything past 5 MiB is not one (a video, a dump).
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 1024 * 1024
# A chain longer than this is a loop (or a tracking maze), reported as such.
REDIRECT_MAX_TIMES = 5
# A crawl that hangs must not hold up the rounds after it.
CLOSESPIDER_TIMEOUT = 600

# Worker processes for article extraction (crawlers.extract_pool); 0 extracts in the reactor
# thread. One worker lets extraction run beside downloading and archiving on two cores.
EXTRACT_WORKERS = 1

HTTPCACHE_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Needs the asyncio reactor, which the engine deliberately does not use (see above).
REMOTE_CONTROL_ENABLED = False
COOKIES_ENABLED = True
LOG_LEVEL = "WARNING"
# Rejects are logged once, concisely, by the validate pipeline.
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"

ITEM_PIPELINES = {
    "crawlers.pipelines.ValidatePipeline": 100,
    "crawlers.pipelines.DedupPipeline": 200,
    "crawlers.pipelines.ArchiveWriterPipeline": 300,
}
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    "crawlers.middlewares.ConditionalGetMiddleware": 560,
    "crawlers.middlewares.RedirectLoopMiddleware": 610,
}
EXTENSIONS = {
    "crawlers.extensions.SourceStateRecorder": 500,
}

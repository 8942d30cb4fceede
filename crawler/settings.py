"""Scrapy settings for newsclaims: polite by default (robots.txt, AutoThrottle, one identifying User-Agent).

`scrapy crawl news -s NEWSCLAIMS_DB=x.db -a sources=FILE` works as in any Scrapy project; `newsclaims crawl`
starts exactly that in its own process and passes its options as `-s`/`-a` arguments.
"""
from newsclaims import __version__

BOT_NAME = "newsclaims"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = f"newsclaims/{__version__} (+https://github.com/newsclaims/newsclaims; research crawler)"
ROBOTSTXT_OBEY = True

# politeness: few parallel requests per site, delays adapted to the site's latency
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024  # CEO-letter PDFs can be large; anything bigger is not an article
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2  # 5xx and timeouts, as Scrapy does
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
HTTPCACHE_ENABLED = False
DEPTH_PRIORITY = 1  # breadth-first: listing pages near the start are worth more than deep ones

ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}

# where articles go, and how often the pipeline commits a batch / reports progress
NEWSCLAIMS_DB = "newsclaims.db"
NEWSCLAIMS_BATCH_SIZE = 25
NEWSCLAIMS_BATCH_SECONDS = 2.0
NEWSCLAIMS_RUN_ID = None  # set by `newsclaims crawl`, which owns the crawl_runs row; else the pipeline makes one

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

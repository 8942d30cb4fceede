"""Scrapy settings for newsclaims: polite by default (robots.txt, AutoThrottle, one identifying User-Agent).

`scrapy crawl news -s NEWSCLAIMS_DB=x.db -a sources=FILE` works as in any Scrapy project; `newsclaims crawl`
starts exactly that in its own process and passes its options as `-s`/`-a` arguments.
"""
import os

from newsclaims import __version__

if os.environ.get("NEWSCLAIMS_PARENT_STOP"):  # started by `newsclaims crawl`, which forwards stops as SIGUSR1
    from crawler.shutdown import install_early_stop_handler

    install_early_stop_handler()

BOT_NAME = "newsclaims"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Site owners must be able to tell who crawls them and how to reach the operator: set your own contact URL
# (a page or mailto:) with the NEWSCLAIMS_CONTACT_URL environment variable or `--set NEWSCLAIMS_CONTACT_URL=...`.
NEWSCLAIMS_CONTACT_URL = os.environ.get("NEWSCLAIMS_CONTACT_URL", "https://github.com/newsclaims/newsclaims")
USER_AGENT_TEMPLATE = "newsclaims/{version} (+{contact}; research crawler)"
USER_AGENT = USER_AGENT_TEMPLATE.format(version=__version__, contact=NEWSCLAIMS_CONTACT_URL)
ROBOTSTXT_OBEY = True

# politeness: few parallel requests per site, delays adapted to the site's latency
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# a source's own download_delay/concurrency are the floor and ceiling AutoThrottle works within
EXTENSIONS = {"scrapy.extensions.throttle.AutoThrottle": None, "crawler.throttle.SourceAutoThrottle": 0,
              "scrapy.extensions.telnet.TelnetConsole": None, "scrapy.extensions.remote_control.RemoteControl": None}
# No way into a running crawl: Scrapy's telnet console and its remote-control HTTP server (which runs
# Python code sent to it) both listen on this machine by default.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024  # CEO-letter PDFs can be large; anything bigger is not an article
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2  # 5xx and timeouts, as Scrapy does
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
HTTPCACHE_ENABLED = False
DEPTH_PRIORITY = 1  # breadth-first: listing pages near the start are worth more than deep ones
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"  # FIFO queues, as breadth-first order needs
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
# JOBDIR (set by `newsclaims crawl`) keeps the queue; what was already answered is in crawler.resume's ledger
DUPEFILTER_CLASS = "crawler.resume.ProcessDupeFilter"

# conditional requests and skipping of pages known to be current (see crawler/middlewares.py)
DOWNLOADER_MIDDLEWARES = {"crawler.shutdown.PromptShutdownMiddleware": 10,  # first: nothing leaves once stopping
                          # before everything else: off-site/internal/non-http targets, also after redirects
                          "crawler.guard.SiteGuardMiddleware": 20,
                          "crawler.middlewares.IncrementalMiddleware": 540,
                          # after RetryMiddleware (550) in the request chain = before it on responses
                          "crawler.middlewares.RetryAfterMiddleware": 560}
NEWSCLAIMS_MAX_RETRY_AFTER = 120.0  # seconds; a site asking for a longer pause is not retried this run
NEWSCLAIMS_MAX_LINKS = 5000  # a page with more links is not a listing page: none of them is followed

ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}

# where articles go, and how often the pipeline commits a batch / reports progress
NEWSCLAIMS_DB = "newsclaims.db"
NEWSCLAIMS_BATCH_SIZE = 25
NEWSCLAIMS_BATCH_SECONDS = 2.0
# Database writes on their own thread, so downloads never wait for the disk (False: on the reactor thread;
# only the crawl bench turns it off, to show the difference).
NEWSCLAIMS_STORE_THREAD = True
NEWSCLAIMS_RUN_ID = None  # set by `newsclaims crawl`, which owns the crawl_runs row; else the pipeline makes one

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

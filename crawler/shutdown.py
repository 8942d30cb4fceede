"""PromptShutdownMiddleware: after SIGTERM/SIGINT, no new request leaves the crawler.

Scrapy's graceful stop stops taking requests from the scheduler, but every request already handed to
the downloader still waits out its slot's delay and is fetched: with AutoThrottle delays that was about
20 seconds of further fetching after the signal. On the first signal this middleware
  - takes the requests still waiting in the downloader's slot queues back into the scheduler (its disk
    queue, with JOBDIR, so `--resume` fetches them) and fails their downloads with `ShuttingDown`;
  - refuses any request that reaches the downloader afterwards.
Requests already being transferred finish (their pages are stored); Scrapy's own handler then runs.

`newsclaims crawl` passes its own SIGTERM/SIGINT on as SIGUSR1 (see newsclaims/runner.py): SIGUSR1 acts
as a first SIGTERM, and is ignored when the crawl is stopping already (a Ctrl-C in the terminal reaches
both processes; taking the parent's copy as a second signal would kill the crawl instead of stopping it).
A SIGUSR1 that arrives while the crawl is still starting is remembered and acted on once it runs.
"""
from __future__ import annotations

import logging
import signal
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

log = logging.getLogger(__name__)

SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT)
PARENT_STOP_SIGNAL = signal.SIGUSR1
_early_stop: list[int] = []  # a parent's stop request that came before the engine started


def _remember_stop(signum: int, frame: Any) -> None:
    _early_stop.append(signum)


def install_early_stop_handler() -> None:
    """From process start (crawler.settings): SIGUSR1 must not kill a crawl that is still starting."""
    signal.signal(PARENT_STOP_SIGNAL, _remember_stop)


class ShuttingDown(IgnoreRequest):
    """Not sent: the crawl is stopping. Not an answer: `--resume` fetches it."""


class PromptShutdownMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> PromptShutdownMiddleware:
        middleware = cls(crawler)
        # engine_started comes after Scrapy installed its own shutdown handlers, which we wrap
        crawler.signals.connect(middleware.engine_started, signal=signals.engine_started)
        return middleware

    def engine_started(self) -> None:
        for signum in SHUTDOWN_SIGNALS:
            previous = signal.getsignal(signum)
            if callable(previous):
                signal.signal(signum, self._wrap(previous))
        signal.signal(PARENT_STOP_SIGNAL, self.parent_stop)
        if _early_stop:
            self.parent_stop(PARENT_STOP_SIGNAL, None)

    def parent_stop(self, signum: int, frame: Any) -> None:
        if self.stopping:
            return
        handler = signal.getsignal(signal.SIGTERM)
        if callable(handler):
            handler(signal.SIGTERM, frame)

    def _wrap(self, previous: Any) -> Any:
        def handler(signum: int, frame: Any) -> None:
            from twisted.internet import reactor

            if not self.stopping:
                self.stopping = True  # at once, before the reactor gets to the queued call
                reactor.callFromThread(self.drain)
            previous(signum, frame)
        return handler

    def process_request(self, request: Request, spider: Any = None) -> None:
        if self.stopping:
            raise ShuttingDown("the crawl is stopping")
        return None

    def drain(self) -> None:
        """Requeue every request waiting in a downloader slot and fail its pending download."""
        engine = self.crawler.engine
        engine.pause()  # nothing more from the scheduler: the graceful stop follows at once
        scheduler = getattr(getattr(engine, "_slot", None), "scheduler", None)
        taken = 0
        for slot in list(engine.downloader.slots.values()):
            while slot.queue:
                request, deferred = slot.queue.popleft()
                if scheduler is not None:
                    scheduler.enqueue_request(_fresh(request))
                deferred.errback(Failure(ShuttingDown("the crawl is stopping")))
                taken += 1
        self.crawler.stats.set_value("newsclaims/requeued_at_shutdown", taken)
        log.info("stopping: %d queued requests not sent (kept for --resume)", taken)


def _fresh(request: Request) -> Request:
    """The request as first made: past-the-middleware marks removed, and past the duplicate filter."""
    meta = {k: v for k, v in request.meta.items() if k not in ("nc_checked", "download_slot")}
    return request.replace(meta=meta, dont_filter=True)

"""SourceAutoThrottle: AutoThrottle that works within each source's own politeness settings.

Scrapy's AutoThrottle keeps every slot's delay between the global DOWNLOAD_DELAY and
AUTOTHROTTLE_MAX_DELAY, so a source's `download_delay` (a DOWNLOAD_SLOTS entry) was overridden after the
first answer: a source allowing 0.2 s was crawled at >= 1 s, and nothing stopped the floor a site asked
for from being undercut. Here a slot with its own `delay` has that delay as its floor, and its own
`concurrency` caps the concurrency AutoThrottle aims at. The range of delays each slot was given is in
the crawl stats (`newsclaims/slot_delay_ms/<host>/min|max`; the run's `slot_delay_ms` in crawl_runs).
"""
from __future__ import annotations

from typing import Any

from scrapy.extensions.throttle import AutoThrottle


SLOT_DELAY_STAT = "newsclaims/slot_delay_ms/"


class SourceAutoThrottle(AutoThrottle):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.per_slot: dict[str, Any] = {}
        self._key: str | None = None

    def _spider_opened(self, spider: Any) -> None:
        super()._spider_opened(spider)
        # read here, not in __init__: the spider adds its sources' slots to the settings when it is made
        self.per_slot = self.crawler.settings.getdict("DOWNLOAD_SLOTS")

    def _adjust_delay(self, slot: Any, latency: float, response: Any) -> None:
        conf = self.per_slot.get(self._key or "", {})
        floor = float(conf["delay"]) if "delay" in conf else self.mindelay
        target_concurrency = min(self.target_concurrency, float(conf.get("concurrency") or self.target_concurrency))
        new_delay = max(latency / target_concurrency, (slot.delay + latency / target_concurrency) / 2.0)
        new_delay = min(max(floor, new_delay), max(floor, self.maxdelay))
        # as Scrapy does: small error pages and redirects must not speed the crawl up
        if response.status != 200 and new_delay <= slot.delay:
            return
        slot.delay = new_delay
        self._record(self._key or "", new_delay)

    def _record(self, key: str, delay: float) -> None:
        """The range of delays a slot was given, for the crawl stats (`runs` shows what politeness cost)."""
        ms = round(delay * 1000)
        self.crawler.stats.min_value(f"{SLOT_DELAY_STAT}{key}/min", ms)
        self.crawler.stats.max_value(f"{SLOT_DELAY_STAT}{key}/max", ms)

    def _get_slot(self, request: Any, spider: Any) -> tuple[str | None, Any]:
        # _adjust_delay is not told the slot's key; the base class looks the slot up just before calling it
        key, slot = super()._get_slot(request, spider)
        self._key = key
        return key, slot


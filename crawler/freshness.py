"""Is a stored copy still current, given the date a sitemap or feed says the page last changed?"""
from __future__ import annotations

from datetime import date, datetime, time, timezone


def parse_w3c_datetime(value: str) -> datetime | None:
    """A sitemap/Atom date (W3C datetime: `2024-05-01`, `2024-05-01T10:00Z`, with offset) as aware UTC.

    A bare date could mean any moment of that day, so it is read as the day's end: a copy fetched
    during that day is not trusted to be current.
    """
    value = value.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.max, tzinfo=timezone.utc)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def is_current(fetched_at: str | None, modified: str | None) -> bool:
    """True when the copy fetched at `fetched_at` is at least as new as the page's last change."""
    if not fetched_at or not modified:
        return False
    fetched, changed = parse_w3c_datetime(fetched_at), parse_w3c_datetime(modified)
    return fetched is not None and changed is not None and fetched >= changed

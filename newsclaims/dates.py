"""Dates given on the command line."""
from __future__ import annotations

from datetime import date


def parse_date(value: str) -> str | None:
    """'2018-02-08' (or '2018-02' / '2018') → ISO date string; None when it is not a real date."""
    text = value.strip()
    for length, suffix in ((10, ""), (7, "-01"), (4, "-01-01")):
        if len(text) == length:
            try:
                return date.fromisoformat(text + suffix).isoformat()
            except ValueError:
                return None
    return None


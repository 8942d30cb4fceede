"""Dates given on the command line."""
from __future__ import annotations

from datetime import date

from newsclaims.errors import NewsclaimsError


def parse_date_option(value: str, option: str) -> str:
    """'2018-02-08' (or '2018-02' / '2018') → ISO date string; a clear error otherwise."""
    text = value.strip()
    for length, suffix in ((10, ""), (7, "-01"), (4, "-01-01")):
        if len(text) == length:
            try:
                return date.fromisoformat(text + suffix).isoformat()
            except ValueError:
                break
    raise NewsclaimsError(f"{option}: {value!r} is not a date (use YYYY-MM-DD)")

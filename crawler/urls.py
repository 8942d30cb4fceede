"""Canonical URLs: one address per article, whatever campaign link it was reached through."""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from crawler.data import data_lines

_DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=None)
def _tracking_rules() -> tuple[frozenset[str], tuple[str, ...]]:
    names, prefixes = set(), []
    for line in data_lines("tracking_params.txt"):
        line = line.strip().lower()
        if line.endswith("*"):
            prefixes.append(line[:-1])
        else:
            names.add(line)
    return frozenset(names), tuple(prefixes)


def is_tracking_param(name: str) -> bool:
    names, prefixes = _tracking_rules()
    name = name.lower()
    return name in names or name.startswith(prefixes)


def canonicalize_url(url: str) -> str:
    """Drop tracking parameters and the fragment; lower-case scheme and host; drop default ports."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # e.g. a non-numeric port: keep the URL rather than invent one
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    netloc = host
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{host}"
    if port and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    # Re-quote so that equivalent spellings (%7E vs ~, raw non-ASCII vs %-escapes) compare equal.
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=~-._") or ("/" if netloc else "")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def resolve_canonical(href: str | None, url: str) -> str:
    """The absolute canonical URL: a <link rel=canonical> href resolved against the page URL, else the URL."""
    if href and href.strip() and not href.strip().lower().startswith(("javascript:", "data:", "#")):
        candidate = urljoin(url, href.strip())
        if urlsplit(candidate).scheme in ("http", "https"):
            return canonicalize_url(candidate)
    return canonicalize_url(url)

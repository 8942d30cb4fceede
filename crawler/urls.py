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
    """The absolute canonical URL: a <link rel=canonical> href resolved against the page URL, else the URL.

    A canonical link to another host is ignored: a page may not claim another site's address (articles
    are keyed by canonical URL, so it would take over that site's stored article).
    """
    if href and href.strip() and not href.strip().lower().startswith(("javascript:", "data:", "#")):
        try:
            candidate = urljoin(url, href.strip())
            if urlsplit(candidate).scheme in ("http", "https") and same_host(candidate, url):
                return canonicalize_url(candidate)
        except ValueError:  # a malformed href (e.g. "http://[::1"): no canonical
            pass
    return canonicalize_url(url)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").rstrip(".")
    return host[4:] if host.startswith("www.") else host


def same_host(a: str, b: str) -> bool:
    """Same host name, taking www.example.com and example.com as one (the commonest canonical form)."""
    try:
        return _host(a) == _host(b) != ""
    except ValueError:
        return False


FETCHABLE_SCHEMES = ("http", "https")


def http_url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched as an http(s) URL (bad scheme, no host, malformed IPv6, bad port), or None.

    Everything the crawler and `analyze` fetch goes through this one check, so a URL that would make a
    download handler hang (ftp:// on an HTTP port) or raise deep inside Scrapy is refused up front.
    """
    try:
        parts = urlsplit(url)
        port = parts.port  # raises for a non-numeric or out-of-range port
    except ValueError as exc:  # e.g. "Invalid IPv6 URL", "Port out of range 0-65535"
        return f"malformed URL ({exc})"
    if parts.scheme.lower() not in FETCHABLE_SCHEMES:
        return f"not an http(s) URL (scheme {parts.scheme or 'missing'!r})"
    if not parts.hostname:
        return "no host name"
    if port == 0:
        return "port 0 is not a port one can connect to"
    return None


def join_url(base: str, href: str) -> str:
    """urljoin that never raises: a malformed href (e.g. "http://[::1/x") comes back as written, for
    http_url_problem to refuse with a reason (urljoin raises ValueError on it)."""
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return href.strip()

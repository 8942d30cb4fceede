"""Which network addresses a crawl may reach: private, loopback and link-local targets are internal.

A news site must not be able to point the crawler at the operator's own network (a redirect to
127.0.0.1 or 169.254.169.254, a feed item on 10.0.0.1). Such targets are refused unless the source's
own configured URLs are on internal hosts too (a local test site, the demo, an intranet source).
Pure functions; resolving names is left to the caller (the crawler resolves through Twisted's cached
resolver, `analyze` through the socket module).
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable

# Names that never leave the machine, whatever a resolver says (RFC 6761)
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


def ip_is_internal(address: str) -> bool:
    """True for private, loopback, link-local, unspecified, reserved and multicast addresses."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id (fe80::1%eth0) is not part of it
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_reserved
            or ip.is_multicast)


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def name_is_internal(host: str) -> bool:
    """True when the host name itself says internal (an internal IP literal or a localhost name)."""
    host = (host or "").lower().rstrip(".")
    if is_ip_literal(host):
        return ip_is_internal(host)
    return host in _LOCAL_NAMES or host.endswith(".localhost")


def any_internal(addresses: Iterable[str]) -> bool:
    return any(ip_is_internal(a) for a in addresses)

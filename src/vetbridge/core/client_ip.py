"""The client's address, from one setting that says which proxies are trusted.

`VETBRIDGE_TRUSTED_PROXIES` is either a number of reverse proxies in front of the
application (each appends the address it received from to `X-Forwarded-For`), or a list
of trusted proxy addresses and networks (CIDR). The audit (request origin), login
throttling (django-axes `AXES_CLIENT_IP_CALLABLE`) and the public tribute rate limit all
call `client_ip`, so they agree on who the client is.

The chain is read from the right (the hop nearest to us): entries a client writes itself
are on the left and are never trusted. With no trusted proxy (the default, 0) the header
is ignored and the socket address is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Trusted = int | tuple[Network, ...]


def parse_trusted_proxies(value: object) -> Trusted:
    """0, 2, "2", "10.0.0.0/8, 192.168.1.7" or a list of addresses/networks."""
    if isinstance(value, bool):
        raise ImproperlyConfigured("VETBRIDGE_TRUSTED_PROXIES: a number or addresses.")
    if isinstance(value, int):
        if value < 0:
            raise ImproperlyConfigured("VETBRIDGE_TRUSTED_PROXIES cannot be negative.")
        return value
    if value is None:
        return 0
    items: Iterable[object]
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0
        if text.isdigit():
            return int(text)
        items = text.split(",")
    elif isinstance(value, list | tuple | set | frozenset):
        items = value
    else:
        raise ImproperlyConfigured("VETBRIDGE_TRUSTED_PROXIES: a number or addresses.")
    networks: list[Network] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"VETBRIDGE_TRUSTED_PROXIES: {text!r} is not an address or network."
            ) from exc
    return tuple(networks)


@lru_cache(maxsize=8)
def _parsed(raw: str) -> Trusted:
    return parse_trusted_proxies(raw)


def trusted_proxies() -> Trusted:
    value = getattr(settings, "VETBRIDGE_TRUSTED_PROXIES", 0)
    if isinstance(value, list | tuple | set | frozenset):
        value = ",".join(str(v) for v in value)
    return _parsed(str(value))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:51000"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_ip_from(remote_addr: str | None, forwarded_for: str, trusted: Trusted) -> str | None:
    """The client address of a request that reached us from `remote_addr`."""
    peer = _address(remote_addr or "")
    if peer is None:
        return None
    if not trusted or not forwarded_for:
        return str(peer)
    hops = [h for h in forwarded_for.split(",") if h.strip()]
    if isinstance(trusted, int):
        # N proxies: each appends the address it received from, so the client is the
        # N-th entry from the right (the one the outermost proxy wrote).
        if len(hops) < trusted:
            # Fewer hops than proxies: the request did not come through them all; the
            # leftmost entry would be the client's own claim, so trust nothing.
            return str(peer)
        found = _address(hops[-trusted])
        return str(found) if found is not None else str(peer)
    current = peer
    for hop in reversed(hops):
        if not any(current in net for net in trusted):
            break
        found = _address(hop)
        if found is None:
            break
        current = found
    return str(current)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client of this request (see the module docstring)."""
    return client_ip_from(
        request.META.get("REMOTE_ADDR"),
        str(request.META.get("HTTP_X_FORWARDED_FOR", "")),
        trusted_proxies(),
    )


def axes_client_ip(request: HttpRequest) -> str | None:
    """`AXES_CLIENT_IP_CALLABLE`: login throttling counts per the same client address."""
    return client_ip(request)

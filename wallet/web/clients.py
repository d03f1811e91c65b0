"""Client addresses against allowlists of networks: the studios' (a setting) and the cashier
API keys' ("API IP"). One check for both, its verdict cached per address and list."""

from __future__ import annotations

import functools
import ipaddress

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(spec: str) -> tuple[Network, ...]:
    """Comma-separated CIDRs (or bare addresses) from a setting."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip()
    )


def client_host(request: Request) -> str:
    return request.client.host if request.client else ""


def client_allowed(request: Request, networks: tuple[Network, ...]) -> bool:
    return host_allowed(client_host(request), networks)


@functools.lru_cache(maxsize=4096)  # a studio calls from a few addresses; parsing showed up
def host_allowed(host: str, networks: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)

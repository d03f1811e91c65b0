"""Where a webhook may be delivered (issue #21): public addresses over https by default, so an
agent cannot make the server POST into the operator's own network, its cloud's metadata service
or the server itself.

Two checks, the same rules:

- At registration (`check_url`, no DNS: nothing leaves the server): the scheme (https; http only
  with WEBHOOK_ALLOW_HTTP), and a host written as an address, in any form a resolver accepts
  (`127.0.0.1`, `0x7f000001`, `2130706433`, `0177.1`, `[::1]`, `[::ffff:127.0.0.1]`), or a
  name that can only be local (`localhost`, `*.localhost`, `*.local`, `*.internal`,
  `*.home.arpa`, a name without a dot).
- At every connection (`GuardedBackend`, the delivery worker's network backend): the name is
  resolved, every address it resolves to is checked, and the connection goes to an address that
  was checked, never to a second resolution (no DNS rebinding: a name that answers a public
  address to the check and 127.0.0.1 to the connect). TLS still names the host (SNI, the
  certificate's check) and the Host header stays the URL's.

Refused: loopback, private (RFC 1918, fc00::/7, ...), shared (100.64.0.0/10), link-local (the
metadata service at 169.254.169.254), multicast, unspecified, reserved, documentation ranges,
IPv4 inside IPv6 (mapped ::ffff:a.b.c.d, 6to4 2002::/16) judged as the IPv4 it carries, and any
address of this machine (whatever port: the server's own listen addresses among them).
WEBHOOK_ALLOW_PRIVATE=true (development, the tests, receivers on the operator's own network)
allows all but unspecified and multicast ones, and this machine's addresses on the server's own
PORT: a webhook never calls the server's own API.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import httpcore
import httpx

from wallet.config import Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
# What a resolver also reads as an IPv4 address (inet_aton): 1 to 4 parts, decimal, octal or hex.
_INET_ATON = re.compile(r"(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class DestinationRefused(Exception):
    """A webhook URL or address the policy refuses; the message says why."""


@dataclass(frozen=True, slots=True)
class Policy:
    allow_private: bool  # WEBHOOK_ALLOW_PRIVATE
    allow_http: bool  # WEBHOOK_ALLOW_HTTP
    own_port: int  # the server's PORT: never a destination on this machine


def policy_of(settings: Settings) -> Policy:
    return Policy(settings.webhook_allow_private, settings.webhook_allow_http, settings.port)


def check_url(url: str, policy: Policy) -> None:
    """The registration's check (and again before each delivery): scheme and written host."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and policy.allow_http):
        allowed = "https or http" if policy.allow_http else "https"
        raise DestinationRefused(f"the url must be {allowed}")
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise DestinationRefused("the url's port is not a valid one") from error
    address = written_address(host)
    if address is not None:
        check_address(address, port, policy)
    elif not policy.allow_private and _local_name(host):
        raise DestinationRefused(f"{host} is not a public name")


def written_address(host: str) -> Address | None:
    """The address a host is written as, in any form a resolver reads as one; None for a name."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not _INET_ATON.fullmatch(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError as error:
        raise DestinationRefused(f"{host} is not a valid address") from error


def _local_name(host: str) -> bool:
    return host == "localhost" or host.endswith(_LOCAL_SUFFIXES) or "." not in host


def check_address(address: Address, port: int, policy: Policy) -> None:
    """Refuses an address the policy does not allow, saying why."""
    for judged in _carried(address):
        if judged.is_unspecified or judged.is_multicast:
            raise DestinationRefused(f"{address} is an unspecified or multicast address")
        mine = judged.is_loopback or this_host(judged)
        if mine and port == policy.own_port:
            raise DestinationRefused(f"{address} port {port} is this server")
        if policy.allow_private:
            continue
        if mine:
            raise DestinationRefused(f"{address} is an address of this machine")
        if not judged.is_global or judged.is_reserved or judged.is_private:
            raise DestinationRefused(f"{address} is not a public address")


def _carried(address: Address) -> list[Address]:
    """The address, and the IPv4 address an IPv6 one carries (mapped, 6to4, NAT64)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return [address]
    inner = address.ipv4_mapped or address.sixtofour
    if inner is None and address in _NAT64:
        inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return [address] if inner is None else [address, inner]


def this_host(address: Address) -> bool:
    """Whether the address is one of this machine's: a socket binds to it (nothing is sent).
    Where binding to any address is allowed (ip_nonlocal_bind), that cannot tell: then only
    loopback counts as this machine's."""
    return _binds(address) and not _binds_anything(address.version)


def _binds(address: Address) -> bool:
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.bind((str(address), 0))
    except OSError:
        return False
    return True


@functools.lru_cache(maxsize=2)
def _binds_anything(version: int) -> bool:
    """Whether a documentation address, never a machine's, binds: then binding proves nothing."""
    return _binds(ipaddress.ip_address("192.0.2.1" if version == 4 else "2001:db8::1"))


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system's resolver gives the name (getaddrinfo), in its order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the connection-time check: resolve once, check every
    address, connect only to checked ones (in the resolver's order, the next on failure)."""

    def __init__(
        self,
        policy: Policy,
        resolver: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self.resolver = resolver
        self.inner = inner or httpcore.AnyIOBackend()

    async def checked_addresses(self, host: str, port: int) -> list[Address]:
        try:
            written = written_address(host)
            if written is not None:
                found = [written]
            else:
                found = [ipaddress.ip_address(a) for a in await self.resolver(host, port)]
            if not found:
                raise DestinationRefused(f"{host} resolves to no address")
            for address in found:
                check_address(address, port, self.policy)
        except DestinationRefused as refused:
            raise httpcore.ConnectError(f"webhook destination refused: {refused}") from refused
        except (OSError, ValueError) as error:  # socket.gaierror among them
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from error
        return found

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.checked_addresses(host, port)
        for index, address in enumerate(addresses):
            try:
                return await self.inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                if index == len(addresses) - 1:
                    raise
        raise AssertionError("unreachable: at least one address")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhook destination refused: a unix socket")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (no proxy from the environment: a proxy would resolve the name
    itself) over a connection pool whose connections go through a GuardedBackend."""

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            # The roots httpx uses by default, whatever the host has.
            ssl_context=ssl.create_default_context(cafile=certifi.where()),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )

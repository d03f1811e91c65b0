"""CORS by the API key's domain (the document's "API Domain"): a browser request whose Origin
is the key's domain gets the headers that let the page read the answer; any other Origin, or a
key without a domain, gets none (the browser then refuses the answer). Requests without an
Origin (server to server) are not affected."""

from __future__ import annotations

from urllib.parse import urlsplit

ALLOW_METHODS = "GET, POST, PUT, OPTIONS"
ALLOW_HEADERS = "Accept, Authorization, Content-Type, Idempotency-Key"
EXPOSE_HEADERS = "Retry-After"
PREFLIGHT_MAX_AGE_S = 600


def _host_port(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port


def origin_allowed(origin: str, domain: str | None) -> bool:
    """Whether a browser Origin is the key's domain: a full origin ("https://shop.example",
    scheme, host and port compared) or a bare host ("shop.example", any scheme)."""
    if not origin or not domain or origin == "null":
        return False
    seen = _host_port(origin)
    if seen is None:
        return False
    wanted = _host_port(domain.rstrip("/") if "://" in domain else f"//{domain.rstrip('/')}")
    if wanted is None:
        return False
    scheme, host, port = wanted
    return seen[1] == host and seen[2] == port and (not scheme or seen[0] == scheme)


def cors_headers(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": EXPOSE_HEADERS,
        "Vary": "Origin",
    }


def preflight_headers(origin: str) -> dict[str, str]:
    return {
        **cors_headers(origin),
        "Access-Control-Allow-Methods": ALLOW_METHODS,
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_S),
    }

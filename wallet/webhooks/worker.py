"""The webhook delivery worker: one per server process (started by the app's lifespan), any
number per host and across hosts.

It keeps up to WEBHOOK_BATCH_MAX sends in flight, claiming due deliveries for its free slots in
one short statement (webhook_claim: FOR UPDATE SKIP LOCKED, so workers take disjoint ones; each
claim is a lease of WEBHOOK_LEASE_S), sends each with httpx outside any transaction, and records
each attempt's status code or error and duration (webhook_record). A 2xx is delivered; anything
else is retried after WEBHOOK_BACKOFF_S * 2^(attempt-1), capped at WEBHOOK_BACKOFF_MAX_S, with
jitter (half the delay fixed, half random, so receivers coming back are not hit by every retry
at once); after WEBHOOK_ATTEMPTS_MAX attempts or WEBHOOK_AGE_MAX_S the delivery is dead. A
worker killed mid-send leaves its claims to expire; another (or the restarted one) sends them
again: at least once, and the body's eventId (also X-Webhook-Event-Id) lets the receiver drop
repeats. Each attempt carries X-Webhook-Timestamp (Unix seconds, when it was sent) and
X-Webhook-Timestamp-Signature, the HMAC of `timestamp + "." + body`, so a receiver can refuse an
old delivery replayed at it; X-Webhook-Signature (of the body alone) stays as the contract says.

Connections go only where wallet/webhooks/destinations.py allows, to the very address it checked.

Transfers never wait on any of this: they only write the outbox rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import random
import time
from collections.abc import Coroutine

import httpx
import structlog

from wallet.background import running
from wallet.config import Settings
from wallet.ledger.database import LedgerDB
from wallet.ledger.outcomes import LedgerUnavailable
from wallet.webhooks.deliveries import Claimed, Limits, Result, claim, record
from wallet.webhooks.destinations import (
    DestinationRefused,
    GuardedBackend,
    GuardedTransport,
    Policy,
    check_url,
    policy_of,
)
from wallet.webhooks.secret_box import SecretBox, SecretUnreadable, secret_box

USER_AGENT = "wallet-webhooks/1"
ERROR_CHARS_MAX = 300
RECORD_PAUSES_S = (0.2, 1.0, None)  # tries to record a result, and the pauses between them
log = structlog.get_logger("wallet.webhooks")


def signature(secret: str, body: bytes) -> str:
    """X-Webhook-Signature: hex HMAC-SHA256 of the exact body bytes under the secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def timestamp_signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Webhook-Timestamp-Signature: hex HMAC-SHA256 of `timestamp + "." + body`."""
    return signature(secret, timestamp.encode() + b"." + body)


def headers_of(claimed: Claimed, secret: str, body: bytes, sent_at_s: int) -> dict[str, str]:
    timestamp = str(sent_at_s)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Webhook-Signature": signature(secret, body),
        "X-Webhook-Event": claimed.event_type,
        "X-Webhook-Id": str(claimed.registration_id),
        "X-Webhook-Attempt": str(claimed.attempt),
        "X-Webhook-Event-Id": claimed.event_id,
        "X-Webhook-Timestamp": timestamp,
        "X-Webhook-Timestamp-Signature": timestamp_signature(secret, timestamp, body),
    }


def retry_delay_s(attempt: int, settings: Settings) -> float:
    """The pause after failed attempt number `attempt` (1-based): doubling, capped, jittered."""
    exponent = min(attempt - 1, 62)  # 2**62 seconds is past any cap
    delay = min(settings.webhook_backoff_max_s, settings.webhook_backoff_s * 2.0**exponent)
    return delay / 2 + random.uniform(0, delay / 2)  # jitter, not a secret


async def send(
    client: httpx.AsyncClient, claimed: Claimed, secret: str, timeout_s: float, policy: Policy
) -> Result:
    body = claimed.body.encode()
    headers = headers_of(claimed, secret, body, int(time.time()))
    started = time.monotonic()
    try:
        check_url(claimed.url, policy)  # as registered, under today's settings
        # The whole exchange within timeout_s (httpx's own timeouts are per read or write, so a
        # receiver trickling bytes could outlast the lease); streamed and closed unread: only
        # the status matters, whatever the receiver answers.
        async with asyncio.timeout(timeout_s):
            async with client.stream("POST", claimed.url, content=body, headers=headers) as sent:
                status: int | None = sent.status_code
        error = None if 200 <= sent.status_code < 300 else f"HTTP {sent.status_code}"
    except TimeoutError:
        status, error = None, f"Timeout: no answer within {timeout_s} s"
    except (httpx.HTTPError, httpx.InvalidURL) as failure:
        status, error = None, f"{type(failure).__name__}: {failure}"[:ERROR_CHARS_MAX]
    except DestinationRefused as refused:
        status, error = None, f"webhook destination refused: {refused}"[:ERROR_CHARS_MAX]
    return Result(status, error, int((time.monotonic() - started) * 1000))


async def deliver(
    db: LedgerDB, client: httpx.AsyncClient, box: SecretBox, claimed: Claimed, settings: Settings
) -> None:
    try:
        secret = box.open(claimed.agent_id, claimed.secret_sealed)
        policy = policy_of(settings)
        result = await send(client, claimed, secret, settings.webhook_timeout_s, policy)
    except SecretUnreadable as error:  # WEBHOOK_SECRET_KEY changed: retried until given up
        result = Result(None, str(error), 0)
    retry_s = retry_delay_s(claimed.attempt, settings)
    for pause_s in RECORD_PAUSES_S:
        try:
            status = await record(db, claimed, result, retry_s, _limits(settings))
            break
        except LedgerUnavailable as error:  # a busy pool or a blip: recording twice is harmless
            log.warning(
                "webhook_record_unavailable", delivery_id=claimed.delivery_id, error=str(error)
            )
            if pause_s is None:  # unrecorded: the lease ends and the delivery goes again
                return
            await asyncio.sleep(pause_s)
    log.info(
        "webhook_attempt",
        event_id=claimed.event_id,
        event_type=claimed.event_type,
        webhook_id=claimed.registration_id,
        delivery_id=claimed.delivery_id,
        attempt=claimed.attempt,
        status_code=result.status_code,
        error=result.error,
        duration_ms=result.duration_ms,
        delivery_status=status or "lease_lost",
    )


def _limits(settings: Settings) -> Limits:
    return Limits(settings.webhook_attempts_max, settings.webhook_age_max_s)


async def _logged(job: Coroutine[object, object, None]) -> None:
    try:
        await job
    except Exception:  # a bug of ours: logged; the claim's lease ends and it is sent again
        log.exception("webhook_delivery_failed")


async def claim_more(
    db: LedgerDB, client: httpx.AsyncClient, settings: Settings, sending: set[asyncio.Task[None]]
) -> int:
    """Claims as many due deliveries as there are free sending slots and starts sending them;
    the number claimed. Each send runs on its own: a slow receiver holds one slot, not a round."""
    free = settings.webhook_batch_max - len(sending)
    if free <= 0:
        return 0
    claimed = await claim(db, free, settings.webhook_lease_s, _limits(settings))
    if claimed:
        box = await secret_box(db, settings)
        for one in claimed:
            task = asyncio.create_task(_logged(deliver(db, client, box, one, settings)))
            sending.add(task)
            task.add_done_callback(sending.discard)
    return len(claimed)


def guarded_client(settings: Settings, backend: GuardedBackend | None = None) -> httpx.AsyncClient:
    """The deliveries' client: no redirects, connections only where the policy allows."""
    limits = httpx.Limits(max_connections=settings.webhook_batch_max)
    transport = GuardedTransport(backend or GuardedBackend(policy_of(settings)), limits)
    timeout = httpx.Timeout(settings.webhook_timeout_s)
    return httpx.AsyncClient(timeout=timeout, transport=transport, follow_redirects=False)


async def run_forever(db: LedgerDB, settings: Settings) -> None:
    sending: set[asyncio.Task[None]] = set()
    async with guarded_client(settings) as client:
        try:
            while True:
                claimed = 0
                try:
                    claimed = await claim_more(db, client, settings, sending)
                except LedgerUnavailable as error:
                    log.warning("webhook_delivery_unavailable", error=str(error))
                except Exception:  # a bug of ours: logged, and the next round tries again
                    log.exception("webhook_delivery_failed")
                if claimed == 0:  # nothing due, or every slot busy: look again shortly
                    await asyncio.sleep(settings.webhook_poll_interval_s)
        finally:  # stopping: unfinished sends are dropped; their leases end and they go again
            for task in sending:
                task.cancel()
            await asyncio.gather(*sending, return_exceptions=True)


def webhook_delivery(
    db: LedgerDB, settings: Settings
) -> contextlib.AbstractAsyncContextManager[None]:
    """The server lifespan's part: the worker runs while the server does (unless disabled)."""
    return running(run_forever(db, settings) if settings.webhook_delivery_enabled else None)

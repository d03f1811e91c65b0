"""`wallet webhooks deliveries [--agent USERNAME] [--status S] [--limit N]`: the newest webhook
deliveries, one line each, with their last attempt's result (docs/agents.md, "Webhooks")."""

from __future__ import annotations

import argparse

from wallet.agents.envelope import iso_utc
from wallet.commands import print_line
from wallet.config import Settings
from wallet.ledger.database import LedgerDB
from wallet.webhooks.deliveries import DeliveryLine, recent_deliveries

STATUSES = ("pending", "delivered", "dead", "cancelled")
LIMIT_MAX = 10_000


def _line(d: DeliveryLine) -> str:
    if d.last_status_code is None and d.last_error is None:
        last = "-" if d.attempts == 0 else "sending"
    else:
        last = f"{d.last_status_code or '-'} {d.last_error or ''}".strip()
        last += f" ({d.last_duration_ms} ms)" if d.last_duration_ms is not None else ""
    line = (
        f"delivery: {d.delivery_id} event: {d.event_id} type: {d.event_type}"
        f" webhook: {d.webhook_id} agent: {d.agent} status: {d.status} attempts: {d.attempts}"
        f" last: {last}"
    )
    if d.status == "pending":
        line += f" next: {iso_utc(d.next_attempt_at)}"
    return line


def cmd_webhooks_deliveries(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        found = await recent_deliveries(db, args.agent, args.status, args.limit)
        return "\n".join(_line(d) for d in found) or "deliveries: none"

    return print_line(settings, work)


def _limit(text: str) -> int:
    value = int(text)
    if not 1 <= value <= LIMIT_MAX:
        raise argparse.ArgumentTypeError(f"from 1 to {LIMIT_MAX}")
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    webhooks = sub.add_parser("webhooks", help="agents' webhook deliveries").add_subparsers(
        dest="action", required=True
    )
    deliveries = webhooks.add_parser("deliveries", help="the newest deliveries, last try each")
    deliveries.add_argument("--agent", help="one agent's (username)")
    deliveries.add_argument("--status", choices=STATUSES)
    deliveries.add_argument("--limit", type=_limit, default=50)
    deliveries.set_defaults(func=cmd_webhooks_deliveries)

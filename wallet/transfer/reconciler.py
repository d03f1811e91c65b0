"""The reconciler: resolves pending moves through Check Transaction and compares balances.

`reconcile` (the CLI's `wallet reconcile STUDIO [--fix]`) asks the studio, with capped backoff,
for the final state of every pending move, then compares each player's held balance with the
studio's Account Balance. Without fix it only reports. With fix it settles each move the
studio gave a final state for (one it never saw is resent under its own transaction id, which
gives one), and books each difference of a player with nothing pending against the studio's
result account (what the player won or lost there). `run_forever` is the server's background
task: it settles due moves (claimed with SKIP LOCKED, so workers and hosts share them) and keeps
the metrics; it never books a difference.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import structlog

from wallet.ledger.database import LedgerDB
from wallet.ledger.money import format_minor
from wallet.ledger.outcomes import LedgerUnavailable
from wallet.moves import transfer_wallet as ledger
from wallet.moves.transfer_wallet import Move
from wallet.transfer import metrics
from wallet.transfer.client import Answer, StudioClient, Verdict, backoff_s
from wallet.transfer.moves import apply_answer, drive

log = structlog.get_logger("wallet.transfer.reconciler")
BACKGROUND_BATCH = 100
COMPARE_EVERY_ROUNDS = 10


@dataclass
class Report:
    studio: str
    lines: list[str] = field(default_factory=list)
    still_pending: int = 0
    differences: int = 0
    unknown_balances: int = 0

    @property
    def clean(self) -> bool:
        return not (self.still_pending or self.differences or self.unknown_balances)


def final_answer(check: Answer) -> Answer | None:
    """A Check Transaction answer as the move's final answer; None: no final state (yet)."""
    if check.verdict != Verdict.OK:
        return None
    status = check.data.get("status")
    if status == "success":
        return Answer(Verdict.OK, check.http_status, 0, "checked: success", check.data)
    if status == "failed":
        return Answer(Verdict.FAILED, check.http_status, check.code, "checked: failed", check.data)
    return None


async def resolve(
    db: LedgerDB, client: StudioClient, move: Move, *, fix: bool, attempt: int = 0
) -> str:
    """What became of one pending move: done, failed, pending, or (without fix) what it would."""
    check = await client.check(move.txn_id)
    final = final_answer(check)
    pause = backoff_s(attempt + 1, client.studio.backoff_s, client.studio.backoff_max_s)
    if not fix:
        if final is not None:
            return f"would be {'done' if final.verdict == Verdict.OK else 'failed'}"
        status = check.data.get("status") if check.verdict == Verdict.OK else check.detail
        return f"pending ({status})"
    accounts = await ledger.move_accounts(db, move.player_id, move.currency, move.studio)
    if final is not None:
        return await apply_answer(db, client, move, accounts, final, backoff_s=pause)
    if check.verdict == Verdict.OK and check.data.get("status") == "not_found":
        # The studio never applied it: resend it under its own id for a definite answer.
        return (await drive(db, client, move, accounts)).status
    await ledger.defer(db, move.txn_id, f"check: {check.detail}", pause)
    return "pending"


async def resolve_pending(
    db: LedgerDB, client: StudioClient, report: Report, *, fix: bool, wait_s: float
) -> None:
    """Every pending move until each has a final state, or wait_s runs out (with backoff)."""
    deadline = time.monotonic() + wait_s
    attempt = 0
    while True:
        left: list[tuple[Move, str]] = []
        for move in await ledger.pending_moves(db, client.name):
            outcome = await resolve(db, client, move, fix=fix, attempt=attempt)
            if not fix or outcome == "pending":  # without fix, every move stays pending
                left.append((move, outcome))
            else:
                report.lines.append(
                    f"move {move.txn_id} {move.direction} {move.username}: {outcome}"
                )
        if not left or not fix or time.monotonic() >= deadline:
            break
        attempt += 1
        await asyncio.sleep(
            backoff_s(attempt, client.studio.backoff_s, client.studio.backoff_max_s)
        )
    for move, outcome in left:
        report.lines.append(f"move {move.txn_id} {move.direction} {move.username}: {outcome}")
    report.still_pending = len(left)


async def compare_held(db: LedgerDB, client: StudioClient, report: Report, *, fix: bool) -> None:
    """Our held balance per player against the studio's Account Balance."""
    for held in await ledger.held_balances(db, client.name):
        answer = await client.balance(held.username, held.currency)
        theirs = answer.amount_minor("balance", held.exponent)
        if answer.verdict != Verdict.OK or theirs is None:
            report.unknown_balances += 1
            report.lines.append(f"balance {held.username}: unknown ({answer.detail})")
            continue
        if theirs == held.held_minor:
            continue
        report.differences += 1
        ours_text = format_minor(held.held_minor, held.exponent)
        theirs_text = format_minor(theirs, held.exponent)
        line = (
            f"difference {held.username} {held.currency}: held {ours_text} studio {theirs_text}"
            f" ({format_minor(theirs - held.held_minor, held.exponent)})"
        )
        if held.pending:
            line += f" with {held.pending} pending"
        elif fix:
            accounts = await ledger.move_accounts(db, held.player_id, held.currency, client.name)
            booked = await ledger.adjust_held(db, client.name, held, theirs, accounts)
            line += f": booked to {ledger.result_purpose(client.name)} ({booked.outcome})"
        report.lines.append(line)


async def reconcile(db: LedgerDB, client: StudioClient, *, fix: bool, wait_s: float) -> Report:
    report = Report(client.name)
    await resolve_pending(db, client, report, fix=fix, wait_s=wait_s)
    await compare_held(db, client, report, fix=fix)
    metrics.DIFFERENCES.labels(studio=client.name).set(report.differences)
    return report


async def background_round(
    db: LedgerDB, clients: Mapping[str, StudioClient], compare: bool
) -> None:
    for name, client in clients.items():
        for move in await ledger.claim_due(db, name, BACKGROUND_BATCH):
            outcome = await resolve(db, client, move, fix=True, attempt=move.checks)
            log.info("transfer_resolve", studio=name, txn_id=move.txn_id, outcome=outcome)
        if compare:
            report = Report(name)
            await compare_held(db, client, report, fix=False)
            metrics.DIFFERENCES.labels(studio=name).set(report.differences)
    metrics.observe_pending(await ledger.pending_ages(db), list(clients))


async def run_forever(db: LedgerDB, clients: Mapping[str, StudioClient], interval_s: float) -> None:
    """The server's background reconciler (one per worker; they share the work by claims)."""
    rounds = 0
    while True:
        try:
            await background_round(db, clients, compare=rounds % COMPARE_EVERY_ROUNDS == 0)
        except LedgerUnavailable as error:
            log.warning("transfer_reconcile_unavailable", error=str(error))
        except Exception:  # a bug of ours: logged, and the next round tries again
            log.exception("transfer_reconcile_failed")
        rounds += 1
        await asyncio.sleep(interval_s)

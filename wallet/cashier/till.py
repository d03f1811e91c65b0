"""What the cashier console needs beyond the document, to work as a till (issue #20); each added
beside the document's own fields and paths, never changing them:

- GET /cashier/me also answers the shop's currency and its decimals, the operator's time zone
  (OPERATOR_TIMEZONE, in which the console shows every time), the login's time, and the shop's
  till settings (the amount above which the console asks first, its quick amounts).
- GET /cashier/shift: the logged-in cashier's shift: its deposits, withdrawals and reverses
  since its login (or `since`), each a count and the cash it moved, a sum of postings
  (wallet/reporting/shop_history.py), with the shop's balance now.
- GET /cashier/players/{user}/transactions: the player's latest transactions (cashier moves,
  bets and wins), each with the cash it moved and the balances right after it.

Times are answered as the document writes created_at: "YYYY-MM-DD HH:MM:SS" in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from wallet.cashier import fields
from wallet.cashier.answers import bad_request, success
from wallet.cashier.fields import Figure
from wallet.cashier.gate import Session, protected
from wallet.cashier.lookup import player_of
from wallet.cashier.views import TIME_FORMAT
from wallet.directory.shop_till import till_of
from wallet.directory.shops import shop_balance
from wallet.reporting.shop_history import HISTORY_MAX, Tally, cashier_shift, player_history
from wallet.web.amounts import Amount

SHIFT_DAYS_MAX = 31  # how far back a shift summary may start
HISTORY_DEFAULT = 10
_LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


# ---- /cashier/me, beside the document's fields ----


class TillData(BaseModel):
    confirm_above: Figure = Field(
        description="The console asks before a deposit or withdrawal above this", examples=[500]
    )
    quick_amounts: list[Figure] = Field(examples=[[10, 20, 50, 100]])


async def me_extra(session: Session) -> dict[str, object]:
    """The fields /cashier/me answers beside the document's."""
    shop, ctx = session.access.key.shop, session.access.ctx
    till = await till_of(ctx.db, shop)
    return {
        "currency": shop.currency,
        "decimals": shop.exponent,
        "time_zone": ctx.settings.operator_timezone,
        "logged_in_at": utc_text(session.claims.issued_at),
        "till": {
            "confirm_above": Amount(till.confirm_above_minor, shop.exponent),
            "quick_amounts": [Amount(q, shop.exponent) for q in till.quick_amounts_minor],
        },
    }


# ---- GET /cashier/shift ----


def _since(value: object, label: str) -> datetime:
    """A local time of the operator's zone ("YYYY-MM-DD HH:MM[:SS]"), or ISO 8601 with an
    offset; the zone is applied by the handler (a naive result is local)."""
    text = fields.text(value, label).strip()
    for form in _LOCAL_FORMATS:
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise bad_request(
            "The since must be a time like 2026-12-07 08:00 (the operator's time zone)"
            " or ISO 8601 with an offset."
        )
    return moment


class ShiftQuery(BaseModel):
    since: Annotated[datetime | None, fields.rule(_since, optional=True)] = Field(
        None,
        description="From when: YYYY-MM-DD HH:MM in the operator's time zone (or ISO 8601 with"
        f" an offset), within the last {SHIFT_DAYS_MAX} days; default: this login",
        examples=["2026-12-07 08:00"],
    )


class TallyData(BaseModel):
    count: int
    sum: Figure = Field(description="The cash they moved", examples=[150])


class ShiftData(BaseModel):
    cashier: str
    currency: str
    time_zone: str = Field(description="The operator's time zone (OPERATOR_TIMEZONE)")
    since: str = Field(description="UTC, YYYY-MM-DD HH:MM:SS", examples=["2026-12-07 00:00:00"])
    until: str = Field(description="UTC: now", examples=["2026-12-07 08:00:00"])
    deposits: TallyData
    withdrawals: TallyData
    reverses: TallyData = Field(description="Deposits taken back")
    cash_in: Figure = Field(description="Deposits less reverses")
    cash_out: Figure = Field(description="Withdrawals")
    net: Figure = Field(description="cash_in - cash_out")
    count: int = Field(description="Deposits, withdrawals and reverses")
    shop_balance: Figure = Field(description="The shop's balance now")


class ShiftAnswer(BaseModel):
    success: Literal[True]
    data: ShiftData


@protected("shift")
async def shift(request: Request, session: Session) -> Response:
    shop, ctx = session.access.key.shop, session.access.ctx
    wanted = fields.validated(request.query_params, ShiftQuery)
    until = datetime.now(UTC)
    since = session.claims.issued_at
    if wanted.since is not None:
        since = wanted.since
        if since.tzinfo is None:
            since = since.replace(tzinfo=ZoneInfo(ctx.settings.operator_timezone))
        if since > until:
            raise bad_request("The since may not be in the future.")
        if since < until - timedelta(days=SHIFT_DAYS_MAX):
            raise bad_request(f"The since must be within the last {SHIFT_DAYS_MAX} days.")
    totals = await cashier_shift(ctx.db, session.cashier.id, since, until)
    balance = await shop_balance(ctx.db, shop)

    def amount(minor: int) -> Amount:
        return Amount(minor, shop.exponent)

    def tally(t: Tally) -> dict[str, object]:
        return {"count": t.count, "sum": amount(t.sum_minor)}

    return success(
        data={
            "cashier": session.cashier.username,
            "currency": shop.currency,
            "time_zone": ctx.settings.operator_timezone,
            "since": utc_text(since),
            "until": utc_text(until),
            "deposits": tally(totals.deposits),
            "withdrawals": tally(totals.withdrawals),
            "reverses": tally(totals.reverses),
            "cash_in": amount(totals.cash_in_minor),
            "cash_out": amount(totals.cash_out_minor),
            "net": amount(totals.cash_in_minor - totals.cash_out_minor),
            "count": totals.count,
            "shop_balance": amount(balance),
        }
    )


# ---- GET /cashier/players/{user}/transactions ----


def _limit(value: object, label: str) -> int:
    text = value if isinstance(value, str) else ""
    if not text.isascii() or not text.isdigit() or len(text) > 3:
        raise bad_request(f"The limit must be an integer from 1 to {HISTORY_MAX}.")
    number = int(text)
    if not 1 <= number <= HISTORY_MAX:
        raise bad_request(f"The limit must be an integer from 1 to {HISTORY_MAX}.")
    return number


class HistoryQuery(BaseModel):
    limit: Annotated[int | None, fields.rule(_limit, optional=True)] = Field(
        None, description=f"Rows, 1 to {HISTORY_MAX} (default {HISTORY_DEFAULT})"
    )


class HistoryRowData(BaseModel):
    id: int = Field(description="The ledger transaction")
    created_at: str = Field(description="UTC, YYYY-MM-DD HH:MM:SS")
    type: str = Field(
        description="deposit, withdrawal, reverse, bet, win, bet_win, rollback, transfer, other"
    )
    by: str | None = Field(description="The cashier who made it, or the studio")
    game: str | None
    amount: Figure = Field(description="The cash it moved: + to the player, - from the player")
    bonus: Figure = Field(description="Wager Bonus or Bounce Back it moved, signed the same")
    balance: Figure = Field(description="The player's balance right after it")
    balance_Win: Figure
    reversed: bool = Field(description="A deposit taken back by a later reverse")


class HistoryAnswer(BaseModel):
    success: Literal[True]
    data: list[HistoryRowData]


@protected("player_transactions")
async def player_transactions(request: Request, session: Session) -> Response:
    shop, db = session.access.key.shop, session.access.ctx.db
    wanted = fields.validated(request.query_params, HistoryQuery)
    player = await player_of(session, request.path_params["user"])
    rows = await player_history(db, player, wanted.limit or HISTORY_DEFAULT)

    def amount(minor: int) -> Amount:
        return Amount(minor, shop.exponent)

    data = [
        {
            "id": row.tx_id,
            "created_at": utc_text(row.created_at),
            "type": row.type,
            "by": row.cashier if row.caller == "cashier" else row.caller,
            "game": row.game_id,
            "amount": amount(row.cash_minor),
            "bonus": amount(row.bonus_minor),
            "balance": amount(row.main_after_minor),
            "balance_Win": amount(row.win_after_minor),
            "reversed": row.reversed,
        }
        for row in rows
    ]
    return success(data=data)

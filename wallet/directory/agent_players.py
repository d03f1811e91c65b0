"""Agents' players (revision 0009): plain players of the operator (main and debt, what the
studios call by username) with an owning agent and the registration's fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from wallet.directory.agents import Agent
from wallet.ledger.database import Listing, Queries, contains, named_call, paged
from wallet.ledger.game import player_balance_of

PLAYER_COLUMNS = """p.id, p.username, p.currency, c.exponent, p.status, p.created_at, m.id, d.id,
       o.agent_id, ag.path, o.email, o.first_name, o.last_name, o.mobile"""
PLAYER_TABLES = """players p
  JOIN currencies c ON c.code = p.currency
  JOIN accounts m ON m.owner_type = 'player' AND m.owner_id = p.id AND m.purpose = 'main'
                 AND m.currency = p.currency
  JOIN accounts d ON d.owner_type = 'player' AND d.owner_id = p.id AND d.purpose = 'debt'
                 AND d.currency = p.currency
  LEFT JOIN agent_players o ON o.player_id = p.id
  LEFT JOIN agents ag ON ag.id = o.agent_id"""


@dataclass(frozen=True, slots=True)
class AgentPlayer:
    id: int
    username: str
    currency: str
    exponent: int
    status: str
    created_at: datetime
    main_account_id: int
    debt_account_id: int  # <= 0: what a rollback took beyond zero; studios see main + debt
    agent_id: int | None  # None: a player no agent owns (a studio-only or shop player)
    agent_path: tuple[int, ...]
    email: str | None
    first_name: str | None
    last_name: str | None
    mobile: str | None

    @property
    def balance_accounts(self) -> tuple[int, int]:
        return self.main_account_id, self.debt_account_id

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> AgentPlayer:
        pid, name, cur, exp, status, at, main, debt, agent, path, email, first, last, mobile = row
        return cls(
            int(pid),  # type: ignore[call-overload]
            str(name),
            str(cur).strip(),
            int(exp),  # type: ignore[call-overload]
            str(status),
            at,  # type: ignore[arg-type]
            int(main),  # type: ignore[call-overload]
            int(debt),  # type: ignore[call-overload]
            None if agent is None else int(agent),  # type: ignore[call-overload]
            tuple(int(x) for x in path) if path else (),  # type: ignore[attr-defined]
            email,  # type: ignore[arg-type]
            first,  # type: ignore[arg-type]
            last,  # type: ignore[arg-type]
            mobile,  # type: ignore[arg-type]
        )


@dataclass(frozen=True, slots=True)
class NewPlayer:
    username: str
    email: str
    password_hash: str
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    mobile: str | None = None
    country: str | None = None
    birth_date: date | None = None


async def find_agent_player(
    db: Queries, operator_id: int, *, username: str | None = None, player_id: int | None = None
) -> AgentPlayer | None:
    assert (username is None) != (player_id is None)
    where = "p.username = %s" if username is not None else "p.id = %s"
    row = await db.one(
        f"SELECT {PLAYER_COLUMNS} FROM {PLAYER_TABLES} WHERE p.operator_id = %s AND {where}",
        (operator_id, username if username is not None else player_id),
    )
    return None if row is None else AgentPlayer.from_row(row)


async def create_agent_player(db: Queries, agent: Agent, new: NewPlayer) -> AgentPlayer | None:
    """The new player, owned by `agent` in its currency; None when the username is taken."""
    args = {
        "operator_id": agent.operator_id,
        "agent_id": agent.id,
        "username": new.username,
        "currency": agent.currency,
        "email": new.email,
        "password_hash": new.password_hash,
        "first_name": new.first_name,
        "last_name": new.last_name,
        "middle_name": new.middle_name,
        "mobile": new.mobile,
        "country": new.country,
        "birth_date": new.birth_date,
    }
    row = await db.one(f"SELECT {named_call('wallet_create_agent_player', args)}", args)
    if row is None or row[0] is None:
        return None
    return await find_agent_player(db, agent.operator_id, player_id=int(row[0]))


async def list_agent_players(
    db: Queries, agent: Agent, username: str, start: int, limit: int
) -> tuple[int, list[AgentPlayer]]:
    """Players owned by `agent` or any agent below it, by id; `username` a partial match."""
    listing = Listing(
        f"{PLAYER_TABLES} WHERE ag.path @> ARRAY[%(me)s]::bigint[] AND p.username ILIKE %(name)s",
        PLAYER_COLUMNS,
        "p.id",
    )
    page = await paged(db, listing, {"me": agent.id, "name": contains(username)}, start, limit)
    return page.total, [AgentPlayer.from_row(row) for row in page.rows]


def visible_around(
    balances: dict[int, tuple[int, int]], player: AgentPlayer, signed_amount_minor: int
) -> tuple[int, int]:
    """The player's main + debt before and after a move that changed it by signed_amount_minor,
    from that move's postings alone (so a replay rebuilds it exactly). An account the move did
    not post to held 0 then: a deposit repays any debt first, so one that left the debt alone
    found none, and one that did not reach main found it at 0 (a debt only arises at main 0
    and is repaid before main grows again); a withdraw needs main + debt >= amount."""
    after = sum(balances.get(account, (0, 0))[1] for account in player.balance_accounts)
    return after - signed_amount_minor, after


async def player_balance(db: Queries, player: AgentPlayer) -> int:
    """The balance the studios see, by their rule (wallet/ledger/game_rules.seen_balance)."""
    answer = await player_balance_of(db, player.id)
    assert answer is not None and answer.balance_after_minor is not None, player
    return answer.balance_after_minor

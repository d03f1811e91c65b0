"""A scripted month of play for the reports' tests (tests/agents/test_reports.py) and the
agent dashboard's (tests/agents/test_dashboard.py), through the real server and PostgreSQL.
The reports after a scripted month of play, through the real server and PostgreSQL.

The script (MONTH below) is a list of events at local times of the operator's zone (the server
runs with OPERATOR_TIMEZONE=Asia/Manila, UTC+8): deposits and withdrawals (raw and smart, a
bypass among them), AMBSlot bets, payouts, settles and cancels, iGamingAce withdraws, deposits,
bet-wins and rollbacks (one of them late: days after its bet, one in the next month). Each event
is played for real (the studio callbacks through their HTTP endpoints, the money through the
agent API), and then its rows are moved to the event's time: a test-only clock. The ledger
stamps rows with now() and a report is about days, so without moving them a whole month could
not be played in a test. The rows are moved by updating created_at with the immutability
triggers off for that one database transaction (session_replication_role = replica; the
embedded test database's user is a superuser); amounts and postings are never touched, so the
ledger's audit still holds after the test.

Every figure is then computed here from the script alone (`Expected`), not from SQL, and each
report must equal it.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg

from loadtest.studios import ambslot, igamingace
from tests.agents.conftest import DEMO_OPERATOR_ID, PASSWORD_HASH, login
from tests.support import LoopThread, Server
from wallet.agents.commission import CommissionData
from wallet.directory.agents import Agent, create_agent
from wallet.ledger.database import LedgerDB
from wallet.reporting.products import ProductEntry, set_product

ZONE = ZoneInfo("Asia/Manila")
NOV_FROM, NOV_TO = date(2026, 11, 1), date(2026, 11, 30)
QUIET_DAY = date(2026, 11, 20)
LIVE_GAME = f"LIVE{secrets.token_hex(3).upper()}"  # mapped to "Live Games" below
TABLE_GAME = str(7000 + secrets.randbelow(999))  # an iGamingAce game mapped to "Table Games"
BP = {"R": 1000, "A": 525, "B": 300}  # commission rates set through the API
REBATE_BP, SURCHARGE_BP = 200, 150  # R's rebate for A, and R's bypass surcharge


def minor(value: Any) -> int:
    return int(Decimal(value).scaleb(2))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


# ---- the script ----
# (local time, who acts, action, player, *arguments). Players: r1 (R's own), a1, a2 (A's), x1
# (A1's, below A), b1, b2 (B's; b2 never plays). Amounts in minor units (PHP, 2 decimals).
D = date


@dataclass(frozen=True)
class Ev:
    when: datetime
    action: str
    player: str = ""
    args: tuple[Any, ...] = ()
    actor: str = ""  # the agent acting (money moves)


MONTH: list[Ev] = [
    Ev(at(D(2026, 10, 20), 10), "deposit", "a2", (50_000,), "A"),  # before the range: no FTD
    Ev(at(D(2026, 11, 1), 7), "agent_deposit", "", (900_000, "A"), "R"),
    Ev(at(D(2026, 11, 1), 7, 30), "agent_deposit", "", (300_000, "B"), "R"),
    Ev(at(D(2026, 11, 1), 8), "deposit", "r1", (100_000,), "R"),
    Ev(at(D(2026, 11, 2), 9), "transfer", "a1", ("deposit", 80_000), "A"),
    Ev(at(D(2026, 11, 2), 9, 30), "deposit", "x1", (40_000,), "A1"),
    Ev(at(D(2026, 11, 2), 10), "deposit", "b1", (60_000,), "B"),
    Ev(at(D(2026, 11, 3), 12), "amb_bet", "r1", ("r1-1", 10_000, "GH")),
    Ev(at(D(2026, 11, 3), 12, 1), "amb_payout", "r1", ("r1-1", 25_000, "GH")),
    Ev(at(D(2026, 11, 3), 13), "amb_settle", "a1", ("a1-1", 5_000, 1_500, LIVE_GAME)),
    Ev(at(D(2026, 11, 4), 0, 10), "iga_withdraw", "a1", ("a1-w1", 7_000, "1566")),
    Ev(at(D(2026, 11, 4), 0, 11), "iga_deposit", "a1", ("a1-d1", 2_000, "1566", "a1-w1")),
    Ev(at(D(2026, 11, 5), 22), "iga_betwin", "x1", ("x1-bw1", 3_000, 9_000, TABLE_GAME)),
    Ev(at(D(2026, 11, 6), 18), "amb_bet", "b1", ("b1-1", 12_000, "GH")),
    Ev(at(D(2026, 11, 6), 18, 5), "amb_cancel", "b1", ("b1-1", "GH")),  # same-day cancel
    Ev(at(D(2026, 11, 7), 11), "transfer", "a2", ("deposit", 30_000), "R"),  # a bypass
    Ev(at(D(2026, 11, 8), 15), "iga_withdraw", "a2", ("a2-w1", 4_000, "1566")),
    Ev(at(D(2026, 11, 8), 15, 1), "iga_deposit", "a2", ("a2-d1", 6_500, "1566", "a2-w1")),
    Ev(at(D(2026, 11, 10), 20), "iga_withdraw", "b1", ("b1-w1", 8_000, "1566")),
    Ev(at(D(2026, 11, 12), 9), "iga_rollback", "b1", ("b1-w1",)),  # a late rollback
    Ev(at(D(2026, 11, 14), 16), "iga_betwin", "a2", ("a2-bw1", 2_500, 0, "1566")),
    Ev(at(D(2026, 11, 14), 16, 30), "iga_rollback", "a2", ("a2-bw1",)),  # both legs back
    Ev(at(D(2026, 11, 15), 10), "iga_deposit", "a2", ("a2-d2", 1_000, "1566", None)),
    Ev(at(D(2026, 11, 16), 10), "iga_rollback", "a2", ("a2-d2",)),  # a win taken back
    Ev(at(D(2026, 11, 18), 14), "withdraw", "r1", (20_000,), "R"),
    Ev(at(D(2026, 11, 19), 14), "transfer", "a1", ("withdraw", 10_000), "A"),
    Ev(at(D(2026, 11, 22), 21), "amb_bet", "x1", ("x1-1", 2_000, "GH")),
    Ev(at(D(2026, 11, 22), 21, 1), "amb_payout", "x1", ("x1-1", 0, "GH")),
    Ev(at(D(2026, 11, 28), 23), "iga_withdraw", "r1", ("r1-w1", 3_300, "1566")),
    Ev(at(D(2026, 11, 30), 23, 50), "amb_settle", "b1", ("b1-2", 1_000, 0, "GH")),
    Ev(at(D(2026, 12, 1), 0, 30), "amb_settle", "b1", ("b1-3", 700, 0, "GH")),  # December
    Ev(at(D(2026, 12, 2), 9), "iga_rollback", "r1", ("r1-w1",)),  # November's bet, rolled back
]


# ---- the figures the script means, computed without the server ----


@dataclass
class Fig:
    bets: int = 0
    wins: int = 0
    deposits: int = 0
    withdrawals: int = 0

    @property
    def ggr(self) -> int:
        return self.bets - self.wins


@dataclass
class Expected:
    by_player_day: dict[tuple[str, date], Fig] = field(default_factory=lambda: defaultdict(Fig))
    by_product: dict[tuple[str, date], Fig] = field(default_factory=lambda: defaultdict(Fig))
    deposits_at: dict[str, list[date]] = field(default_factory=lambda: defaultdict(list))
    game_days: dict[str, set[date]] = field(default_factory=lambda: defaultdict(set))

    def fig(self, players: set[str], first: date, last: date) -> Fig:
        total = Fig()
        for (player, day), f in self.by_player_day.items():
            if player in players and first <= day <= last:
                total.bets += f.bets
                total.wins += f.wins
                total.deposits += f.deposits
                total.withdrawals += f.withdrawals
        return total

    def ftd(self, players: set[str], first: date, last: date) -> int:
        return sum(
            1 for p in players if self.deposits_at[p] and first <= min(self.deposits_at[p]) <= last
        )

    def active(self, players: set[str], first: date, last: date) -> set[str]:
        return {p for p in players if any(first <= d <= last for d in self.game_days[p])}


def product_of(caller: str, game: str) -> str:
    return {LIVE_GAME: "Live Games", TABLE_GAME: "Table Games"}.get(game, "Slots")


def expected_of(script: list[Ev]) -> Expected:
    exp = Expected()
    games: dict[str, tuple[int, int, str, str]] = {}  # id -> (bet, win, caller, game)
    for ev in script:
        day, p = ev.when.date(), ev.player
        f = exp.by_player_day[(p, day)]
        if ev.action in ("deposit", "withdraw") or ev.action == "transfer":
            kind, amount = ev.args if ev.action == "transfer" else (ev.action, ev.args[0])
            if kind == "deposit":
                f.deposits += amount
                exp.deposits_at[p].append(day)
            else:
                f.withdrawals += amount
            continue
        if ev.action == "agent_deposit":
            continue
        bet = win = 0
        if ev.action == "amb_bet":
            rid, bet, game = ev.args
            games[rid] = (bet, 0, "ambslot", game)
        elif ev.action == "amb_payout":
            _, win, game = ev.args
        elif ev.action == "amb_settle":
            _, bet, win, game = ev.args
        elif ev.action == "iga_withdraw":
            tid, bet, game = ev.args
            games[tid] = (bet, 0, "igamingace", game)
        elif ev.action == "iga_deposit":
            tid, win, game, _ = ev.args
            games[tid] = (0, win, "igamingace", game)
        elif ev.action == "iga_betwin":
            tid, bet, win, game = ev.args
            games[tid] = (bet, win, "igamingace", game)
        elif ev.action in ("amb_cancel", "iga_rollback"):
            ob, ow, _, game = games.pop(ev.args[0])  # the original, undone on this day
            bet, win = -ob, -ow
        f.bets += bet
        f.wins += win
        exp.game_days[p].add(day)
        caller = "ambslot" if ev.action.startswith("amb") else "igamingace"
        pf = exp.by_product[(product_of(caller, game), day)]
        pf.bets += bet
        pf.wins += win
    return exp


def commission(ggr: int, bp: int) -> int:
    """floor(ggr x bp / 10000): toward minus infinity, in the operator's favour."""
    quotient, _ = divmod(ggr * bp, 10_000)
    return quotient


# ---- playing the script ----


@dataclass
class World:
    http: httpx.Client
    agents: dict[str, Agent]
    tokens: dict[str, str]
    players: dict[str, str]  # script name -> username
    owner: dict[str, str]  # script name -> agent name
    expected: Expected

    def call(self, who: str, path: str, body: Mapping[str, Any] | None = None) -> httpx.Response:
        """A POST; Decimal amounts are written as exact JSON numbers (never through float)."""
        fields = {
            k: ambslot.Num(str(v)) if isinstance(v, Decimal) else v for k, v in (body or {}).items()
        }
        headers = {
            "Authorization": f"Bearer {self.tokens[who]}",
            "content-type": "application/json",
        }
        return self.http.post(f"/api{path}", content=ambslot.encode(fields), headers=headers)

    def ok(self, who: str, path: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        answer = self.call(who, path, body)
        assert answer.status_code == 200, answer.text
        envelope = answer.json(parse_float=Decimal)
        assert envelope["success"] is True, envelope
        data: dict[str, Any] = envelope["data"]
        return data

    def subtree(self, agent: str) -> set[str]:
        """The script's players of the agent and of every agent below it."""
        below = {"R": {"R", "A", "A1", "B"}, "A": {"A", "A1"}, "A1": {"A1"}, "B": {"B"}}[agent]
        return {p for p, o in self.owner.items() if o in below}


def _agent(ledger: LedgerDB, loop: LoopThread, parent: Agent | None, opening: int) -> Agent:
    name = f"rp_{secrets.token_hex(5)}"
    return loop.run(
        create_agent(
            ledger,
            DEMO_OPERATOR_ID,
            name,
            PASSWORD_HASH,
            "PHP",
            parent=parent,
            email=f"{name}@example.com",
            opening_minor=opening,
        )
    )


def _backdate(db_url: str, since_tx: int, since_player: int, when: datetime) -> None:
    """Move the rows made after the marks to `when` (the test's clock, see the module doc)."""
    with psycopg.connect(db_url) as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("UPDATE transactions SET created_at = %s WHERE id > %s", (when, since_tx))
        conn.execute("UPDATE agent_moves SET created_at = %s WHERE tx_id > %s", (when, since_tx))
        conn.execute(
            "UPDATE smart_transfers SET created_at = %s WHERE tx_id > %s", (when, since_tx)
        )
        conn.execute("UPDATE players SET created_at = %s WHERE id > %s", (when, since_player))


def _marks(db_url: str) -> tuple[int, int]:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM transactions),"
            " (SELECT coalesce(max(id), 0) FROM players)"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _amb(world: World, op: str, player: str, rid: str, game: str, **kw: Any) -> None:
    fields = ambslot.callback_fields(op, player, rid, game_id=game, currency="PHP", **kw)
    answer = ambslot.post(world.http, op, fields)
    assert answer.status_code == 200 and answer.json()["status"]["code"] == 0, answer.text


def _iga(world: World, endpoint: str, player: str, **kw: Any) -> None:
    answer = igamingace.post(
        world.http, endpoint, igamingace.callback_fields(endpoint, player, **kw)
    )
    assert answer.status_code == 200 and answer.json()["code"] == 0, answer.text


def _play(world: World, ev: Ev, ids: dict[str, str]) -> None:
    user = world.players.get(ev.player, "")
    a = ev.args
    if ev.action in ("deposit", "withdraw"):
        world.ok(ev.actor, f"/{ev.action}", {"playerUsername": user, "amount": Decimal(a[0]) / 100})
    elif ev.action == "transfer":
        body = {"playerUsername": user, "type": a[0], "amount": Decimal(a[1]) / 100}
        world.ok(ev.actor, "/transfer", body)
    elif ev.action == "agent_deposit":
        target = world.agents[a[1]].username
        world.ok(ev.actor, "/agent/deposit", {"agentTarget": target, "amount": Decimal(a[0]) / 100})
    elif ev.action == "amb_bet":
        _amb(world, "bet", user, a[0], a[2], amount_minor=a[1])
    elif ev.action == "amb_payout":
        _amb(world, "payout", user, a[0], a[2], amount_minor=a[1])
    elif ev.action == "amb_settle":
        _amb(world, "settle", user, a[0], a[3], amount_minor=a[2], bet_minor=a[1])
    elif ev.action == "amb_cancel":
        _amb(world, "cancel", user, a[0], a[1])
    elif ev.action in ("iga_withdraw", "iga_deposit", "iga_betwin"):
        endpoint = {"iga_withdraw": "Withdraw", "iga_deposit": "Deposit"}.get(ev.action, "BetWin")
        kw: dict[str, Any] = {"game_id": int(a[-2] if ev.action == "iga_deposit" else a[-1])}
        if ev.action == "iga_betwin":
            kw |= {"bet_minor": a[1], "win_minor": a[2]}
        else:
            kw["amount_minor"] = a[1]
        if ev.action == "iga_deposit":
            kw["ref_id"] = ids.get(a[3]) if a[3] else None
        fields = igamingace.callback_fields(endpoint, user, **kw)
        ids[a[0]] = str(fields["transactionID"])
        answer = igamingace.post(world.http, endpoint, fields)
        assert answer.status_code == 200 and answer.json()["code"] == 0, (ev, fields, answer.text)
    elif ev.action == "iga_rollback":
        _iga(world, "RollbackTransaction", user, ref_id=ids[a[0]])
    else:
        raise AssertionError(ev.action)


@contextmanager
def play_month(server: Server, ledger: LedgerDB, loop: LoopThread, db_url: str) -> Iterator[World]:
    """The agents, their players and the MONTH played on `server` (OPERATOR_TIMEZONE
    Asia/Manila), each event's rows moved to its time; the World to ask the reports."""
    top = _agent(ledger, loop, None, 5_000_000)
    agents = {"TOP": top}
    agents["R"] = _agent(ledger, loop, top, 2_000_000)
    agents["A"] = _agent(ledger, loop, agents["R"], 100_000)
    agents["B"] = _agent(ledger, loop, agents["R"], 0)
    agents["A1"] = _agent(ledger, loop, agents["A"], 500_000)
    loop.run(set_product(ledger, ProductEntry("ambslot", LIVE_GAME, "Live Games")))
    loop.run(set_product(ledger, ProductEntry("igamingace", TABLE_GAME, "Table Games")))
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        tokens = {}
        for name, agent in agents.items():
            answer = login(http, agent.username)
            assert answer.status_code == 200, answer.text
            tokens[name] = answer.json()["data"]["token"]
            Server.extra_secrets.add(tokens[name])
        owner = {"r1": "R", "a1": "A", "a2": "A", "x1": "A1", "b1": "B", "b2": "B"}
        world = World(http, agents, tokens, {}, owner, expected_of(MONTH))
        registered = {
            "r1": D(2026, 10, 5),
            "a1": D(2026, 11, 2),
            "a2": D(2026, 10, 15),
            "x1": D(2026, 11, 2),
            "b1": D(2026, 11, 2),
            "b2": D(2026, 11, 25),
        }
        for name, agent_name in owner.items():
            tx_mark, player_mark = _marks(db_url)
            world.players[name] = _register(world, agent_name)
            _backdate(db_url, tx_mark, player_mark, at(registered[name], 8))
        _rates(world)
        ids: dict[str, str] = {}
        for ev in MONTH:
            tx_mark, player_mark = _marks(db_url)
            _play(world, ev, ids)
            _backdate(db_url, tx_mark, player_mark, ev.when)
        yield world


def _register(world: World, agent: str) -> str:
    name = f"rp{secrets.token_hex(5)}"  # iGamingAce's userID: letters and digits only
    password = secrets.token_urlsafe(9)
    Server.extra_secrets.add(password)
    body = {"username": name, "email": f"{name}@example.com", "password": password}
    world.ok(agent, "/player/register", body)
    return name


def _rates(world: World) -> None:
    for parent, child in (("TOP", "R"), ("R", "A"), ("R", "B")):
        body = {"agentTarget": world.agents[child].username, "percent": Decimal(BP[child]) / 100}
        CommissionData.model_validate(world.ok(parent, "/agent/commission", body))
    rebate = {
        "action": "set",
        "subAgentUsername": world.agents["A"].username,
        "rebatePercent": Decimal(REBATE_BP) / 100,
    }
    world.ok("R", "/rebate", rebate)
    policy = {
        "action": "set",
        "maxFreeBypassesPerWindow": 0,
        "blockAfter": 10,
        "surchargePercent": Decimal(SURCHARGE_BP) / 100,
    }
    world.ok("R", "/bypass", policy)


NOV = {"dateFrom": "2026/11/01", "dateTo": "2026/11/30"}

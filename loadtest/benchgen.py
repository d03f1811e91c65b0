"""Request streams for `make bench`: realistic, valid callbacks with unique ids, written ahead.

wrk cannot sign or plan rounds, so Python writes each wrk thread's stream to a file, one
request per line (`path<TAB>expected codes<TAB>body`), and loadtest/bench.lua replays it,
counting every answer whose code is not one of the expected ones as an error (the expected
codes ride in X-Request-Id, which the server echoes, since wrk cannot pair a response with
its request on its own). A call that depends on
an earlier one (a payout on its bet, a rollback of its withdraw) comes DEPENDENCY_GAP requests
later in the same stream, far more than the requests a thread has in flight, so it never
overtakes what it depends on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEPENDENCY_GAP = 3000
REPLAY_SHARE = 0.01


@dataclass(frozen=True, slots=True)
class StudioConfig:
    amb_agent: str = "ambdemo"
    iga_agent: str = "Partner01"
    iga_secret: str = "1234567890"
    currency: str = "THB"


def iga_sign(secret: str, values: list[str]) -> str:
    digest = hmac.new(secret.encode(), "".join(values).encode(), hashlib.sha256).hexdigest()
    return digest.upper()


class Number(str):
    """A JSON number written from its exact text (never through float)."""


def _dumps(body: dict[str, object]) -> str:
    text = json.dumps(
        {k: f"\0{v}\0" if isinstance(v, Number) else v for k, v in body.items()},
        separators=(",", ":"),
    )
    return text.replace('"\\u0000', "").replace('\\u0000"', "")


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _replay_expectation(line: str) -> str:
    """What a studio gets for a call it sends again: the original for AMBSlot (0), 11 for
    iGamingAce, and 9 for a second iGamingAce rollback."""
    path = line.split("\t", 1)[0]
    if path.startswith("/ambslot/"):
        return line
    code = "9" if path.endswith("RollbackTransaction") else "11"
    path, _, body = line.split("\t", 2)
    return f"{path}\t{code}\t{body}"


class StreamWriter:
    """Builds one thread's stream: the mix of the issue, with dependencies spaced out."""

    def __init__(
        self, thread: int, usernames: list[str], config: StudioConfig, seed: int, tag: str = ""
    ) -> None:
        self.thread = thread
        self.tag = tag
        self.usernames = usernames
        self.config = config
        self.rng = random.Random(seed)
        self.seq = 0
        self.later: dict[int, list[str]] = {}  # position -> lines due then

    def _id(self, prefix: str) -> str:
        self.seq += 1
        return f"{prefix}{self.tag}{self.thread}x{self.seq}x{self.rng.getrandbits(32):08x}"

    def _due(self, position: int, line: str) -> None:
        self.later.setdefault(position, []).append(line)

    def _amb(
        self, path: str, user: str, round_id: str, tx: str, cents: int, **extra: object
    ) -> str:
        body: dict[str, object] = {
            "username": user,
            "agent": self.config.amb_agent,
            "game": "Ghost House",
            "gameId": "GH",
            "roundId": round_id,
            "amount": Number(_amount(cents)),
            "currency": self.config.currency,
            "transactionId": tx,
            "timestamp": "2026-11-28T10:00:00.000",
            **extra,
        }
        return f"/ambslot/{path}\t0\t{_dumps(body)}"

    def _amb_balance(self, user: str) -> str:
        body = {"username": user, "agentId": self.config.amb_agent}
        return f"/ambslot/balance\t0\t{_dumps(body)}"

    def _iga(self, path: str, fields: dict[str, str], signed: list[str], **extra: object) -> str:
        body: dict[str, object] = {"agentID": self.config.iga_agent, **fields, **extra}
        values = [self.config.iga_agent, *[fields[name] for name in signed]]
        body["sign"] = iga_sign(self.config.iga_secret, values)
        return f"/igamingace/{path}\t0\t{_dumps(body)}"

    def _events(self, position: int) -> list[str]:
        """The requests that start at this position (their follow-ups are scheduled later)."""
        user = self.rng.choice(self.usernames)
        pick = self.rng.random()
        gap = position + DEPENDENCY_GAP
        end = {"isEndRound": True, "featureBuy": False}
        if pick < 0.25:  # AMBSlot bet, its payout later
            round_id = self._id("r")
            self._due(
                gap,
                self._amb(
                    "payout",
                    user,
                    round_id,
                    self._id("p"),
                    self.rng.randint(0, 500),
                    turnover=1,
                    **end,
                ),
            )
            return [
                self._amb(
                    "bet",
                    user,
                    round_id,
                    self._id("b"),
                    self.rng.randint(1, 300),
                    isEndRound=False,
                    featureBuy=False,
                )
            ]
        if pick < 0.45:  # AMBSlot settle (a slot spin in one call)
            return [
                self._amb(
                    "settle",
                    user,
                    self._id("r"),
                    self._id("s"),
                    self.rng.randint(0, 500),
                    bet=Number(_amount(100)),
                    winlose=0,
                    turnover=1,
                    **end,
                )
            ]
        common = {"userID": user, "roundID": self._id("r")}
        if pick < 0.75:  # iGamingAce Withdraw, its Deposit later, sometimes rolled back
            tx = self._id("w")
            fields = {**common, "amount": _amount(self.rng.randint(1, 300)), "transactionID": tx}
            win = {
                **common,
                "amount": _amount(self.rng.randint(0, 500)),
                "transactionID": self._id("d"),
            }
            if self.rng.random() < 0.1:
                self._due(
                    gap,
                    self._iga(
                        "RollbackTransaction",
                        {"userID": user, "refTransactionID": tx},
                        ["userID", "refTransactionID"],
                        gameID=1566,
                    ),
                )
            else:
                self._due(
                    gap,
                    self._iga(
                        "Deposit",
                        win,
                        ["userID", "amount", "transactionID", "roundID"],
                        refTransactionID=tx,
                        gameID=1566,
                        freeSpinID=None,
                    ),
                )
            return [
                self._iga(
                    "Withdraw",
                    fields,
                    ["userID", "amount", "transactionID", "roundID"],
                    gameID=1566,
                    freeSpinID=None,
                    isBonusBuy=0,
                )
            ]
        fields = {
            **common,
            "betAmount": _amount(self.rng.randint(1, 300)),
            "winAmount": _amount(self.rng.randint(0, 500)),
            "transactionID": self._id("bw"),
        }
        return [
            self._iga(
                "BetWin",
                fields,
                ["userID", "betAmount", "winAmount", "transactionID", "roundID"],
                gameID=1566,
                freeSpinID=None,
            )
        ]

    def lines(self, count: int) -> Iterator[str]:
        # wrk calls `request()` once on thread 0 to check the script, and never sends that
        # request: the first line is a balance read, so what it swallows moves no money and no
        # later line depends on it.
        yield self._amb_balance(self.rng.choice(self.usernames))
        recent: list[str] = []
        position = 1
        while position < count:
            batch = self.later.pop(position, []) + self._events(position)
            if recent and self.rng.random() < REPLAY_SHARE:  # a studio retry of an answered call
                old = recent[-DEPENDENCY_GAP : -DEPENDENCY_GAP // 2] or recent[:1]
                batch.append(_replay_expectation(self.rng.choice(old)))
            for line in batch:
                recent.append(line)
                yield line
                position += 1
            if len(recent) > 4 * DEPENDENCY_GAP:
                del recent[:DEPENDENCY_GAP]


def write_streams(
    directory: Path, threads: int, usernames: list[str], per_thread: int, config: StudioConfig
) -> list[Path]:
    """One file per wrk thread, each with its own players so threads never share a round.

    Ids are unique across stream sets: the directory's name is part of every id."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for thread in range(threads):
        mine = usernames[thread::threads]
        path = directory / f"stream-{thread}.txt"
        writer = StreamWriter(thread, mine, config, seed=thread + 1, tag=directory.name)
        with path.open("w") as out:
            for line in writer.lines(per_thread):
                out.write(line + "\n")
        paths.append(path)
    return paths

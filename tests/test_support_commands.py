"""Issue #21: the support look-ups. A player plays at iGamingAce through a real server (a bet,
its repeat, a win, a rollback of the bet); `wallet player statement` then lists each posting
with its transaction, caller, external id and the balance after, and `wallet txn show` tells
the bet whole: its stored answer, its postings, the rollback that reversed it, and that repeats
are not in the ledger. Bad input exits 2 with a message."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from loadtest.studios import igamingace
from tests.support import Server
from wallet.config import ROOT_DIR
from wallet.directory.players import Player

TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def wallet(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wallet.cli", *args],
        env={**os.environ, "DATABASE_URL": db_url},
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _play(http: httpx.Client, player: Player) -> tuple[str, str]:
    """A bet of 10.00 (sent twice), a win of 2.50, then the bet rolled back: its and the win's
    transaction ids."""
    bet = igamingace.callback_fields("Withdraw", player.username, amount_minor=1000)
    codes = [igamingace.post(http, "Withdraw", bet).json()["code"] for _ in range(2)]
    assert codes == [0, 11]  # the contract's answer to a duplicate transactionID
    win = igamingace.callback_fields(
        "Deposit", player.username, amount_minor=250, round_id=str(bet["roundID"]),
        ref_id=str(bet["transactionID"]),
    )  # fmt: skip
    assert igamingace.post(http, "Deposit", win).json()["code"] == 0, "win"
    back = igamingace.callback_fields(
        "RollbackTransaction", player.username, ref_id=str(bet["transactionID"])
    )
    answer = igamingace.post(http, "RollbackTransaction", back).json()
    assert answer["code"] == 0, answer
    return str(bet["transactionID"]), str(win["transactionID"])


def test_a_players_statement_and_a_transaction_told_whole(
    db_url: str, http: httpx.Client, make_player: Callable[..., Player], server: Server
) -> None:
    player = make_player("THB", 100_00)
    bet_id, win_id = _play(http, player)

    shown = wallet(db_url, "player", "statement", player.username)
    assert shown.returncode == 0, shown.stderr
    *lines, summary = shown.stdout.splitlines()
    moves = [re.fullmatch(
        rf"posting: \d+ at: {TIME} txn: (\d+) caller: (\S+) operation: (\S+) external_id: (\S+)"
        r" kind: (\S+) account: (\S+) amount: (-?[\d.]+) balance_after: (-?[\d.]+)", line)
        for line in lines]  # fmt: skip
    assert all(moves), lines
    seen = [(m[2], m[4], m[6], m[7], m[8]) for m in moves if m]
    assert seen[0][2:] == ("main", "100.00", "100.00")  # the opening balance
    assert seen[1:] == [
        ("igamingace", bet_id, "main", "-10.00", "90.00"),
        ("igamingace", win_id, "main", "2.50", "92.50"),
        ("igamingace", bet_id, "main", "10.00", "102.50"),  # the rollback, under the bet's id
    ]
    assert re.fullmatch(
        rf"statement: {player.username} currency: THB from: - to: - postings: 4"
        r" balance_now: 102\.50", summary
    ), summary  # fmt: skip

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    later = wallet(db_url, "player", "statement", player.username, "--from", tomorrow)
    assert later.stdout.endswith("postings: 0 balance_now: 102.50\n"), later.stdout
    assert later.stdout.count("\n") == 1
    first = wallet(db_url, "player", "statement", player.username, "--limit", "1")
    assert first.stdout.count("posting: ") == 1 and "more: yes" in first.stdout

    told = wallet(db_url, "txn", "show", "igamingace", bet_id)
    assert told.returncode == 0, told.stderr
    text = told.stdout
    bet_txn = re.search(
        rf"^txn: (\d+) caller: igamingace operation: Withdraw external_id: {bet_id} kind: debit"
        rf" at: {TIME} account: player {player.username} main round: \S+ game: 1566 ref: -$",
        text, re.MULTILINE,
    )  # fmt: skip
    assert bet_txn, text
    answer = r"^answer: debit: 10\.00 credit: 0\.00 balance_before: 100\.00 balance_after: 90\.00"
    assert re.search(answer + r" request_hash: [0-9a-f]{64}$", text, re.MULTILINE), text
    posting = rf"^posting: \d+ account: \d+ player {player.username} main amount: -10\.00 THB"
    assert re.search(posting + r" balance_after: 90\.00$", text, re.MULTILINE), text
    assert re.search(r"^posting: \d+ account: \d+ system game:igamingace amount: 10\.00 THB", text,
                     re.MULTILINE), text  # fmt: skip
    assert re.search(rf"^reversed by: txn \d+ caller: igamingace operation: \S+"
                     rf" external_id: {bet_id}$", text, re.MULTILINE), text  # fmt: skip
    assert re.search(rf"^reverses: txn {bet_txn[1]} caller: igamingace operation: Withdraw",
                     text, re.MULTILINE), text  # fmt: skip
    assert text.splitlines()[-1].startswith("repeats: not recorded in the ledger")
    # The repeat is in the request log, with its external id.
    repeats = [line for line in server.settled_log().splitlines() if bet_id in line]
    assert len([line for line in repeats if '"operation": "Withdraw"' in line]) == 2


def test_support_look_ups_refuse_bad_input(db_url: str, make_player: Callable[..., Player]) -> None:
    player = make_player("THB", 0)
    for args, message in [
        (("player", "statement", "nobody_there"), "wallet: no player nobody_there"),
        (("player", "statement", player.username, "--from", "yesterday"),
         "wallet: bad --from 'yesterday': a day (2026-12-01) or a time"
         " (2026-12-01T09:30:00+07:00)"),
        (("player", "statement", player.username, "--from", "2026-12-02", "--to", "2026-12-01"),
         "wallet: --from must be before --to"),
        (("txn", "show", "igamingace", "no-such-id"),
         "wallet: no transaction of igamingace under 'no-such-id'"),
        (("txn", "show", "cashier", "k1", "--shop", "no_such_shop"),
         "wallet: no shop no_such_shop"),
        (("txn", "show", "agent", "k1", "--agent", "no_such_agent"),
         "wallet: no agent no_such_agent"),
    ]:  # fmt: skip
        done = wallet(db_url, *args)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", message + "\n"), args
    both = wallet(db_url, "txn", "show", "cashier", "k1", "--shop", "a", "--agent", "b")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr

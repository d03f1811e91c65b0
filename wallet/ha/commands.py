"""The `wallet ha` commands (registered by wallet/cli.py): a local pg_auto_failover formation.

wallet ha up --dir DIR       make or start it; wait for a primary and a synchronous secondary;
                             migrate; print database_url: ... and database_read_url: ...
wallet ha status --dir DIR   node: NAME port: P role: ROLE pid: PID keeper: KPID, per node
wallet ha down --dir DIR     stop it all
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from wallet.commands import CommandError
from wallet.config import Settings
from wallet.ha.autoctl import FormationError
from wallet.ha.formation import Formation


def _formation(args: argparse.Namespace) -> Formation:
    if shutil.which("pg_autoctl") is None:
        raise CommandError(
            "pg_autoctl not found: apt-get install pg-auto-failover-cli postgresql-15-auto-failover"
        )
    return Formation(Path(args.dir))


def cmd_up(args: argparse.Namespace, settings: Settings) -> int:
    try:
        urls = _formation(args).up()
    except FormationError as error:
        raise CommandError(str(error)) from error
    print(f"database_url: {urls.write}")
    print(f"database_read_url: {urls.read}")
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    try:
        nodes = _formation(args).status()
    except FormationError as error:
        raise CommandError(str(error)) from error
    for node in nodes:
        print(node.line())
    return 0


def cmd_down(args: argparse.Namespace, settings: Settings) -> int:
    formation = _formation(args)
    if not formation.root.exists():
        raise CommandError(f"no formation in {formation.root}")
    stopped = formation.down()
    print(f"down: stopped {' '.join(stopped) or 'nothing (none was running)'}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ha = sub.add_parser("ha", help="a local pg_auto_failover formation (monitor + 2 nodes)")
    actions = ha.add_subparsers(dest="action", required=True)
    for name, func, text in (
        ("up", cmd_up, "make or start the formation, migrate, print its URLs"),
        ("status", cmd_status, "one line per node: role, postmaster and keeper pids"),
        ("down", cmd_down, "stop the formation (its data stays in DIR)"),
    ):
        command = actions.add_parser(name, help=text)
        command.add_argument("--dir", required=True, help="the formation's directory")
        command.set_defaults(func=func)

"""The formation's pieces that need no formation: the monitor's state as read, the URLs, the
status line, and where reads go."""

from __future__ import annotations

import json

from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import make_url

from tests.ha.conftest import STATUS_LINE
from tests.support import OFFLINE_DATABASE_URL
from wallet.config import Settings
from wallet.context import Context
from wallet.db import make_ledger_db, make_read_db, sqlalchemy_url
from wallet.ha.formation import NodeState, NodeStatus, formation_urls, parse_states, settled

SHOWN = [  # `pg_autoctl show state --json`, the fields read (others omitted)
    {"nodename": "node1", "nodeport": 5001, "current_group_state": "primary",
     "assigned_group_state": "primary", "health": 1},
    {"nodename": "node2", "nodeport": 5002, "current_group_state": "catchingup",
     "assigned_group_state": "secondary", "health": 1},
]  # fmt: skip


def test_the_monitor_s_states_are_read_and_settled_means_primary_plus_secondary() -> None:
    states = parse_states(json.dumps(SHOWN))
    assert states == [
        NodeState("node1", 5001, "primary", "primary"),
        NodeState("node2", 5002, "catchingup", "secondary"),
    ]
    assert not settled(states)  # the secondary has not caught up: no synchronous standby yet
    caught_up = [states[0], NodeState("node2", 5002, "secondary", "secondary")]
    assert settled(caught_up)
    alone = [NodeState("node1", 5001, "wait_primary", "wait_primary"), caught_up[1]]
    assert not settled(alone)
    assert not settled([caught_up[0]])


def test_the_urls_list_both_nodes_and_what_each_wants() -> None:
    urls = formation_urls([5001, 5002])
    assert urls.write == (
        "postgresql://wallet@127.0.0.1:5001,127.0.0.1:5002/wallet?target_session_attrs=read-write"
    )
    assert urls.read.endswith("/wallet?target_session_attrs=prefer-standby")
    # The migrations' SQLAlchemy hands libpq the same host list.
    args = PGDialect_psycopg().create_connect_args(make_url(sqlalchemy_url(urls.write)))
    assert args == (
        [],
        {
            "dbname": "wallet",
            "user": "wallet",
            "host": "127.0.0.1,127.0.0.1",
            "port": "5001,5002",
            "target_session_attrs": "read-write",
        },
    )
    assert sqlalchemy_url("postgres://u:p@h:5/db") == "postgresql+psycopg://u:p@h:5/db"


def test_the_status_line() -> None:
    line = NodeStatus("node1", 5001, "primary", 123, 45).line()
    assert line == "node: node1 port: 5001 role: primary pid: 123 keeper: 45"
    assert STATUS_LINE.fullmatch(NodeStatus("node2", 5002, "unknown", None, None).line())


def test_reads_go_to_database_read_url_when_set_and_money_never() -> None:
    settings = Settings(database_url=OFFLINE_DATABASE_URL)
    db = make_ledger_db(settings.database_url, settings)
    assert make_read_db(settings) is None
    plain = Context(settings=settings, db=db, operator_id=1, currencies={})
    assert plain.read_db is db

    read_url = (
        "postgresql://wallet@127.0.0.1:1,127.0.0.1:2/wallet?target_session_attrs=prefer-standby"
    )
    with_reads = settings.model_copy(update={"database_read_url": read_url})
    replica = make_read_db(with_reads)
    assert replica is not None and replica.pool.conninfo == read_url
    split = Context(settings=with_reads, db=db, operator_id=1, currencies={}, replica=replica)
    assert split.read_db is replica and split.db is db

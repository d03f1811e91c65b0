"""A local pg_auto_failover formation under one directory: a monitor and two PostgreSQL nodes on
free loopback ports, started by `wallet ha up`, looked at by `wallet ha status`, stopped by
`wallet ha down`.

    DIR/formation.json   the ports, chosen once
    DIR/monitor/         the monitor's PGDATA (PostgreSQL with the pgautofailover extension)
    DIR/node1/, node2/   the nodes' PGDATA
    DIR/pg_autoctl/      pg_autoctl's configuration, state and pid files
    DIR/logs/            each keeper's log (PostgreSQL's own under each PGDATA/log)
    DIR/env              `export DATABASE_URL=...` and `DATABASE_READ_URL=...`, for a shell

Each node runs its keeper (`pg_autoctl run`), which starts and watches its PostgreSQL and
follows the monitor's orders: the monitor checks every node, and when the primary is lost it
promotes the secondary. Replication is synchronous: a commit waits for the secondary to have
written it (pg_auto_failover puts the secondary in `synchronous_standby_names`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from wallet.ha.autoctl import PG_CTL, Autoctl, FormationError, alive, os_user, read_pid

MONITOR = "monitor"
NODES = ("node1", "node2")
HOST = "127.0.0.1"  # everything listens on loopback only
DATABASE = "wallet"
APP_ROLE = "wallet"  # what the server connects as: the database's owner, not a superuser
SOCKET_DIR = Path("/var/run/postgresql")  # Debian's PostgreSQL puts its sockets there

# The monitor's failover timing (README "Running on more than one machine"). pg_auto_failover's
# defaults replaced a killed primary after about 51 s here; with these, in about 11 s. The
# monitor checks each node every second (1 s connect timeout, 1 retry after 0.5 s); a node that
# fails its check and whose keeper has not reported for 5 s is unhealthy; a primary found
# unhealthy gets 5 s to drain before the secondary is promoted. Over a real network with
# hiccups, 10 s and 10 s are the safer pair.
MONITOR_SETTINGS = {
    "pgautofailover.health_check_period": "1000",
    "pgautofailover.health_check_timeout": "1000",
    "pgautofailover.health_check_max_retries": "1",
    "pgautofailover.health_check_retry_delay": "500",
    "pgautofailover.node_considered_unhealthy_timeout": "5000",
    "pgautofailover.primary_demote_timeout": "5000",
    "shared_buffers": "'128MB'",  # pg_autoctl sizes every instance for the whole machine
    "effective_cache_size": "'1GB'",
    "maintenance_work_mem": "'64MB'",
}
# A primary that sees neither the monitor nor a standby for this long (s) stops itself: less
# than unhealthy + demote timeouts, so that it is down before the other node is promoted.
NETWORK_PARTITION_TIMEOUT_S = "5"
# The nodes' tuning (as the embedded server's, wallet/db.py), for three instances on one machine.
NODE_SETTINGS = {
    "shared_buffers": "'256MB'",
    "effective_cache_size": "'1GB'",
    "work_mem": "'8MB'",
    "maintenance_work_mem": "'64MB'",
    "max_connections": "200",
    "max_wal_size": "'2GB'",
    "wal_keep_size": "'1GB'",  # pg_autoctl's 8 GB is for production disks
    "wal_init_zero": "off",
}

UP_TIMEOUT_S = 180.0  # creation included: initdb, a base backup, the first catch-up
STOP_TIMEOUT_S = 60.0
POLL_S = 0.25
WRITABLE = ("single", "wait_primary", "primary")  # the monitor's states of a node taking writes


@dataclass(frozen=True, slots=True)
class NodeState:
    """A node as the monitor sees it (`pg_autoctl show state --json`)."""

    name: str
    port: int
    current: str  # the state it reached: primary, secondary, wait_primary, catchingup...
    assigned: str  # the state the monitor assigned it


@dataclass(frozen=True, slots=True)
class NodeStatus:
    name: str
    port: int
    role: str  # the monitor's current state of the node ("unknown" when the monitor is down)
    pid: int | None  # its postmaster
    keeper: int | None  # its pg_autoctl

    def line(self) -> str:
        return (
            f"node: {self.name} port: {self.port} role: {self.role}"
            f" pid: {self.pid or '-'} keeper: {self.keeper or '-'}"
        )


@dataclass(frozen=True, slots=True)
class Urls:
    write: str  # the primary, wherever it is
    read: str  # the secondary when there is one, else the primary


def parse_states(text: str) -> list[NodeState]:
    nodes = json.loads(text)
    return [
        NodeState(n["nodename"], n["nodeport"], n["current_group_state"], n["assigned_group_state"])
        for n in nodes
    ]


def settled(states: Sequence[NodeState]) -> bool:
    """One primary and one synchronous secondary, each in the state the monitor assigned."""
    return sorted(s.current for s in states) == ["primary", "secondary"] and all(
        s.current == s.assigned for s in states
    )


def _first_node_up(states: Sequence[NodeState]) -> bool:
    return any(s.name == NODES[0] and s.current in WRITABLE for s in states)


def formation_urls(ports: Sequence[int]) -> Urls:
    """libpq multi-host URLs over the nodes: it tries each in turn and keeps the first that is
    what target_session_attrs asks, so the same URL finds the primary after a failover."""
    hosts = ",".join(f"{HOST}:{port}" for port in ports)
    base = f"postgresql://{APP_ROLE}@{hosts}/{DATABASE}?target_session_attrs="
    return Urls(base + "read-write", base + "prefer-standby")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def append_settings(pgdata: Path, settings: dict[str, str]) -> None:
    """PostgreSQL settings into postgresql.auto.conf, the file read last (after the one that
    pg_autoctl writes), so they win; ALTER SYSTEM keeps them when it rewrites the file."""
    lines = "".join(f"{name} = {value}\n" for name, value in settings.items())
    with (pgdata / "postgresql.auto.conf").open("a") as conf:
        conf.write("# wallet ha\n" + lines)


class Formation:
    """The formation under root."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.autoctl = Autoctl(self.root)

    # ---- layout ----

    def pgdata(self, name: str) -> Path:
        return self.root / name

    def log(self, name: str) -> Path:
        return self.root / "logs" / f"{name}.log"

    @property
    def _ports_file(self) -> Path:
        return self.root / "formation.json"

    def ports(self) -> dict[str, int]:
        """The ports of the monitor and the nodes, chosen at the first `up`."""
        try:
            ports: dict[str, int] = json.loads(self._ports_file.read_text())
        except FileNotFoundError as error:
            raise FormationError(f"no formation in {self.root} (wallet ha up makes one)") from error
        return ports

    def urls(self) -> Urls:
        ports = self.ports()
        return formation_urls([ports[name] for name in NODES])

    def monitor_uri(self) -> str:
        return f"postgresql://autoctl_node@{HOST}:{self.ports()[MONITOR]}/pg_auto_failover"

    # ---- up ----

    def up(self) -> Urls:
        """Make what is missing, start what is not running, wait for a primary and a
        synchronous secondary, and bring the schema to head."""
        from wallet.migrations import migrate  # the schema's machinery, only when it is needed

        self._prepare()
        self._ensure_monitor()
        for name in NODES:
            self._ensure_node(name)
        states = self.wait(self._serving, UP_TIMEOUT_S, "a primary and a synchronous secondary")
        primary = next(s for s in states if s.current == "primary")
        self._grant_app_role(primary.port)
        urls = self.urls()
        migrate(urls.write)
        exports = f"export DATABASE_URL='{urls.write}'\nexport DATABASE_READ_URL='{urls.read}'\n"
        (self.root / "env").write_text(exports)
        return urls

    def _prepare(self) -> None:
        made = [self.root, self.root / "logs", *self.autoctl.dirs()]
        for path in made:
            path.mkdir(parents=True, exist_ok=True)
        if not self._ports_file.exists():
            ports = {name: free_port() for name in (MONITOR, *NODES)}
            self._ports_file.write_text(json.dumps(ports) + "\n")
        user = os_user()
        if user is None:
            return
        if not SOCKET_DIR.is_dir():  # made by Debian's postgresql-common, unless in a container
            SOCKET_DIR.mkdir(mode=0o2775, parents=True)
            shutil.chown(SOCKET_DIR, user, user)
        for path in (*made, self._ports_file):  # pg_autoctl makes the rest as the user
            shutil.chown(path, user, user)
        if not self.autoctl.can_write(self.root):
            raise FormationError(
                f"the {user} user cannot write in {self.root}: its parent directories must be"
                " searchable by it (chmod o+x), or give a --dir elsewhere (e.g. under /tmp)"
            )

    def _ensure_monitor(self) -> None:
        pgdata = self.pgdata(MONITOR)
        if not self.autoctl.config_file(pgdata).exists():
            port = str(self.ports()[MONITOR])
            self.autoctl.run(
                "create", "monitor", "--pgctl", str(PG_CTL), "--pgdata", str(pgdata),
                "--pgport", port, "--hostname", HOST, "--auth", "trust", "--no-ssl",
            )  # fmt: skip
            # The monitor has no --listen: it would listen on every address.
            self.autoctl.run(
                "config", "set", "--pgdata", str(pgdata), "postgresql.listen_addresses", HOST
            )
            append_settings(pgdata, MONITOR_SETTINGS)
        self._start(MONITOR)
        self._wait_monitor()

    def _ensure_node(self, name: str) -> None:
        pgdata = self.pgdata(name)
        if not self.autoctl.config_file(pgdata).exists() or self.autoctl.init_file(pgdata).exists():
            if name != NODES[0]:  # a standby is copied from a running primary
                self.wait(_first_node_up, UP_TIMEOUT_S, f"running {NODES[0]}")
            self._create_node(name, pgdata)
        self._start(name)

    def _create_node(self, name: str, pgdata: Path) -> None:
        self.autoctl.run(
            "create", "postgres", "--pgctl", str(PG_CTL), "--pgdata", str(pgdata),
            "--pgport", str(self.ports()[name]), "--listen", HOST, "--hostname", HOST,
            "--name", name, "--monitor", self.monitor_uri(), "--auth", "trust", "--no-ssl",
            "--dbname", DATABASE,
        )  # fmt: skip
        self.autoctl.run(
            "config", "set", "--pgdata", str(pgdata),
            "timeout.network_partition_timeout", NETWORK_PARTITION_TIMEOUT_S,
        )  # fmt: skip
        append_settings(pgdata, NODE_SETTINGS)

    def _start(self, name: str) -> None:
        if self.keeper_pid(name) is None:
            self.autoctl.start(self.pgdata(name), self.log(name))

    def _wait_monitor(self) -> None:
        deadline = time.monotonic() + UP_TIMEOUT_S
        while True:
            try:
                with self._superuser(self.ports()[MONITOR], "pg_auto_failover"):
                    return
            except psycopg.OperationalError as error:
                if time.monotonic() > deadline:
                    raise FormationError(f"the monitor did not start: {error}") from error
            time.sleep(POLL_S)

    def _superuser(self, port: int, dbname: str) -> psycopg.Connection[tuple[object, ...]]:
        # initdb made the OS user a superuser, trusted on loopback (--auth trust).
        user = os_user() or _login_name()
        return psycopg.connect(
            host=HOST, port=port, user=user, dbname=dbname, connect_timeout=2, autocommit=True
        )

    def _serving(self, states: list[NodeState]) -> bool:
        """Settled, and each node's PostgreSQL answers as what the monitor calls it (just
        after a restart the monitor still shows the states from before the stop)."""
        if not settled(states):
            return False
        try:
            return all(self._in_recovery(s.port) == (s.current == "secondary") for s in states)
        except psycopg.OperationalError:
            return False

    def _in_recovery(self, port: int) -> bool:
        with self._superuser(port, "postgres") as conn:
            row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
        return bool(row and row[0])

    def _grant_app_role(self, primary_port: int) -> None:
        """The server's role, owner of the database (it replicates to the secondary)."""
        with self._superuser(primary_port, DATABASE) as conn:
            found = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,))
            if found.fetchone() is None:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(APP_ROLE)))
            conn.execute(
                sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                    sql.Identifier(DATABASE), sql.Identifier(APP_ROLE)
                )
            )

    # ---- state ----

    def states(self) -> list[NodeState]:
        """The nodes as the monitor sees them (FormationError when it cannot be asked)."""
        text = self.autoctl.run("show", "state", "--json", "--pgdata", str(self.pgdata(MONITOR)))
        return parse_states(text)

    def wait(
        self, done: Callable[[list[NodeState]], bool], timeout_s: float, what: str
    ) -> list[NodeState]:
        deadline = time.monotonic() + timeout_s
        states: list[NodeState] = []
        while time.monotonic() < deadline:
            try:
                states = self.states()
            except FormationError:
                states = []  # the monitor is starting, or was just registering a node
            if done(states):
                return states
            time.sleep(POLL_S)
        seen = ", ".join(f"{s.name} {s.current}/{s.assigned}" for s in states) or "nothing"
        raise FormationError(f"no {what} after {timeout_s:g} s: the monitor sees {seen}")

    def keeper_pid(self, name: str) -> int | None:
        return self.autoctl.keeper_pid(self.pgdata(name))

    def postmaster_pid(self, name: str) -> int | None:
        return read_pid(self.pgdata(name) / "postmaster.pid")

    def status(self) -> list[NodeStatus]:
        try:
            roles = {s.name: s.current for s in self.states()}
        except FormationError:
            roles = {}
        return [self._node_status(name, roles.get(name, "unknown")) for name in NODES]

    def _node_status(self, name: str, role: str) -> NodeStatus:
        port = self.ports()[name]
        return NodeStatus(name, port, role, self.postmaster_pid(name), self.keeper_pid(name))

    # ---- down ----

    def down(self) -> list[str]:
        """Stop the nodes, then the monitor; the names of those that were running."""
        stopped = self._stop(NODES)
        return stopped + self._stop((MONITOR,))

    def _stop(self, names: Sequence[str]) -> list[str]:
        running = [n for n in names if self.keeper_pid(n) or self.postmaster_pid(n)]
        for name in running:
            if self.keeper_pid(name):  # a fast shutdown of PostgreSQL, then the keeper exits
                with contextlib.suppress(FormationError):  # it was exiting anyway
                    self.autoctl.run("stop", "--pgdata", str(self.pgdata(name)))
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline and any(map(self._running, running)):
            time.sleep(POLL_S)
        for name in filter(self._running, running):
            self._kill(name)  # still there after a minute: nothing else will stop it
        return running

    def _running(self, name: str) -> bool:
        return bool(self.keeper_pid(name) or self.postmaster_pid(name))

    def _kill(self, name: str) -> None:
        keeper, postmaster = self.keeper_pid(name), self.postmaster_pid(name)
        if keeper is not None:
            os.killpg(keeper, signal.SIGKILL)  # the keeper leads its node's process group
        if postmaster is not None and alive(postmaster):
            os.kill(postmaster, signal.SIGKILL)


def _login_name() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name

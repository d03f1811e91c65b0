"""pg_autoctl, pg_auto_failover's command, for a formation kept under one directory.

It runs as an unprivileged OS user when we are root (PostgreSQL refuses to run as root), and its
configuration, state and pid files go under the directory (the XDG_* variables, as pg_autoctl's
own tmux demo sets them), so that the directory holds all of a formation and removing it leaves
nothing behind.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PG_MAJOR = 15  # the PostgreSQL that Debian's postgresql-15-auto-failover extends
PG_CTL = Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin/pg_ctl")
OS_USER = "postgres"  # Debian's postgresql package makes it
RUN_TIMEOUT_S = 300  # the longest a pg_autoctl command may take (a base backup included)


class FormationError(Exception):
    """The formation could not be brought to the state asked for; the message says why."""


def os_user() -> str | None:
    """Whom PostgreSQL runs as: the postgres user when we are root, else ourselves (None)."""
    return OS_USER if os.geteuid() == 0 else None


def alive(pid: int | None) -> bool:
    """Whether a process with this pid runs (a zombie, killed and not yet reaped, does not)."""
    if pid is None:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def read_pid(path: Path) -> int | None:
    """The pid on the first line of a pid file, when that process runs."""
    try:
        first = path.read_text().split("\n", 1)[0].strip()
    except OSError:
        return None
    pid = int(first) if first.isdigit() else None
    return pid if alive(pid) else None


@dataclass(frozen=True)
class Autoctl:
    """pg_autoctl with the formation directory's files (root/pg_autoctl/...)."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / "pg_autoctl"

    def dirs(self) -> list[Path]:
        """Its home and XDG directories (the run one must exist, or pid files go to /tmp)."""
        return [self.home, *(self.home / kind for kind in ("config", "share", "run"))]

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_DATA_HOME": str(self.home / "share"),
            "XDG_RUNTIME_DIR": str(self.home / "run"),
        }

    def _as_user(self) -> dict[str, Any]:
        user = os_user()
        # extra_groups=[]: without it the child would keep root's supplementary groups.
        return {} if user is None else {"user": user, "group": user, "extra_groups": []}

    def run(self, *args: str) -> str:
        """A pg_autoctl command to its end: its output, or FormationError with its last lines."""
        done = subprocess.run(
            ["pg_autoctl", *args],
            env=self.env(),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
            **self._as_user(),
        )
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            raise FormationError(f"pg_autoctl {' '.join(args[:2])} failed:\n{tail}")
        return str(done.stdout)

    def can_write(self, path: Path) -> bool:
        """Whether the OS user can get to path and write in it (every parent searchable)."""
        done = subprocess.run(["test", "-w", str(path)], check=False, **self._as_user())
        return done.returncode == 0

    def start(self, pgdata: Path, log: Path) -> int:
        """`pg_autoctl run` in the background, in a session of its own (so that its process
        group is the node's every process: the keeper, its services and PostgreSQL); it keeps
        running after we exit. Its pid."""
        with log.open("ab") as out:
            process = subprocess.Popen(
                ["pg_autoctl", "run", "--pgdata", str(pgdata)],
                env=self.env(),
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self._as_user(),
            )
        return process.pid

    def _files(self, kind: str, pgdata: Path) -> Path:
        # pg_autoctl keeps a node's files under XDG_<kind>/pg_autoctl/<its PGDATA's full path>.
        return self.home / kind / "pg_autoctl" / str(pgdata.resolve()).lstrip("/")

    def config_file(self, pgdata: Path) -> Path:
        return self._files("config", pgdata) / "pg_autoctl.cfg"

    def init_file(self, pgdata: Path) -> Path:
        """Present while `pg_autoctl create postgres` has not finished (it resumes from it)."""
        return self._files("share", pgdata) / "pg_autoctl.init"

    def keeper_pid(self, pgdata: Path) -> int | None:
        """The running `pg_autoctl run` of this PGDATA (its pid file), or None."""
        return read_pid(self._files("run", pgdata) / "pg_autoctl.pid")

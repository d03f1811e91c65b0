"""Fixtures: every test runs against real PostgreSQL; integration tests against a real server."""

from __future__ import annotations

import secrets
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext

from tests.browser import chromium
from tests.support import LoopThread, Server, make_ledger, release_embedded, throwaway_database
from wallet.directory.players import Player, create_player
from wallet.ledger.audit import audit
from wallet.ledger.database import LedgerDB
from wallet.migrations import migrate

DEMO_OPERATOR_ID = 1


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    """SIGTERM (a CI runner's cancel, `kill`) ends the run as Ctrl-C does: through the teardown
    and pytest_unconfigure, which stops the embedded PostgreSQL the run started."""
    main = threading.current_thread() is threading.main_thread()
    if main and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupted)


def pytest_unconfigure(config: pytest.Config) -> None:
    """After every fixture's teardown, also when the run failed or was interrupted: the
    embedded PostgreSQL this run started under .data/test stops (unless another live test run
    in this checkout still uses it). `make test` used to leave it serving for hours."""
    release_embedded()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The chaos tests' figures, and the fuzz's cases (docs/reliability.md quotes them)."""
    from tests.chaos.harness import FIGURES
    from tests.fuzz.endpoints import ANSWERS, CASES

    for line in FIGURES:
        terminalreporter.write_line(f"chaos figures: {line}")
    for studio in sorted({studio for studio, _ in CASES}):
        cases = sorted((case, n) for (name, case), n in CASES.items() if name == studio)
        codes = sorted((code, n) for (name, code), n in ANSWERS.items() if name == studio)
        terminalreporter.write_line(
            f"chaos figures: fuzz {studio}: {sum(n for _, n in cases)} cases"
            f" ({', '.join(f'{n} {case}' for case, n in cases)});"
            f" answered {', '.join(f'{code} x{n}' for code, n in codes)}"
        )


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_log() -> Iterator[None]:
    """After the whole run: no configured secret appears in any server's log."""
    yield
    leaks = [
        f"{srv.log_path.name} contains a configured secret"
        for srv in Server.started
        for secret in srv.secrets()
        if secret in srv.log_text()
    ]
    assert not leaks, leaks


@pytest.fixture(scope="session")
def db_url() -> Iterator[str]:
    with throwaway_database() as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def loop() -> Iterator[LoopThread]:
    runner = LoopThread()
    yield runner
    runner.close()


@pytest.fixture(scope="session")
def ledger(db_url: str, loop: LoopThread) -> Iterator[LedgerDB]:
    db = make_ledger(db_url, loop)
    yield db
    loop.run(db.dispose())


@pytest.fixture(autouse=True)
def audit_after(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test that touched the database, the five invariants must hold."""
    yield
    if "ledger" not in request.fixturenames:
        return
    db: LedgerDB = request.getfixturevalue("ledger")
    loop: LoopThread = request.getfixturevalue("loop")
    report = loop.run(audit(db))
    assert report.ok, "\n".join(report.violations[:50])


@pytest.fixture
def make_player(ledger: LedgerDB, loop: LoopThread) -> Callable[..., Player]:
    def make(currency: str = "THB", balance_minor: int = 0, username: str | None = None) -> Player:
        name = username or f"p{secrets.token_hex(6)}"
        return loop.run(create_player(ledger, DEMO_OPERATOR_ID, name, currency, balance_minor))

    return make


@pytest.fixture(scope="module")
def make_player_module(ledger: LedgerDB, loop: LoopThread) -> Callable[..., Player]:
    """make_player for module-scoped fixtures (hypothesis reuses them across examples)."""

    def make(currency: str = "THB", balance_minor: int = 0) -> Player:
        name = f"p{secrets.token_hex(6)}"
        return loop.run(create_player(ledger, DEMO_OPERATOR_ID, name, currency, balance_minor))

    return make


@pytest.fixture(scope="session")
def server(db_url: str) -> Iterator[Server]:
    """The default server: demo settings (AMBSlot and iGamingAce demo agents, loopback only)."""
    srv = Server(db_url).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def start_server(db_url: str) -> Iterator[Callable[[Mapping[str, str]], Server]]:
    """Another server with other settings, for tests of configuration; stopped at the end."""
    started: list[Server] = []

    def start(env: Mapping[str, str]) -> Server:
        srv = Server(db_url, env).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    """Headless Chromium with a fresh profile (tests/browser.py)."""
    with chromium(tmp_path / "profile") as context:
        yield context

"""Issue #21, finding 5: a blocked agent could still refresh its token, the agent API had no
logout, and no agent could be turned off without SQL. `wallet agent block|unblock|password|list`
and POST /api/auth/logout against a real server; one line per command, bad input exits 2."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import httpx

from tests.agents.conftest import PASSWORD, login
from tests.agents.test_auth import assert_envelope
from tests.agents.test_cli import wallet
from tests.support import LoopThread, Server
from wallet.directory.agents import Agent
from wallet.ledger.database import LedgerDB


def _token(api: httpx.Client, username: str, password: str = PASSWORD) -> str:
    token: str = assert_envelope(login(api, username, password), 200)["token"]
    Server.extra_secrets.add(token)
    return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_blocked_agent_cannot_refresh_its_token(
    api: httpx.Client, make_agent: Callable[..., Agent], ledger: LedgerDB, loop: LoopThread
) -> None:
    """The finding as it was found: the agent blocked in the database (as an operator had to)."""
    agent = make_agent()
    token = _token(api, agent.username)
    loop.run(ledger.all("UPDATE agents SET status = 'blocked' WHERE id = %s", (agent.id,)))
    refreshed = api.post("/api/auth/refresh", headers=_bearer(token))
    assert_envelope(refreshed, 401, "AUTH_ERROR")
    assert_envelope(api.post("/api/balance", json={}, headers=_bearer(token)), 401, "AUTH_ERROR")


def test_logout_revokes_the_token(api: httpx.Client, make_agent: Callable[..., Agent]) -> None:
    agent = make_agent()
    token, other = _token(api, agent.username), _token(api, agent.username)
    assert assert_envelope(api.post("/api/auth/logout", headers=_bearer(token)), 200) == {
        "loggedOut": True
    }
    assert_envelope(api.post("/api/balance", json={}, headers=_bearer(token)), 401, "AUTH_ERROR")
    assert_envelope(api.post("/api/auth/refresh", headers=_bearer(token)), 401, "AUTH_ERROR")
    assert_envelope(api.post("/api/auth/logout", headers=_bearer(token)), 401, "AUTH_ERROR")
    assert_envelope(api.post("/api/auth/logout"), 401, "AUTH_ERROR")
    assert_envelope(api.post("/api/balance", json={}, headers=_bearer(other)), 200)  # its own


def test_block_unblock_password_and_list_an_agent(
    db_url: str, api: httpx.Client, make_agent: Callable[..., Agent]
) -> None:
    agent = make_agent()
    first, second = _token(api, agent.username), _token(api, agent.username)
    blocked = wallet(db_url, "agent", "block", agent.username)
    assert blocked.returncode == 0, blocked.stderr
    assert blocked.stdout == (
        f"agent: {agent.username} id: {agent.id} status: blocked tokens revoked: 2\n"
    )
    for token in (first, second):
        assert_envelope(
            api.post("/api/balance", json={}, headers=_bearer(token)), 401, "AUTH_ERROR"
        )
        assert_envelope(api.post("/api/auth/refresh", headers=_bearer(token)), 401, "AUTH_ERROR")
    assert_envelope(login(api, agent.username), 401, "AUTH_ERROR")  # as a wrong password
    body = {"agentUsername": agent.username, "agentPassword": PASSWORD}
    assert_envelope(api.post("/api/balance", json=body), 401, "AUTH_ERROR")

    unblocked = wallet(db_url, "agent", "unblock", agent.username)
    assert unblocked.stdout == f"agent: {agent.username} id: {agent.id} status: active\n"
    third = _token(api, agent.username)

    changed = wallet(db_url, "agent", "password", agent.username)
    assert changed.returncode == 0, changed.stderr
    found = re.fullmatch(
        rf"agent: {agent.username} id: {agent.id} tokens revoked: 1 password: (\S{{16}})\n",
        changed.stdout,
    )
    assert found, changed.stdout
    Server.extra_secrets.add(found[1])
    assert_envelope(api.post("/api/balance", json={}, headers=_bearer(third)), 401, "AUTH_ERROR")
    assert_envelope(login(api, agent.username), 401, "AUTH_ERROR")
    _token(api, agent.username, found[1])

    chosen = "chosen-" + secrets.token_hex(4)
    Server.extra_secrets.add(chosen)
    given = wallet(db_url, "agent", "password", agent.username, "--password", chosen)
    assert given.stdout == (
        f"agent: {agent.username} id: {agent.id} tokens revoked: 1 password: (as given)\n"
    )
    _token(api, agent.username, chosen)

    listed = wallet(db_url, "agent", "list")
    line = rf"agent: {agent.username} id: {agent.id} parent: - currency: PHP status: active"
    assert re.search(line + r" created: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n", listed.stdout)


def test_agent_commands_refuse_bad_input(db_url: str, make_agent: Callable[..., Agent]) -> None:
    agent, nobody = make_agent(), f"nobody_{secrets.token_hex(4)}"
    for args, message in [
        (("agent", "block", nobody), f"wallet: no agent {nobody}"),
        (("agent", "unblock", nobody), f"wallet: no agent {nobody}"),
        (("agent", "password", nobody), f"wallet: no agent {nobody}"),
        (
            ("agent", "password", agent.username, "--password", "short"),
            "wallet: the password must be at least 6 characters",
        ),
    ]:
        done = wallet(db_url, *args)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", message + "\n"), args
    done = wallet(db_url, "agent", "list", "--limit", "100000")
    assert done.returncode == 2 and "from 1 to 10000" in done.stderr

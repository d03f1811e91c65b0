"""The player or sub-agent a request names, within the calling agent's subtree: 404 NOT_FOUND
for one the operator does not have, 403 FORBIDDEN for one outside the subtree (another tree, an
ancestor, a player no agent owns)."""

from __future__ import annotations

from wallet.agents.envelope import ApiError, Code
from wallet.agents.gate import Call
from wallet.directory.agent_players import AgentPlayer, find_agent_player
from wallet.directory.agents import Agent, find_agent

ID_MAX = 2**63 - 1


def _forbidden(what: str) -> ApiError:
    return ApiError(Code.FORBIDDEN, f"{what} is not in your downline", reason="outside_subtree")


def _owned(call: Call, player: AgentPlayer | None) -> AgentPlayer:
    if player is None:
        raise ApiError(Code.NOT_FOUND, "Player not found", reason="unknown_player")
    if not call.agent.owns(player.agent_path):
        raise _forbidden("Player")
    return player


async def player_by_username(call: Call, username: str) -> AgentPlayer:
    found = await find_agent_player(call.ctx.db, call.agent.operator_id, username=username)
    return _owned(call, found)


async def player_by_id(call: Call, player_id: int) -> AgentPlayer:
    if player_id > ID_MAX:
        raise ApiError(Code.NOT_FOUND, "Player not found", reason="unknown_player")
    found = await find_agent_player(call.ctx.db, call.agent.operator_id, player_id=player_id)
    return _owned(call, found)


async def sub_agent(call: Call, username: str) -> Agent:
    """A sub-agent (any level below the caller) by username."""
    found = await find_agent(call.ctx.db, call.agent.operator_id, username=username)
    if found is None:
        raise ApiError(Code.NOT_FOUND, "Agent not found", reason="unknown_agent")
    if found.id == call.agent.id or not call.agent.owns(found.path):
        raise _forbidden("Agent")
    return found

"""POST /agent/commission: an agent's commission rate (the percent of its subtree's GGR it
earns, which the reports apply). With agentTarget or affiliateId it names one of the caller's
direct sub-agents (only the parent sets a rate: a deeper agent is 403 FORBIDDEN, as is anyone
outside the subtree; an unknown one 404); without either, the caller's own rate. With `percent`
(0 to 100, at most 2 decimals) it sets the sub-agent's rate, and the sub-agent gets a
notification (title_key commission.changed, variables oldPercent, newPercent, setBy) in the
same database transaction; without it, it answers the current rate. Setting the caller's own
rate is 400 (its parent sets it)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, field_validator
from starlette.requests import Request

from wallet.agents import fields
from wallet.agents.envelope import ApiError, Code, bad_request
from wallet.agents.gate import Call, Reply, endpoint
from wallet.directory.agents import Agent, find_agent
from wallet.ledger.money import AmountError
from wallet.reporting.commissions import commission_of, set_commission
from wallet.web.amounts import Amount, plain_decimal

ID_DIGITS_MAX = 18


class CommissionRequest(BaseModel):
    agentTarget: str | None = Field(
        default=None, max_length=64, description="A direct sub-agent's username"
    )
    affiliateId: str | int | None = Field(
        default=None, description="A direct sub-agent's id (instead of agentTarget)"
    )
    percent: Decimal | None = Field(
        default=None,
        ge=0,
        le=100,
        decimal_places=2,
        description="The new rate in percent (absent: answer the current one)",
        examples=[2.5],
    )

    @field_validator("percent", mode="before")
    @classmethod
    def _a_number(cls, value: object) -> object:
        if isinstance(value, bool | str):
            raise ValueError("percent must be a number")
        if isinstance(value, int | Decimal):
            try:
                return plain_decimal(value)  # judged as written: no exponent
            except AmountError as error:
                raise ValueError("percent must be a plain decimal number") from error
        return value


class CommissionData(BaseModel):
    affiliateId: str
    username: str
    percent: Decimal = Field(description="The rate now, in percent")
    previousPercent: Decimal | None = Field(description="The rate before this set, else null")
    changed: bool


async def _target(call: Call, wanted: CommissionRequest) -> Agent:
    db, me = call.ctx.db, call.agent
    if wanted.agentTarget:
        found = await find_agent(db, me.operator_id, username=wanted.agentTarget)
    elif wanted.affiliateId is not None and wanted.affiliateId != "":
        text = str(wanted.affiliateId)
        if not text.isascii() or not text.isdigit() or len(text) > ID_DIGITS_MAX:
            raise bad_request("affiliateId must be an agent id (digits)")
        found = await find_agent(db, me.operator_id, agent_id=int(text))
    else:
        return me
    if found is None:
        raise ApiError(Code.NOT_FOUND, "Agent not found", reason="unknown_agent")
    if found.id != me.id and found.parent_id != me.id:
        message = "Only the agent's parent sets its commission"
        raise ApiError(Code.FORBIDDEN, message, reason="not_parent")
    return found


@endpoint("agent_commission")
async def commission(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, CommissionRequest)
    target = await _target(call, wanted)
    db = call.ctx.db
    previous: int | None = None
    if wanted.percent is not None:
        if target.id == call.agent.id:
            raise bad_request("Your own commission is set by your parent")
        new_bp = int(wanted.percent * 100)
        assert new_bp == wanted.percent * 100  # decimal_places=2 made it exact
        previous = await set_commission(db, target, new_bp, call.agent.username, call.agent)
    now_bp = await commission_of(db, target.id)
    return Reply(
        {
            "affiliateId": str(target.id),
            "username": target.username,
            "percent": Amount(now_bp, 2),
            "previousPercent": None if previous is None else Amount(previous, 2),
            "changed": previous is not None and previous != now_bp,
        }
    )

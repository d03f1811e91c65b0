"""POST /reports/transfers (the caller's raw and smart transfers in the range, newest first) and
/reports/settlement (rebates and surcharges of bypass transfers per counterpart agent, with the
rebate accounts' balances now). What each holds: wallet/reporting/moves.py."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field
from starlette.requests import Request

from wallet.agents import fields
from wallet.agents.envelope import iso_utc
from wallet.agents.gate import Call, Reply, endpoint
from wallet.agents.report_window import PagedReportRequest, range_header, window_of
from wallet.reporting.moves import (
    SettlementRow,
    TransferRow,
    settlement_rows,
    transfer_rows,
)
from wallet.web.amounts import Amount


class TransferReportRow(BaseModel):
    panelTransactionId: str
    txId: str | None = Field(description="ST-YYYYMMDD-NNNNNN of a smart transfer, else null")
    source: str = Field(description="raw | smart")
    type: str = Field(description="deposit, withdraw, agent_deposit or agent_withdraw")
    moneyType: str = Field(description="REAL or CREDIT")
    agentUsername: str = Field(description="The agent that moved the money")
    playerUsername: str | None
    targetAgentUsername: str | None
    amount: Decimal
    isBypass: bool
    rebateAmount: Decimal
    surchargeAmount: Decimal
    comment: str | None
    createdAt: str


class TransfersReportData(BaseModel):
    dateFrom: str
    dateTo: str
    timeZone: str
    currency: str
    transfers: list[TransferReportRow]
    count: int
    total: int


class SettlementReportRow(BaseModel):
    affiliateId: str
    username: str
    rebateOwed: Decimal = Field(description="Rebates you accrued to this agent in the range")
    rebateDue: Decimal = Field(description="Rebates this agent accrued to you in the range")
    surchargeOwed: Decimal = Field(description="Surcharges on your bypasses of its players")
    surchargeDue: Decimal = Field(description="Surcharges on its bypasses of your players")
    net: Decimal = Field(description="rebateDue + surchargeDue - rebateOwed - surchargeOwed")
    transactionCount: int
    rebateOwedBalance: Decimal = Field(description="What you owe it in rebates now (all time)")
    rebateDueBalance: Decimal = Field(description="What it owes you in rebates now (all time)")


class SettlementReportData(BaseModel):
    dateFrom: str
    dateTo: str
    timeZone: str
    currency: str
    settlement: list[SettlementReportRow]
    count: int
    total: int


def _transfer(row: TransferRow, exponent: int) -> dict[str, object]:
    return {
        "panelTransactionId": str(row.tx_id),
        "txId": row.st_id,
        "source": row.source,
        "type": row.type,
        "moneyType": row.money_type,
        "agentUsername": row.agent_username,
        "playerUsername": row.player_username,
        "targetAgentUsername": row.target_agent_username,
        "amount": Amount(row.amount_minor, exponent),
        "isBypass": row.is_bypass,
        "rebateAmount": Amount(row.rebate_minor, exponent),
        "surchargeAmount": Amount(row.surcharge_minor, exponent),
        "comment": row.comment,
        "createdAt": iso_utc(row.created_at),
    }


def _settlement(row: SettlementRow, exponent: int) -> dict[str, object]:
    net = (
        row.rebate_due_minor
        + row.surcharge_due_minor
        - row.rebate_owed_minor
        - row.surcharge_owed_minor
    )
    return {
        "affiliateId": str(row.agent_id),
        "username": row.username,
        "rebateOwed": Amount(row.rebate_owed_minor, exponent),
        "rebateDue": Amount(row.rebate_due_minor, exponent),
        "surchargeOwed": Amount(row.surcharge_owed_minor, exponent),
        "surchargeDue": Amount(row.surcharge_due_minor, exponent),
        "net": Amount(net, exponent),
        "transactionCount": row.transaction_count,
        "rebateOwedBalance": Amount(row.rebate_owed_balance_minor, exponent),
        "rebateDueBalance": Amount(row.rebate_due_balance_minor, exponent),
    }


@endpoint("reports_transfers")
async def transfers(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, PagedReportRequest)
    window = window_of(call, wanted)
    total, rows = await transfer_rows(call.ctx.read_db, window, wanted.start, wanted.limit)
    listed = [_transfer(row, call.agent.exponent) for row in rows]
    return Reply(
        range_header(call, window) | {"transfers": listed, "count": len(listed), "total": total}
    )


@endpoint("reports_settlement")
async def settlement(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, PagedReportRequest)
    window = window_of(call, wanted)
    total, rows = await settlement_rows(call.ctx.read_db, window, wanted.start, wanted.limit)
    listed = [_settlement(row, call.agent.exponent) for row in rows]
    return Reply(
        range_header(call, window) | {"settlement": listed, "count": len(listed), "total": total}
    )

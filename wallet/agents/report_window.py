"""The date range every report takes: dateFrom and dateTo, `YYYY/MM/DD` (or YYYY-MM-DD), both
inclusive, as days of the operator's time zone (OPERATOR_TIMEZONE).

Defaults: neither given, this month (today in the operator's zone); only dateFrom, to the end of
its month; only dateTo, from the start of its month. dateFrom after dateTo, a day that does not
exist, or a range over SPAN_DAYS_MAX days is 400 BAD_REQUEST.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from wallet.agents import fields
from wallet.agents.envelope import bad_request
from wallet.agents.gate import Call
from wallet.reporting.activity import Window

SPAN_DAYS_MAX = 366
DATE_PATTERN = r"^\d{4}[/-]\d{2}[/-]\d{2}$"


class ReportRequest(BaseModel):
    """What every report accepts."""

    dateFrom: str | None = Field(
        default=None,
        pattern=DATE_PATTERN,
        description="First day (inclusive), YYYY/MM/DD in the operator's time zone",
        examples=["2026/12/01"],
    )
    dateTo: str | None = Field(
        default=None,
        pattern=DATE_PATTERN,
        description="Last day (inclusive), YYYY/MM/DD; at most 366 days after dateFrom",
        examples=["2026/12/31"],
    )


class PagedReportRequest(ReportRequest):
    start: int = Field(
        default=0, strict=True, ge=0, le=fields.START_MAX, description="Rows to skip"
    )
    limit: int = Field(
        default=fields.LIMIT_DEFAULT,
        strict=True,
        ge=1,
        le=fields.LIMIT_MAX,
        description="Rows to answer",
    )


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.replace("/", "-"))
    except ValueError as error:
        raise bad_request(f"{name} is not a day of the calendar") from error


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def days_of(wanted: ReportRequest, zone: str) -> tuple[date, date]:
    """The first and last day asked for, defaults applied and checked."""
    first, last = _day(wanted.dateFrom, "dateFrom"), _day(wanted.dateTo, "dateTo")
    if first is None and last is None:
        today = datetime.now(ZoneInfo(zone)).date()
        first, last = today.replace(day=1), _month_end(today)
    elif last is None:
        assert first is not None
        last = _month_end(first)
    elif first is None:
        first = last.replace(day=1)
    if first > last:
        raise bad_request("dateFrom must not be after dateTo")
    if (last - first).days + 1 > SPAN_DAYS_MAX:
        raise bad_request(f"The range must be at most {SPAN_DAYS_MAX} days")
    return first, last


def window_of(call: Call, wanted: ReportRequest) -> Window:
    """The caller's subtree over the days asked for, as instants of the operator's zone."""
    zone = call.ctx.settings.operator_timezone
    first, last = days_of(wanted, zone)
    tz = ZoneInfo(zone)
    return Window(
        root=call.agent.id,
        operator_id=call.agent.operator_id,
        currency=call.agent.currency,
        start=datetime.combine(first, time(), tzinfo=tz),
        end=datetime.combine(last + timedelta(days=1), time(), tzinfo=tz),
        zone=zone,
    )


def slash(day: date) -> str:
    return day.strftime("%Y/%m/%d")


def range_header(call: Call, window: Window) -> dict[str, object]:
    """The range an answer covers (defaults applied), in the request's form."""
    return {
        "dateFrom": slash(window.start.date()),
        "dateTo": slash((window.end - timedelta(days=1)).date()),
        "timeZone": window.zone,
        "currency": call.agent.currency,
    }

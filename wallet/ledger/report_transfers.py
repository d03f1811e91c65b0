"""Kept only for loadtest/bench_reports.py (the hot-path issue's file), which still imports the
reports from here: they are wallet/reporting/moves.py. Goes when that file imports them there."""

from wallet.reporting.moves import SETTLEMENT, TRANSFERS

__all__ = ["SETTLEMENT", "TRANSFERS"]

"""Kept only for loadtest/bench_reports.py (the hot-path issue's file), which still imports the
reports' Window from here: it is wallet/reporting/activity.py. Goes when that file follows."""

from wallet.reporting.activity import Window

__all__ = ["Window"]

"""Kept only for loadtest/bench_reports.py (the hot-path issue's file), which still imports the
reports from here: they are wallet/reporting/reports.py. Goes when that file imports them there."""

from wallet.reporting.reports import AGENTS, DAILY, OTHER_PRODUCT, PLAYERS, PRODUCTS, SUMMARY

__all__ = ["AGENTS", "DAILY", "OTHER_PRODUCT", "PLAYERS", "PRODUCTS", "SUMMARY"]

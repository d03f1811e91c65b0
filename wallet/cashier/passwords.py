"""Kept only for loadtest/bench_reports.py (the hot-path issue's file), which still imports
hash_password from here: it is wallet/access/passwords.py. Goes when that file imports it there."""

from wallet.access.passwords import hash_password

__all__ = ["hash_password"]

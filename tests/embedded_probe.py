"""Not collected by the suite (no test_ prefix): tests/test_suite_database.py runs it in a pytest
of its own, on the embedded PostgreSQL under WALLET_TEST_DATA_DIR, as PROBE says: `pass`, `fail`
(an assertion fails) or `hang` (waits to be interrupted, having said so in a file)."""

from __future__ import annotations

import os
import time

from tests.support import TEST_DATA_DIR, throwaway_database
from wallet.db import embedded_running


def test_probe() -> None:
    with throwaway_database():
        assert embedded_running(TEST_DATA_DIR)
        mode = os.environ["PROBE"]
        if mode == "hang":
            (TEST_DATA_DIR / "probe-hanging").touch()
            time.sleep(120)
        assert mode == "pass"

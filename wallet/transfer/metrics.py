"""The transfer-wallet figures on /metrics: pending moves by studio and age, and differences."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Gauge

AGE_BUCKETS = ((60.0, "lt_1m"), (600.0, "1m_10m"), (3600.0, "10m_1h"), (float("inf"), "ge_1h"))

PENDING = Gauge(
    "wallet_transfer_pending",
    "Transfer-wallet moves awaiting the studio's final answer",
    ["studio", "age"],
    multiprocess_mode="livemax",
)
DIFFERENCES = Gauge(
    "wallet_transfer_reconcile_differences",
    "Players whose held balance differed from the studio's at the last comparison",
    ["studio"],
    multiprocess_mode="livemax",
)


def age_bucket(age_s: float) -> str:
    return next(name for limit, name in AGE_BUCKETS if age_s < limit)


def observe_pending(ages: Iterable[tuple[str, float]], studios: Iterable[str]) -> None:
    counts = {(studio, name): 0 for studio in studios for _, name in AGE_BUCKETS}
    for studio, age_s in ages:
        key = (studio, age_bucket(age_s))
        counts[key] = counts.get(key, 0) + 1
    for (studio, name), count in counts.items():
        PENDING.labels(studio=studio, age=name).set(count)

"""How fast is the off-peak calendar for many ledgers? Prints figures; asserts nothing.

    python bench/bench_windows.py [--ledgers 10000] [--moments 200]

Three figures: ledger_statuses() for N ledgers at one moment (what `windows` and the flow
do), a cold ledger_status() per (moment, reading day) (cache misses: the worst case), and
open_windows() over 7 days per reading day.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from cmis_migrate.config import WindowsConfig
from cmis_migrate.windows import Calendar, ledger_statuses


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ledgers", type=int, default=10_000)
    ap.add_argument("--moments", type=int, default=200)
    args = ap.parse_args()
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    rng = random.Random(5)
    ledgers = pd.DataFrame(
        {
            "ledger": [f"PA07{i:07d}" for i in range(args.ledgers)],
            "reading_day": pd.array(
                [rng.randint(1, 31) for _ in range(args.ledgers)], dtype="Int64"
            ),
        }
    )
    base = datetime(2026, 1, 1, tzinfo=tz)
    moments = [base + timedelta(minutes=rng.randint(0, 365 * 24 * 60)) for _ in range(args.moments)]

    cal = Calendar(WindowsConfig(), tz)
    t0 = time.perf_counter()
    for at in moments[:20]:
        ledger_statuses(cal, ledgers, at)
    per_frame = (time.perf_counter() - t0) / 20
    print(f"ledger_statuses: {args.ledgers} ledgers at one moment: {per_frame * 1000:.1f} ms")

    cal = Calendar(WindowsConfig(), tz)
    t0 = time.perf_counter()
    n = 0
    for at in moments:
        for rd in range(1, 32):
            cal.ledger_status(at, rd)
            n += 1
    cold = (time.perf_counter() - t0) / n
    print(
        f"ledger_status: cold (new moment, per reading day): {cold * 1e6:.0f} us per call ({n} calls)"
    )

    cal = Calendar(WindowsConfig(), tz)
    t0 = time.perf_counter()
    for rd in range(1, 32):
        cal.open_windows(base, 7, rd)
    print(f"open_windows: 7 days, 31 reading days: {(time.perf_counter() - t0) * 1000:.1f} ms")


if __name__ == "__main__":
    main()

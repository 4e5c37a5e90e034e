"""How long does `progress` take on a province-sized store? Prints figures; asserts nothing.

    python bench/bench_progress.py [--drafts 790000] [--signed 300000] [--keep DIR]

Builds a SQLite store in a temporary folder (drafts spread over 12 months and 27 branches,
a share of them signed), then times: counting drafts and signed contracts per branch and
local month (in the database), the pure progress frame, and the Excel workbook.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from cmis_migrate.db import store_engine
from cmis_migrate.plan_file import read_plan
from cmis_migrate.progress import progress_frame
from cmis_migrate.reports.progress_excel import write_progress_workbook
from cmis_migrate.store.progress_queries import drafted_per_month, signed_per_month
from cmis_migrate.store.schema import upgrade
from cmis_migrate.store.tables import drafts, signed_contracts

TZ = "Asia/Ho_Chi_Minh"
PLAN = Path(__file__).parents[1] / "site" / "plan.csv"
BATCH = 20_000


def build(engine, n_drafts: int, n_signed: int) -> None:
    rng = random.Random(6)
    start = datetime(2026, 8, 31, 17, 0, tzinfo=UTC)  # 1 September 00:00 in Vietnam
    span = 365 * 24 * 3600
    with engine.begin() as conn:
        rows, signed = [], []
        for i in range(n_drafts):
            branch = f"PA07{rng.randint(1, 27):02d}"
            code = f"{branch}{i:07d}"
            first = start + timedelta(seconds=rng.randrange(span))
            rows.append(
                {
                    "customer_code": code,
                    "contract_no": f"HD{code}",
                    "branch": branch,
                    "station": "S",
                    "ledger": "L",
                    "holder_name": "x",
                    "households": 1,
                    "id_number": "038085001234",
                    "id_type": "CCCD",
                    "address": "x",
                    "supply_address": "x",
                    "metering_point": f"{code}001",
                    "reading_day": 10,
                    "otp_phone": "+84912345678",
                    "draft_hash": "0" * 32,
                    "run_id": "r",
                    "drafted_at": first,
                    "first_drafted_at": first,
                }
            )
            if i < n_signed:
                signed.append(
                    {
                        "customer_code": code,
                        "signed_at": first + timedelta(days=rng.randint(1, 30)),
                        "import_id": "bench",
                    }
                )
            if len(rows) == BATCH:
                conn.execute(insert(drafts), rows)
                rows = []
            if len(signed) == BATCH:
                conn.execute(insert(signed_contracts), signed)
                signed = []
        if rows:
            conn.execute(insert(drafts), rows)
        if signed:
            conn.execute(insert(signed_contracts), signed)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--drafts", type=int, default=790_000)
    ap.add_argument("--signed", type=int, default=300_000)
    ap.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="build the store here and keep it (reused next time)",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        path = folder / "bench_store.sqlite"
        reuse = path.exists()
        engine = store_engine(f"sqlite:///{path}")
        upgrade(engine)
        t = time.perf_counter()
        if reuse:
            print(f"reusing {path} (as built before; --drafts/--signed ignored)")
        else:
            build(engine, args.drafts, args.signed)
            print(
                f"built store: {args.drafts:,} drafts, {args.signed:,} signed in {time.perf_counter() - t:.1f} s"
            )

        t = time.perf_counter()
        drafted = drafted_per_month(engine, TZ)
        t_d = time.perf_counter() - t
        t = time.perf_counter()
        signed = signed_per_month(engine, TZ)
        t_s = time.perf_counter() - t
        print(f"drafted per branch and month: {t_d:.2f} s ({args.drafts / t_d:,.0f} drafts/s)")
        print(f"signed per branch and month:  {t_s:.2f} s (joined to drafts and customers)")

        plan = read_plan(PLAN)
        t = time.perf_counter()
        frame = progress_frame(plan, drafted, signed, "2027-08")
        print(f"progress frame: {len(frame)} rows in {(time.perf_counter() - t) * 1000:.1f} ms")

        t = time.perf_counter()
        out = write_progress_workbook(
            folder / "progress.xlsx",
            frame,
            "2027-08",
            timezone=TZ,
            generated_at=datetime.now(UTC),
            plan_file=str(PLAN),
        )
        size = out.stat().st_size / 1024
        print(f"Excel workbook with charts: {time.perf_counter() - t:.2f} s, {size:.0f} KiB")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process: {peak:.0f} MiB")
        engine.dispose()


if __name__ == "__main__":
    main()

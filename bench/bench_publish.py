"""Data Docs and the drafts CSV at the province's size, without running the pipeline.

    python bench/bench_publish.py [--stations 3291] [--per-station 240] [--work DIR] [--reuse]

Writes a synthetic SQLite store (kept in --work with --reuse: writing it takes minutes) of
stations x customers with the province's mix (~38% ready and drafted, ~42% to review, ~20%
blocked, 1-2 issues per held-back customer, one GX summary of 21 expectations per station),
then times what publishing does after three nights:

  1. first: every station's page written, the drafts CSV written;
  2. quiet: a run with nothing re-evaluated (batch rows only);
  3. 1% changed: 1% of the stations evaluated again (a new GX summary, some outcomes moved,
     their drafts redrafted).

The same script runs against an older checkout (no incremental publishing): then every night
rebuilds the whole site and writes the whole CSV. Figures only: nothing asserted; the machine
may be shared, so repeat and read the spread.
"""

from __future__ import annotations

import argparse
import random
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select, update

from cmis_migrate.db import store_engine
from cmis_migrate.reports.data_docs import build_data_docs
from cmis_migrate.store import runs
from cmis_migrate.store.schema import upgrade
from cmis_migrate.store.tables import (
    batches,
    customer_issues,
    customers,
    drafts,
    validation_results,
)
from cmis_migrate.store.units import save_units

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WARDS = [f"Phường {i}" for i in range(559)]
RULES = [
    ("PHONE_MISSING", "blocking"),
    ("PHONE_SHARED", "blocking"),
    ("ID_MISSING", "blocking"),
    ("ID_CMND_EXPIRED", "warning"),
    ("ADDRESS_WARD_UNKNOWN", "warning"),
    ("EMAIL_DOMAIN_TYPO", "warning"),
    ("NAME_SUSPICIOUS", "warning"),
    ("HOUSEHOLDS_INVALID", "blocking"),
    ("ID_ISSUE_DATE_INVALID", "warning"),
    ("PHONE_LANDLINE", "warning"),
]
COLUMNS = ["customer_code", "phone_normalized", "id_number_normalized", "email_normalized",
           "address_ward", "outcome", "id_type"]  # fmt: skip
KINDS = [
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_unique",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_match_regex",
]


def gx_summary(rng: random.Random) -> tuple[bool, dict]:
    out = []
    for i in range(21):
        bad = rng.random() < 0.02
        out.append(
            {"expectation": KINDS[i % 4], "column": COLUMNS[i % len(COLUMNS)], "success": not bad,
             "unexpected_count": 3 if bad else 0, "unexpected_percent": 1.2 if bad else 0.0,
             "partial_unexpected_list": ["091****678", "037****234"] if bad else []}
        )  # fmt: skip
    return all(e["success"] for e in out), {"expectations": out}


def night(engine, run_id: str, day: int, stations: list[str], validated: set[str], rng) -> None:
    at = datetime(2026, 3, day, 16, tzinfo=UTC)
    runs.start_run(engine, run_id, kind="run", as_of=at, flow_run_id=None)
    runs.plan_batches(
        engine, run_id, [{"station": s, "branch": s[:6], "position": i}
                         for i, s in enumerate(stations)]
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(update(batches).where(batches.c.run_id == run_id).values(state="succeeded"))
        rows = []
        for s in sorted(validated):
            ok, result = gx_summary(rng)
            rows.append({"run_id": run_id, "station": s, "success": ok, "evaluated": 21,
                         "failed": sum(not e["success"] for e in result["expectations"]),
                         "result": result, "created_at": at})  # fmt: skip
        if rows:
            conn.execute(insert(validation_results), rows)
    runs.finish_run(engine, run_id, "succeeded")


def draft_row(code: str, station: str, run_id: str, at: datetime) -> dict:
    row = {c.name: None for c in drafts.columns}
    row.update(
        customer_code=code, contract_no=f"DT-{code}", branch=station[:6], station=station,
        ledger=f"{station}A", holder_name="Nguyễn Văn An", households=1,
        id_number="038085001234", id_type="CCCD", id_issue_date="2021-04-12",
        id_issue_place="Cục CS QLHC về TTXH",
        address="Thôn 3, Xã Hà Bình, Huyện Hà Trung, Tỉnh Thanh Hóa",
        supply_address="Thôn 3, Xã Hà Bình, Huyện Hà Trung, Tỉnh Thanh Hóa",
        metering_point=f"{code}001", meter_no="12345678", reading_day=5,
        otp_phone="+84912345678", email="an@gmail.com", paper_contract_no="HD-001",
        draft_hash="0" * 32, run_id=run_id, drafted_at=at, first_drafted_at=at,
    )  # fmt: skip
    return row


def seed(url: str, n_stations: int, per_station: int) -> list[str]:
    engine = store_engine(url)
    upgrade(engine)
    rng = random.Random(16)
    stations = [f"PA07{1 + i % 27:02d}T{i:04d}" for i in range(n_stations)]
    save_units(engine, {f"PA07{b:02d}": f"Điện lực {b}" for b in range(1, 28)},
               now=datetime.now(UTC))  # fmt: skip
    at = datetime(2026, 3, 10, 16, tzinfo=UTC)
    t = time.perf_counter()
    for k in range(0, n_stations, 100):
        cust, issues, drafted = [], [], []
        for s in stations[k : k + 100]:
            for j in range(per_station):
                code = f"{s[:6]}{s[-4:]}{j:04d}"
                r = rng.random()
                outcome = "ready" if r < 0.38 else "needs_review" if r < 0.8 else "blocked"
                cust.append({"customer_code": code, "branch": s[:6], "station": s,
                             "ledger": f"{s}A", "content_hash": "h" * 32, "outcome": outcome,
                             "run_id": "run-1", "changed_at": at})  # fmt: skip
                if outcome == "ready":
                    drafted.append(draft_row(code, s, "run-1", at))
                    continue
                for rule, sev in rng.sample(RULES, rng.choice((1, 1, 2))):
                    if outcome == "needs_review" and sev == "blocking":
                        sev = "warning"
                    issues.append({"customer_code": code, "station": s, "field": "phone",
                                   "rule": rule, "severity": sev, "message": "m",
                                   "run_id": "run-1"})  # fmt: skip
        with engine.begin() as conn:
            conn.execute(insert(customers), cust)
            conn.execute(insert(customer_issues), issues)
            conn.execute(insert(drafts), drafted)
    night(engine, "run-1", 10, stations, set(stations), rng)
    engine.dispose()
    print(f"  store written: {n_stations:,} stations x {per_station} in "
          f"{time.perf_counter() - t:.0f} s")  # fmt: skip
    return stations


def change(engine, run_id: str, stations: list[str], rng) -> None:
    """1% of the stations evaluated again: some outcomes moved, their drafts redrafted."""
    at = datetime(2026, 3, 12, 16, tzinfo=UTC)
    picked = rng.sample(stations, max(1, len(stations) // 100))
    night(engine, run_id, 12, stations, set(picked), rng)
    with engine.begin() as conn:
        for s in picked:
            codes = list(
                conn.execute(
                    select(customers.c.customer_code)
                    .where(customers.c.station == s, customers.c.outcome == "ready")
                    .limit(5)
                ).scalars()
            )
            conn.execute(
                update(customers).where(customers.c.customer_code.in_(codes[:2]))
                .values(outcome="blocked", run_id=run_id)
            )  # fmt: skip
            conn.execute(delete(drafts).where(drafts.c.customer_code.in_(codes)))
            conn.execute(insert(drafts), [draft_row(c, s, run_id, at) for c in codes[2:]])


def publish_csv(engine, out: Path) -> str:
    try:
        from cmis_migrate.reports.publish import publish_drafts
    except ImportError:  # an older checkout: the CSV written every time, from frames
        from cmis_migrate.reports.drafts_export import export_drafts_csv
        from cmis_migrate.store.queries import drafts_chunks  # type: ignore[attr-defined]

        export_drafts_csv(drafts_chunks(engine), out)
        return "written"
    return "written" if publish_drafts(engine, out) else "kept"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stations", type=int, default=3291)
    ap.add_argument("--per-station", type=int, default=240)
    ap.add_argument("--work", type=Path, default=Path("/tmp/cmis-bench-publish"))
    ap.add_argument("--reuse", action="store_true", help="keep the synthetic store for next time")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    seeded = args.work / f"seed_{args.stations}x{args.per_station}.sqlite"
    print(f"{args.stations:,} stations x {args.per_station} customers (SQLite, {args.work})")
    if not (args.reuse and seeded.exists()):
        seeded.unlink(missing_ok=True)
        seed(f"sqlite:///{seeded}", args.stations, args.per_station)
    store = args.work / "store.sqlite"
    shutil.copy(seeded, store)
    site = args.work / "site"
    shutil.rmtree(site, ignore_errors=True)
    engine = store_engine(f"sqlite:///{store}")
    with engine.connect() as conn:
        stations = list(
            conn.execute(select(batches.c.station).where(batches.c.run_id == "run-1")).scalars()
        )
    rng = random.Random(12)
    print(f"  {'night':<12} {'Data Docs':>10} {'pages written':>14} {'drafts CSV':>11}")
    for label, run_id in (("first", "run-1"), ("quiet", "run-2"), ("1% changed", "run-3")):
        if run_id == "run-2":
            night(engine, run_id, 11, stations, set(), rng)
        elif run_id == "run-3":
            change(engine, run_id, stations, rng)
        t = time.perf_counter()
        docs = build_data_docs(engine, run_id, site / "data_docs", wards=WARDS, tz=TZ)
        docs_s = time.perf_counter() - t
        written = getattr(docs, "written", None)
        written = f"{len(written):,}" if written is not None else f"all ({docs.pages:,})"
        t = time.perf_counter()
        state = publish_csv(engine, site / "drafts" / "drafts.csv")
        csv_s = time.perf_counter() - t
        print(f"  {label:<12} {docs_s:>8.1f} s {written:>14} {csv_s:>6.1f} s {state}")
    engine.dispose()


if __name__ == "__main__":
    main()

"""Seed the whole province (789,622 customers) into a fresh demo CMIS and print the figures.

    python bench/bench_seed.py [--customers N] [--seed S] [--postgres URL] [--keep PATH]

Prints wall time, customers per second and the process's peak memory (ru_maxrss) for
iter_raw_frames alone, for seed_demo on SQLite, and on PostgreSQL when --postgres is given
(its demo tables are dropped and re-created: use a database of your own).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from cmis_migrate.demo.generator import iter_raw_frames, seed_demo

PROVINCE = 789_622


def peak_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def report(what: str, n: int, seconds: float) -> None:
    print(
        f"{what:<32} {n:>9,} customers  {seconds:7.1f} s  {n / seconds:>9,.0f} rows/s  "
        f"peak RSS {peak_mb():6.0f} MB",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=PROVINCE)
    ap.add_argument("--seed", type=int, default=2020)
    ap.add_argument("--postgres", metavar="URL", help="also seed this PostgreSQL database")
    ap.add_argument("--keep", type=Path, help="write the SQLite file here (default: a temp dir)")
    ap.add_argument("--skip-frames", action="store_true", help="skip the iter_raw_frames pass")
    args = ap.parse_args()

    if not args.skip_frames:
        t = time.perf_counter()
        rows = sum(len(f) for f in iter_raw_frames(args.customers, args.seed))
        report("iter_raw_frames (no database)", rows, time.perf_counter() - t)

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "cmis_demo.sqlite"
        summary = seed_demo(f"sqlite:///{path}", args.customers, args.seed, force=True)
        size = path.stat().st_size / 2**20
        report(f"seed_demo SQLite ({size:,.0f} MB)", summary.customers, summary.seconds)
        print(
            f"  {summary.branches} branches, {summary.stations:,} stations, "
            f"{summary.ledgers:,} ledgers",
            flush=True,
        )

    if args.postgres:
        summary = seed_demo(args.postgres, args.customers, args.seed, force=True)
        report("seed_demo PostgreSQL", summary.customers, summary.seconds)


if __name__ == "__main__":
    main()

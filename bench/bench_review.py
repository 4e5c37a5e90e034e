"""Figures for the validation and review loop (prints them; asserts nothing).

- the GX suite per station batch (~250 rows): BOOLEAN_ONLY pass/fail, the SUMMARY rerun of a
  failing batch, and COMPLETE (failing_rows, never in the nightly path);
- a demo CMIS run through the pipeline (no Prefect), then what `publish` builds at the edge:
  one review workbook per branch and the GX Data Docs of the run.

    python bench/bench_review.py --customers 20000 --keep /tmp/bench-review
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd
import yaml


def timed(fn, repeat: int) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def bench_gx(repeat: int) -> None:
    from cmis_migrate.demo.generator import iter_raw_frames
    from cmis_migrate.reference import province_wards
    from cmis_migrate.transforms import normalize_customers
    from cmis_migrate.validators.expectations import failing_rows, run_expectations

    raw = next(iter_raw_frames(250, 7))
    frame = pd.concat([raw, normalize_customers(raw, today=date(2026, 3, 10))], axis=1)
    frame["outcome"] = "ready"
    wards = province_wards("Thanh Hóa")
    bad = frame.copy()
    bad.loc[bad.index[0], "outcome"] = None
    run_expectations(frame, wards)  # GX import and suite build (~3 s) once per process
    for name, f, fn in (
        ("BOOLEAN_ONLY, batch passes", frame, run_expectations),
        ("BOOLEAN_ONLY + SUMMARY, batch fails", bad, run_expectations),
        ("COMPLETE (failing_rows, not nightly)", bad, failing_rows),
    ):
        wall, cpu = timed(lambda f=f, fn=fn: fn(f, wards), repeat)
        print(
            f"GX suite, {len(f)} rows, {name}: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU"
        )


def run_demo(folder: Path, customers: int, seed: int):
    from cmis_migrate.config import load_config
    from cmis_migrate.demo.generator import seed_demo
    from cmis_migrate.run_control import begin_run, close_run, plan_run
    from cmis_migrate.runtime import build_runtime
    from cmis_migrate.station_group import process_station

    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "cmis.sqlite").exists():
        seed_demo(f"sqlite:///{folder / 'cmis.sqlite'}", customers, seed)
    cfg_data = {
        "source": {"url": "sqlite:///cmis.sqlite"},
        "store": {"url": "sqlite:///store.sqlite"},
        "paths": {"work": "work", "staff_phones_file": None},
        "windows": {
            "allowed_hours": {"start": "00:00", "end": "00:00"},
            "billing_days": 0,
            "debt_clearing_days": [],
            "report_aggregation_days": [],
        },
    }
    (folder / "config.yaml").write_text(yaml.safe_dump(cfg_data), encoding="utf-8")
    cfg = load_config(folder / "config.yaml", env={})
    t0 = time.perf_counter()
    rt = build_runtime(cfg)  # closed when the process ends
    handle = begin_run(rt, kind="run", at="2026-03-10T23:00:00+07:00", flow_run_id=None)
    plan_run(rt, handle, stations=None, failed_only=False)
    results = [process_station(job, rt, handle.clock).as_dict() for job in handle.jobs]
    summary = close_run(rt, handle, results)
    print(
        f"pipeline (no Prefect): {customers:,} customers, {len(handle.jobs)} station batches in "
        f"{time.perf_counter() - t0:.1f} s: {summary['totals']}"
    )
    return cfg, rt, handle.run_id


def bench_publish(cfg, rt, run_id: str) -> None:
    from cmis_migrate.db import utcnow
    from cmis_migrate.reports.branch_report import issue_branch_report
    from cmis_migrate.reports.data_docs import build_data_docs
    from cmis_migrate.store import review

    branches = review.known_branches(rt.store)
    t0 = time.perf_counter()
    sizes = []
    for b in branches:
        t = time.perf_counter()
        rep = issue_branch_report(
            rt.store, b, cfg.paths.reports / f"review_{b}.xlsx", now=utcnow(), tz=cfg.tz
        )
        sizes.append((time.perf_counter() - t, len(rep.rows), b))
    total = time.perf_counter() - t0
    slowest = max(sizes)
    print(
        f"review workbooks: {len(branches)} branches, {sum(s[1] for s in sizes):,} issue rows in "
        f"{total:.1f} s (slowest: {slowest[2]}, {slowest[1]:,} rows, {slowest[0]:.2f} s)"
    )
    docs = build_data_docs(rt.store, run_id, cfg.paths.data_docs, wards=rt.wards, tz=cfg.tz)
    size = sum(p.stat().st_size for p in cfg.paths.data_docs.rglob("*") if p.is_file())
    print(
        f"Data Docs: {docs.pages} station pages in {docs.seconds:.1f} s "
        f"({size / 1e6:.1f} MB, GX import included when first)"
    )
    docs = build_data_docs(rt.store, run_id, cfg.paths.data_docs, wards=rt.wards, tz=cfg.tz)
    print(f"Data Docs again (GX imported): {docs.pages} pages in {docs.seconds:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=2020)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--keep", type=Path, help="work folder to keep (default: a temp folder)")
    ap.add_argument("--skip-gx", action="store_true")
    args = ap.parse_args()
    if not args.skip_gx:
        bench_gx(args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        cfg, rt, run_id = run_demo(folder, args.customers, args.seed)
        bench_publish(cfg, rt, run_id)


if __name__ == "__main__":
    main()

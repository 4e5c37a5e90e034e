"""The whole nightly flow over the province (789,622 customers), timed stage by stage.

    python bench/bench_nightly.py [--customers N] [--work DIR] [--reuse] [--postgres URL]
                                  [--runner local|dask] [--parallel 2] [--task-customers N]
                                  [--nights 3]

Seeds a demo CMIS (seed_demo; with --reuse an existing seeded file/database of the same size is
kept), writes a config with every window open (allowed_hours 00:00-00:00, billing_days 0, no
company days) and runs the real Prefect flow (temporary local API, as `cmis-migrate run`) on a
fresh store: SQLite files in --work, or with --postgres URL both CMIS and the store in that
PostgreSQL database (CMIS tables re-seeded unless --reuse, store tables dropped first: use a
database of your own). Then runs it again over the unchanged data.

Prints: wall and CPU time; records/second per stage from the batches' stage timers
(batches.<stage>_seconds: summed over stations, so across parallel workers a stage's seconds
can exceed the wall); rows read from CMIS per second; peak memory (this process, its largest
child, and the sampled sum of the process tree, with samples along the run to show whether it
grows with the stations done); the Prefect share (tasks x measured per-task overhead vs the
flow's wall); then the runs over unchanged data (the second one also re-evaluates the customers
whose cross-station counts the first run could not know yet). Figures only: nothing asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import yaml
from sqlalchemy import create_engine, func, select, text

PROVINCE = 789_622
SEED = 2020
OPEN_ALL_DAY = {
    "allowed_hours": {"start": "00:00", "end": "00:00"},
    "billing_days": 0,
    "debt_clearing_days": [],
    "report_aggregation_days": [],
}
STAGES = ("extract", "normalize", "validate", "gx", "draft", "write")
FIRST_NIGHT = datetime.fromisoformat("2026-03-10T23:00:00+07:00")


def mb(kb: float) -> str:
    return f"{kb / 1024:,.0f} MB"


def peak_kb() -> tuple[int, int]:
    """ru_maxrss of this process and of its largest waited-for child (KB on Linux)."""
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return self_kb, child_kb


class RssSampler(threading.Thread):
    """Every second: RSS of this process and of all its children (Prefect server, Dask
    workers), with the number of station batches finished so far in the store."""

    def __init__(self, store_url: str):
        super().__init__(daemon=True)
        self.samples: list[tuple[float, int, int, int]] = []  # t, self kB, tree kB, done
        self._halt = threading.Event()
        self._engine = create_engine(store_url)
        self._t0 = time.perf_counter()

    def _done(self) -> int:
        try:
            with self._engine.connect() as conn:
                return conn.execute(
                    text("select count(*) from batches where finished_at is not null")
                ).scalar_one()
        except Exception:  # the store may not exist yet
            return 0

    def run(self) -> None:
        me = psutil.Process()
        while not self._halt.wait(1.0):
            try:
                own = me.memory_info().rss
                tree = own + sum(c.memory_info().rss for c in me.children(recursive=True))
            except psutil.Error:
                continue
            self.samples.append((time.perf_counter() - self._t0, own // 1024, tree // 1024, 0))
            if len(self.samples) % 5 == 1:  # the store count every 5 s is plenty
                t, o, tr, _ = self.samples[-1]
                self.samples[-1] = (t, o, tr, self._done())

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)
        self._engine.dispose()


def seed(url: str, n: int, reuse: bool) -> None:
    from cmis_migrate.demo.generator import seed_demo

    if reuse:
        try:
            engine = create_engine(url)
            with engine.connect() as conn:
                have = conn.execute(text('select count(*) from "HDG_DIEM_DO"')).scalar_one()
            engine.dispose()
            if have == n:
                print(f"CMIS: reusing {n:,} customers at {safe(url)}", flush=True)
                return
            print(f"CMIS: {have:,} customers there, {n:,} wanted: seeding again", flush=True)
        except Exception:
            pass
    t = time.perf_counter()
    summary = seed_demo(url, n, SEED, force=True)
    print(
        f"CMIS: seeded {summary.customers:,} customers, {summary.stations:,} stations, "
        f"{summary.ledgers:,} ledgers in {time.perf_counter() - t:.0f} s",
        flush=True,
    )


def safe(url: str) -> str:
    from cmis_migrate.db import safe_url

    return safe_url(url)


def reset_store(url: str) -> None:
    """An empty store: SQLite file removed; PostgreSQL store tables and alembic_version dropped."""
    from cmis_migrate.db import sqlite_path
    from cmis_migrate.store.tables import metadata

    path = sqlite_path(url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = create_engine(url)
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("drop table if exists alembic_version"))
    engine.dispose()


def write_config(work: Path, args, source: str, store: str) -> Path:
    data = {
        "source": {"url": source},
        "store": {"url": store},
        "paths": {"work": "work", "staff_phones_file": None},
        "windows": OPEN_ALL_DAY,
        "load": {
            "max_ledgers_at_once": 2,
            "parallel_batches": args.parallel,
            "customers_per_task": args.task_customers,
        },
        "runner": args.runner,
        "dask": {"n_workers": args.parallel, "threads_per_worker": 1},
    }
    path = work / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def prefect_task_overhead(runner: str, workers: int, n: int = 300) -> float:
    """Seconds of wall per task run on this API and task runner: n no-op tasks submitted and
    awaited inside one flow (flow start, end and the runner's start not counted), divided by n."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE
    from prefect.task_runners import ThreadPoolTaskRunner

    @task(cache_policy=NO_CACHE, persist_result=False)
    def noop(i: int) -> int:
        return i

    @flow(persist_result=False)
    def many(k: int) -> float:
        noop.submit(-1).result()  # the task runner is up (a Dask cluster starts on first use)
        t = time.perf_counter()
        futures = [noop.submit(i) for i in range(k)]
        for f in futures:
            f.result()
        return time.perf_counter() - t

    runner_obj = ThreadPoolTaskRunner(max_workers=workers)
    if runner == "dask":  # the same kind of runner as the nightly flow
        from prefect_dask import DaskTaskRunner

        runner_obj = DaskTaskRunner(
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": "127.0.0.1:0",
            }
        )
    return many.with_options(task_runner=runner_obj)(n) / n


def stage_figures(store_url: str, run_id: str) -> dict:
    from cmis_migrate.store.tables import batches, runs

    cols = [func.sum(batches.c[f"{s}_seconds"]) for s in STAGES]
    counts = [
        func.sum(batches.c[c])
        for c in ("customers", "unchanged", "rows_read", "queries", "drafted", "deferred")
    ]
    engine = create_engine(store_url)
    with engine.connect() as conn:
        row = conn.execute(
            select(
                *cols,
                *counts,
                func.count(),
                func.min(batches.c.started_at),
                func.max(batches.c.finished_at),
                func.sum(batches.c.cmis_seconds),
            ).where(batches.c.run_id == run_id)
        ).one()
        run = conn.execute(
            select(runs.c.started_at, runs.c.finished_at).where(runs.c.run_id == run_id)
        ).one()
    engine.dispose()
    seconds = dict(zip(STAGES, (float(v or 0) for v in row[: len(STAGES)]), strict=True))
    names = ("customers", "unchanged", "rows_read", "queries", "drafted", "deferred")
    values = dict(
        zip(names, (int(v or 0) for v in row[len(STAGES) : len(STAGES) + 6]), strict=True)
    )
    stations, first_start, last_finish, cmis_seconds = row[len(STAGES) + 6 :]
    return {
        "seconds": seconds,
        **values,
        "stations": stations,
        "cmis_seconds": float(cmis_seconds or 0),
        "run_started": run.started_at,
        "run_finished": run.finished_at,
        "first_batch": first_start,
        "last_batch": last_finish,
    }


def print_stages(fig: dict, wall: float, returned) -> None:
    read = fig["rows_read"]
    evaluated = fig["customers"] - fig["unchanged"] - fig["deferred"]
    print(
        f"  {read:,} customers read, {evaluated:,} evaluated, {fig['unchanged']:,} unchanged "
        "(skipped after the hash check in normalize and the count check in validate)"
    )
    print("  stage        seconds   customers read/s  (seconds summed over stations)")
    for s in STAGES:
        sec = fig["seconds"][s]
        rate = read / sec if sec else float("nan")
        print(f"  {s:<10} {sec:9.1f}   {rate:>12,.0f}")
    busy = sum(fig["seconds"].values())
    print(f"  all stages {busy:10.1f} s of station work in {wall:.1f} s of flow wall")
    print(
        f"  CMIS: {fig['rows_read']:,} rows in {fig['queries']:,} queries: "
        f"{fig['rows_read'] / fig['cmis_seconds'] if fig['cmis_seconds'] else 0:,.0f} rows/s "
        f"inside queries, {fig['rows_read'] / wall:,.0f} rows/s over the flow"
    )
    plan = (fig["first_batch"] - fig["run_started"]).total_seconds()
    close = (fig["run_finished"] - fig["last_batch"]).total_seconds()
    publish = (returned - fig["run_finished"]).total_seconds()
    print(
        f"  plan (inventory, batch rows) {plan:.1f} s; close {close:.1f} s; "
        f"after the run closed (publish: drafts CSV, reports) {publish:.1f} s"
    )


def run_night(cfg, at: str) -> tuple[dict, float, float, datetime]:
    from cmis_migrate.flows.nightly import run_nightly

    t, c = time.perf_counter(), time.process_time()
    summary = run_nightly(cfg, at=at)
    return summary, time.perf_counter() - t, time.process_time() - c, datetime.now(UTC)


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=PROVINCE)
    ap.add_argument("--work", type=Path, default=Path("/tmp/cmis-bench"))
    ap.add_argument("--reuse", action="store_true", help="keep a seeded CMIS of the same size")
    ap.add_argument("--postgres", metavar="URL", help="CMIS and store in this PostgreSQL db")
    ap.add_argument("--runner", choices=("local", "dask"), default="local")
    ap.add_argument("--parallel", type=int, default=2, help="threads, or Dask workers")
    ap.add_argument("--task-customers", type=int, default=20_000)
    ap.add_argument("--nights", type=int, default=3, help="runs: the first, then unchanged data")
    args = ap.parse_args()

    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    if args.postgres:
        source = store = args.postgres
    else:
        source = f"sqlite:///{work / f'cmis_{args.customers}.sqlite'}"
        store = f"sqlite:///{work / 'store.sqlite'}"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} cores, load average {load}; runner {args.runner} "
        f"x{args.parallel}; at most {args.task_customers:,} customers per task",
        flush=True,
    )
    seed(source, args.customers, args.reuse)
    reset_store(store)

    from cmis_migrate.config import load_config
    from cmis_migrate.prefect_setup import prefect_session

    cfg = load_config(write_config(work, args, source, store), env={})
    sampler = RssSampler(store)
    t = time.perf_counter()
    with prefect_session(cfg):
        print(f"Prefect API up in {time.perf_counter() - t:.1f} s", flush=True)
        overhead = prefect_task_overhead(args.runner, args.parallel)
        print(f"Prefect: {overhead * 1000:.1f} ms per task run (300 no-op tasks)", flush=True)
        for night in range(args.nights):
            at = (FIRST_NIGHT + timedelta(days=night)).isoformat()
            if night == 0:
                sampler.start()
            cpu_children0 = children_cpu()
            summary, wall, cpu, returned = run_night(cfg, at)
            if night == 0:
                sampler.stop()
            fig = stage_figures(store, summary["run_id"])
            n = fig["customers"]
            what = "first run" if night == 0 else f"run {night + 1} over unchanged data"
            children = children_cpu() - cpu_children0
            print(
                f"\n{what}: {summary['state']}, {n:,} customers, {fig['stations']:,} stations: "
                f"{wall:.1f} s wall ({wall / 60:.1f} min), {n / wall:,.0f} customers/s; "
                f"CPU {cpu:.1f} s in this process"
                + (f" + {children:.1f} s in finished children" if children > 0.5 else ""),
                flush=True,
            )
            print_stages(fig, wall, returned)
            if night == 0:
                tasks = len(task_groups_of(cfg))
                print(
                    f"  Prefect share: {tasks} tasks x {overhead * 1000:.1f} ms = "
                    f"{tasks * overhead:.1f} s = {tasks * overhead / wall:.1%} of the flow (a task "
                    f"per station: {fig['stations']:,} x {overhead * 1000:.1f} ms = "
                    f"{fig['stations'] * overhead:.1f} s = {fig['stations'] * overhead / wall:.1%})"
                )
                self_kb, child_kb = peak_kb()
                tree = max((s[2] for s in sampler.samples), default=0)
                print(
                    f"  peak memory: this process {mb(self_kb)}, largest child {mb(child_kb)}, "
                    f"sampled process tree {mb(tree)}"
                )
                print_rss_along(sampler.samples, fig["stations"])
    self_kb, child_kb = peak_kb()
    print(f"\npeak RSS overall: this process {mb(self_kb)}, largest child {mb(child_kb)}")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def task_groups_of(cfg) -> list:
    """The task groups the flow made (re-planned from the source: same inventory, same order)."""
    from cmis_migrate.flows.nightly import task_groups
    from cmis_migrate.model import ReadStats
    from cmis_migrate.planning import plan_jobs
    from cmis_migrate.runtime import opened_runtime

    with opened_runtime(cfg) as rt:
        jobs = plan_jobs("bench", rt.source.inventory(ReadStats()))
    return task_groups(cfg, jobs)


def print_rss_along(samples: list[tuple[float, int, int, int]], stations: int) -> None:
    """RSS when 10%, 25%, 50%, 75% and 100% of the station batches were done."""
    marks = [s for s in samples if s[3]]
    if not marks or not stations:
        return
    line = []
    for frac in (0.1, 0.25, 0.5, 0.75, 1.0):
        hit = next((s for s in marks if s[3] >= frac * stations), marks[-1])
        line.append(f"{frac:.0%}: {mb(hit[1])} / tree {mb(hit[2])}")
        if hit is marks[-1]:
            break
    print("  RSS as stations finish (this process / process tree): " + "; ".join(line))


if __name__ == "__main__":
    sys.exit(main())

"""Four nights of `cmis-migrate run` over the seeded province, timed as a user waits for them.

    python bench/bench_nightly.py [--customers N] [--store sqlite|postgres|both]
                                  [--postgres URL] [--work DIR] [--reuse] [--row-writes]
                                  [--runner local|dask] [--parallel 2] [--task-customers N]
                                  [--nights 1|2|3|4] [--incremental]

For each store (SQLite files in --work; PostgreSQL: CMIS and the store as databases of their
own in the server at --postgres, created here and dropped at the end) the demo CMIS is seeded
once (kept for the next time with --reuse), copied, and four nights are run on a fresh store,
each as the whole command a user runs (`/usr/bin/time -v cmis-migrate run --at ...` in a
subprocess, every window open):

  1. first night: every customer read, evaluated, drafted, written, published;
  2. second night, after ~1% of the customers changed in CMIS during the day (a new phone and
     address, NGAY_HLUC set to that day: cmis_migrate.demo.changes);
  3. a quiet night: nothing changed in CMIS (the customers whose cross-station counts the
     second night's changes moved after their ledger was read are evaluated again);
  4. quiet again: nothing changed in CMIS nor in the store since the night before.

Prints first the whole command's wall time and its peak memory (/usr/bin/time's maximum RSS of
the largest process, and the sampled RSS sum of the process tree: the CLI, the temporary Prefect
server, Dask workers; on SQLite also the peak size of the store's write-ahead log), then per stage from the store's run ledger (batches.<stage>_seconds,
summed over stations, so across parallel workers a stage can exceed the wall): store writes,
extraction, evaluation (normalize + validate + GX + draft); publishing (drafts CSV, review
workbooks, Data Docs) is the command's end minus the run's close, and "after last station" the
command's end minus the last station batch's commit (the workbooks the run still waited for
come in here, not in "publish"). --row-writes writes the store
row by row (the writer before the bulk writes) to compare. --incremental turns load.incremental
on in the config it writes (only the ledgers changed since their last read are read; the
"ledgers read" column says how many were). Figures only: nothing asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import psutil
import yaml
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

PROVINCE = 789_622
SEED = 2020
CHANGE_SEED = 16
OPEN_ALL_DAY = {
    "allowed_hours": {"start": "00:00", "end": "00:00"},
    "billing_days": 0,
    "debt_clearing_days": [],
    "report_aggregation_days": [],
}
NIGHTS = (
    ("first", "2026-03-10T23:00:00+07:00"),
    ("after a 1% change", "2026-03-11T23:00:00+07:00"),
    ("quiet", "2026-03-12T23:00:00+07:00"),
    ("quiet again", "2026-03-13T23:00:00+07:00"),
)
CHANGED_ON = date(2026, 3, 11)  # the day before the second night
EVALUATE = ("normalize", "validate", "gx", "draft")
ROW_WRITES_ENV = "CMIS_MIGRATE_ROW_WRITES"  # cmis_migrate.store.unit_of_work's private switch
CLI = Path(sys.executable).with_name("cmis-migrate")


def mb(kb: float) -> str:
    return f"{kb / 1024:,.0f} MB"


class TreeSampler(threading.Thread):
    """RSS summed over a process and all its descendants, every half second; keeps the peak."""

    def __init__(self, pid: int, wal: Path | None = None):
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.wal = wal  # SQLite store: its write-ahead log, whose peak size is kept too
        self.wal_peak = 0
        self._proc = psutil.Process(pid)
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.5):
            try:
                procs = [self._proc, *self._proc.children(recursive=True)]
            except psutil.Error:
                return
            total = 0
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            self.peak_kb = max(self.peak_kb, total // 1024)
            if self.wal is not None:
                with contextlib.suppress(OSError):
                    self.wal_peak = max(self.wal_peak, self.wal.stat().st_size)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


def timed_command(
    argv: list[str], *, cwd: Path, env: dict, log: Path, wal: Path | None = None
) -> dict:
    """Run argv under /usr/bin/time -v: wall seconds, CPU, max RSS of the largest process,
    sampled peak of the tree, exit code, and the moment it ended."""
    timing = log.with_suffix(".time")
    t0 = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["/usr/bin/time", "-v", "-o", str(timing), *argv],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        sampler = TreeSampler(proc.pid, wal)
        sampler.start()
        code = proc.wait()
        sampler.stop()
    wall = time.perf_counter() - t0
    report = timing.read_text(encoding="utf-8", errors="replace")

    def field(name: str) -> float:
        m = re.search(rf"{re.escape(name)}: ([\d.]+)", report)
        return float(m.group(1)) if m else 0.0

    return {
        "code": code,
        "wall": wall,
        "ended": datetime.now(UTC),
        "cpu": field("User time (seconds)") + field("System time (seconds)"),
        "max_rss_kb": field("Maximum resident set size (kbytes)"),
        "tree_kb": sampler.peak_kb,
        "wal_mb": sampler.wal_peak / 2**20,
    }


# --- databases ------------------------------------------------------------------------------


def pg_url(base: str, database: str) -> str:
    return make_url(base).set(database=database).render_as_string(hide_password=False)


def pg_admin(base: str):
    return create_engine(make_url(base), isolation_level="AUTOCOMMIT")


def pg_drop(base: str, name: str) -> None:
    admin = pg_admin(base)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def pg_exists(base: str, name: str) -> bool:
    admin = pg_admin(base)
    with admin.connect() as conn:
        found = conn.execute(
            text("select 1 from pg_database where datname = :n"), {"n": name}
        ).first()
    admin.dispose()
    return found is not None


def seeded_customers(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text('select count(*) from "HDG_DIEM_DO"')).scalar_one()
    except Exception:
        return -1
    finally:
        engine.dispose()


def seed(url: str, n: int) -> None:
    from cmis_migrate.demo.generator import seed_demo

    t = time.perf_counter()
    summary = seed_demo(url, n, SEED, force=True)
    print(
        f"  CMIS seeded: {summary.customers:,} customers, {summary.stations:,} stations, "
        f"{summary.ledgers:,} ledgers in {time.perf_counter() - t:.0f} s",
        flush=True,
    )


@contextlib.contextmanager
def sqlite_databases(work: Path, n: int, reuse: bool) -> Iterator[tuple[str, str]]:
    """A copy of the seeded CMIS file and an empty store file."""
    pristine = work / f"cmis_seed_{n}.sqlite"
    url = f"sqlite:///{pristine}"
    if not (reuse and seeded_customers(url) == n):
        pristine.unlink(missing_ok=True)
        seed(url, n)
    else:
        print(f"  CMIS: reusing the {n:,} customers seeded in {pristine}", flush=True)
    cmis, store = work / "cmis.sqlite", work / "store.sqlite"
    for path in (cmis, store):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(pristine, cmis)
    try:
        yield f"sqlite:///{cmis}", f"sqlite:///{store}"
    finally:
        if not reuse:
            pristine.unlink(missing_ok=True)


@contextlib.contextmanager
def pg_databases(base: str, n: int, reuse: bool) -> Iterator[tuple[str, str]]:
    """CMIS cloned from a seeded database (CREATE DATABASE ... TEMPLATE) and an empty store,
    both created here and dropped afterwards (the seeded one kept with --reuse)."""
    pristine = f"cmis_bench_seed_{n}"
    tag = os.getpid()
    cmis, store = f"cmis_bench_cmis_{tag}", f"cmis_bench_store_{tag}"
    if reuse and pg_exists(base, pristine) and seeded_customers(pg_url(base, pristine)) == n:
        print(f"  CMIS: reusing the {n:,} customers seeded in database {pristine}", flush=True)
    else:
        pg_drop(base, pristine)
        admin = pg_admin(base)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{pristine}"'))
        admin.dispose()
        seed(pg_url(base, pristine), n)
    admin = pg_admin(base)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{cmis}" TEMPLATE "{pristine}"'))
        conn.execute(text(f'CREATE DATABASE "{store}"'))
    admin.dispose()
    try:
        yield pg_url(base, cmis), pg_url(base, store)
    finally:
        for name in (cmis, store, *(() if reuse else (pristine,))):
            pg_drop(base, name)


# --- the nights -----------------------------------------------------------------------------


def write_config(folder: Path, args, source: str, store: str) -> Path:
    data = {
        "source": {"url": source},
        "store": {"url": store},
        "paths": {"work": "work", "staff_phones_file": None},
        "windows": OPEN_ALL_DAY,
        "load": {
            "max_ledgers_at_once": 2,
            "parallel_batches": args.parallel,
            "customers_per_task": args.task_customers,
            "incremental": args.incremental,
        },
        "runner": args.runner,
        "dask": {"n_workers": args.parallel, "threads_per_worker": 1},
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def ledger_figures(store_url: str) -> dict:
    """The latest run's stage timers (summed over its stations) and counts."""
    from cmis_migrate.store.tables import batches, runs

    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            run = conn.execute(select(runs).order_by(runs.c.started_at.desc()).limit(1)).one()
            stages = ("extract", *EVALUATE, "write")
            cols = [func.sum(batches.c[f"{s}_seconds"]) for s in stages]
            counts = (
                "customers",
                "unchanged",
                "deferred",
                "drafted",
                "rows_read",
                "ledgers_done",
                "ledgers",
            )
            row = conn.execute(
                select(
                    *cols,
                    *(func.sum(batches.c[c]) for c in counts),
                    func.count(),
                    func.min(batches.c.started_at),
                    func.max(batches.c.finished_at),
                ).where(batches.c.run_id == run.run_id)
            ).one()
    finally:
        engine.dispose()
    seconds = {s: float(v or 0) for s, v in zip(stages, row[: len(stages)], strict=True)}
    n = dict(zip(counts, (int(v or 0) for v in row[len(stages) : -3]), strict=True))
    as_utc = _as_utc
    return {
        "state": run.state,
        "stations": row[-3],
        "write": seconds["write"],
        "extract": seconds["extract"],
        "evaluate": sum(seconds[s] for s in EVALUATE),
        "evaluated": n["customers"] - n["unchanged"] - n["deferred"],
        "read": n["rows_read"],
        "ledgers_read": f"{n['ledgers_done']:,}/{n['ledgers']:,}",
        "started": as_utc(run.started_at),
        "first_batch": as_utc(row[-2]),
        "last_commit": as_utc(row[-1]),  # the last station batch's commit
        "finished": as_utc(run.finished_at),
    }


def _as_utc(value):
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


HEADER = (
    f"  {'night':<24} {'whole command':>13} {'peak RSS largest / tree':>24} {'CPU':>8}"
    f" | {'store writes':>12} {'extract':>8} {'evaluate':>9} {'publish':>8}"
    f" {'after last station':>18} {'evaluated':>10}"
    f" {'peak WAL':>9}"
    f" {'CMIS rows':>10} {'ledgers read':>13}"
)


PUBLISHED = (
    (
        "during",
        re.compile(r"(\d+) review workbooks written during the run \(worker busy ([\d.]+) s\)"),
    ),
    (
        "tail",
        re.compile(
            r"drafts CSV (written|kept) after the last station \(([\d.]+) s\);"
            r" waited ([\d.]+) s for the outputs"
        ),
    ),
    (
        "docs",
        re.compile(
            r"Data Docs after the last station: (\d+) station pages, (\d+) rewritten,"
            r" \d+ removed, in ([\d.]+) s"
        ),
    ),
    (
        "after",
        re.compile(
            r"published after the run: drafts CSV ([\d.]+) s, (\d+) review workbooks ([\d.]+) s,"
            r" Data Docs ([\d.]+) s"
        ),
    ),
)


def publishing_steps(log: Path, start: int) -> str:
    """What each publishing step cost, from the lines the run wrote to its log after `start`."""
    try:
        with log.open(encoding="utf-8", errors="replace") as f:
            f.seek(start)
            text = f.read()
    except OSError:
        return ""
    parts = []
    for kind, rx in PUBLISHED:
        found = rx.findall(text)
        if not found:
            continue
        last = found[-1]
        if kind == "during":
            parts.append(f"during the run {last[0]} workbooks (worker busy {float(last[1]):.1f} s)")
        elif kind == "tail":
            parts.append(
                f"after the last station: two workers {float(last[2]):.1f} s"
                f" (drafts CSV {last[0]}, {float(last[1]):.1f} s)"
            )
        elif kind == "docs":
            parts.append(
                f"Data Docs beside them {float(last[2]):.1f} s ({last[1]} of {last[0]} pages"
                " rewritten)"
            )
        else:
            parts.append(
                f"after the close: drafts CSV {float(last[0]):.1f} s, {last[1]} workbooks "
                f"{float(last[2]):.1f} s, Data Docs {float(last[3]):.1f} s"
            )
    return "; ".join(parts)


def print_night(name: str, cmd: dict, fig: dict) -> None:
    publish = (cmd["ended"] - fig["finished"]).total_seconds() if fig["finished"] else 0.0
    last = fig["last_commit"]
    tail = (cmd["ended"] - last).total_seconds() if last else 0.0
    rss = f"{mb(cmd['max_rss_kb'])} / {mb(cmd['tree_kb'])}"
    print(
        f"  {name:<24} {cmd['wall']:>11.1f} s {rss:>24} {cmd['cpu']:>6.0f} s"
        f" | {fig['write']:>10.1f} s {fig['extract']:>6.1f} s {fig['evaluate']:>7.1f} s"
        f" {publish:>6.1f} s {tail:>16.1f} s {fig['evaluated']:>10,} {cmd['wal_mb']:>6.0f} MB"
        f" {fig['read']:>10,} {fig['ledgers_read']:>13}",
        flush=True,
    )


def _wal_of(store_url: str) -> Path | None:
    url = make_url(store_url)
    return Path(f"{url.database}-wal") if url.get_backend_name() == "sqlite" else None


def run_nights(label: str, source: str, store: str, args, work: Path) -> None:
    from cmis_migrate.demo.changes import change_customers

    site = work / f"site-{label}"
    shutil.rmtree(site, ignore_errors=True)
    config = write_config(site, args, source, store)
    env = {
        **os.environ,
        "PREFECT_HOME": str(site / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
    }
    if args.row_writes:
        env[ROW_WRITES_ENV] = "1"
    else:
        env.pop(ROW_WRITES_ENV, None)
    print(HEADER, flush=True)
    for i, (name, at) in enumerate(NIGHTS[: args.nights]):
        if i == 1:
            changed = change_customers(source, 0.01, seed=CHANGE_SEED, on=CHANGED_ON)
            name = f"{name} ({len(changed):,})"
        run_log = site / "work" / "logs" / "prefect.log"
        start = run_log.stat().st_size if run_log.exists() else 0
        cmd = timed_command(
            [str(CLI), "run", "--config", str(config), "--at", at],
            cwd=site,
            env=env,
            log=site / f"night{i + 1}.log",
            wal=_wal_of(store),
        )
        if cmd["code"] != 0:
            print(f"  {name}: exit {cmd['code']}, see {site / f'night{i + 1}.log'}", flush=True)
            return
        print_night(name, cmd, ledger_figures(store))
        steps = publishing_steps(run_log, start)
        if steps:
            print(f"  {'':<24} publishing: {steps}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=PROVINCE)
    ap.add_argument("--store", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument(
        "--postgres",
        metavar="URL",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a server where databases may be created and dropped (default: local)",
    )
    ap.add_argument("--work", type=Path, default=Path("/tmp/cmis-bench"))
    ap.add_argument("--reuse", action="store_true", help="keep the seeded CMIS for next time")
    ap.add_argument("--row-writes", action="store_true", help="the row-by-row store writer")
    ap.add_argument("--runner", choices=("local", "dask"), default="local")
    ap.add_argument("--parallel", type=int, default=2, help="threads, or Dask workers")
    ap.add_argument("--task-customers", type=int, default=20_000)
    ap.add_argument(
        "--nights", type=int, choices=(1, 2, 3, 4), default=4, help="the first N nights"
    )
    ap.add_argument(
        "--incremental", action="store_true", help="load.incremental on: read changed ledgers only"
    )
    args = ap.parse_args()

    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    writer = "row-by-row" if args.row_writes else "bulk"
    print(
        f"machine: {os.cpu_count()} cores, load average {load}; {args.customers:,} customers; "
        f"runner {args.runner} x{args.parallel}; at most {args.task_customers:,} customers per "
        f"task; {writer} store writes; incremental {'on' if args.incremental else 'off'}",
        flush=True,
    )
    stores = ("sqlite", "postgres") if args.store == "both" else (args.store,)
    for kind in stores:
        if kind == "sqlite":
            print(f"\nSQLite (CMIS and store files in {work})", flush=True)
            dbs = sqlite_databases(work, args.customers, args.reuse)
        else:
            from cmis_migrate.db import safe_url

            print(f"\nPostgreSQL (CMIS and store databases at {safe_url(args.postgres)})")
            dbs = pg_databases(args.postgres, args.customers, args.reuse)
        with dbs as (source, store):
            run_nights(kind, source, store, args, work)
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    sys.exit(main())

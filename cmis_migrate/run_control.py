"""Opening, planning and closing a run in the store (called by the flow, no Prefect here)."""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from cmis_migrate.clock import Clock
from cmis_migrate.codes import STATION, UNIT, station_problem, stored_label
from cmis_migrate.config import Config
from cmis_migrate.db import utcnow
from cmis_migrate.failures import describe
from cmis_migrate.model import ReadStats, StationJob
from cmis_migrate.planning import plan_jobs
from cmis_migrate.processes import host_name, is_gone, this_process
from cmis_migrate.runtime import Runtime
from cmis_migrate.source.units import units as read_units
from cmis_migrate.store import review, runs
from cmis_migrate.store.queries import by_branch, totals, unread_line
from cmis_migrate.store.units import save_units
from cmis_migrate.unchanged_ledgers import keep_unchanged

log = logging.getLogger(__name__)


class _Heartbeat(threading.Thread):
    """Writes runs.heartbeat_at every `seconds` while the run lives. A run killed with kill -9
    (or a rebooted machine) stops beating; the next run or rerun declares it dead after
    load.dead_after_seconds (see runs.abandon_dead_runs) and redoes its unfinished batches, or
    at once when it runs on the same host and finds the run's process gone."""

    def __init__(self, beat, seconds: float):
        super().__init__(name="run-heartbeat", daemon=True)
        self._beat, self._seconds, self._stop = beat, seconds, threading.Event()

    def run(self) -> None:
        while not self._stop.wait(self._seconds):
            with contextlib.suppress(Exception):  # a missed beat is retried on the next tick
                self._beat()

    def stop(self) -> None:
        self._stop.set()


@dataclass
class RunHandle:
    run_id: str
    clock: Clock
    jobs: list[StationJob] = field(default_factory=list)
    heartbeat: _Heartbeat | None = None
    flow_run_id: str | None = None
    # stations CMIS holds under unusable codes: failed at planning as data errors (summaries)
    rejected: list[dict] = field(default_factory=list)
    # load.incremental: what the planner left unread and why it reads the rest (one line)
    incremental: str | None = None
    # the Data Docs index, when brought up to date after the last station (not built again)
    data_docs: Path | None = None


def parse_at(at: str | datetime | None, tz: str) -> datetime | None:
    if at is None or at == "":
        return None
    value = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    return Clock.start(tz, value).as_of


def begin_run(
    rt: Runtime, *, kind: str, at: str | datetime | None, flow_run_id: str | None
) -> RunHandle:
    cfg = rt.cfg
    abandon_dead_runs(cfg, rt.store)
    clock = Clock.start(cfg.schedule.timezone, parse_at(at, cfg.schedule.timezone))
    run_id = f"{clock.started:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    runs.start_run(
        rt.store,
        run_id,
        kind=kind,
        as_of=clock.started,
        flow_run_id=flow_run_id,
        process=this_process(),
    )
    beat = _Heartbeat(lambda: runs.heartbeat_run(rt.store, run_id), cfg.load.heartbeat_seconds)
    beat.start()
    return RunHandle(run_id=run_id, clock=clock, heartbeat=beat, flow_run_id=flow_run_id)


def abandon_dead_runs(cfg: Config, store: Engine) -> list[str]:
    """Declare dead the runs silent for load.dead_after_seconds, and at once the runs of this
    host whose process is gone (see runs.abandon_dead_runs)."""
    stale_after = timedelta(seconds=cfg.load.dead_after_seconds)
    return runs.abandon_dead_runs(store, stale_after=stale_after, host=host_name(), gone=is_gone)


def plan_run(
    rt: Runtime, handle: RunHandle, *, stations: list[str] | None, failed_only: bool
) -> None:
    inventory = rt.source.inventory(ReadStats())
    keep_unit_names(rt)
    only = stations
    if failed_only:  # a failed station CMIS no longer has cannot be redone: leave it
        known = {s.station for s in inventory}
        redo = {s for s in runs.stations_to_redo(rt.store) if s in known}
        only = sorted(redo | set(stations or []))
    rejected = [(s, p) for s in inventory if (p := station_problem(s))]
    if rejected:
        bad = {s.station for s, _ in rejected}
        inventory = [s for s in inventory if s.station not in bad]
        if only is not None:
            wanted = set(only)
            rejected = [(s, p) for s, p in rejected if s.station in wanted]
            only = [s for s in only if s not in bad]
    jobs = plan_jobs(handle.run_id, inventory, only=only)
    if rt.cfg.load.incremental:  # the ledgers unchanged since their last read stay unread
        jobs, kept = keep_unchanged(rt, jobs, handle.clock.now().date(), named=stations)
        handle.incremental = kept.line()  # the flow logs it
    planned = {j.station for j in jobs}
    review.record_station_names(
        rt.store, {s.station: s.name for s in inventory if s.station in planned}
    )
    attempts = runs.previous_attempts(rt.store, [j.station for j in jobs])
    runs.plan_batches(
        rt.store,
        handle.run_id,
        [
            {
                "station": j.station,
                "branch": j.branch,
                "standardized": j.standardized,
                "position": i,
                "ledgers": len(j.ledgers),
                "customers": j.customers,
                "attempts": attempts.get(j.station, 0),
                "flow_run_id": handle.flow_run_id,
                **_NO_ERROR,
            }
            for i, j in enumerate(jobs)
        ]
        + [_rejected_batch(s, problem, handle) for s, problem in rejected],
    )
    handle.jobs = jobs
    handle.rejected = [
        {
            "station": stored_label(STATION, s.station),
            "branch": stored_label(UNIT, s.branch),
            "state": "failed",
            "customers": s.customers,
            "error": problem,
        }
        for s, problem in rejected
    ]


_NO_ERROR = {"state": "pending", "finished_at": None, "error_type": None, "error_message": None}


def _rejected_batch(station, problem: str, handle: RunHandle) -> dict:
    """A failed batch row for a station whose codes cannot be used (never read)."""
    return {
        "station": stored_label(STATION, station.station),
        "branch": stored_label(UNIT, station.branch),
        "standardized": station.standardized,
        "position": -1,
        "ledgers": len(station.ledgers),
        "customers": station.customers,
        "attempts": 0,
        "flow_run_id": handle.flow_run_id,
        "state": "failed",
        "finished_at": utcnow(),
        "error_type": "SourceDataError",
        "error_message": problem,
    }


def keep_unit_names(rt: Runtime) -> None:
    """Copy CMIS's unit names (D_DVIQLY) into the store: a draft names its seller from there.
    A CMIS without them costs the contracts their branch name, not the run."""
    try:
        names = read_units(rt.source.engine, rt.source.tables)
    except SQLAlchemyError as exc:
        log.warning("cannot read unit names (D_DVIQLY) from CMIS: %s", type(exc).__name__)
        return
    save_units(rt.store, names, now=utcnow())


def summarize(results: list[dict]) -> dict:
    totals = Counter()
    states = Counter()
    for r in results:
        states[r["state"]] += 1
        for k in ("customers", "ready", "needs_review", "blocked", "drafted", "deferred"):
            totals[k] += int(r.get(k) or 0)
    return {"batches": dict(states), "totals": dict(totals)}


def close_run(
    rt: Runtime, handle: RunHandle, results: list[dict], error: BaseException | None = None
) -> dict:
    if handle.heartbeat is not None:
        handle.heartbeat.stop()
    summary = summarize([*handle.rejected, *results])
    failed = error is not None or summary["batches"].get("failed", 0) > 0
    message = None
    if error is not None:
        kind, text = describe(error)
        message = f"{kind}: {text}"
    runs.finish_run(rt.store, handle.run_id, "failed" if failed else "succeeded", error=message)
    return {"run_id": handle.run_id, "state": "failed" if failed else "succeeded", **summary}


def run_tags(cfg: Config, kind: str, jobs: list[StationJob]) -> list[str]:
    """Tags of the run's flow run in Prefect: the province's CMIS unit code (the first four
    characters of its branch codes, e.g. PA07), the runner and the kind of run."""
    provinces = sorted({j.branch[:4] for j in jobs if j.branch})
    return [*(f"province:{p}" for p in provinces), f"runner:{cfg.runner}", f"kind:{kind}"]


def _cell(value: object) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def _local(iso: str | None, tz: tzinfo) -> str:
    if not iso:
        return "none within the calendar's horizon"
    return datetime.fromisoformat(iso).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def summary_markdown(kind: str, summary: dict, batch_rows: list[dict], tz: tzinfo) -> str:
    """The run for its page in the Prefect UI: a per-branch table, then the deferred stations
    (reason, next open window in `tz`) and the failed ones (error, masked). `batch_rows`: the
    run's batches as store.queries.batches_of_run gives them."""
    states = ", ".join(f"{n} {s}" for s, n in sorted(summary["batches"].items())) or "no batches"
    heads = ("customers", "ready", "needs review", "blocked", "drafted", "deferred")
    keys = ("customers", "ready", "needs_review", "blocked", "drafted", "deferred")
    lines = [
        f"**{kind} {summary['run_id']}: {summary['state']}** ({states})",
        "",
        "| branch | stations | " + " | ".join(heads) + " |",
        "|---|" + "---:|" * (len(heads) + 1),
    ]
    for branch, agg in by_branch(batch_rows).items():
        cells = [agg["stations"], *(agg[k] for k in keys)]
        lines.append(f"| {branch} | " + " | ".join(f"{v:,}" for v in cells) + " |")
    total = totals(batch_rows)
    cells = [len(batch_rows), *(total[k] for k in keys)]
    lines.append("| **total** | " + " | ".join(f"**{v:,}**" for v in cells) + " |")
    unread = unread_line(batch_rows)
    if unread:
        lines += ["", unread]
    deferred = [b for b in batch_rows if b["state"] == "deferred"]
    if deferred:
        lines += [
            "",
            f"**Deferred stations ({len(deferred)})**: their closed ledgers are read in a later run",
            "",
            "| station | branch | customers deferred | next open | reason |",
            "|---|---|---:|---|---|",
        ]
        lines += [
            f"| {b['station']} | {b['branch']} | {b['deferred'] or 0:,} | "
            f"{_local(b.get('next_open_at'), tz)} | {_cell(b.get('deferred_reason'))} |"
            for b in deferred[:200]
        ]
    failed = [b for b in batch_rows if b["state"] == "failed"]
    if failed:
        lines += [
            "",
            f"**Failed stations ({len(failed)})**: `cmis-migrate rerun --failed` redoes them",
            "",
            "| station | branch | error |",
            "|---|---|---|",
        ]
        lines += [
            f"| {b['station']} | {b['branch']} | {_cell(b.get('error'))} |" for b in failed[:200]
        ]
    return "\n".join(lines)


def publish_after_run(rt: Runtime, run_id: str, *, docs_built: Path | None = None) -> list:
    """Files for people after each run: the current drafts, one review workbook per branch and
    the Data Docs (unless `docs_built`: already brought up to date after the last station)."""
    from cmis_migrate.reports.publish import publish

    return publish(rt, run_id, docs_built=docs_built)


def data_docs_of(rt: Runtime, run_id: str):
    """What brings the run's Data Docs up to date once its last station has ended (called in
    the publishing tail: reports/branch_publisher.py)."""

    def build() -> Path | None:
        from cmis_migrate.reports.publish import publish_data_docs

        return publish_data_docs(rt, run_id, when="after the last station")

    return build

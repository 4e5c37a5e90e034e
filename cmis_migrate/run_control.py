"""Opening, planning and closing a run in the store (called by the flow, no Prefect here)."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cmis_migrate.batch import StationJob
from cmis_migrate.clock import Clock
from cmis_migrate.config import Config
from cmis_migrate.failures import describe
from cmis_migrate.planning import plan_jobs
from cmis_migrate.runtime import runtime_for
from cmis_migrate.source.cmis import ReadStats
from cmis_migrate.store import runs

HEARTBEAT_SECONDS = 15.0
STALE_AFTER = timedelta(seconds=90)


class _Heartbeat(threading.Thread):
    def __init__(self, beat):
        super().__init__(name="run-heartbeat", daemon=True)
        self._beat, self._stop = beat, threading.Event()

    def run(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
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


def parse_at(at: str | datetime | None, tz: str) -> datetime | None:
    if at is None or at == "":
        return None
    value = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    return Clock.start(tz, value).as_of


def begin_run(
    cfg: Config, *, kind: str, at: str | datetime | None, flow_run_id: str | None
) -> RunHandle:
    rt = runtime_for(cfg)
    runs.abandon_dead_runs(rt.store, stale_after=STALE_AFTER)
    clock = Clock.start(cfg.schedule.timezone, parse_at(at, cfg.schedule.timezone))
    run_id = f"{clock.started:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    runs.start_run(rt.store, run_id, kind=kind, as_of=clock.started, flow_run_id=flow_run_id)
    beat = _Heartbeat(lambda: runs.heartbeat_run(rt.store, run_id))
    beat.start()
    return RunHandle(run_id=run_id, clock=clock, heartbeat=beat)


def plan_run(
    cfg: Config, handle: RunHandle, *, stations: list[str] | None, failed_only: bool
) -> None:
    rt = runtime_for(cfg)
    only = stations
    if failed_only:
        only = sorted(set(runs.stations_to_redo(rt.store)) | set(stations or []))
    inventory = rt.source.inventory(ReadStats())
    jobs = plan_jobs(handle.run_id, inventory, only=only)
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
            }
            for i, j in enumerate(jobs)
        ],
    )
    handle.jobs = jobs


def summarize(results: list[dict]) -> dict:
    totals = Counter()
    states = Counter()
    for r in results:
        states[r["state"]] += 1
        for k in ("customers", "ready", "needs_review", "blocked", "drafted", "deferred"):
            totals[k] += int(r.get(k) or 0)
    return {"batches": dict(states), "totals": dict(totals)}


def close_run(
    cfg: Config, handle: RunHandle, results: list[dict], error: BaseException | None = None
) -> dict:
    rt = runtime_for(cfg)
    if handle.heartbeat is not None:
        handle.heartbeat.stop()
    summary = summarize(results)
    failed = error is not None or summary["batches"].get("failed", 0) > 0
    message = None
    if error is not None:
        kind, text = describe(error)
        message = f"{kind}: {text}"
    runs.finish_run(rt.store, handle.run_id, "failed" if failed else "succeeded", error=message)
    return {"run_id": handle.run_id, "state": "failed" if failed else "succeeded", **summary}


def publish_after_run(cfg: Config, run_id: str) -> list:
    """Files for people after each run: the current drafts and one review workbook per branch."""
    from cmis_migrate.reports.publish import publish

    return publish(cfg, run_id)

"""The run ledger: runs and their station batches (state, attempts, counts, errors)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from cmis_migrate.db import as_utc, utcnow
from cmis_migrate.processes import ProcessId
from cmis_migrate.store import slots
from cmis_migrate.store.tables import batches, runs

BATCH_STATES = ("pending", "running", "succeeded", "failed", "deferred")
RUN_STATES = ("running", "succeeded", "failed", "abandoned")


def start_run(
    engine: Engine,
    run_id: str,
    *,
    kind: str,
    as_of: datetime,
    flow_run_id: str | None,
    process: ProcessId | None = None,
) -> None:
    """A new run, `running`, with the process that runs it (host, pid, start) when given."""
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            runs.insert().values(
                run_id=run_id,
                kind=kind,
                state="running",
                as_of=as_of,
                started_at=now,
                heartbeat_at=now,
                flow_run_id=flow_run_id,
                stations_planned=0,
                host=process.host if process else None,
                pid=process.pid if process else None,
                process_start=process.start if process else None,
            )
        )


def heartbeat_run(engine: Engine, run_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.run_id == run_id).values(heartbeat_at=utcnow()))


def finish_run(engine: Engine, run_id: str, state: str, error: str | None = None) -> None:
    assert state in RUN_STATES
    with engine.begin() as conn:
        conn.execute(
            update(runs)
            .where(runs.c.run_id == run_id)
            .values(state=state, finished_at=utcnow(), heartbeat_at=utcnow(), error=error)
        )


def previous_attempts(engine: Engine, stations: Iterable[str]) -> dict[str, int]:
    """Attempts already spent on each station's unfinished work (latest batch failed or died)."""
    stations = list(stations)
    if not stations:
        return {}
    q = _latest_batch_query(batches.c.station, batches.c.state, batches.c.attempts)
    out: dict[str, int] = {}
    wanted = set(stations)
    with engine.connect() as conn:
        for station, state, attempts in conn.execute(q):
            if station in wanted and state in ("failed", "running", "pending"):
                out[station] = int(attempts or 0)
    return out


def plan_batches(engine: Engine, run_id: str, rows: list[dict]) -> None:
    """Insert the run's station batches as pending (rows: station, branch, standardized, ...)."""
    with engine.begin() as conn:
        if rows:
            conn.execute(
                batches.insert(), [{"run_id": run_id, "state": "pending", **r} for r in rows]
            )
        conn.execute(update(runs).where(runs.c.run_id == run_id).values(stations_planned=len(rows)))


def begin_batch(engine: Engine, run_id: str, station: str) -> None:
    """The station's batch starts its work (its first ledger read): running, one more attempt."""
    begin_batches(engine, run_id, [station])


def begin_batches(engine: Engine, run_id: str, stations: Sequence[str]) -> None:
    """begin_batch for several stations in one transaction (those with no ledger to read)."""
    if not stations:
        return
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            update(batches)
            .where(batches.c.run_id == run_id, batches.c.station.in_(list(stations)))
            .values(
                state="running", attempts=batches.c.attempts + 1, started_at=now, heartbeat_at=now
            )
        )


def heartbeat_batch(engine: Engine, run_id: str, station: str, *, lease_seconds: int) -> None:
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            update(batches)
            .where(batches.c.run_id == run_id, batches.c.station == station)
            .values(heartbeat_at=now, lease_until=now + timedelta(seconds=lease_seconds))
        )


def fail_batch(engine: Engine, run_id: str, station: str, error_type: str, message: str) -> None:
    """Mark a batch failed. Its customers keep what the last successful commit wrote."""
    with engine.begin() as conn:
        conn.execute(
            update(batches)
            .where(batches.c.run_id == run_id, batches.c.station == station)
            .values(
                state="failed",
                finished_at=utcnow(),
                error_type=error_type[:80],
                error_message=message[:2000],
            )
        )


def abandon_dead_runs(
    engine: Engine,
    *,
    stale_after: timedelta,
    host: str | None = None,
    gone: Callable[[int, str | None], bool] | None = None,
) -> list[str]:
    """Runs still `running` that are dead become `abandoned`; their unfinished batches become
    `failed` so `rerun --failed` and the next run redo them, and the CMIS ledger slots they held
    are freed at once (not only when their lease runs out).

    Dead: silent (no heartbeat) for `stale_after`, or, for a run recorded on `host` (this
    machine), at once when `gone(pid, process_start)` says its process no longer runs. A run of
    another host is judged by its heartbeat only.

    Nothing a dead run committed is touched: a station batch commits whole or not at all."""
    now = utcnow()
    limit = now - stale_after
    with engine.begin() as conn:
        running = conn.execute(
            select(
                runs.c.run_id, runs.c.heartbeat_at, runs.c.host, runs.c.pid, runs.c.process_start
            ).where(runs.c.state == "running")
        ).all()
        silent = {r.run_id for r in running if r.heartbeat_at and as_utc(r.heartbeat_at) < limit}
        crashed = {
            r.run_id
            for r in running
            if r.run_id not in silent
            and host is not None
            and gone is not None
            and r.host == host
            and r.pid is not None
            and gone(int(r.pid), r.process_start)
        }
        dead = sorted(silent | crashed)
        for run_id in dead:
            reason = (
                f"the run stopped (its process {_pid_of(running, run_id)} on this host is gone)"
                if run_id in crashed
                else f"the run stopped (no heartbeat for {stale_after.total_seconds():.0f} s)"
            )
            conn.execute(
                update(runs)
                .where(runs.c.run_id == run_id, runs.c.state == "running")
                .values(state="abandoned", finished_at=now, error=reason)
            )
        if dead:
            for state, message in _DIED.items():
                conn.execute(
                    update(batches)
                    .where(batches.c.run_id.in_(dead), batches.c.state == state)
                    .values(
                        state="failed", finished_at=now, error_type="RunDied", error_message=message
                    )
                )
            slots.release_owners(conn, dead)
    return dead


def _pid_of(rows, run_id: str) -> int | None:
    return next((r.pid for r in rows if r.run_id == run_id), None)


_DIED = {
    "running": "the run stopped while this batch was running; nothing of it was committed",
    "pending": "the run stopped before this batch started",
}


def live_runs(engine: Engine) -> list[dict]:
    """Runs still marked `running`, with their last heartbeat (UTC)."""
    q = select(runs.c.run_id, runs.c.kind, runs.c.heartbeat_at).where(runs.c.state == "running")
    with engine.connect() as conn:
        return [
            {"run_id": r.run_id, "kind": r.kind, "heartbeat_at": as_utc(r.heartbeat_at)}
            for r in conn.execute(q)
        ]


def _latest_batch_query(*columns):
    """SELECT columns (of batches and runs) from each station's most recent batch (by its run's
    start)."""
    latest = (
        select(batches.c.station, func.max(runs.c.started_at).label("started"))
        .join(runs, runs.c.run_id == batches.c.run_id)
        .group_by(batches.c.station)
        .subquery()
    )
    return (
        select(*columns)
        .join(runs, runs.c.run_id == batches.c.run_id)
        .join(
            latest,
            (latest.c.station == batches.c.station) & (latest.c.started == runs.c.started_at),
        )
    )


def latest_batches(engine: Engine) -> list[dict]:
    """The most recent batch of every station (by its run's start), as dicts."""
    q = _latest_batch_query(batches, runs.c.state.label("run_state"))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def stations_to_redo(engine: Engine) -> list[str]:
    """Stations whose latest batch failed, or was left running/pending by a run that ended."""
    out = []
    for b in latest_batches(engine):
        if b["state"] == "failed" or (
            b["state"] in ("running", "pending") and b["run_state"] != "running"
        ):
            out.append(b["station"])
    return sorted(out)

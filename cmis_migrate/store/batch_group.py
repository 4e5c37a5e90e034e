"""The batch rows of one task's stations: started together (one transaction, not one per
station), and found when already finished in the run, so that a retried or recomputed task
(Prefect retry, a Dask worker lost after the commit) returns their stored summary instead of
doing them again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from cmis_migrate.db import utcnow
from cmis_migrate.store.tables import batches

FINISHED = ("succeeded", "deferred")
SUMMARY_FIELDS = (
    "station",
    "branch",
    "state",
    "customers",
    "ready",
    "needs_review",
    "blocked",
    "drafted",
    "deferred",
    "unchanged",
)


def start_batches(
    engine: Engine,
    run_id: str,
    stations: Sequence[str],
    *,
    lease_seconds: int,
    task_run_id: str | None,
) -> None:
    """These stations' batches are taken by a task (one transaction): a fresh lease, the last
    error cleared, `pending` until each is read (runs.begin_batch: running, attempts + 1), so a
    run that dies mid-task leaves the stations it never reached `pending`, their attempts
    uncounted."""
    if not stations:
        return
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            update(batches)
            .where(batches.c.run_id == run_id, batches.c.station.in_(list(stations)))
            .values(
                state="pending",
                heartbeat_at=now,
                lease_until=now + timedelta(seconds=lease_seconds),
                task_run_id=task_run_id,
                error_type=None,
                error_message=None,
            )
        )


def finished_batches(engine: Engine, run_id: str, stations: Sequence[str]) -> dict[str, dict]:
    """station -> its batch row (SUMMARY_FIELDS + deferred_reason) for those already finished."""
    if not stations:
        return {}
    cols = [batches.c[f] for f in (*SUMMARY_FIELDS, "deferred_reason")]
    q = select(*cols).where(
        batches.c.run_id == run_id,
        batches.c.station.in_(list(stations)),
        batches.c.state.in_(FINISHED),
    )
    with engine.connect() as conn:
        return {r.station: dict(r._mapping) for r in conn.execute(q)}

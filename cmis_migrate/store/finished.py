"""Station batches of a run that already finished: a retried or recomputed task (Prefect retry,
a Dask worker lost after the commit) returns their stored summary instead of doing them again."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.engine import Engine

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

"""A task takes several stations at once but reads them one after another: a run that dies
mid-task leaves the stations it never reached `pending` ("never started"), and attempts count
per station read, not per task."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from cmis_migrate.cli.status import rerun_lines
from cmis_migrate.config import load_config
from cmis_migrate.runtime import open_store
from cmis_migrate.store import runs
from cmis_migrate.store.batch_group import start_batches
from cmis_migrate.store.tables import batches
from cmis_migrate.store.tables import runs as runs_table


def test_a_dead_run_tells_started_from_never_started_batches(tmp_path, make_config) -> None:
    cfg = load_config(make_config(tmp_path), env={})
    engine = open_store(cfg)
    try:
        runs.start_run(engine, "r1", kind="run", as_of=datetime.now(UTC), flow_run_id=None)
        rows = [
            {"station": s, "branch": "PA0701", "standardized": False, "position": i}
            for i, s in enumerate(("S1", "S2", "S3"))
        ]
        runs.plan_batches(engine, "r1", rows)
        start_batches(engine, "r1", ["S1", "S2", "S3"], lease_seconds=60, task_run_id="t")
        runs.begin_batch(engine, "r1", "S1")  # the task was reading S1 when the run died
        with engine.begin() as conn:
            old = datetime.now(UTC) - timedelta(hours=1)
            conn.execute(update(runs_table).values(heartbeat_at=old))
        assert runs.abandon_dead_runs(engine, stale_after=timedelta(seconds=60)) == ["r1"]
        with engine.connect() as conn:
            got = {
                r.station: r
                for r in conn.execute(
                    select(batches.c.station, batches.c.attempts, batches.c.error_message)
                )
            }
    finally:
        engine.dispose()
    assert got["S1"].attempts == 1 and "while this batch was running" in got["S1"].error_message
    for s in ("S2", "S3"):
        assert got[s].attempts == 0 and "before this batch started" in got[s].error_message


def test_the_rerun_listing_says_never_started() -> None:
    run = {
        "id": "r2",
        "batches": {"failed": 1},
        "stations": [{"station": "S2", "state": "failed", "attempts": 0, "error": "RunDied: x"}],
    }
    assert "S2 failed (never started): RunDied: x" in rerun_lines(run)[1]

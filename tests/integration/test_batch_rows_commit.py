"""The stations with nothing but their batch row to write (a quiet night: most of the
province's 3,291) are committed together, one prepared UPDATE per set of columns executed for
all of them: each station's row still gets its own values, and no other run's row is touched.
SQLite always; PostgreSQL too when CMIS_TEST_DATABASE_URL is set."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import select

from cmis_migrate.store import runs
from cmis_migrate.store.tables import batches
from cmis_migrate.store.unit_of_work import StationResult, commit_batch_rows

STARTED = datetime(2026, 3, 12, 16, 0, tzinfo=UTC)


def quiet(run_id: str, station: str, **batch) -> StationResult:
    empty = pd.DataFrame()
    return StationResult(run_id, station, empty, empty, empty, empty, batch=batch)


def rows_of(engine, run_id: str) -> dict[str, dict]:
    cols = (batches.c.station, batches.c.state, batches.c.customers, batches.c.unchanged)
    with engine.connect() as conn:
        found = conn.execute(select(*cols, batches.c.finished_at).where(batches.c.run_id == run_id))
        return {r.station: r._asdict() for r in found}


def test_each_station_gets_its_own_batch_row_in_one_commit(store) -> None:
    stations = [f"PA0701T{i:04d}" for i in range(1, 8)]
    for run_id in ("run-a", "run-b"):
        runs.start_run(store, run_id, kind="run", as_of=STARTED, flow_run_id=None)
        runs.plan_batches(
            store,
            run_id,
            [{"station": s, "branch": "PA0701", "position": i} for i, s in enumerate(stations)],
        )
    results = [
        quiet("run-b", s, state="succeeded", customers=10 + i, unchanged=10 + i)
        for i, s in enumerate(stations[:5])
    ]
    # a station whose summary has fewer columns: a statement of its own, the rest left alone
    results.append(quiet("run-b", stations[5], state="deferred"))
    commit_batch_rows(store, results)
    after = rows_of(store, "run-b")
    for i, s in enumerate(stations[:5]):
        assert (after[s]["state"], after[s]["customers"], after[s]["unchanged"]) == (
            "succeeded",
            10 + i,
            10 + i,
        )
        assert after[s]["finished_at"] is not None
        assert results[i].batch["drafted"] == 0
    assert after[stations[5]]["state"] == "deferred"
    assert after[stations[5]]["finished_at"] is not None
    # a station not given, and the other run's rows, are as planned
    assert after[stations[6]]["finished_at"] is None
    assert all(r["finished_at"] is None for r in rows_of(store, "run-a").values())

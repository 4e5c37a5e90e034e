"""Failures inside the real Prefect flow, and reruns (issue 6): a transient database error is
retried by Prefect with backoff and the batch succeeds; a data error fails its batch at once
with a clear, masked reason while the other stations go on; `rerun --failed` then redoes
exactly the failed stations, and `rerun --station` honours the off-peak windows.

SQLite always; PostgreSQL (source and store) too when CMIS_TEST_DATABASE_URL is set."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from cmis_migrate.cli.status import status_data
from cmis_migrate.config import load_config
from cmis_migrate.db import source_engine, store_engine
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.planning import plan_jobs
from cmis_migrate.source.cmis import CmisSource
from cmis_migrate.store import runs
from cmis_migrate.store.queries import batches_of_run
from cmis_migrate.store.tables import customers
from cmis_migrate.store.tables import runs as runs_table

pytestmark = pytest.mark.slow

NIGHTS = {
    "allowed_hours": {"start": "22:00", "end": "05:00"},
    "billing_days": 0,
    "debt_clearing_days": [],
    "report_aggregation_days": [],
}
NIGHT = "2026-03-10T23:00:00+07:00"
MIDDAY = "2026-03-11T12:00:00+07:00"
PHONE = "0912345678"


def run_flow(cfg, **kw) -> dict:
    from cmis_migrate.flows.nightly import run_nightly

    return run_nightly(cfg, **kw)


class Injected:
    """CMIS trouble for chosen stations: a lost connection once, a malformed ledger always,
    a connection that never comes back."""

    def __init__(self, transient: str, broken: str, down: str):
        self.transient, self.broken, self.down = transient, broken, down
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()

    def wrap(self, original):
        def read_ledger(source, station, ledger, **kwargs):
            with self.lock:
                self.calls[station] = self.calls.get(station, 0) + 1
                n = self.calls[station]
            if station == self.broken:
                raise ValueError(
                    f"ledger {ledger}: HDG_DIEM_DO row with phone {PHONE} has no MA_DDO"
                )
            if station == self.down or (station == self.transient and n == 1):
                raise sa_exc.OperationalError(
                    "SELECT ...", {}, Exception("server closed the connection unexpectedly")
                )
            yield from original(source, station, ledger, **kwargs)

        return read_ledger


@pytest.fixture(scope="module")
def site(module_db_urls, tmp_path_factory, prefect_server):
    from tests.conftest import write_config

    seed_demo(module_db_urls["source"], 300, 21)
    path = write_config(
        tmp_path_factory.mktemp("site"),
        source={"url": module_db_urls["source"]},
        store={"url": module_db_urls["store"]},
        windows=NIGHTS,
        load={"max_ledgers_at_once": 2, "parallel_batches": 2, "retry_backoff_seconds": 0.2},
    )
    cfg = load_config(path, env={})
    engine = source_engine(cfg.source.url)
    try:
        planned = [j.station for j in plan_jobs("x", CmisSource(engine).inventory())]
    finally:
        engine.dispose()
    yield cfg, planned


@pytest.fixture(scope="module")
def first_run(site):
    """A run over six stations: the 2nd loses its connection once, the 3rd is malformed, the
    4th never gets its connection back."""
    cfg, planned = site
    chosen = planned[:6]
    inject = Injected(transient=chosen[1], broken=chosen[2], down=chosen[3])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(CmisSource, "read_ledger", inject.wrap(CmisSource.read_ledger))
        summary = run_flow(cfg, at=NIGHT, stations=chosen)
    engine = store_engine(cfg.store.url)
    try:
        rows = {b["station"]: b for b in batches_of_run(engine, summary["run_id"])}
    finally:
        engine.dispose()
    return cfg, chosen, inject, summary, rows


def task_run(task_run_id: str):
    from prefect import get_client

    with get_client(sync_client=True) as client:
        return client.read_task_run(uuid.UUID(task_run_id))


def test_a_transient_error_is_retried_by_prefect_and_the_batch_succeeds(first_run) -> None:
    _, chosen, inject, _, rows = first_run
    batch = rows[chosen[1]]
    assert inject.calls[chosen[1]] >= 2  # read again after the lost connection
    assert batch["state"] == "succeeded" and batch["error"] is None
    assert batch["attempts"] == 2
    assert batch["ready"] + batch["needs_review"] + batch["blocked"] == batch["customers"] > 0
    tr = task_run(batch["task_run_id"])  # Prefect's own record of the retry
    assert tr.run_count == 2 and tr.state.is_completed()


def test_a_data_error_fails_its_batch_once_and_the_others_go_on(first_run) -> None:
    _, chosen, inject, summary, rows = first_run
    batch = rows[chosen[2]]
    assert inject.calls[chosen[2]] == 1  # not retried
    assert batch["state"] == "failed" and batch["attempts"] == 1
    assert batch["error_type"] == "ValueError"
    assert "has no MA_DDO" in batch["error_message"] and PHONE not in batch["error_message"]
    assert summary["state"] == "failed"
    assert summary["batches"] == {"succeeded": 4, "failed": 2}
    others = [s for s in chosen if s not in (chosen[2], chosen[3])]
    assert {s: rows[s]["state"] for s in others} == dict.fromkeys(others, "succeeded")
    tr = task_run(batch["task_run_id"])  # red in the Prefect UI, one run only
    assert tr.run_count == 1 and tr.state.is_failed()


def flow_run_of(cfg, run_id: str):
    from prefect import get_client

    engine = store_engine(cfg.store.url)
    try:
        with engine.connect() as conn:
            flow_run_id = conn.execute(
                select(runs_table.c.flow_run_id).where(runs_table.c.run_id == run_id)
            ).scalar_one()
    finally:
        engine.dispose()
    with get_client(sync_client=True) as client:
        return client.read_flow_run(uuid.UUID(flow_run_id))


def test_a_run_with_failed_batches_is_a_failed_flow_run_in_prefect(first_run) -> None:
    cfg, _, _, summary, _ = first_run
    fr = flow_run_of(cfg, summary["run_id"])  # what the UI shows and alerts watch
    assert fr.state.is_failed()
    assert "2 station batch(es) failed" in fr.state.message and "rerun --failed" in fr.state.message


def test_when_retries_run_out_the_batch_fails_with_the_last_error(first_run) -> None:
    cfg, chosen, inject, _, rows = first_run
    batch = rows[chosen[3]]
    retries = cfg.load.transient_retries
    assert inject.calls[chosen[3]] == retries + 1
    assert batch["state"] == "failed" and batch["attempts"] == retries + 1
    assert batch["error_type"].startswith("OperationalError")
    assert "server closed the connection" in batch["error_message"]
    tr = task_run(batch["task_run_id"])
    assert tr.run_count == retries + 1 and tr.state.is_failed()


def test_rerun_failed_redoes_exactly_the_failed_stations(first_run) -> None:
    cfg, chosen, _, first, _ = first_run
    broken, down = chosen[2], chosen[3]
    engine = store_engine(cfg.store.url)
    try:
        assert runs.stations_to_redo(engine) == sorted([broken, down])
        with engine.connect() as conn:
            before = dict(conn.execute(select(customers.c.customer_code, customers.c.run_id)).all())

        rerun = run_flow(cfg, at=NIGHT, failed_only=True, kind="rerun")  # the source is healthy
        assert flow_run_of(cfg, rerun["run_id"]).state.is_completed()

        rows = {b["station"]: b for b in batches_of_run(engine, rerun["run_id"])}
        assert {s: b["state"] for s, b in rows.items()} == {broken: "succeeded", down: "succeeded"}
        assert rows[broken]["attempts"] == 2  # one failed attempt before, this one
        assert rows[down]["attempts"] == cfg.load.transient_retries + 2
        assert all(
            b["customers"] > 0 and b["flow_run_id"] and b["task_run_id"] for b in rows.values()
        )
        assert runs.stations_to_redo(engine) == []
        with engine.connect() as conn:
            after = dict(conn.execute(select(customers.c.customer_code, customers.c.run_id)).all())
            of_failed = set(
                conn.execute(
                    select(customers.c.customer_code).where(customers.c.station.in_([broken, down]))
                ).scalars()
            )
        # the rerun wrote the failed stations' customers, and nobody else's
        changed = {c for c in after if after[c] != before.get(c)}
        assert changed == of_failed
        assert len(changed) == rows[broken]["customers"] + rows[down]["customers"]
        assert all(after[c] == rerun["run_id"] for c in changed)
        assert all(after[c] == before[c] == first["run_id"] for c in before)

        data = status_data(engine)
        shown = next(r for r in data["runs"] if r["id"] == rerun["run_id"])
        assert shown["kind"] == "rerun" and shown["flow_run_id"]
        assert sorted(shown["stations"], key=lambda b: b["station"]) == sorted(
            [
                {"station": broken, "state": "succeeded", "attempts": 2, "error": None},
                {
                    "station": down,
                    "state": "succeeded",
                    "attempts": cfg.load.transient_retries + 2,
                    "error": None,
                },
            ],
            key=lambda b: b["station"],
        )
        latest = {b["station"]: b for b in data["batches"]}
        assert latest[broken]["state"] == latest[down]["state"] == "succeeded"

        again = run_flow(cfg, at=NIGHT, failed_only=True, kind="rerun")  # nothing left
        assert again["batches"] == {} and batches_of_run(engine, again["run_id"]) == []
    finally:
        engine.dispose()


def test_rerun_of_named_stations_honours_the_windows(first_run) -> None:
    cfg, chosen, _, _, _ = first_run
    named = [chosen[0], chosen[4]]
    summary = run_flow(cfg, at=MIDDAY, stations=named, kind="rerun")
    engine = store_engine(cfg.store.url)
    try:
        rows = batches_of_run(engine, summary["run_id"])
    finally:
        engine.dispose()
    assert sorted(b["station"] for b in rows) == sorted(named)
    assert {b["state"] for b in rows} == {"deferred"}  # midday: outside the off-peak hours
    assert all(b["queries"] == 0 and b["rows_read"] == 0 for b in rows)  # CMIS left alone

"""The run ledger on a real store (SQLite; PostgreSQL too when CMIS_TEST_DATABASE_URL is set):
dead runs are detected by their heartbeat (on this host at once, by their process being gone), their unfinished batches become failed, their CMIS
ledger slots are freed at once, and reruns know what to redo and how many attempts were spent."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from cmis_migrate.db import utcnow
from cmis_migrate.processes import host_name, is_gone, this_process
from cmis_migrate.store import runs, slots
from cmis_migrate.store.batch_group import start_batches
from cmis_migrate.store.queries import batches_of_run, latest_runs
from cmis_migrate.store.tables import batches, ledger_slots
from cmis_migrate.store.tables import runs as runs_table

AS_OF = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
STALE = timedelta(seconds=90)


@pytest.fixture
def store(store):
    slots.ensure_slots(store, 2)
    return store


def open_run(engine, run_id: str, stations: list[str], *, kind: str = "run") -> None:
    runs.start_run(engine, run_id, kind=kind, as_of=AS_OF, flow_run_id=f"flow-{run_id}")
    runs.plan_batches(
        engine,
        run_id,
        [
            {"station": s, "branch": s[:6], "standardized": False, "position": i, "attempts": 0}
            for i, s in enumerate(stations)
        ],
    )


def silence(engine, run_id: str, seconds: float) -> None:
    """The run's last heartbeat was `seconds` ago (it was killed then)."""
    with engine.begin() as conn:
        conn.execute(
            update(runs_table)
            .where(runs_table.c.run_id == run_id)
            .values(heartbeat_at=utcnow() - timedelta(seconds=seconds))
        )


def succeed(engine, run_id: str, station: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(batches)
            .where(batches.c.run_id == run_id, batches.c.station == station)
            .values(state="succeeded", finished_at=utcnow())
        )


def test_a_killed_run_is_found_dead_and_its_unfinished_batches_redone(store) -> None:
    s1, s2, s3 = "PA0701T0001", "PA0701T0002", "PA0702T0001"
    open_run(store, "dead", [s1, s2, s3])
    start_batches(store, "dead", [s1], lease_seconds=900, task_run_id="t1")
    runs.begin_batch(store, "dead", s1)  # its task was reading it
    start_batches(store, "dead", [s2], lease_seconds=900, task_run_id="t2")
    succeed(store, "dead", s2)
    # the dead run held a CMIS ledger slot with a 15-minute lease
    held = slots.try_acquire(store, 2, "dead/reader", "PA0701T0001A", lease_seconds=900)
    assert held is not None
    open_run(store, "alive", ["PA0703T0001"])  # another run, still heartbeating

    silence(store, "dead", 60)
    assert runs.abandon_dead_runs(store, stale_after=STALE) == []  # 60 s: not dead yet
    assert runs.stations_to_redo(store) == []

    silence(store, "dead", 120)
    assert runs.abandon_dead_runs(store, stale_after=STALE) == ["dead"]
    states = {b["station"]: b for b in batches_of_run(store, "dead")}
    assert states[s2]["state"] == "succeeded"  # what it committed stays
    assert states[s1]["state"] == states[s3]["state"] == "failed"
    assert (
        states[s1]["error_type"] == "RunDied"
        and "while this batch was running" in states[s1]["error"]
    )
    assert "before this batch started" in states[s3]["error"]
    by_id = {r["id"]: r for r in latest_runs(store)}
    assert by_id["dead"]["state"] == "abandoned"
    assert by_id["alive"]["state"] == "running"
    with store.connect() as conn:
        holders = list(conn.execute(select(ledger_slots.c.holder)).scalars())
    assert not any(h and h.startswith("dead/") for h in holders)  # freed without waiting

    assert runs.stations_to_redo(store) == [s1, s3]
    assert runs.previous_attempts(store, [s1, s2, s3]) == {s1: 1, s3: 0}
    assert runs.abandon_dead_runs(store, stale_after=STALE) == []  # once is enough


def test_a_rerun_becomes_the_latest_batch_of_its_stations(store) -> None:
    s1, s2 = "PA0701T0001", "PA0701T0002"
    open_run(store, "first", [s1, s2])
    for s in (s1, s2):
        start_batches(store, "first", [s], lease_seconds=900, task_run_id=None)
        runs.begin_batch(store, "first", s)
    succeed(store, "first", s1)
    runs.fail_batch(store, "first", s2, "ValueError", "bad ledger")
    runs.finish_run(store, "first", "failed")
    assert runs.stations_to_redo(store) == [s2]

    attempts = runs.previous_attempts(store, [s2])
    runs.start_run(store, "rerun", kind="rerun", as_of=AS_OF, flow_run_id="flow-rerun")
    runs.plan_batches(
        store,
        "rerun",
        [
            {
                "station": s2,
                "branch": "PA0701",
                "standardized": False,
                "position": 0,
                "attempts": attempts[s2],
            }
        ],
    )
    start_batches(store, "rerun", [s2], lease_seconds=900, task_run_id="t9")
    runs.begin_batch(store, "rerun", s2)
    succeed(store, "rerun", s2)
    runs.finish_run(store, "rerun", "succeeded")

    assert runs.stations_to_redo(store) == []
    rerun = next(r for r in latest_runs(store) if r["id"] == "rerun")
    assert rerun["kind"] == "rerun" and rerun["flow_run_id"] == "flow-rerun"
    assert rerun["stations"] == [
        {"station": s2, "state": "succeeded", "attempts": 2, "error": None}
    ]
    assert rerun["batches"] == {"succeeded": 1}


def test_a_failed_run_leaves_its_unstarted_batches_to_redo(store) -> None:
    """A run that ended with an error (not killed) may leave pending batches: they are redone."""
    open_run(store, "broken", ["PA0701T0001", "PA0701T0002"])
    runs.finish_run(store, "broken", "failed", error="RuntimeError: boom")
    assert runs.abandon_dead_runs(store, stale_after=timedelta(0)) == []  # not running
    assert runs.stations_to_redo(store) == ["PA0701T0001", "PA0701T0002"]


# --- a crashed run on this host is dead at once (its process is gone) ---------------------


def _exited_pid() -> int:
    """The pid of a process that has ended (and was reaped): no process has it now."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _record_process(engine, run_id: str, *, host: str, pid: int, start: str | None) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(runs_table)
            .where(runs_table.c.run_id == run_id)
            .values(host=host, pid=pid, process_start=start)
        )


def _new_run(engine, tmp_path, make_config):
    """A run begun as `run` begins one (run_control.begin_run), on a 90 s dead_after."""
    from cmis_migrate.config import load_config
    from cmis_migrate.run_control import begin_run

    cfg = load_config(make_config(tmp_path / "site", load={"dead_after_seconds": 90}), env={})
    handle = begin_run(
        SimpleNamespace(cfg=cfg, store=engine), kind="run", at=None, flow_run_id=None
    )
    handle.heartbeat.stop()
    return handle


def test_a_run_whose_process_is_gone_on_this_host_is_taken_over_at_once(
    store, tmp_path, make_config
) -> None:
    s1, s2 = "PA0701T0001", "PA0701T0002"
    open_run(store, "crashed", [s1, s2])
    runs.begin_batch(store, "crashed", s1)
    silence(store, "crashed", 1)  # it beat a second ago: the heartbeat alone says alive
    _record_process(store, "crashed", host=host_name(), pid=_exited_pid(), start="boot:1")

    handle = _new_run(store, tmp_path, make_config)

    by_id = {r["id"]: r for r in latest_runs(store)}
    assert by_id["crashed"]["state"] == "abandoned"
    assert by_id[handle.run_id]["state"] == "running"
    assert runs.stations_to_redo(store) == [s1, s2]
    with store.connect() as conn:
        rows = {
            r.run_id: r
            for r in conn.execute(
                select(runs_table.c.run_id, runs_table.c.error, runs_table.c.host, runs_table.c.pid)
            )
        }
    assert "process" in rows["crashed"].error and "gone" in rows["crashed"].error
    # the new run recorded its own process, for the run after it
    assert (rows[handle.run_id].host, rows[handle.run_id].pid) == (host_name(), os.getpid())


def test_a_reused_pid_does_not_keep_a_crashed_run_alive(store) -> None:
    open_run(store, "crashed", ["PA0701T0001"])
    # its pid now belongs to another process (here: this one), started at another moment
    _record_process(store, "crashed", host=host_name(), pid=os.getpid(), start="boot:1")
    open_run(store, "alive", ["PA0701T0002"])  # this very process, as it records itself
    me = this_process()
    _record_process(store, "alive", host=me.host, pid=me.pid, start=me.start)

    dead = runs.abandon_dead_runs(store, stale_after=STALE, host=host_name(), gone=is_gone)

    assert dead == (["crashed"] if me.start is not None else [])
    assert {r["id"]: r["state"] for r in latest_runs(store)}["alive"] == "running"


def test_a_run_of_another_host_is_judged_by_its_heartbeat_only(store) -> None:
    open_run(store, "elsewhere", ["PA0701T0001"])
    _record_process(store, "elsewhere", host="another-host", pid=_exited_pid(), start="boot:1")
    silence(store, "elsewhere", 60)

    assert runs.abandon_dead_runs(store, stale_after=STALE, host=host_name(), gone=is_gone) == []
    assert runs.stations_to_redo(store) == []

    silence(store, "elsewhere", 120)
    assert runs.abandon_dead_runs(store, stale_after=STALE, host=host_name(), gone=is_gone) == [
        "elsewhere"
    ]

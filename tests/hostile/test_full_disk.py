"""A full disk during `cmis-migrate run`: the log files and the store refuse to write (ENOSPC,
SQLite's "database or disk is full"). The run stops with one clear message (no "--- Logging
error ---" per record, no traceback), the station whose transaction was refused is left as it
was, and once there is space again the next run completes."""

from __future__ import annotations

import errno
import logging
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from cmis_migrate.cli import app as cli_app
from cmis_migrate.db import store_engine
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.store import runs
from cmis_migrate.store.queries import batches_of_run, latest_runs
from cmis_migrate.store.tables import customers
from tests.conftest import OPEN_ALL_DAY, write_config

pytestmark = pytest.mark.slow


class FullDisk:
    """The disk fills up while the run writes: the first station's data goes in, every later
    insert of customer issues (inside a station's transaction, after its customers were
    written) fails as SQLite fails on a full disk, and so does every log write."""

    def __init__(self) -> None:
        self.inserts = 0
        self.stations_refused: list[str] = []

    def before_execute(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO CUSTOMER_ISSUES"):
            self.inserts += 1
            if self.inserts > 1:
                raise sqlite3.OperationalError("database or disk is full")

    @staticmethod
    def flush(self) -> None:  # logging.StreamHandler.flush: every handler's write fails
        raise OSError(errno.ENOSPC, "No space left on device")


def cli(site: Path, monkeypatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["cmis-migrate", *args, "--config", str(site / "config.yaml")])
    monkeypatch.chdir(site)
    try:
        cli_app.main()
    except SystemExit as ended:
        return ended.code or 0
    return 0


def test_a_full_disk_stops_the_run_with_one_message_and_the_next_run_completes(
    tmp_path, monkeypatch, capfd, main_process, prefect_server
) -> None:
    site = tmp_path / "site"
    seed_demo(f"sqlite:///{tmp_path / 'cmis.sqlite'}", 300, 11)
    write_config(
        site,
        source={"url": f"sqlite:///{tmp_path / 'cmis.sqlite'}"},
        windows=OPEN_ALL_DAY,
        load={"parallel_batches": 1, "customers_per_task": 100},
    )
    full = FullDisk()
    event.listen(Engine, "before_cursor_execute", full.before_execute)
    try:
        with monkeypatch.context() as mp:
            mp.setattr(logging.StreamHandler, "flush", FullDisk.flush)
            code = cli(site, monkeypatch, "run", "--at", "2026-03-10T23:00")
    finally:
        event.remove(Engine, "before_cursor_execute", full.before_execute)
    out, err = capfd.readouterr()
    shown = out + err

    assert code != 0, shown
    assert "Logging error" not in shown and "Traceback" not in shown, shown
    errors = [line for line in shown.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and "the disk is full" in errors[0], shown
    assert "database or disk is full" in errors[0], shown

    store = store_engine(f"sqlite:///{site / 'store.sqlite'}")
    try:
        (stopped,) = latest_runs(store)
        assert stopped["state"] == "failed"
        batches = batches_of_run(store, stopped["id"])
        done = [b for b in batches if b["state"] == "succeeded"]
        assert len(done) == 1  # the station committed before the disk filled stands...
        with store.connect() as conn:
            stored = dict(
                conn.execute(
                    select(customers.c.station, func.count()).group_by(customers.c.station)
                ).all()
            )
        # ...and the refused station's transaction left nothing behind (all or nothing)
        assert list(stored) == [done[0]["station"]]
        assert stored[done[0]["station"]] == done[0]["customers"]
        assert runs.stations_to_redo(store)

        # space again: the next run completes
        code = cli(site, monkeypatch, "run", "--at", "2026-03-11T23:00")
        out, err = capfd.readouterr()
        assert code == 0, out + err
        assert "Traceback" not in out + err
        (last, _) = latest_runs(store)[:2]
        assert last["state"] == "succeeded"
        assert runs.stations_to_redo(store) == []
        assert all(b["state"] == "succeeded" for b in batches_of_run(store, last["id"]))
    finally:
        store.dispose()

"""Telling a full disk from other errors, a log file that cannot be written, and reading a
process's start (what tells a crashed run's process from one that reused its pid)."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3

from sqlalchemy import exc as sa_exc

from cmis_migrate import logs
from cmis_migrate.failures import is_disk_full, is_transient, not_the_stations
from cmis_migrate.processes import is_gone, process_start


def test_a_full_disk_is_recognised_in_the_store_and_in_files() -> None:
    sqlite_full = sa_exc.OperationalError(
        "INSERT ...", {}, sqlite3.OperationalError("database or disk is full")
    )
    pg_full = sa_exc.OperationalError(
        "INSERT ...", {}, Exception('could not extend file "base/1/2": No space left on device')
    )
    wrapped = RuntimeError("while writing the workbook")
    wrapped.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    for exc in (sqlite_full, pg_full, OSError(errno.EDQUOT, "Disk quota exceeded"), wrapped):
        assert is_disk_full(exc) and not_the_stations(exc) and not is_transient(exc)
    for exc in (ValueError("bad ledger"), OSError(errno.EACCES, "Permission denied")):
        assert not is_disk_full(exc) and not not_the_stations(exc)


def test_a_log_that_cannot_be_written_drops_its_records_quietly(tmp_path, capsys, monkeypatch):
    handler = logs.quiet_handler(tmp_path / "x.log")
    logger = logging.getLogger("test.full.disk")
    logger.addHandler(handler)
    logger.propagate = False
    monkeypatch.setattr(logs, "_lost", [])
    monkeypatch.setattr(logging, "raiseExceptions", True)  # even so: nothing on the console

    def full(self):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(logging.StreamHandler, "flush", full)
    try:
        for i in range(5):
            logger.warning("line %d", i)
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert capsys.readouterr().err == ""
    assert handler.failed and len(logs.lost_logs()) == 1
    assert "No space left on device" in logs.lost_logs()[0]


def test_a_process_start_tells_a_reused_pid(tmp_path) -> None:
    proc = tmp_path / "proc"
    (proc / "sys" / "kernel" / "random").mkdir(parents=True)
    (proc / "sys" / "kernel" / "random" / "boot_id").write_text("b00t\n")
    (proc / "42").mkdir()
    fields = " ".join(str(n) for n in range(4, 24))  # each field its number; the 22nd: start
    (proc / "42" / "stat").write_text(f"42 (a (weird) name) S {fields}\n")
    assert process_start(42, proc) == "b00t:22"
    assert process_start(43, proc) is None
    me = process_start(os.getpid())
    if me is not None:  # Linux: this process is alive with its own start, not another one
        assert not is_gone(os.getpid(), me)
        assert is_gone(os.getpid(), me + "0")

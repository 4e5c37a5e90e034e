"""Review workbooks after trouble: a workbook that cannot be written (disk full) does not stop
the others, is named by the run summary and `status`, and is written by the next rerun; a rerun
writes again the workbook of a branch whose stations a crashed run completed (it died before
publishing). SQLite always; PostgreSQL too when CMIS_TEST_DATABASE_URL is set."""

from __future__ import annotations

import errno
import hashlib

import pytest
from sqlalchemy import create_engine, select, update

from cmis_migrate.cli.status import status_data
from cmis_migrate.cli.summary import print_run_summary
from cmis_migrate.db import source_engine, store_engine
from cmis_migrate.reports import review_workbook
from cmis_migrate.source.cmis import CmisSource
from cmis_migrate.source.schema import cmis_tables
from cmis_migrate.store import review
from cmis_migrate.store.tables import imports
from tests.conftest import seeded_site

pytestmark = pytest.mark.slow


def night(cfg, day: int, **kw) -> dict:
    from cmis_migrate.flows.nightly import run_nightly

    return run_nightly(cfg, at=f"2026-03-{day:02d}T23:00:00+07:00", **kw)


def rerun_failed(cfg, day: int) -> dict:
    return night(cfg, day, kind="rerun", failed_only=True)


def workbook(cfg, branch: str) -> str | None:
    path = cfg.paths.reports / f"review_{branch}.xlsx"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture
def site(db_urls, tmp_path, prefect_server):
    cfg = seeded_site(db_urls, tmp_path / "site", 300, 7)
    engine = source_engine(cfg.source.url)
    try:
        stations = CmisSource(engine).inventory()
    finally:
        engine.dispose()
    branches = sorted({s.branch for s in stations})
    assert len(branches) >= 3
    store = store_engine(cfg.store.url)
    yield cfg, store, stations, branches
    store.dispose()


def test_a_workbook_that_cannot_be_written_is_reported_and_written_by_the_next_rerun(
    site, monkeypatch, capsys
) -> None:
    cfg, store, _, branches = site
    full = branches[1]
    real_write = review_workbook.write_workbook

    def write_workbook(report, path, tz):
        if report.branch == full:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(report, path, tz)

    with monkeypatch.context() as mp:
        mp.setattr(review_workbook, "write_workbook", write_workbook)
        summary = night(cfg, 10)

    assert summary["state"] == "succeeded"  # the stations are done; one workbook is missing
    assert workbook(cfg, full) is None
    assert all(workbook(cfg, b) for b in branches if b != full)  # the others were written
    assert not list(cfg.paths.reports.glob(f".review_{full}-*"))  # no half-written temp file
    with store.connect() as conn:  # not recorded as issued: it was never sent out
        issued = conn.execute(
            select(imports.c.import_id).where(
                imports.c.kind == review.REPORT_KIND, imports.c.branch == full
            )
        ).all()
    assert issued == []
    unwritten = status_data(store)["unwritten_workbooks"]
    assert [(w["branch"], w["run_id"]) for w in unwritten] == [(full, summary["run_id"])]
    assert "No space left on device" in unwritten[0]["error"]
    print_run_summary(cfg, summary)
    shown = capsys.readouterr().out
    assert f"review workbook of branch {full} not written" in shown, shown

    rerun = rerun_failed(cfg, 11)  # nothing failed: no station redone, the workbook written

    assert rerun["state"] == "succeeded" and not rerun["batches"]
    assert workbook(cfg, full) is not None
    assert status_data(store)["unwritten_workbooks"] == []


def test_a_rerun_writes_again_the_workbook_of_a_branch_a_crashed_run_changed(
    site, monkeypatch
) -> None:
    cfg, store, stations, branches = site
    night(cfg, 10)
    night(cfg, 11)  # cross-station counts settle
    changed, failing = branches[0], branches[2]
    before = {b: workbook(cfg, b) for b in branches}
    # CMIS changes a customer of `changed`
    t = cmis_tables()
    src = create_engine(cfg.source.url)  # the tool's own source engine is read-only
    try:
        with src.begin() as conn:
            code = conn.execute(
                select(t.HDG_KHACH_HANG.c.MA_KHANG)
                .where(t.HDG_KHACH_HANG.c.MA_DVIQLY == changed)  # noqa: SIM300
                .order_by(t.HDG_KHACH_HANG.c.MA_KHANG)
                .limit(1)
            ).scalar_one()
            conn.execute(
                update(t.HDG_KHACH_HANG)
                .where(t.HDG_KHACH_HANG.c.MA_KHANG == code)  # noqa: SIM300
                .values(TEN_KHANG="Lê Thị Đổi Tên")
            )
    finally:
        src.dispose()
    # the night's run commits it, fails a station of `failing`, then dies before publishing
    bad = next(s.station for s in stations if s.branch == failing)
    real_read = CmisSource.read_ledger

    def read_ledger(source, station, ledger, **kwargs):
        if station == bad:
            raise ValueError("malformed ledger")
        yield from real_read(source, station, ledger, **kwargs)

    import cmis_migrate.flows.nightly as nightly

    with monkeypatch.context() as mp:
        mp.setattr(CmisSource, "read_ledger", read_ledger)
        mp.setattr(nightly, "publish_after_run", lambda rt, run_id, **kw: [])
        crashed = night(cfg, 12)
    assert crashed["batches"].get("failed") == 1
    assert workbook(cfg, changed) == before[changed]  # not published by the crashed run

    rerun = rerun_failed(cfg, 13)  # redoes the failed station of `failing` only

    assert rerun["batches"] == {"succeeded": 1}
    assert workbook(cfg, changed) != before[changed]  # ...and writes `changed`'s workbook too
    assert not review.changed_since_issued(store, changed, f"review_{changed}.xlsx")

"""The store after a night is the same whichever way a station batch is written: the bulk
writers (COPY on PostgreSQL, one prepared executemany per table on SQLite) against the
row-by-row writer they replaced (kept behind a private switch), over three nights of the real
flow: the first, a second after ~1% of the customers changed in CMIS, and a quiet third.

SQLite always; PostgreSQL (source and both stores) too when CMIS_TEST_DATABASE_URL is set."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from sqlalchemy import func, select

from cmis_migrate.config import load_config
from cmis_migrate.db import store_engine
from cmis_migrate.demo.changes import change_customers
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.store.tables import customer_issues, customers, drafts
from cmis_migrate.store.unit_of_work import ROW_WRITES_ENV
from tests.conftest import OPEN_ALL_DAY, _fresh_pg_database
from tests.store_dump import dump_store, first_difference

pytestmark = pytest.mark.slow

N = 500
NIGHTS = ("2026-03-10T23:00:00+07:00", "2026-03-11T23:00:00+07:00", "2026-03-12T23:00:00+07:00")


@pytest.fixture
def urls(db_kind, tmp_path, pg_base_url):
    if db_kind == "sqlite":
        yield {
            name: f"sqlite:///{tmp_path / f'{name}.sqlite'}" for name in ("cmis", "rows", "bulk")
        }
        return
    fresh = contextlib.contextmanager(_fresh_pg_database)
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(fresh(pg_base_url)) for name in ("cmis", "rows", "bulk")}


@pytest.fixture
def sites(urls, tmp_path, make_config, prefect_server):
    seed_demo(urls["cmis"], N, 11)
    out = {}
    for writer in ("rows", "bulk"):
        path = make_config(
            tmp_path / writer,
            source={"url": urls["cmis"]},
            store={"url": urls[writer]},
            windows=OPEN_ALL_DAY,
            # one worker: stations commit in plan order, so the cross-station counts each one
            # sees are the same in both stores
            load={"max_ledgers_at_once": 2, "parallel_batches": 1},
        )
        out[writer] = load_config(path, env={})
    return out


def night(cfg, at: str, monkeypatch, *, row_by_row: bool) -> dict:
    from cmis_migrate.flows.nightly import run_nightly

    if row_by_row:
        monkeypatch.setenv(ROW_WRITES_ENV, "1")
    else:
        monkeypatch.delenv(ROW_WRITES_ENV, raising=False)
    summary = run_nightly(cfg, at=at)
    assert summary["state"] == "succeeded"
    return summary


def dumped(cfg) -> dict:
    engine = store_engine(cfg.store.url)
    try:
        return dump_store(engine)
    finally:
        engine.dispose()


def counts(cfg) -> tuple[int, int, int]:
    engine = store_engine(cfg.store.url)
    try:
        with engine.connect() as conn:
            return tuple(
                conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (customers, customer_issues, drafts)
            )
    finally:
        engine.dispose()


def test_bulk_writes_leave_the_store_row_by_row_writes_left(sites, urls, monkeypatch) -> None:
    changed: list[str] = []
    for i, at in enumerate(NIGHTS):
        if i == 1:  # ~1% of the customers moved or took a new phone during the day
            changed = change_customers(urls["cmis"], 0.01, seed=5, on=date(2026, 3, 11))
        night(sites["rows"], at, monkeypatch, row_by_row=True)
        night(sites["bulk"], at, monkeypatch, row_by_row=False)
        rows, bulk = dumped(sites["rows"]), dumped(sites["bulk"])
        assert rows == bulk, f"night {i + 1}: {first_difference(rows, bulk)}"
        n_customers, n_issues, n_drafts = counts(sites["bulk"])
        assert n_customers == N and n_issues > 0 and 0 < n_drafts < N
    assert len(changed) == 5
    # the changed customers were written again on the second night, with their new data
    engine = store_engine(sites["bulk"].store.url)
    try:
        with engine.connect() as conn:
            moved = conn.execute(
                select(func.count())
                .select_from(customers)
                .where(customers.c.customer_code.in_(changed))
                .where(customers.c.address_original.like("Số %"))
            ).scalar_one()
    finally:
        engine.dispose()
    assert moved == len(changed)

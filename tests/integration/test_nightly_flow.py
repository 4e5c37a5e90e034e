"""The real Prefect flow end to end on a small demo CMIS: SQLite always, PostgreSQL (source and
store) when CMIS_TEST_DATABASE_URL is set."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from cmis_migrate.config import load_config
from cmis_migrate.db import store_engine
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.store.queries import batches_of_run, current_batches, drafts_frame, totals
from cmis_migrate.store.tables import customer_issues, customers, drafts
from tests.conftest import OPEN_ALL_DAY

pytestmark = pytest.mark.slow

N = 700


@pytest.fixture
def site(tmp_path, db_urls, make_config, prefect_server):
    seed_demo(db_urls["source"], N, 11)
    path = make_config(
        tmp_path / "site",
        source={"url": db_urls["source"]},
        store={"url": db_urls["store"]},
        windows=OPEN_ALL_DAY,
        load={"max_ledgers_at_once": 2, "parallel_batches": 2},
    )
    yield load_config(path, env={})


def run_flow(cfg, **kw) -> dict:
    from cmis_migrate.flows.nightly import run_nightly

    return run_nightly(cfg, **kw)


def stable_drafts(cfg) -> pd.DataFrame:
    engine = store_engine(cfg.store.url)
    try:
        frame = drafts_frame(engine)
    finally:
        engine.dispose()
    return (
        frame.drop(columns=["run_id", "drafted_at"])
        .sort_values("customer_code")
        .reset_index(drop=True)
    )


def test_flow_end_to_end_then_again_without_duplicates(site) -> None:
    cfg = site
    first = run_flow(cfg, at="2026-03-10T23:00:00+07:00")
    assert first["state"] == "succeeded"
    engine = store_engine(cfg.store.url)
    try:
        rows = batches_of_run(engine, first["run_id"])
        t = totals(rows)
        assert t["customers"] == N
        assert t["ready"] + t["needs_review"] + t["blocked"] + t["deferred"] == t["customers"]
        assert t["deferred"] == 0
        assert {b["state"] for b in rows} == {"succeeded"}
        assert 0 < t["ready"] < N and t["blocked"] > 0 and t["needs_review"] > 0
        drafted = stable_drafts(cfg)
        assert len(drafted) == t["drafted"] == t["ready"]
        with engine.connect() as conn:
            ready = set(
                conn.execute(
                    select(customers.c.customer_code).where(customers.c.outcome == "ready")
                ).scalars()
            )
            n_issues = conn.execute(select(func.count()).select_from(customer_issues)).scalar_one()
        assert set(drafted["customer_code"]) == ready
        # every draft carries proposed values: a mobile in E.164, a CCCD, a 2025 ward
        assert drafted["otp_phone"].str.match(r"^\+84\d{9}$").all()
        assert (drafted["id_type"] == "CCCD").all()
        assert drafted["address"].str.contains("Tỉnh Thanh Hóa").all()

        second = run_flow(cfg, at="2026-03-11T23:00:00+07:00")
        assert second["state"] == "succeeded"
        with engine.connect() as conn:
            n_drafts = conn.execute(select(func.count()).select_from(drafts)).scalar_one()
            n_customers = conn.execute(select(func.count()).select_from(customers)).scalar_one()
            n_issues_2 = conn.execute(
                select(func.count()).select_from(customer_issues)
            ).scalar_one()
        assert n_customers == N
        assert n_drafts == len(drafted)
        assert n_issues_2 == n_issues
        again = stable_drafts(cfg)
        pd.testing.assert_frame_equal(
            again.drop(columns=["first_drafted_at"]), drafted.drop(columns=["first_drafted_at"])
        )
        # a redo keeps when the customer was first drafted
        assert (again["first_drafted_at"] == drafted["first_drafted_at"]).all()
        assert totals(current_batches(engine)) == totals(batches_of_run(engine, second["run_id"]))
    finally:
        engine.dispose()

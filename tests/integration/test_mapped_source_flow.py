"""The nightly flow reads a PostgreSQL CMIS whose tables live in a non-default schema under
renamed tables and columns mapped in config, and stores the same result as from the default
SQLite demo holding the same customers."""

from __future__ import annotations

import pandas as pd
import pytest

from cmis_migrate.config import load_config
from cmis_migrate.db import store_engine
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.store.queries import batches_of_run, drafts_frame, totals
from tests.conftest import OPEN_ALL_DAY
from tests.mapped_cmis import move_demo_into_site_schema, source_mapping

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

N, SEED = 300, 11
AT = "2026-03-10T23:00:00+07:00"


def _night(cfg) -> tuple[dict, pd.DataFrame]:
    from cmis_migrate.flows.nightly import run_nightly

    result = run_nightly(cfg, at=AT)
    assert result["state"] == "succeeded"
    engine = store_engine(cfg.store.url)
    try:
        t = totals(batches_of_run(engine, result["run_id"]))
        drafts = (
            drafts_frame(engine)
            .drop(columns=["run_id", "drafted_at", "first_drafted_at"])
            .sort_values("customer_code")
            .reset_index(drop=True)
        )
    finally:
        engine.dispose()
    return t, drafts


def _config(folder, make_config, source: dict):
    path = make_config(
        folder,
        source=source,
        store={"url": f"sqlite:///{folder / 'store.sqlite'}"},
        windows=OPEN_ALL_DAY,
        load={"max_ledgers_at_once": 2, "parallel_batches": 2, "max_rows_per_query": 40},
    )
    return load_config(path, env={})


def test_a_mapped_postgresql_schema_gives_the_demo_result(
    tmp_path, pg_database, make_config, prefect_server
) -> None:
    demo = tmp_path / "demo"
    seed_demo(f"sqlite:///{demo / 'cmis.sqlite'}", N, SEED)
    demo_totals, demo_drafts = _night(
        _config(demo, make_config, {"url": f"sqlite:///{demo / 'cmis.sqlite'}"})
    )

    seed_demo(pg_database, N, SEED)
    move_demo_into_site_schema(pg_database)
    site_cfg = _config(tmp_path / "site", make_config, {"url": pg_database, **source_mapping()})
    site_totals, site_drafts = _night(site_cfg)

    assert demo_totals["customers"] == N and 0 < demo_totals["ready"] < N
    assert site_totals == demo_totals
    pd.testing.assert_frame_equal(site_drafts, demo_drafts)

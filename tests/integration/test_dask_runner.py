"""`runner: dask`: the flow on a local Dask cluster of 2 worker processes leaves the same store
as the default runner, and the CMIS ledger limit holds across the worker processes.

The store is PostgreSQL when CMIS_TEST_DATABASE_URL is set, SQLite otherwise (one file shared
by the worker processes). CMIS is a demo SQLite file, opened read-only by every worker.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, select

from cmis_migrate.config import load_config
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.store.tables import batches, customer_issues, customers, drafts
from tests.conftest import OPEN_ALL_DAY

pytestmark = pytest.mark.slow

N = 400
NIGHTS = ("2026-03-10T23:00:00+07:00", "2026-03-11T23:00:00+07:00")

# loaded by every Dask worker at start (a Dask preload): logs each CMIS ledger query with the
# worker's pid and holds it 50 ms, so that reads not kept apart by the ledger slots overlap
PROBE = """
import os, time
import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine

LOG = {log!r}


def _ledger_read(statement):  # the ledger query of source/cmis.py, nothing else
    return "HDG_DIEM_DO" in statement and "pending_change" in statement


def _write(what):
    with open(LOG, "a", encoding="utf-8") as f:
        f.write(f"{{what}} {{os.getpid()}} {{time.time():.6f}}\\n")


def _before(conn, cursor, statement, parameters, context, executemany):
    if _ledger_read(statement):
        _write("start")
        time.sleep(0.05)


def _after(conn, cursor, statement, parameters, context, executemany):
    if _ledger_read(statement):
        _write("end")


if not getattr(sqlalchemy, "_cmis_read_probe", False):  # a preload may run twice
    sqlalchemy._cmis_read_probe = True
    event.listen(Engine, "before_cursor_execute", _before)
    event.listen(Engine, "after_cursor_execute", _after)
"""


@pytest.fixture(scope="module")
def source_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cmis') / 'cmis.sqlite'}"
    seed_demo(url, N, 31)
    return url


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, prefect_server):
    """A local Dask cluster of 2 worker processes (reached through dask.address)."""
    from distributed import LocalCluster

    folder = tmp_path_factory.mktemp("dask")
    log = folder / "reads.log"
    probe = folder / "cmis_read_probe.py"
    probe.write_text(PROBE.format(log=str(log)), encoding="utf-8")
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
        preload=[str(probe)],
    ) as c:
        yield c.scheduler_address, log


@pytest.fixture
def stores(tmp_path, pg_base_url, request) -> tuple[str, str]:
    if pg_base_url is None:
        return f"sqlite:///{tmp_path / 'local.sqlite'}", f"sqlite:///{tmp_path / 'dask.sqlite'}"
    return request.getfixturevalue("pg_database"), request.getfixturevalue("pg_database_2")


def site(folder: Path, make_config, source: str, store: str, load=None, **sections):
    load = load or {"max_ledgers_at_once": 2, "parallel_batches": 2, "customers_per_task": 60}
    path = make_config(
        folder,
        source={"url": source},
        store={"url": store},
        windows=OPEN_ALL_DAY,
        load=load,
        **sections,
    )
    return load_config(path, env={})


def run_flow(cfg, at: str) -> dict:
    from cmis_migrate.flows.nightly import run_nightly

    summary = run_nightly(cfg, at=at)
    return summary


def snapshot(url: str) -> dict[str, pd.DataFrame]:
    """What a run leaves that must not depend on the runner."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            kept = [c for c in customers.columns if c.name not in ("run_id", "changed_at")]
            cust = pd.DataFrame(conn.execute(select(*kept)).all(), columns=[c.name for c in kept])
            kept = [
                c
                for c in drafts.columns
                if c.name not in ("run_id", "drafted_at", "first_drafted_at")
            ]
            draft = pd.DataFrame(conn.execute(select(*kept)).all(), columns=[c.name for c in kept])
            cols = ["customer_code", "field", "rule", "severity", "message"]
            issues = pd.DataFrame(
                conn.execute(select(*(customer_issues.c[c] for c in cols))).all(), columns=cols
            )
    finally:
        engine.dispose()
    return {
        "customers": cust.sort_values("customer_code").reset_index(drop=True),
        "drafts": draft.sort_values("customer_code").reset_index(drop=True),
        "issues": issues.groupby(cols).size().rename("n").reset_index(),
    }


def batch_totals(url: str, run_id: str) -> pd.DataFrame:
    engine = create_engine(url)
    cols = ["station", "state", "customers", "ready", "needs_review", "blocked", "drafted"]
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(*(batches.c[c] for c in cols)).where(batches.c.run_id == run_id)
            ).all()
    finally:
        engine.dispose()
    return pd.DataFrame(rows, columns=cols).sort_values("station").reset_index(drop=True)


def test_the_dask_runner_leaves_the_same_store_as_the_default_runner(
    tmp_path, make_config, source_url, stores, cluster
) -> None:
    local_store, dask_store = stores
    local = site(tmp_path / "local", make_config, source_url, local_store)
    own_cluster = site(
        tmp_path / "dask",
        make_config,
        source_url,
        dask_store,
        runner="dask",
        dask={"n_workers": 2, "threads_per_worker": 1},
    )
    shared_cluster = site(
        tmp_path / "dask-address",
        make_config,
        source_url,
        dask_store,
        runner="dask",
        dask={"address": cluster[0]},
    )
    # night 1: a local cluster started by the runner; night 2: the cluster at dask.address.
    # The first night's cross-station counts depend on which groups ran first (in both
    # runners); from the second night every customer is judged on the whole store's counts
    results = {}
    for name, cfgs, store in (
        ("local", (local, local), local_store),
        ("dask", (own_cluster, shared_cluster), dask_store),
    ):
        runs = [run_flow(cfg, at) for cfg, at in zip(cfgs, NIGHTS, strict=True)]
        assert [r["state"] for r in runs] == ["succeeded", "succeeded"]
        assert runs[0]["totals"]["customers"] == N
        results[name] = (snapshot(store), batch_totals(store, runs[1]["run_id"]))

    (local_snap, local_batches), (dask_snap, dask_batches) = results["local"], results["dask"]
    assert len(local_snap["customers"]) == N and len(local_snap["drafts"]) > 0
    for part in ("customers", "drafts", "issues"):
        pd.testing.assert_frame_equal(dask_snap[part], local_snap[part], check_dtype=False)
    pd.testing.assert_frame_equal(dask_batches, local_batches, check_dtype=False)


def _reads(log: Path) -> list[tuple[str, int, float]]:
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        what, pid, at = line.split()
        out.append((what, int(pid), float(at)))
    return sorted(out, key=lambda e: (e[2], e[0] == "start"))


def test_the_ledger_limit_holds_across_dask_worker_processes(
    tmp_path, make_config, source_url, stores, cluster
) -> None:
    address, log = cluster
    log.unlink(missing_ok=True)
    cfg = site(
        tmp_path / "limit",
        make_config,
        source_url,
        stores[1],
        runner="dask",
        dask={"address": address},
        load={"max_ledgers_at_once": 1, "parallel_batches": 2, "customers_per_task": 40},
    )
    summary = run_flow(cfg, NIGHTS[0])
    assert summary["state"] == "succeeded"
    events = _reads(log)
    starts = [e for e in events if e[0] == "start"]
    assert len({pid for _, pid, _ in starts}) == 2  # both worker processes read CMIS
    assert (
        len(starts)
        == len([e for e in events if e[0] == "end"])
        >= summary["batches"].get("succeeded", 0)
    )
    now = peak = 0
    for what, _, _ in events:
        now += 1 if what == "start" else -1
        peak = max(peak, now)
    assert peak == 1  # never two ledgers read at once, whichever process reads them

"""`cmis-migrate schedule` for real against a Prefect API: the deployment appears, a run of it
(triggered instead of waiting for 22:00) executes the nightly flow from the served process and
lands in the store as kind `schedule`; Ctrl+C stops serving and pauses the schedule."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from cmis_migrate.db import source_engine, store_engine
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.planning import plan_jobs
from cmis_migrate.source.cmis import CmisSource
from cmis_migrate.store.tables import batches, runs
from tests.conftest import OPEN_ALL_DAY

pytestmark = pytest.mark.slow


def test_schedule_serves_a_deployment_whose_runs_reach_the_store(
    tmp_path, make_config, prefect_server
) -> None:
    from prefect import get_client
    from prefect.deployments import run_deployment

    source = f"sqlite:///{tmp_path / 'cmis.sqlite'}"
    seed_demo(source, 60, 3)
    engine = source_engine(source)
    try:
        station = plan_jobs("x", CmisSource(engine).inventory())[0].station
    finally:
        engine.dispose()
    path = make_config(tmp_path / "site", source={"url": source}, windows=OPEN_ALL_DAY)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_API_URL"] = prefect_server
    env["PYTHONFAULTHANDLER"] = "1"  # SIGABRT makes a hung process print every thread's stack
    out = tmp_path / "serve.out"
    with out.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cmis_migrate",
                "schedule",
                "--config",
                str(path),
                "--name",
                "t",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # as when started in the background of a script: SIGINT ignored from the start
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, out.read_text()
            assert time.monotonic() < deadline, "the deployment never appeared"
            try:
                with get_client(sync_client=True) as client:
                    client.read_deployment_by_name("nightly_migration/t")
                break
            except Exception:  # noqa: BLE001 - not registered yet
                time.sleep(0.3)
        flow_run = run_deployment(
            "nightly_migration/t",
            parameters={"at": "2026-03-10T23:00:00+07:00", "stations": [station]},
            timeout=180,
        )
        assert flow_run.state.is_completed(), out.read_text()
        proc.send_signal(signal.SIGINT)
        # a clean stop pauses the schedule through the API: slow on a loaded machine
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)
            proc.wait(timeout=30)
            pytest.fail(f"`schedule` still running 60 s after SIGINT:\n{out.read_text()}")
        assert code == 0, out.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    text = out.read_text()
    assert "serving nightly_migration/t" in text and "Traceback" not in text
    assert re.search(r"next run: \w{3} \d{4}-\d\d-\d\d \d\d:\d\d \(Asia/Ho_Chi_Minh\)", text), text
    with get_client(sync_client=True) as client:
        assert client.read_deployment_by_name("nightly_migration/t").paused
    store = store_engine(f"sqlite:///{tmp_path / 'site' / 'store.sqlite'}")
    try:
        with store.connect() as conn:
            (run,) = conn.execute(select(runs.c.kind, runs.c.state, runs.c.flow_run_id)).all()
            done = conn.execute(select(batches.c.station, batches.c.state)).all()
    finally:
        store.dispose()
    assert (run.kind, run.state, run.flow_run_id) == ("schedule", "succeeded", str(flow_run.id))
    assert done == [(station, "succeeded")]

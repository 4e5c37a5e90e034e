"""What the Prefect UI shows of a run: the flow run named after the store's run id and tagged,
its artifact a per-branch table with the deferred stations' reasons and next open window, and
each deferral in the run's log with its reason."""

from __future__ import annotations

import pytest

from cmis_migrate.config import load_config
from cmis_migrate.db import store_engine
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.store.queries import batches_of_run

pytestmark = pytest.mark.slow

BILLING_NIGHTS = {
    "allowed_hours": {"start": "22:00", "end": "05:00"},
    "billing_days": 3,
    "debt_clearing_days": [],
    "report_aggregation_days": [],
}


@pytest.fixture
def site(tmp_path, make_config, prefect_server):
    source = f"sqlite:///{tmp_path / 'cmis.sqlite'}"
    seed_demo(source, 400, 5)
    path = make_config(tmp_path / "site", source={"url": source}, windows=BILLING_NIGHTS)
    return load_config(path, env={})


def test_flow_run_is_named_tagged_and_its_artifact_tells_the_deferrals(site) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        LogFilter,
        LogFilterFlowRunId,
    )

    from cmis_migrate.flows.nightly import run_nightly

    summary = run_nightly(site, at="2026-12-03T00:00:00+07:00")
    engine = store_engine(site.store.url)
    try:
        rows = batches_of_run(engine, summary["run_id"])
    finally:
        engine.dispose()
    deferred = [b for b in rows if b["state"] == "deferred"]
    assert deferred, "the demo has ledgers in their billing days on 3 December"
    flow_run_id = rows[0]["flow_run_id"]
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
        logs = _logs_once_shipped(client, flow_run_id, LogFilter, LogFilterFlowRunId, deferred)
    assert flow_run.name == summary["run_id"]
    assert {"province:PA07", "runner:local", "kind:run"} <= set(flow_run.tags)
    (artifact,) = [a for a in artifacts if a.key == "cmis-migrate-run"]
    text = artifact.data
    assert (
        "| branch | stations | customers | ready | needs review | blocked | drafted | deferred |"
        in text
    )
    for b in deferred:
        assert f"| {b['station']} | {b['branch']} |" in text
    assert "2026-12-0" in text.split("Deferred stations")[1]  # the next open window, local
    messages = [log.message for log in logs]
    for b in deferred:
        line = next(m for m in messages if f"station {b['station']} deferred" in m)
        assert "invoice issuance" in line and "next open 2026-12-" in line  # dates unmasked


def _logs_once_shipped(client, flow_run_id, LogFilter, LogFilterFlowRunId, deferred) -> list:
    """The run's logs as the API has them. Prefect ships log records to its server from a
    background worker in batches, so the last lines may arrive after the flow returned: flush,
    then read again for a while until every deferral line is there (or give up and let the
    assertions say which is missing)."""
    import time

    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=5)
    wanted = [f"station {b['station']} deferred" for b in deferred]
    deadline = time.monotonic() + 20
    while True:
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
        )
        messages = [log.message for log in logs]
        if all(any(w in m for m in messages) for w in wanted) or time.monotonic() > deadline:
            return logs
        time.sleep(0.2)

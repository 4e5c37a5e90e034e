"""The nightly schedule as a Prefect deployment (issue 6): built from the config without
serving, then registered with a Prefect API and asked for its next runs (no waiting)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cmis_migrate.config import load_config
from cmis_migrate.flows.schedule import build_deployment

pytestmark = pytest.mark.slow


def test_the_default_deployment_runs_at_22_00_in_vietnam_with_the_config_path(
    tmp_path, make_config
) -> None:
    cfg = load_config(make_config(tmp_path / "site"), env={})
    deployment = build_deployment(cfg)
    (only,) = deployment.schedules
    assert (only.schedule.cron, only.schedule.timezone) == ("0 22 * * *", "Asia/Ho_Chi_Minh")
    assert only.active
    assert deployment.parameters == {"config_path": str(cfg.config_path), "kind": "schedule"}
    assert deployment.name == "nightly" and deployment.flow_name == "nightly_migration"
    assert deployment.entrypoint == "cmis_migrate.flows.nightly.nightly_migration"


def test_the_prefect_api_schedules_the_configured_cron_in_its_timezone(
    tmp_path, make_config, prefect_server
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    path = make_config(
        tmp_path / "site", schedule={"cron": "30 21 * * 1-5", "timezone": "Asia/Bangkok"}
    )
    cfg = load_config(path, env={})
    deployment_id = build_deployment(cfg, name="weeknights").apply()
    with get_client(sync_client=True) as client:
        stored = client.read_deployment(deployment_id)
        (only,) = stored.schedules
        assert (only.schedule.cron, only.schedule.timezone) == ("30 21 * * 1-5", "Asia/Bangkok")
        assert stored.parameters == {"config_path": str(cfg.config_path), "kind": "schedule"}
        start = datetime(2026, 3, 9, tzinfo=UTC)  # a Monday
        response = client.request(
            "POST",
            "/deployments/{id}/schedule",
            path_params={"id": deployment_id},
            json={"start_time": start.isoformat(), "max_runs": 6, "min_runs": 6},
        )
        response.raise_for_status()
        flow_runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        )
    planned = sorted(r.expected_start_time for r in flow_runs if r.expected_start_time >= start)[:6]
    assert len(planned) == 6
    # 21:30 in Bangkok (+07:00) is 14:30 UTC, Monday to Friday only
    assert all((t.hour, t.minute) == (14, 30) for t in planned)
    assert [t.date() for t in planned][:5] == [(start + timedelta(days=d)).date() for d in range(5)]
    assert planned[5].date() == (start + timedelta(days=7)).date()  # next Monday
    assert all(r.parameters["config_path"] == str(cfg.config_path) for r in flow_runs)

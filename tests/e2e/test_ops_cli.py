"""`rerun` and `schedule` as a user runs them, on the paths that must not start Prefect:
nothing to redo, a mistyped station, no Prefect server to serve a schedule on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cmis_migrate.demo.generator import seed_demo

pytestmark = pytest.mark.slow


def cli(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    clean.pop("CMIS_SOURCE_URL", None)
    clean.pop("CMIS_STORE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "cmis_migrate", *args, "--config", str(site / "config.yaml")],
        cwd=site,
        env={**clean, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from tests.conftest import write_config

    folder = tmp_path_factory.mktemp("site")
    seed_demo(f"sqlite:///{folder / 'cmis.sqlite'}", 60, 3)
    write_config(folder)
    return folder


def prefect_started(site: Path) -> bool:
    return (site / "work" / "prefect").exists() or (site / "work" / "logs").exists()


def test_rerun_failed_with_nothing_to_redo_says_so_without_starting_prefect(site) -> None:
    result = cli(site, "rerun", "--failed")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing to redo" in result.stdout
    assert not prefect_started(site)


def test_rerun_needs_to_be_told_what(site) -> None:
    result = cli(site, "rerun")
    assert result.returncode == 2
    assert "--failed, or --station CODE" in result.stderr
    assert "Traceback" not in result.stderr


def test_rerun_of_an_unknown_station_stops_before_prefect(site) -> None:
    result = cli(site, "rerun", "--station", "PA0799T9999", "PA0701T0001")
    assert result.returncode == 2
    assert "unknown station(s)" in result.stderr and "PA0799T9999" in result.stderr
    assert "PA0701T0001" not in result.stderr.split("unknown station(s)")[1]  # that one exists
    assert not prefect_started(site)


def test_schedule_without_a_prefect_server_says_how_to_start_one(site) -> None:
    result = cli(site, "schedule")
    assert result.returncode == 2
    assert "prefect server start" in result.stderr
    assert "PREFECT_API_URL=http://127.0.0.1:4200/api" in result.stderr
    assert "--temporary-server" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def closed_site(tmp_path_factory) -> Path:
    """A site of its own: the schedule test above starts Prefect in `site`."""
    from tests.conftest import write_config

    folder = tmp_path_factory.mktemp("closed-site")
    seed_demo(f"sqlite:///{folder / 'cmis.sqlite'}", 60, 3)
    write_config(folder)
    return folder


def test_run_outside_every_window_says_why_and_when_without_starting_prefect(closed_site) -> None:
    result = cli(closed_site, "run", "--at", "2026-12-03T10:00")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing to run at Thu 2026-12-03 10:00" in result.stdout
    assert "outside allowed hours 22:00-05:00" in result.stdout
    assert "the next window opens Thu 2026-12-03 22:00" in result.stdout
    assert not prefect_started(closed_site)


def test_rerun_of_a_closed_station_names_its_ledger_and_reason(closed_site) -> None:
    result = cli(closed_site, "rerun", "--station", "PA0701T0001", "--at", "2026-12-03T10:00")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "the one ledger to read is closed" in result.stdout
        or "ledgers to read are" in result.stdout
    )
    assert "PA0701T0001" in result.stdout and "next open" in result.stdout
    assert not prefect_started(closed_site)

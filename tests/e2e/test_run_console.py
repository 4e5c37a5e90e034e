"""`run`, `status` and `drafts export` as an operator reads them, on a small demo CMIS run
twice through the CLI: on 10 December, then on 3 December when the ledgers read on days 1-3 are
in their billing days and are deferred. The runs report to the session's Prefect server (as
with PREFECT_API_URL set): the command's own temporary server is the demo tests' business
(test_demo_cli, test_privacy_and_network), and booting one costs ~12 s a run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.store.tables import customers, drafts

pytestmark = pytest.mark.slow


def cli(site: Path, *args: str, api: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.pop("CMIS_SOURCE_URL", None)
    env.pop("CMIS_STORE_URL", None)
    if api:
        env["PREFECT_API_URL"] = api
    return subprocess.run(
        [sys.executable, "-m", "cmis_migrate", *args, "--config", str(site / "config.yaml")],
        cwd=site,
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from tests.conftest import write_config

    folder = tmp_path_factory.mktemp("ops-site")
    seed_demo(f"sqlite:///{folder / 'cmis.sqlite'}", 400, 5)
    # a staff phones list that is configured but not there: the guard is off
    write_config(folder, paths={"staff_phones_file": "data/staff_phones.csv"})
    return folder


@pytest.fixture(scope="module")
def runs(
    site: Path, prefect_server: str
) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    first = cli(site, "run", "--at", "2026-12-10T23:00", api=prefect_server)
    assert first.returncode == 0, first.stdout + first.stderr
    second = cli(site, "run", "--at", "2026-12-03T00:00", api=prefect_server)
    assert second.returncode == 0, second.stdout + second.stderr
    return first, second


def test_the_summary_names_each_deferred_station_with_its_reason_and_next_window(runs) -> None:
    _, second = runs
    lines = [x for x in second.stdout.splitlines() if x.startswith("deferred ")]
    assert lines, second.stdout
    for line in lines:
        assert re.search(r"customers\) until \d\d/12 00:00: \S+: invoice issuance", line), line
    assert re.search(r"^took \d+", second.stdout, re.M)


def test_a_missing_staff_phones_file_is_warned_at_every_run(runs) -> None:
    for result in runs:
        assert "staff-phone guard is off" in result.stderr
        assert "staff_phones.csv does not exist" in result.stderr


def test_status_keeps_the_counts_of_a_deferred_station_beside_its_state(site, runs) -> None:
    shown = cli(site, "status", "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    deferred = [b for b in data["batches"] if b["state"] == "deferred"]
    assert deferred
    engine = create_engine(f"sqlite:///{site / 'store.sqlite'}")
    try:
        with engine.connect() as conn:
            outcomes = {
                (s, o): n
                for s, o, n in conn.execute(
                    select(customers.c.station, customers.c.outcome, func.count()).group_by(
                        customers.c.station, customers.c.outcome
                    )
                )
            }
            drafted = dict(
                conn.execute(
                    select(drafts.c.station, func.count()).group_by(drafts.c.station)
                ).all()
            )
    finally:
        engine.dispose()
    for b in data["batches"]:  # every station: the customers' current outcomes in the store
        for k in ("ready", "needs_review", "blocked"):
            assert b[k] == outcomes.get((b["station"], k), 0), (b["station"], k)
        assert b["drafted"] == drafted.get(b["station"], 0)
    # a station deferred on 3 December was evaluated on the 10th: its counts are still there
    assert any(b["ready"] + b["needs_review"] + b["blocked"] > 0 for b in deferred)

    text = cli(site, "status").stdout
    flat = " ".join(text.split())
    assert "latest runs (times in Asia/Ho_Chi_Minh)" in flat
    assert re.search(r"\d\d/\d\d \d\d:\d\d", text)  # short local times, no ISO offsets
    assert "+00:00" not in text
    for b in deferred:
        assert (
            f"deferred {b['station']} (attempt {b['attempts']}): ready {b['ready']:,}, "
            f"review {b['needs_review']:,}, blocked {b['blocked']:,}, drafted {b['drafted']:,}"
        ) in text
    assert re.search(r"next open \d\d/12 00:00: \S+: invoice issuance", text)


def test_drafts_export_takes_branch_codes_in_any_case_and_refuses_unknown_ones(
    site, runs, tmp_path
) -> None:
    out = tmp_path / "drafts.csv"
    ok = cli(site, "drafts", "export", "--out", str(out), "--branch", "pa0701")
    assert ok.returncode == 0, ok.stderr
    assert out.exists() and "PA0701" in out.read_text(encoding="utf-8")
    unknown = cli(site, "drafts", "export", "--out", str(tmp_path / "x.csv"), "--branch", "PA0799")
    assert unknown.returncode == 2
    assert "unknown branch 'PA0799'" in unknown.stderr and "PA0701" in unknown.stderr
    assert not (tmp_path / "x.csv").exists()


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cmis_migrate", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert re.fullmatch(r"cmis-migrate \d+\.\d+\S*\n", result.stdout)

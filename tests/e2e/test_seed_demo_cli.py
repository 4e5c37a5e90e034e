"""`cmis-migrate seed-demo` as a user runs it: in a folder with its own config.yaml."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cmis_migrate.cli.app import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": str(cwd)},
    )


def customers(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute('SELECT count(*) FROM "HDG_DIEM_DO"').fetchone()[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text(
        "source:\n  url: sqlite:///state/cmis.sqlite\ndemo:\n  customers: 400\n  seed: 7\n",
        encoding="utf-8",
    )
    return tmp_path


def test_seed_demo_writes_the_configured_source_and_refuses_to_overwrite(project: Path) -> None:
    first = run(project, "seed-demo")
    assert first.returncode == 0, first.stderr
    db = project / "state" / "cmis.sqlite"  # relative to the config file; folder created
    assert db.exists() and customers(db) == 400
    assert "400 customers" in first.stdout and "Done" in first.stdout

    again = run(project, "seed-demo", "--customers", "100")
    assert again.returncode == 2
    assert "--force" in again.stderr and "Traceback" not in again.stderr
    assert customers(db) == 400  # untouched

    forced = run(project, "seed-demo", "--customers", "250", "--seed", "3", "--force")
    assert forced.returncode == 0, forced.stderr
    assert customers(db) == 250


def test_seed_demo_url_and_config_options(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("other") / "deep" / "er" / "demo.sqlite"
    sub = project / "sub"
    sub.mkdir()
    result = run(
        sub,
        "seed-demo",
        "-n",
        "120",
        "--url",
        f"sqlite:///{elsewhere}",
        "--config",
        "../config.yaml",
    )
    assert result.returncode == 0, result.stderr
    assert customers(elsewhere) == 120
    assert not (project / "state").exists()  # the configured source was not touched


def test_seed_demo_reports_config_errors_naming_the_key(project: Path) -> None:
    (project / "config.yaml").write_text("demo:\n  rates:\n    phone_olde: 0.1\n", encoding="utf-8")
    result = run(project, "seed-demo")
    assert result.returncode == 2
    assert "demo.rates.phone_olde" in result.stderr and "unknown key" in result.stderr
    assert "Traceback" not in result.stderr


def test_seed_demo_reports_an_unreachable_database(project: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = run(project, "seed-demo", "-n", "10", "--url", url)
    assert result.returncode == 2
    assert "cannot write the demo" in result.stderr and "Traceback" not in result.stderr

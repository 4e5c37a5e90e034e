"""`cmis-migrate windows` on a small SQLite CMIS source made in the test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert
from typer.testing import CliRunner

import cmis_migrate.cli.windows  # noqa: F401  (registers the command on the app)
from cmis_migrate.cli.app import app
from cmis_migrate.source.schema import D_SO_GCS, metadata

LEDGERS = [
    # ledger, station, reading day
    ("PA0701A10", "TBA_A", 10),
    ("PA0701B16", "TBA_B", 16),
    ("PA0701C31", "TBA_C", 31),
    ("PA0701Z00", "TBA_C", 0),  # dirty CMIS data: never open
]

CONFIG = """\
source: {url: sqlite:///cmis.sqlite}
store: {url: sqlite:///store.sqlite}
windows:
  allowed_hours: {start: "22:00", end: "05:00"}
  billing_days: 3
  debt_clearing_days: [-1]
  report_aggregation_days: [1, 2]
  blocked_dates: [2026-04-30]
"""

runner = CliRunner()


def make_source(path: Path, ledgers=LEDGERS) -> None:
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(D_SO_GCS),
            [
                {"MA_SOGCS": code, "MA_DVIQLY": "PA0701", "MA_TRAM": station, "NGAY_GCS": day}
                for code, station, day in ledgers
            ],
        )
    engine.dispose()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    make_source(tmp_path / "cmis.sqlite")
    return tmp_path


def run(project: Path, *args: str):
    return runner.invoke(app, ["windows", "--config", str(project / "config.yaml"), *args])


def run_json(project: Path, *args: str) -> dict:
    result = run(project, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def flat(text: str) -> str:
    """Console text with rich's line wrapping undone."""
    return " ".join(text.split())


def items(report: dict) -> dict[str, dict]:
    return {it["ledger"]: it for it in report["ledgers"]["items"]}


def test_open_night(project: Path) -> None:
    report = run_json(project, "--at", "2026-03-16T23:00")
    assert report["at"] == "2026-03-16T23:00+07:00"
    assert report["company"]["open"] is True
    assert report["company"]["open_until"] == "2026-03-17T05:00+07:00"
    got = items(report)
    assert got["PA0701A10"]["open"] and got["PA0701C31"]["open"]
    assert got["PA0701B16"]["reasons"] == ["billing"]  # 16..18 March
    assert got["PA0701B16"]["next_open"] == "2026-03-19T00:00+07:00"
    assert got["PA0701Z00"]["reasons"] == ["invalid_reading_day"]
    assert report["ledgers"]["total"] == 4
    assert report["ledgers"]["open"] == 2
    assert report["ledgers"]["by_reason"] == {"billing": 1, "invalid_reading_day": 1}
    windows = report["company"]["windows"]
    # [at, at + 7 days): seven nights, the first and the last clipped to the range
    assert len(windows) == 8
    assert windows[0] == {"start": "2026-03-16T23:00+07:00", "end": "2026-03-17T05:00+07:00"}
    assert windows[-1] == {"start": "2026-03-23T22:00+07:00", "end": "2026-03-23T23:00+07:00"}


def test_blocked_period_debt_clearing_day(project: Path) -> None:
    report = run_json(project, "--at", "2026-03-31T23:00", "--days", "3")
    assert report["company"]["open"] is False
    assert report["company"]["reasons"] == ["debt_clearing"]
    assert report["ledgers"]["open"] == 0
    assert report["ledgers"]["by_reason"] == {
        "billing": 1,  # reading day 31: 31 March .. 2 April
        "debt_clearing": 3,
        "invalid_reading_day": 1,
    }
    # 1 and 2 April are report aggregation days: company-wide, the next window starts on the 3rd
    assert report["company"]["next_open"] == "2026-04-03T00:00+07:00"
    assert report["company"]["windows"][0]["start"] == "2026-04-03T00:00+07:00"


def test_blocked_period_text_output(project: Path) -> None:
    result = run(project, "--at", "2026-03-31T23:00")
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "debt clearing on 2026-03-31" in out
    assert "0 of 4 open" in out
    assert "debt_clearing" in out and "PA0701C31" in out  # few ledgers: each is listed


def test_outside_hours_and_utc_at(project: Path) -> None:
    report = run_json(project, "--at", "2026-03-16T07:00+00:00")  # 14:00 in Vietnam
    assert report["at"] == "2026-03-16T14:00+07:00"
    assert report["company"]["reasons"] == ["outside_hours"]
    assert report["ledgers"]["by_reason"]["outside_hours"] == 3
    assert report["company"]["next_open"] == "2026-03-16T22:00+07:00"


def test_one_ledger(project: Path) -> None:
    report = run_json(project, "--at", "2026-03-16T23:00", "--ledger", "PA0701B16", "--days", "4")
    led = report["ledger"]
    assert led["ledger"] == "PA0701B16" and led["station"] == "TBA_B" and led["reading_day"] == 16
    assert led["open"] is False and led["reasons"] == ["billing"]
    assert "2026-03-16 to 2026-03-18" in led["message"]
    # billing 16..18 March: the ledger's first window is the tail of the night 18->19
    assert led["windows"] == [
        {"start": "2026-03-19T00:00+07:00", "end": "2026-03-19T05:00+07:00"},
        {"start": "2026-03-19T22:00+07:00", "end": "2026-03-20T05:00+07:00"},
        {"start": "2026-03-20T22:00+07:00", "end": "2026-03-20T23:00+07:00"},  # range end
    ]
    text = flat(run(project, "--at", "2026-03-16T23:00", "--ledger", "PA0701B16").stdout)
    assert "Ledger PA0701B16" in text and "invoice issuance after reading day 16" in text


def test_unknown_ledger_is_a_clear_error(project: Path) -> None:
    result = run(project, "--ledger", "PA0701NOPE")
    assert result.exit_code == 2
    assert "unknown ledger 'PA0701NOPE'" in result.stderr
    assert "4 ledgers" in result.stderr
    assert "Traceback" not in result.output


def test_missing_source_says_seed_demo_and_creates_nothing(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    result = run(tmp_path)
    assert result.exit_code == 2
    assert "does not exist yet" in result.stderr and "seed-demo" in result.stderr
    assert not (tmp_path / "cmis.sqlite").exists()


def test_source_without_ledger_table(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    engine = create_engine(f"sqlite:///{tmp_path / 'cmis.sqlite'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE other (x INTEGER)")
    engine.dispose()
    result = run(tmp_path)
    assert result.exit_code == 2
    assert "cannot read D_SO_GCS" in result.stderr and "no such table" in result.stderr


def test_many_ledgers_are_counted_not_listed(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    many = [(f"PA0701{i:04d}", f"TBA_{i % 7}", 1 + i % 28) for i in range(60)]
    make_source(tmp_path / "cmis.sqlite", many)
    result = run(tmp_path, "--at", "2026-03-16T23:00")
    assert result.exit_code == 0, result.output
    assert "PA07010000" not in result.stdout
    assert "use --ledger CODE" in result.stdout
    report = run_json(tmp_path, "--at", "2026-03-16T23:00")
    # reading days 14, 15, 16 bill on 16 March: 3 reading days x 2 or 3 ledgers each
    billing = [it for it in report["ledgers"]["items"] if it["reasons"] == ["billing"]]
    assert sorted({it["reading_day"] for it in billing}) == [14, 15, 16]
    assert report["ledgers"]["open"] == 60 - len(billing)


def test_bad_days_option(project: Path) -> None:
    result = run(project, "--days", "0")
    assert result.exit_code == 2


def test_console_script(project: Path) -> None:
    exe = Path(sys.executable).with_name("cmis-migrate")
    if not exe.exists():
        pytest.skip("cmis-migrate console script not installed beside this python")
    proc = subprocess.run(
        [
            str(exe),
            "windows",
            "--config",
            str(project / "config.yaml"),
            "--at",
            "2026-03-16T23:00",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ledgers"]["open"] == 2

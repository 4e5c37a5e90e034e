"""`cmis-migrate check-source` on a demo CMIS: a complete mapping passes (exit 0), a mapping
naming a missing table or column, or a column of an unusable type, fails (exit 1); impossible
reading days are listed; no personal data and no traceback reach the console."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

import cmis_migrate.cli.check_source  # noqa: F401  (registers the command on the app)
from cmis_migrate.cli.app import app
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.source.schema import HDG_KHACH_HANG
from tests.mapped_cmis import move_demo_into_site_schema, source_mapping

runner = CliRunner()
N = 150


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cmis") / "cmis.sqlite"
    seed_demo(f"sqlite:///{path}", N, 5)
    return path


def _config(folder: Path, source: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"source": source, "store": {"url": "sqlite:///store.sqlite"}}
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _cli(path: Path, width: int = 80) -> subprocess.CompletedProcess:
    """The installed command as a user runs it, in an 80-column terminal."""
    env = {**os.environ, "COLUMNS": str(width), "NO_COLOR": "1"}
    for var in ("CMIS_MIGRATE_DEBUG", "CMIS_SOURCE_URL", "CMIS_STORE_URL", "CMIS_SOURCE_PASSWORD"):
        env.pop(var, None)
    return subprocess.run(
        [sys.executable, "-m", "cmis_migrate", "check-source", "-c", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def _names(db: Path) -> list[str]:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return [n for n in conn.execute(select(HDG_KHACH_HANG.c.TEN_KHANG)).scalars() if n]
    finally:
        engine.dispose()


def test_the_demo_passes_in_80_columns_without_personal_data(tmp_path, demo_db) -> None:
    done = _cli(_config(tmp_path, {"url": f"sqlite:///{demo_db}"}))
    out = done.stdout
    assert done.returncode == 0, done.stdout + done.stderr
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "Read-only session: yes" in out
    assert "D_SO_GCS" in out and "NGAY_GCS" in out and "ok" in out
    assert "unusable" not in out and "no column" not in out and "no table" not in out
    assert "Managing units" in out and "PA0701" in out
    assert "Largest ledger" in out and "Ready for the first night" in out
    assert not any(name in out for name in _names(demo_db))
    assert "Traceback" not in done.stderr


def test_a_mapping_to_missing_names_fails_and_names_them(tmp_path, demo_db) -> None:
    source = {
        "url": f"sqlite:///{demo_db}",
        "tables": {"HDG_YEU_CAU": "YEU_CAU_KH"},
        "columns": {"D_SO_GCS": {"NGAY_GCS": "NGAY_GHI"}},
    }
    done = _cli(_config(tmp_path, source))
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "Not ready" in out and "Ready for the first night" not in out
    assert "D_SO_GCS.NGAY_GCS (D_SO_GCS.NGAY_GHI): no column" in out
    assert "  - HDG_YEU_CAU (YEU_CAU_KH): no table" in out
    assert out.count("no table") == 1 + 3  # once in the list, once per needed column above
    assert "Managing units" not in out  # nothing is counted through a broken mapping
    assert "Traceback" not in done.stderr


def _writable_copy(src: Path, dst: Path, *statements: str) -> Path:
    dst.write_bytes(src.read_bytes())
    engine = create_engine(f"sqlite:///{dst}")
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.exec_driver_sql(sql)
    finally:
        engine.dispose()
    return dst


def test_a_column_of_an_unusable_type_fails(tmp_path, demo_db) -> None:
    db = _writable_copy(
        demo_db, tmp_path / "cmis.sqlite", 'ALTER TABLE "HDG_DIEM_DO" ADD COLUMN "SO_HO_ANH" BLOB'
    )
    source = {"url": f"sqlite:///{db}", "columns": {"HDG_DIEM_DO": {"SO_HO": "SO_HO_ANH"}}}
    result = runner.invoke(app, ["check-source", "-c", str(_config(tmp_path, source))])
    assert result.exit_code == 1, result.output
    assert "HDG_DIEM_DO.SO_HO (HDG_DIEM_DO.SO_HO_ANH): type BLOB" in result.output


def test_a_table_seen_through_a_view_passes(tmp_path, demo_db) -> None:
    db = _writable_copy(
        demo_db,
        tmp_path / "cmis.sqlite",
        'ALTER TABLE "HDG_YEU_CAU" RENAME TO "YC_BASE"',
        'CREATE VIEW "V_YEU_CAU" AS SELECT * FROM "YC_BASE"',
    )
    cfg = _config(tmp_path, {"url": f"sqlite:///{db}", "tables": {"HDG_YEU_CAU": "V_YEU_CAU"}})
    result = runner.invoke(app, ["check-source", "-c", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "V_YEU_CAU" in result.output and "no table" not in result.output


def test_impossible_reading_days_are_listed(tmp_path, demo_db) -> None:
    engine = create_engine(f"sqlite:///{demo_db}")
    with engine.connect() as conn:
        first, second, *_ = conn.exec_driver_sql(
            'SELECT "MA_SOGCS" FROM "D_SO_GCS" ORDER BY "MA_SOGCS"'
        ).scalars()
    engine.dispose()
    db = _writable_copy(
        demo_db,
        tmp_path / "cmis.sqlite",
        f'UPDATE "D_SO_GCS" SET "NGAY_GCS" = 0 WHERE "MA_SOGCS" = \'{first}\'',
        f'UPDATE "D_SO_GCS" SET "NGAY_GCS" = 45 WHERE "MA_SOGCS" = \'{second}\'',
    )
    result = runner.invoke(
        app, ["check-source", "-c", str(_config(tmp_path, {"url": f"sqlite:///{db}"}))]
    )
    assert "2 ledger(s) with an impossible reading day" in result.output
    assert first in result.output and second in result.output
    # a bad day fails that ledger's station at night, not the whole night
    assert result.exit_code == 0, result.output


def test_an_unreachable_source_is_one_clean_failure(tmp_path) -> None:
    source = {"url": "postgresql+psycopg://nobody@127.0.0.1:1/cmis", "statement_timeout_seconds": 5}
    done = _cli(_config(tmp_path, source))
    assert done.returncode == 1
    assert "Not ready" in done.stdout and "OperationalError" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.postgres
def test_a_mapped_postgresql_schema_passes_read_only(tmp_path, pg_database) -> None:
    seed_demo(pg_database, N, 5)
    move_demo_into_site_schema(pg_database)
    result = runner.invoke(
        app,
        ["check-source", "-c", str(_config(tmp_path, {"url": pg_database, **source_mapping()}))],
    )
    assert result.exit_code == 0, result.output
    assert "transaction_read_only = on" in result.output
    assert "(schema cmis_site)" in result.output
    assert "so_gcs" in result.output and "ngay_ghi_chi_so" in result.output
    # the same mapping on the unmoved default demo fails: every renamed name is missing
    plain = tmp_path / "plain"
    broken = runner.invoke(
        app, ["check-source", "-c", str(_config(plain, {"url": pg_database, "schema": "public"}))]
    )
    assert broken.exit_code == 1 and "no table" in broken.output


def test_the_run_preflight_reads_the_mapping_too(tmp_path, demo_db) -> None:
    from cmis_migrate.config import load_config
    from cmis_migrate.preflight import PreflightError
    from cmis_migrate.preflight import check_source as preflight

    url = f"sqlite:///{demo_db}"
    # D_DVIQLY is not read by the nightly run: a site without it may still run
    site = _config(tmp_path / "a", {"url": url, "tables": {"D_DVIQLY": "X"}})
    preflight(load_config(site, env={}))
    bad = _config(tmp_path / "b", {"url": url, "tables": {"HDG_YEU_CAU": "NOPE"}})
    broken = load_config(bad, env={})
    with pytest.raises(PreflightError, match="lacks table.s. NOPE"):
        preflight(broken)

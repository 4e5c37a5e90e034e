"""source.* config: the site's schema and names (validated on load), the CMIS password from
the environment or a file (never config.yaml), and the read-only engines built from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cmis_migrate.config import ConfigError, load_config, source_password
from cmis_migrate.db import source_engine
from cmis_migrate.source.connect import source_tables

ORACLE_URL = "oracle+oracledb://cmis_ro@cmis-db.pc:1521/?service_name=CMIS"


def _load(tmp_path: Path, text_: str, env: dict | None = None):
    path = tmp_path / "config.yaml"
    path.write_text(text_, encoding="utf-8")
    return load_config(path, env=env or {})


def test_the_mapping_builds_the_tables_under_the_site_names(tmp_path: Path) -> None:
    cfg = _load(
        tmp_path,
        f"source:\n  url: '{ORACLE_URL}'\n  schema: CMIS_OWNER\n"
        "  tables: {D_SO_GCS: GCS_SO}\n"
        "  columns:\n    D_SO_GCS: {NGAY_GCS: NGAY_GHI}\n    HDG_DIEM_DO: {SO_HO: SO_HO_DUNG}\n",
    )
    t = source_tables(cfg)
    assert t.metadata.schema == "CMIS_OWNER"
    assert t.D_SO_GCS.name == "GCS_SO" and t.D_SO_GCS.c.NGAY_GCS.name == "NGAY_GHI"
    assert t.HDG_DIEM_DO.c.SO_HO.name == "SO_HO_DUNG"
    assert t.HDG_KHACH_HANG.name == "HDG_KHACH_HANG"  # unmapped: CMIS's name


def test_the_demo_keeps_the_default_names(tmp_path: Path) -> None:
    t = source_tables(_load(tmp_path, "{}\n"))
    assert t.metadata.schema is None
    assert {x.name for x in t.metadata.tables.values()} == {
        "D_DVIQLY", "D_TRAM", "D_SO_GCS", "HDG_KHACH_HANG", "HDG_DIEM_DO", "HDG_YEU_CAU"
    }  # fmt: skip
    assert all(c.name == c.key for x in t.metadata.tables.values() for c in x.columns)


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("tables: {D_SOGCS: X}", "source.tables: Value error, unknown CMIS table 'D_SOGCS'"),
        ("columns: {D_TRAMM: {MA_TRAM: X}}", "source.columns: Value error, unknown CMIS table"),
        ("columns: {D_SO_GCS: {NGAY_GHI: X}}", "unknown column D_SO_GCS.NGAY_GHI"),
        ("tables: {D_SO_GCS: 'GCS SO'}", "source.tables.D_SO_GCS"),
        ("schema: 'CMIS; DROP'", "source.schema"),
        ("password: x", "source.password: unknown key"),
        ("statement_timeout_seconds: -1", "source.statement_timeout_seconds"),
    ],
)
def test_a_bad_mapping_is_an_error_naming_the_key(tmp_path: Path, source: str, needle) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, f"source: {{url: 'sqlite:///c.sqlite', {source}}}\n")
    assert needle in str(err.value)


def test_a_password_in_config_yaml_is_refused_without_echoing_it(tmp_path: Path) -> None:
    url = "oracle+oracledb://cmis_ro:Tr0ub4dor@cmis-db.pc:1521/?service_name=CMIS"
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, f"source: {{url: '{url}'}}\n")
    assert "source.url: holds a password" in str(err.value)
    assert "Tr0ub4dor" not in str(err.value)


def test_the_password_comes_from_the_environment_or_the_file(tmp_path: Path) -> None:
    (tmp_path / "cmis.pw").write_text("from-file\nignored\n", encoding="utf-8")
    cfg = _load(tmp_path, f"source: {{url: '{ORACLE_URL}', password_file: cmis.pw}}\n")
    assert cfg.source.password_file == (tmp_path / "cmis.pw").resolve()
    assert source_password(cfg, env={}) == "from-file"
    assert source_password(cfg, env={"CMIS_SOURCE_PASSWORD": "from-env"}) == "from-env"
    assert "from-file" not in cfg.model_dump_json()
    no_file = _load(tmp_path, f"source: {{url: '{ORACLE_URL}'}}\n")
    assert source_password(no_file, env={}) is None


def test_an_unreadable_password_file_is_a_config_error(tmp_path: Path) -> None:
    cfg = _load(tmp_path, f"source: {{url: '{ORACLE_URL}', password_file: missing.pw}}\n")
    with pytest.raises(ConfigError, match="source.password_file"):
        source_password(cfg, env={})
    (tmp_path / "empty.pw").write_text("", encoding="utf-8")
    cfg = _load(tmp_path, f"source: {{url: '{ORACLE_URL}', password_file: empty.pw}}\n")
    with pytest.raises(ConfigError, match="empty"):
        source_password(cfg, env={})


def test_an_oracle_engine_is_thin_with_the_fetch_size_and_a_hidden_password() -> None:
    oracledb = pytest.importorskip("oracledb")  # the `oracle` extra
    engine = source_engine(ORACLE_URL, password="s3cret-pw", fetch_rows=5000)
    try:
        assert engine.dialect.driver == "oracledb" and engine.dialect.arraysize == 5000
        assert "s3cret-pw" not in repr(engine) and "s3cret-pw" not in str(engine.url)
        assert engine.url.password == "s3cret-pw"
        assert oracledb.is_thin_mode()  # no Oracle client library loaded
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_postgresql_source_session_is_read_only_with_a_time_limit(pg_database) -> None:
    engine = source_engine(pg_database, statement_timeout_seconds=2.5)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW transaction_read_only")).scalar() == "on"
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "2500ms"
        with pytest.raises(DBAPIError, match="read-only transaction"), engine.begin() as conn:
            conn.execute(text("CREATE TABLE written (x int)"))
    finally:
        engine.dispose()

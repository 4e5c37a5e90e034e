"""Shared fixtures: temporary config folders, databases (SQLite always, PostgreSQL when
CMIS_TEST_DATABASE_URL is set), and a Prefect test server for flow tests."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ENV = "CMIS_TEST_DATABASE_URL"
# windows open at every hour of every day (flow tests that are not about windows)
OPEN_ALL_DAY = {
    "allowed_hours": {"start": "00:00", "end": "00:00"},
    "billing_days": 0,
    "debt_clearing_days": [],
    "report_aggregation_days": [],
}
# one customer of HDG_KHACH_HANG whose every field is clean (hostile-data tests vary it)
GOOD_CMIS_ROW = {
    "TEN_KHANG": "Nguyễn Văn An",
    "DIA_CHI": "Thôn 3, Xã Hà Bình, Huyện Hà Trung, Tỉnh Thanh Hóa",
    "DTHOAI": "0912345678",
    "EMAIL": "an@gmail.com",
    "SO_CMND": "038085001234",
    "NGAY_CAP": "12/03/2021",
    "NOI_CAP": "Cục CS QLHC về TTXH",
    "NGAY_SINH": "01/02/1985",
    "SO_HDONG": "HD-001",
    "NGAY_HDONG": "02/05/2016",
}

# Prefect and GX must never phone home from tests either
for _k, _v in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_API_REQUEST_TIMEOUT": "120",
}.items():
    os.environ.setdefault(_k, _v)


def write_config(folder: Path, **sections) -> Path:
    """A config.yaml in `folder` (SQLite source and store beside it unless overridden)."""
    data = {
        "source": {"url": "sqlite:///cmis.sqlite"},
        "store": {"url": "sqlite:///store.sqlite"},
        "paths": {"work": "work", "staff_phones_file": None},
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def make_config():
    """make_config(folder, **sections) -> path of a written config.yaml."""
    return write_config


def seeded_site(db_urls: dict[str, str], folder: Path, customers: int, seed: int, **sections):
    """A demo CMIS of `customers` (seeded with `seed`) and the loaded config of a site in
    `folder` reading it, with every window open (sections override or add config keys)."""
    from cmis_migrate.config import load_config
    from cmis_migrate.demo.generator import seed_demo

    seed_demo(db_urls["source"], customers, seed)
    path = write_config(
        folder,
        source={"url": db_urls["source"]},
        store={"url": db_urls["store"]},
        windows=OPEN_ALL_DAY,
        **sections,
    )
    return load_config(path, env={})


def _pg_base() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture(scope="session")
def pg_base_url() -> str | None:
    url = _pg_base()
    if url is None:
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:  # CI must fail loudly when PostgreSQL is unreachable
            conn.execute(text("select 1"))
    finally:
        engine.dispose()
    return url


def _fresh_pg_database(base_url: str) -> Iterator[str]:
    base = make_url(base_url)
    name = f"cmis_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_database(pg_base_url) -> Iterator[str]:
    """A fresh PostgreSQL database for one test (dropped afterwards)."""
    if pg_base_url is None:
        pytest.skip(f"{PG_ENV} not set: PostgreSQL variant not run")
    yield from _fresh_pg_database(pg_base_url)


@pytest.fixture
def pg_database_2(pg_base_url) -> Iterator[str]:
    if pg_base_url is None:
        pytest.skip(f"{PG_ENV} not set: PostgreSQL variant not run")
    yield from _fresh_pg_database(pg_base_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request, pg_base_url) -> str:
    if request.param == "postgresql" and pg_base_url is None:
        pytest.skip(f"{PG_ENV} not set: PostgreSQL variant not run")
    return request.param


@pytest.fixture
def db_urls(db_kind, tmp_path, request) -> dict[str, str]:
    """Source and store URLs for the parametrized backend."""
    if db_kind == "sqlite":
        return {
            "source": f"sqlite:///{tmp_path / 'cmis.sqlite'}",
            "store": f"sqlite:///{tmp_path / 'store.sqlite'}",
        }
    source = request.getfixturevalue("pg_database")
    store = request.getfixturevalue("pg_database_2")
    return {"source": source, "store": store}


@pytest.fixture
def store(db_urls):
    """An empty store at db_urls["store"], migrated (a module adds what it needs on top)."""
    from cmis_migrate.db import store_engine
    from cmis_migrate.store.schema import upgrade

    engine = store_engine(db_urls["store"])
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db_urls(request, tmp_path_factory) -> Iterator[dict[str, str]]:
    """Source and store URLs shared by the tests of one module (seed once, run a flow once),
    for each backend: SQLite always, PostgreSQL when CMIS_TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("dbs")
        yield {
            "source": f"sqlite:///{folder / 'cmis.sqlite'}",
            "store": f"sqlite:///{folder / 'store.sqlite'}",
        }
        return
    base = request.getfixturevalue("pg_base_url")
    if base is None:
        pytest.skip(f"{PG_ENV} not set: PostgreSQL variant not run")
    fresh = contextlib.contextmanager(_fresh_pg_database)
    with contextlib.ExitStack() as stack:
        yield {
            "source": stack.enter_context(fresh(base)),
            "store": stack.enter_context(fresh(base)),
        }


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory) -> Iterator[str]:
    """One temporary Prefect API for the whole session (startup takes ~10 s)."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        from prefect.settings import PREFECT_API_URL

        yield PREFECT_API_URL.value()


@pytest.fixture
def main_process(monkeypatch):
    """What cli.app.main changes for the whole process, put back after the test."""
    old_umask = os.umask(0o077)
    old_sigterm = signal.getsignal(signal.SIGTERM)
    old_hook, old_raise = threading.excepthook, logging.raiseExceptions
    root = logging.getLogger()
    old_handlers = list(root.handlers)
    monkeypatch.delenv("CMIS_MIGRATE_DEBUG", raising=False)
    from cmis_migrate import logs

    monkeypatch.setattr(logs, "_command_log", None)
    yield
    for h in [h for h in root.handlers if h not in old_handlers]:
        root.removeHandler(h)
        h.close()
    os.umask(old_umask)
    signal.signal(signal.SIGTERM, old_sigterm)
    threading.excepthook, logging.raiseExceptions = old_hook, old_raise

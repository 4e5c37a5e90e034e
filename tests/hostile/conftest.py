from __future__ import annotations

import pytest

from cmis_migrate.config import load_config
from cmis_migrate.runtime import opened_runtime
from tests.conftest import OPEN_ALL_DAY
from tests.hostile.cmis import build_hostile_cmis


@pytest.fixture
def hostile_site(tmp_path, make_config, db_kind, request):
    """(runtime, customer code -> label) over the hostile CMIS, in tmp_path/site. The CMIS is
    SQLite (it must hold codes wider than CMIS's own columns); the store is SQLite, and
    PostgreSQL too when CMIS_TEST_DATABASE_URL is set (its columns enforce their sizes)."""
    site = tmp_path / "site"
    site.mkdir()
    labels = build_hostile_cmis(f"sqlite:///{site / 'cmis.sqlite'}")
    store = (
        "sqlite:///store.sqlite" if db_kind == "sqlite" else request.getfixturevalue("pg_database")
    )
    path = make_config(site, windows=OPEN_ALL_DAY, store={"url": store})
    with opened_runtime(load_config(path, env={})) as rt:
        yield rt, labels

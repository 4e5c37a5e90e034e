from __future__ import annotations

import pytest

from cmis_migrate.config import load_config
from cmis_migrate.runtime import opened_runtime
from tests.conftest import OPEN_ALL_DAY
from tests.hostile.cmis import build_hostile_cmis


@pytest.fixture
def hostile_site(tmp_path, make_config):
    """(runtime, customer code -> label) over the hostile CMIS, in tmp_path/site."""
    site = tmp_path / "site"
    site.mkdir()
    labels = build_hostile_cmis(f"sqlite:///{site / 'cmis.sqlite'}")
    path = make_config(site, windows=OPEN_ALL_DAY)
    with opened_runtime(load_config(path, env={})) as rt:
        yield rt, labels

"""Prefect's client telemetry is off, so its first-run notice never lands on the console."""

from __future__ import annotations

import os

from cmis_migrate.config import load_config
from cmis_migrate.prefect_setup import configure_environment


def test_the_client_telemetry_and_its_console_notice_are_off(tmp_path, make_config) -> None:
    from prefect._internal.analytics.enabled import is_telemetry_enabled

    saved = dict(os.environ)
    try:
        os.environ.pop("DO_NOT_TRACK", None)
        configure_environment(load_config(make_config(tmp_path), env={}))
        assert not is_telemetry_enabled()
    finally:
        os.environ.clear()
        os.environ.update(saved)

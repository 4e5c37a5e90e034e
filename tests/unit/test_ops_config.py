"""The advanced `load` keys that govern retries and dead-run detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmis_migrate.config import ConfigError, build_config


def test_defaults_beat_every_15_s_and_declare_dead_after_90_s() -> None:
    load = build_config({}, Path("."), env={}).load
    assert (load.heartbeat_seconds, load.dead_after_seconds) == (15.0, 90.0)
    assert (load.transient_retries, load.retry_backoff_seconds) == (3, 10.0)


def test_tests_may_shorten_them() -> None:
    load = build_config(
        {"load": {"heartbeat_seconds": 0.5, "dead_after_seconds": 2, "retry_backoff_seconds": 0}},
        Path("."),
        env={},
    ).load
    assert (load.heartbeat_seconds, load.dead_after_seconds, load.retry_backoff_seconds) == (
        0.5,
        2.0,
        0.0,
    )


@pytest.mark.parametrize(
    ("load", "named"),
    [
        ({"heartbeat_seconds": 60, "dead_after_seconds": 90}, "3 x heartbeat_seconds"),
        ({"heartbeat_seconds": 0}, "load.heartbeat_seconds"),
        ({"transient_retries": -1}, "load.transient_retries"),
        ({"retry_backoff_seconds": -1}, "load.retry_backoff_seconds"),
    ],
)
def test_a_live_run_cannot_be_taken_for_dead(load: dict, named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        build_config({"load": load}, Path("."), source="config.yaml", env={})

"""Any config.yaml gives a Config or a ConfigError naming the file and the key: never a crash."""

from __future__ import annotations

from datetime import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmis_migrate.config import ConfigError, load_config

KEYS = [
    "source", "store", "paths", "windows", "load", "rules", "schedule", "runner", "dask", "demo",
    "url", "work", "plan_file", "staff_phones_file", "allowed_hours", "start", "end",
    "billing_days", "debt_clearing_days", "blocked_dates", "max_ledgers_at_once", "timezone",
    "cron", "rates", "customers", "seed", "province", "config_path", "x", 1, None, True, 2.5,
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.binary(max_size=5),
    st.dates(),
    st.sampled_from(
        ["sqlite:///x.db", "postgresql://u:secret@h/db", "\x00", "", "Asia/Ho_Chi_Minh", "22:00"]
    ),
)
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)
ENVS = [{}, {"CMIS_SOURCE_URL": "sqlite:///y.db", "CMIS_STORE_URL": "sqlite:///z.db"}]
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def load(path, text: str | bytes, env: dict):
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    try:
        return load_config(path, env=env)
    except ConfigError as exc:
        assert str(path) in str(exc)
        return exc


@SETTINGS
@given(st.dictionaries(st.sampled_from(KEYS), trees, max_size=5), st.sampled_from(ENVS))
def test_any_yaml_tree(tmp_path, data, env):
    text = yaml.safe_dump(data, allow_unicode=True)
    load(tmp_path / "config.yaml", text, env)


@SETTINGS
@given(st.text(max_size=300), st.sampled_from(ENVS))
def test_any_text(tmp_path, text, env):
    load(tmp_path / "config.yaml", text, env)


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes(tmp_path, data):
    load(tmp_path / "config.yaml", data, {})


@pytest.mark.parametrize(
    ("text", "env", "key"),
    [
        ('paths: {work: "a\\0b"}\n', 0, "paths.work"),
        ('source: {url: "sqlite:///a\\0b.db"}\n', 0, "source.url"),
        ("windows: {blocked_dates: [2024-02-30]}\n", 0, "windows.blocked_dates.0"),
        ("source: [1, 2]\n", 1, "source"),
        ("store: 5\n", 1, "store"),
        ("load: {max_ledgers_at_once: many}\n", 0, "load.max_ledgers_at_once"),
        ("rules: {nope: 1}\n", 0, "rules.nope"),
        ("schedule: {timezone: ../../etc/passwd}\n", 0, "schedule.timezone"),
        ("a: " + "[" * 3000 + "]" * 3000 + "\n", 0, "nested too deeply"),
        ("x: !!python/object:os.system {}\n", 0, "not valid YAML"),
        ("x: !!timestamp 2020-13-45\n", 0, "not valid YAML"),
    ],
)
def test_errors_name_the_key(tmp_path, text, env, key):
    result = load(tmp_path / "config.yaml", text, ENVS[env])
    assert isinstance(result, ConfigError)
    assert key in str(result)
    assert "Traceback" not in str(result)


def test_a_folder_or_an_unreadable_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path)


def test_unquoted_times_are_times_not_base_60_numbers(tmp_path):
    # YAML 1.1 reads 22:00 as 1320; pydantic would then make it 00:22 (seconds)
    cfg = load(
        tmp_path / "config.yaml", "windows: {allowed_hours: {start: 22:00, end: 05:00}}\n", {}
    )
    assert cfg.windows.allowed_hours.start == time(22, 0)
    assert cfg.windows.allowed_hours.end == time(5, 0)


def test_a_password_in_a_bad_url_is_not_echoed(tmp_path):
    result = load(tmp_path / "config.yaml", "store: {url: 'postgresql://u:s3cr3t@h:99x/db'}\n", {})
    assert isinstance(result, ConfigError) and "s3cr3t" not in str(result)

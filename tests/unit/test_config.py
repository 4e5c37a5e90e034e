from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from cmis_migrate.config import ConfigError, build_config, load_config


def test_defaults_resolve_against_the_config_folder(tmp_path: Path) -> None:
    path = tmp_path / "site" / "config.yaml"
    path.parent.mkdir()
    path.write_text("{}\n", encoding="utf-8")
    cfg = load_config(path, env={})
    assert cfg.paths.work == (tmp_path / "site" / "work").resolve()
    assert cfg.store.url == f"sqlite:///{(tmp_path / 'site' / 'work' / 'store.sqlite').resolve()}"
    assert cfg.windows.allowed_hours.start == time(22, 0)
    assert cfg.schedule.timezone == "Asia/Ho_Chi_Minh"
    assert cfg.config_path == path.resolve()


def test_a_copied_config_keeps_its_state_beside_itself(tmp_path: Path) -> None:
    text = "paths: {work: state}\nsource: {url: 'sqlite:///db/cmis.sqlite'}\n"
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.yaml").write_text(text, encoding="utf-8")
    a = load_config(tmp_path / "a" / "config.yaml", env={})
    b = load_config(tmp_path / "b" / "config.yaml", env={})
    assert a.paths.work.parent == (tmp_path / "a").resolve()
    assert b.source.url.endswith("/b/db/cmis.sqlite")


@pytest.mark.parametrize(
    ("yaml_text", "needle"),
    [
        ("load: {max_ledgers: 3}\n", "load.max_ledgers: unknown key"),
        ("bogus: 1\n", "bogus: unknown key"),
        ("load: {max_ledgers_at_once: 0}\n", "load.max_ledgers_at_once"),
        ("schedule: {timezone: Mars/Olympus}\n", "schedule.timezone"),
        ("schedule: {cron: '0 22 *'}\n", "schedule.cron"),
        ("windows: {debt_clearing_days: [0]}\n", "windows.debt_clearing_days"),
        ("windows: {allowed_hours: {start: '25:00'}}\n", "windows.allowed_hours.start"),
        ("runner: spark\n", "runner"),
        ("source: {url: 'not a url'}\n", "source.url"),
        ("- just a list\n", "top level must be a mapping"),
        ("load: [\n", "not valid YAML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, yaml_text: str, needle: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert needle in str(err.value)
    assert str(path) in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml", env={})


def test_environment_overrides_the_database_urls(tmp_path: Path) -> None:
    env = {
        "CMIS_SOURCE_URL": "postgresql+psycopg://u:secret@db/cmis",
        "CMIS_STORE_URL": "sqlite:///x.sqlite",
    }
    cfg = build_config({"source": {"url": "sqlite:///a.sqlite"}}, tmp_path, env=env)
    assert cfg.source.url == "postgresql+psycopg://u:secret@db/cmis"
    assert cfg.store.url == f"sqlite:///{(tmp_path / 'x.sqlite').resolve()}"


def test_config_path_is_not_a_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config_path"):
        build_config({"config_path": "/etc/passwd"}, tmp_path, env={})


def test_shipped_config_yaml_is_valid() -> None:
    repo = Path(__file__).resolve().parents[2]
    cfg = load_config(repo / "config.yaml", env={})
    assert cfg.load.max_ledgers_at_once >= 1

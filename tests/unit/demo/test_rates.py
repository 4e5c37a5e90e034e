"""The demo's rates are a typed part of config.yaml: unknown names and bad values are clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmis_migrate.config import ConfigError, build_config, load_config
from cmis_migrate.demo.rates import (
    DEFAULT_RATES,
    EXCLUSIVE_GROUPS,
    RATE_NAMES,
    DemoRates,
    resolve_rates,
)


def test_defaults_are_shares_and_groups_fit() -> None:
    for name in RATE_NAMES:
        assert 0 <= getattr(DEFAULT_RATES, name) <= 1, name
    for group, names in EXCLUSIVE_GROUPS.items():
        assert set(names) <= set(RATE_NAMES), group
        assert sum(getattr(DEFAULT_RATES, n) for n in names) < 1, group


def test_resolve_rates_merges_overrides_over_defaults() -> None:
    rates = resolve_rates({"phone_old_mobile": 0.2})
    assert rates.phone_old_mobile == 0.2
    assert rates.id_cmnd == DEFAULT_RATES.id_cmnd
    assert resolve_rates(None) is DEFAULT_RATES
    assert resolve_rates(rates) is rates


def test_resolve_rates_names_an_unknown_rate() -> None:
    with pytest.raises(ValueError, match="unknown demo rate.*phone_olde"):
        resolve_rates({"phone_olde": 0.1})


def test_resolve_rates_names_a_bad_value() -> None:
    with pytest.raises(ValueError, match="email_typo"):
        resolve_rates({"email_typo": 1.5})
    with pytest.raises(ValueError, match="phone rates"):
        resolve_rates({"phone_old_mobile": 0.7, "phone_missing": 0.5})


def test_config_rejects_an_unknown_rate_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"demo\.rates\.phone_olde: unknown key"):
        build_config({"demo": {"rates": {"phone_olde": 0.1}}}, tmp_path, env={})


def test_config_rejects_a_rate_outside_0_1(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"demo\.rates\.id_cmnd"):
        build_config({"demo": {"rates": {"id_cmnd": -0.1}}}, tmp_path, env={})


def test_config_rejects_alternatives_adding_up_past_1(tmp_path: Path) -> None:
    data = {"demo": {"rates": {"id_cmnd": 0.9, "id_missing": 0.2}}}
    with pytest.raises(ConfigError, match=r"demo\.rates.*id_number rates"):
        build_config(data, tmp_path, env={})


def test_config_yaml_rates_reach_the_typed_model(tmp_path: Path) -> None:
    cfg_file = tmp_path / "config.yaml"
    cfg_file.write_text(
        "demo:\n  customers: 500\n  rates:\n    email_typo: 0.1\n", encoding="utf-8"
    )
    cfg = load_config(cfg_file, env={})
    assert isinstance(cfg.demo.rates, DemoRates)
    assert cfg.demo.rates.email_typo == 0.1
    assert cfg.demo.rates.id_cmnd == DEFAULT_RATES.id_cmnd
    assert build_config({}, tmp_path, env={}).demo.rates == DEFAULT_RATES

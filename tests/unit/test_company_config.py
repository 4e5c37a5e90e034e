"""config.company: the seller's details on every draft contract (Bên A)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmis_migrate.config import CompanyConfig, ConfigError, build_config, load_config

REPO = Path(__file__).resolve().parents[2]


def test_the_shipped_config_holds_the_company_section_and_marks_its_demo_values() -> None:
    cfg = load_config(REPO / "config.yaml", env={})
    assert cfg.company.name == "Công ty Điện lực Thanh Hóa"
    assert cfg.company.tax_code == "2800000000-000"  # YAML kept it as text
    assert cfg.company.bank_account == "0000000000000"  # leading zeros kept
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    section = text[text.index("\ncompany:") :]
    assert "DEMO VALUES" in section
    for key in ("address", "tax_code", "representative", "bank_account"):
        line = next(ln for ln in section.splitlines() if ln.strip().startswith(f"{key}:"))
        assert "demo value" in line, key
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    row = next(ln for ln in readme.splitlines() if ln.startswith("| `company` |"))
    assert "demo values" in row and "D_DVIQLY" in row


def test_values_are_one_line_of_text() -> None:
    assert CompanyConfig(representative="  Trần   Văn\nBình ").representative == "Trần Văn Bình"
    with pytest.raises(ConfigError, match="company.address"):
        build_config({"company": {"address": "x" * 301}}, Path("."), env={})
    with pytest.raises(ConfigError, match="company.taxcode: unknown key"):
        build_config({"company": {"taxcode": "1"}}, Path("."), env={})

"""`report --branch` takes a unit code, never a path or a formula: refused before any file or
database is touched."""

from __future__ import annotations

from typer.testing import CliRunner

from cmis_migrate.cli.app import _register, app
from tests.conftest import write_config

_register()


def test_report_refuses_a_branch_that_is_no_unit_code(tmp_path):
    config = write_config(tmp_path / "site")
    out = tmp_path / "r.xlsx"
    for branch in ("../../x", "=1+1", "PA07\x00", "pa0701"):
        result = CliRunner().invoke(
            app, ["report", "--config", str(config), "--branch", branch, "--out", str(out)]
        )
        assert result.exit_code == 2, result.output
        assert "MA_DVIQLY" in result.output
        assert not out.exists()
    assert not (tmp_path / "site" / "store.sqlite").exists()

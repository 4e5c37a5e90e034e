"""The last line of defence of the CLI (one clean line, never a traceback) and the masking of
personal data in every log Prefect's logging config writes to."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cmis_migrate.cli import app as cli_app

SECRETS = ("0912345678", "038085001234", "01/02/1985")


def test_an_unhandled_error_is_one_masked_line_and_exit_2(monkeypatch, capsys, main_process):
    def boom():
        raise RuntimeError("customer phone 0912345678, CCCD 038085001234, born 01/02/1985")

    monkeypatch.setattr(cli_app, "_register", lambda: None)
    monkeypatch.setattr(cli_app, "app", boom)
    monkeypatch.delenv(cli_app.DEBUG_ENV, raising=False)
    old = os.umask(0o022)
    try:
        with pytest.raises(SystemExit) as exit_:
            cli_app.main()
        assert os.umask(0o022) == 0o077  # main makes every file it creates owner-only
    finally:
        os.umask(old)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: RuntimeError:") and "Traceback" not in err
    assert "091****678" in err and not any(s in err for s in SECRETS)


def test_debug_mode_shows_the_traceback(monkeypatch, main_process):
    def boom():
        raise RuntimeError("x")

    monkeypatch.setattr(cli_app, "_register", lambda: None)
    monkeypatch.setattr(cli_app, "app", boom)
    monkeypatch.setenv(cli_app.DEBUG_ENV, "1")
    old = os.umask(0o022)
    try:
        with pytest.raises(RuntimeError):
            cli_app.main()
    finally:
        os.umask(old)


LOGGING_SCRIPT = """
import logging, logging.config, sys, yaml
from pathlib import Path
from cmis_migrate.config import build_config
from cmis_migrate.prefect_setup import configure_environment
cfg = build_config({"paths": {"work": "work"}}, Path(sys.argv[1]), env={})
configure_environment(cfg)
logging.config.dictConfig(yaml.safe_load(Path(cfg.paths.prefect_home, "logging.yml").read_text()))
text = "phone 0912345678 id 038085001234 born 01/02/1985 %s"
for name in ("prefect", "prefect.server", "great_expectations", "uvicorn", "", "py.warnings"):
    logging.getLogger(name).warning(text, "0987 654 321")
try:
    raise ValueError("CCCD 038085001234")
except ValueError:
    logging.getLogger("prefect").exception("failed for 0912345678")
"""


def test_prefect_logging_config_masks_every_logger(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    result = subprocess.run(
        [sys.executable, "-c", LOGGING_SCRIPT, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    log = (tmp_path / "work" / "logs" / "prefect.log").read_text(encoding="utf-8")
    assert log.count("091****678") >= 6 and "098****321" in log
    assert not any(s in log for s in (*SECRETS, "0987 654 321"))
    assert "ValueError" in log  # the traceback is kept, masked
    assert oct((tmp_path / "work" / "logs" / "prefect.log").stat().st_mode & 0o777) == "0o600"

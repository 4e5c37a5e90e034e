"""No traceback reaches the console, whatever the command: each command of `cmis-migrate --help`
is run (in-process, through cli.app.main as the console script runs it) with an unexpected
error injected in a function it calls. It ends with a non-zero exit and exactly one error line
naming the log file, digits masked; the log file holds the traceback, masked."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cmis_migrate.cli import app as cli_app
from cmis_migrate.demo.generator import seed_demo
from tests.conftest import OPEN_ALL_DAY, write_config

PHONE = "0912345678"
MASKED = "091****678"

# command line -> the function it calls that fails (module attribute)
# where each command's work is patched: the module that defines it (commands import their
# work inside the command, so that `--help` loads none of it)
CASES: dict[str, tuple[list[str], str]] = {
    "run (before the flow)": (["run"], "cmis_migrate.cli.running.check_source"),
    "run (inside the flow)": (["run"], "cmis_migrate.prefect_setup.prefect_session"),
    "rerun": (["rerun", "--failed"], "cmis_migrate.runtime.open_store"),
    "status": (["status"], "cmis_migrate.cli.status.status_data"),
    "report": (
        ["report", "--branch", "PA0701", "--out", "{tmp}/r.xlsx"],
        "cmis_migrate.cli.branches.resolve_branch",
    ),
    "corrections import": (
        ["corrections", "import", "{tmp}/back.xlsx"],
        "cmis_migrate.reports.corrections_import.import_corrections",
    ),
    "drafts export": (
        ["drafts", "export", "--out", "{tmp}/d.csv"],
        "cmis_migrate.store.queries.drafts_frame",
    ),
    "drafts render": (
        ["drafts", "render", "PA07010000001", "--out", "{tmp}/d.html"],
        "cmis_migrate.store.queries.draft_of",
    ),
    "normalize-file": (
        ["normalize-file", "{tmp}/in.csv", "--out", "{tmp}/out.csv"],
        "cmis_migrate.cli.normalize_file.normalize_table",
    ),
    "windows": (["windows"], "cmis_migrate.source.ledgers.list_ledgers"),
    "schedule": (
        ["schedule", "--temporary-server"],
        "cmis_migrate.prefect_setup.configure_environment",
    ),
    "seed-demo": (
        ["seed-demo", "--url", "sqlite:///{tmp}/other.sqlite"],
        "cmis_migrate.demo.generator.seed_demo",
    ),
    "export-sample": (
        ["export-sample", "--anonymize", "--out", "{tmp}/sample.csv"],
        "cmis_migrate.cli.export_sample.read_sample",
    ),
    "check-source": (["check-source"], "cmis_migrate.source.check.check_source"),
    "demo": (["demo"], "cmis_migrate.cli.demo.next_window_start"),
    "progress": (["progress"], "cmis_migrate.plan_file.read_plan"),
    "signed import": (
        ["signed", "import", "{tmp}/signed.csv"],
        "cmis_migrate.reports.signed_import.import_signed_file",
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    seed_demo(f"sqlite:///{folder / 'cmis.sqlite'}", 40, 3)
    write_config(folder, windows=OPEN_ALL_DAY)
    (folder / "back.xlsx").write_bytes(b"PK not really a workbook")
    (folder / "in.csv").write_text("full_name,phone\nAn,0912345678\n", encoding="utf-8")
    (folder / "signed.csv").write_text("customer_code,signed_at\n", encoding="utf-8")
    return folder


def boom(*args, **kwargs):
    raise RuntimeError(f"boom for customer {PHONE}")


@pytest.mark.parametrize("case", list(CASES))
def test_an_unexpected_error_is_one_masked_line_naming_the_log(
    case, site, main_process, monkeypatch, capfd
) -> None:
    args, target = CASES[case]
    module, _, name = target.rpartition(".")
    monkeypatch.setattr(f"{module}.{name}", boom)
    argv = [a.replace("{tmp}", str(site)) for a in args]
    monkeypatch.setattr(sys, "argv", ["cmis-migrate", *argv, "--config", str(site / "config.yaml")])
    monkeypatch.chdir(site)
    log = site / "work" / "logs" / "cmis-migrate.log"
    before = log.read_text(encoding="utf-8") if log.exists() else ""

    with pytest.raises(SystemExit) as ended:
        cli_app.main()

    out, err = capfd.readouterr()
    shown = out + err
    assert ended.value.code not in (0, None), shown
    assert "Traceback" not in shown and PHONE not in shown, shown
    lines = [line for line in shown.splitlines() if str(log) in line]
    assert len(lines) == 1 and lines[0].lstrip().startswith("error:"), shown
    assert "RuntimeError" in lines[0] and MASKED in lines[0], shown
    assert [line for line in shown.splitlines() if "error" in line.lower()] == lines, shown
    written = log.read_text(encoding="utf-8")[len(before) :]
    assert (
        "Traceback (most recent call last)" in written and f"boom for customer {MASKED}" in written
    )
    assert PHONE not in written


SCRIPT = textwrap.dedent(
    """
    import sys
    import cmis_migrate.cli.status as status

    def boom(*args, **kwargs):
        import logging
        logging.getLogger("some.library").warning("a warning nobody configured %s", "0912345678")
        raise RuntimeError("boom for customer 0912345678")

    status.status_data = boom
    sys.argv = ["cmis-migrate", "status", "--config", sys.argv[1]]
    from cmis_migrate.cli.app import main
    main()
    """
)


def test_a_real_process_prints_no_logging_output_either(site) -> None:
    """Outside pytest nothing catches what logging would print by itself (its last-resort
    handler writes warnings and tracebacks to stderr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.pop(cli_app.DEBUG_ENV, None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(site / "config.yaml")],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: RuntimeError"), result.stderr
    log = (site / "work" / "logs" / "cmis-migrate.log").read_text(encoding="utf-8")
    assert "a warning nobody configured 091****678" in log and PHONE not in log

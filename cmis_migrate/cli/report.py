"""`cmis-migrate report`: a branch's review workbook (Excel) to send to the branch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import DEFAULT_CONFIG_PATH, ConfigOption, console, fail, get_config


@app.command()
def report(
    branch: Annotated[
        str,
        typer.Option("--branch", help="Branch unit code (MA_DVIQLY), as `status --json` shows it."),
    ],
    out: Annotated[Path, typer.Option("--out", help="FILE.xlsx to write (owner-only, 0600).")],
    run: Annotated[
        str | None,
        typer.Option("--run", help="Only the stations this run processed (default: all of them)."),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """Write the branch review workbook: Summary per station, Issues to correct or confirm."""
    from cmis_migrate.cli.branches import resolve_branch
    from cmis_migrate.codes import UNIT
    from cmis_migrate.db import utcnow
    from cmis_migrate.reports.branch_report import ReportError, issue_branch_report
    from cmis_migrate.runtime import open_store

    cfg = get_config(config)
    problem = UNIT.problem(branch)
    if problem:  # a unit code, never a path or a formula
        raise fail(problem)
    if out.suffix.lower() != ".xlsx":
        raise fail(f"{out}: the review workbook is an .xlsx file")
    engine = open_store(cfg)
    try:
        branch = resolve_branch(engine, branch)
        rep = issue_branch_report(engine, branch, out, now=utcnow(), tz=cfg.tz, run_id=run)
    except ReportError as exc:
        raise fail(str(exc)) from None
    finally:
        engine.dispose()
    customers = rep.rows.customers()
    console.print(
        f"branch {rep.branch}, run {rep.run_id}: {len(rep.rows):,} issues of "
        f"{customers:,} customers -> {out}"
    )

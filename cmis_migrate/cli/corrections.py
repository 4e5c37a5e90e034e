"""`cmis-migrate corrections import`: a branch's review workbook comes back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import DEFAULT_CONFIG_PATH, ConfigOption, console, fail, get_config

corrections_app = typer.Typer(
    help="Corrections and confirmations sent back by branches.", no_args_is_help=True
)
app.add_typer(corrections_app, name="corrections")

SHOWN_REJECTIONS = 50


@corrections_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The returned review workbook (.xlsx).")],
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    branch: Annotated[
        str | None,
        typer.Option("--branch", help="Refuse the file unless it is this branch's report."),
    ] = None,
) -> None:
    """Check a returned review workbook and apply its corrections and confirmations (one
    transaction, audited). A file that is not ours, damaged, altered or another branch's is
    refused whole (exit 2); single bad rows are listed and written to FILE.rejected.xlsx."""
    from cmis_migrate.db import utcnow
    from cmis_migrate.errors import InputFileError
    from cmis_migrate.reference import load_staff_phones
    from cmis_migrate.reports.corrections_import import (
        RefusedWorkbook,
        import_corrections,
        masked,
    )
    from cmis_migrate.runtime import open_store
    from cmis_migrate.store.review import customers_by_code

    cfg = get_config(config)
    try:
        staff = load_staff_phones(cfg.paths.staff_phones_file)
    except InputFileError as exc:
        raise fail(str(exc)) from None
    engine = open_store(cfg)
    try:
        result = import_corrections(
            engine,
            file,
            rules=cfg.rules,
            now=utcnow(),
            reports_dir=cfg.paths.reports,
            expect_branch=branch,
            staff_phones=staff,
            limits=cfg.returned_files,
        )
        applied = {r.customer_code for r in result.rows if r.result in ("corrected", "confirmed")}
        stations = sorted(set(customers_by_code(engine, sorted(applied))["station"].dropna()))
    except RefusedWorkbook as exc:
        raise fail(str(exc)) from None
    finally:
        engine.dispose()
    console.print(
        f"{file.name}: branch {result.branch}, run {result.run_id}: "
        f"{result.count('corrected')} corrections and {result.count('confirmed')} confirmations "
        f"applied, {result.count('unchanged')} unchanged, {len(result.rejected)} rows rejected "
        f"(import {result.import_id})"
    )
    for r in result.rejected[:SHOWN_REJECTIONS]:
        console.print(
            f"  row {r.row_number}: {r.customer_code} {r.field} {r.rule}: {masked(r.reason)}",
            highlight=False,
        )
    if len(result.rejected) > SHOWN_REJECTIONS:
        console.print(f"  … and {len(result.rejected) - SHOWN_REJECTIONS} more")
    if result.rejected_copy is not None:
        console.print(f"rejected rows with their reason: {result.rejected_copy}")
    if stations:
        console.print(
            f"{len(stations)} station(s) to redo so that the drafts use them: {', '.join(stations)}",
            highlight=False,
        )
        console.print(
            "redo them now (within the off-peak windows) with:\n"
            f"  cmis-migrate rerun --station {' '.join(stations)}{config_arg(config)}",
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print("nothing applied: no station to redo", highlight=False)


def config_arg(config: Path) -> str:
    """The --config part of a command to copy, when not the default."""
    return "" if str(config) == str(DEFAULT_CONFIG_PATH) else f" --config {config}"

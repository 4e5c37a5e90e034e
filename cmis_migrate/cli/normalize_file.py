"""`cmis-migrate normalize-file IN --out OUT`: normalize a branch spreadsheet (CSV or XLSX)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import DEFAULT_CONFIG_PATH, console, err_console, fail, get_config
from cmis_migrate.errors import InputFileError, OutputFileError
from cmis_migrate.fields import REVIEWED_FIELDS as FIELDS  # transforms.FIELDS, without pandas
from cmis_migrate.statuses import STATUSES

if TYPE_CHECKING:
    import pandas as pd

    from cmis_migrate.config import Config

INPUT_COLUMNS = ("customer_code", *FIELDS)  # FIELDS ends with birth_date, contract_date
OPTIONAL_INPUT = ("supply_address", "record_date")  # record_date: CMIS NGAY_HLUC
ROW_PROBLEMS = "row_problems"  # output column: what was wrong with the row as read
_SHOWN_PROBLEMS = 10


def _config(path: Path | None) -> Config:
    from cmis_migrate.config import Config

    if path is not None:
        return get_config(path)
    if DEFAULT_CONFIG_PATH.exists():
        return get_config(DEFAULT_CONFIG_PATH)
    return Config()


def normalize_table(table: pd.DataFrame, cfg: Config, today: date, source: Path) -> pd.DataFrame:
    """Input columns unchanged, then the normalized columns (otp_ready stays bool here;
    write_table writes it as 'true'/'false')."""
    import pandas as pd

    from cmis_migrate.transforms import normalize_customers, output_columns

    lookup = {c.strip().lower(): c for c in table.columns}
    clash = [c for c in (*output_columns(supply_address=True), ROW_PROBLEMS) if c in lookup]
    if clash:
        raise InputFileError(
            source, f"already has result columns ({', '.join(clash[:3])}): give the original file"
        )
    raw = pd.DataFrame(
        {name: table[lookup[name]] for name in (*INPUT_COLUMNS, *OPTIONAL_INPUT) if name in lookup},
        index=table.index,
    )
    result = normalize_customers(raw, rules=cfg.rules, today=today)
    return pd.concat([table, result], axis=1)


@app.command("normalize-file")
def normalize_file(
    input_path: Annotated[
        Path, typer.Argument(metavar="IN", help="A .csv (UTF-8) or .xlsx file with a header row.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Result file, .csv or .xlsx.")],
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="config.yaml (default: ./config.yaml when present, else built-in rules).",
        ),
    ] = None,
) -> None:
    """Normalize customer fields of a spreadsheet: every input column is kept, and for each
    field F the proposal F_normalized, F_status and F_issues are added."""
    import pandas as pd

    from cmis_migrate.tabular_files import (
        LEGACY_CELLS,
        read_table,
        rows_with_problems,
        table_kind,
        write_table,
    )

    cfg = _config(config)
    try:
        table_kind(input_path)
        table_kind(out)
    except InputFileError as exc:
        raise fail(str(exc)) from None
    if input_path.exists() and out.exists() and input_path.resolve() == out.resolve():
        raise fail(f"{out}: --out must not be the input file (nothing is overwritten in place)")
    problems: list[InputFileError] = []
    try:
        table = read_table(input_path, expected=INPUT_COLUMNS, problems=problems)
        result = normalize_table(table, cfg, datetime.now(cfg.tz).date(), input_path)
    except InputFileError as exc:
        raise fail(str(exc)) from None
    if problems:  # carried with each row, so nothing is lost when the file is passed on
        by_row = rows_with_problems(problems)
        result[ROW_PROBLEMS] = pd.Series(
            [by_row.get(int(r), "") for r in result.index], index=result.index, dtype="str"
        )
    try:
        write_table(result, out)
    except OutputFileError as exc:
        raise fail(str(exc)) from None
    converted = table.attrs.get(LEGACY_CELLS, 0)
    if converted:
        err_console.print(
            f"note: {converted} cells typed in TCVN3/VNI fonts (.VnTime, VNI-Times...) were "
            "converted to Unicode",
            highlight=False,
        )
    for message in problems[:_SHOWN_PROBLEMS]:
        err_console.print(
            f"[yellow]warning:[/] {escape(str(message))}", highlight=False, soft_wrap=True
        )
    if len(problems) > _SHOWN_PROBLEMS:
        err_console.print(
            f"[yellow]warning:[/] ... and {len(problems) - _SHOWN_PROBLEMS} more rows with problems"
        )
    _summary(result, len(table), out)


def _summary(result: pd.DataFrame, rows: int, out: Path) -> None:
    grid = Table(title=f"{rows} rows -> {out}", show_lines=False)
    grid.add_column("field")
    for s in STATUSES:
        grid.add_column(s.value, justify="right")
    for f in FIELDS:
        counts = result[f"{f}_status"].value_counts()
        grid.add_row(f, *(str(int(counts.get(s, 0))) for s in STATUSES))
    console.print(grid)
    console.print(f"OTP-ready phones: {int(result['otp_ready'].sum())} of {rows}")

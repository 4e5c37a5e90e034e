"""The monthly plan registered with EVNNPC: customers to digitize per branch per month.

File format (documented in data/README.md): CSV (UTF-8) or XLSX (first sheet) with the header
`branch,month,planned`; branch = CMIS unit code (e.g. PA0701), month = YYYY-MM, planned = a
whole number of customers planned FOR THAT MONTH (not cumulative). Other columns are ignored.
Any malformed cell makes the whole plan unusable: InputFileError names file, row and field.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from cmis_migrate.errors import InputFileError
from cmis_migrate.progress import parse_month
from cmis_migrate.tabular_files import read_table

PLAN_COLUMNS = ("branch", "month", "planned")

_BRANCH = re.compile(r"[A-Z0-9]{6}")
_WHOLE = re.compile(r"\d+")


def read_plan(path: Path | str) -> pd.DataFrame:
    """Read and check a plan file. Returns `branch, month, planned` sorted by branch and month."""
    problems: list[InputFileError] = []
    table = read_table(path, expected=PLAN_COLUMNS, problems=problems)
    if problems:  # a ragged row makes the plan doubtful: the whole plan is refused
        raise problems[0]
    return parse_plan(table, str(path))


def parse_plan(table: pd.DataFrame, file: str) -> pd.DataFrame:
    """Check a plan read as text (index = spreadsheet row number). Pure; raises InputFileError."""
    columns = {str(c).strip().lower(): c for c in table.columns}
    for col in PLAN_COLUMNS:
        if col not in columns:
            raise InputFileError(
                file, "missing column (the header must be branch,month,planned)", row=1, field=col
            )
    if table.empty:
        raise InputFileError(file, "the plan has no rows")
    out: list[tuple[str, str, int]] = []
    first_row: dict[tuple[str, str], int] = {}
    for row, branch_text, month_text, planned_text in zip(
        table.index,
        table[columns["branch"]],
        table[columns["month"]],
        table[columns["planned"]],
        strict=True,
    ):
        branch = _branch(branch_text, file, row)
        month = _month(month_text, file, row)
        planned = _planned(planned_text, file, row)
        key = (branch, month)
        if key in first_row:
            raise InputFileError(
                file,
                f"{branch} {month} is already planned in row {first_row[key]}",
                row=row,
                field="month",
            )
        first_row[key] = row
        out.append((branch, month, planned))
    plan = pd.DataFrame(out, columns=list(PLAN_COLUMNS))
    plan["branch"] = plan["branch"].astype("str")
    plan["month"] = plan["month"].astype("str")
    plan["planned"] = plan["planned"].astype("int64")
    return plan.sort_values(["branch", "month"], ignore_index=True)


def _branch(text: str, file: str, row: int) -> str:
    value = str(text).strip().upper()
    if not value:
        raise InputFileError(
            file, "missing (a CMIS unit code, e.g. PA0701)", row=row, field="branch"
        )
    if not _BRANCH.fullmatch(value):
        raise InputFileError(
            file,
            f"{value!r} is not a CMIS unit code (6 letters/digits, e.g. PA0701)",
            row=row,
            field="branch",
        )
    return value


def _month(text: str, file: str, row: int) -> str:
    try:
        return parse_month(text)
    except ValueError as exc:
        raise InputFileError(file, str(exc), row=row, field="month") from None


def _planned(text: str, file: str, row: int) -> int:
    value = str(text).strip()
    if not value:
        raise InputFileError(
            file, "missing (a whole number of customers)", row=row, field="planned"
        )
    if value.startswith("-") and _WHOLE.fullmatch(value[1:]):
        raise InputFileError(file, f"{value} is negative", row=row, field="planned")
    if not _WHOLE.fullmatch(value):
        raise InputFileError(
            file,
            f"{value!r} is not a whole number of customers (digits only, no separators)",
            row=row,
            field="planned",
        )
    return int(value)

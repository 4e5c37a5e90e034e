"""The branch review workbook (openpyxl): what the pipeline found for one branch's customers,
with two columns for the branch to fill (corrected_value, confirmed) and a hidden sheet that
identifies the report, so a returned file can be verified by `corrections import`.

Scope: the branch's customers as the store holds them now (each customer's latest outcome and
issues). With a run given, only the stations that run processed; the run named in the report
is that run, or the latest run that processed one of the branch's stations.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from cmis_migrate.fields import REVIEWED_FIELDS
from cmis_migrate.reports.private_files import write_private
from cmis_migrate.reports.review_layout import (
    EDITABLE_COLUMNS,
    FIXED_COLUMNS,
    IDENTITY_SHEET,
    ISSUE_COLUMNS,
    ISSUES_SHEET,
    NO,
    SUMMARY_SHEET,
    TEMPLATE_VERSION,
    YES,
    display_values,
    issues_checksum,
    text,
)
from cmis_migrate.statuses import Severity
from cmis_migrate.store import review


class ReportError(ValueError):
    """An unknown branch or run: the message says which and what is known."""


@dataclass(frozen=True)
class BranchReport:
    report_id: str
    branch: str
    run_id: str
    run_time: datetime | None
    generated_at: datetime
    stations_scope: str
    summary: pd.DataFrame  # one row per station + a total row, every value text
    issues: pd.DataFrame  # ISSUE_COLUMNS, every value text
    checksum: str


FIELD_ORDER = {f: i for i, f in enumerate((*REVIEWED_FIELDS, "customer"))}
SUMMARY_COLUMNS = (
    "station",
    "customers",
    "ready",
    "needs_review",
    "blocked",
    "drafted",
    "pct_ready",
    "last_run",
    "last_processed",
)
TOTAL_LABEL = "TỔNG CỘNG (total)"


def _local(value: datetime | None, tz: tzinfo) -> str:
    return value.astimezone(tz).strftime("%d/%m/%Y %H:%M") if value is not None else ""


def resolve_run(engine: Engine, branch: str, run_id: str | None) -> str:
    branches = review.known_branches(engine)
    if branch not in branches:
        known = ", ".join(branches[:40]) or "none yet: run the migration first"
        raise ReportError(f"unknown branch {branch!r} (branches in the store: {known})")
    if run_id is not None:
        if review.run_info(engine, run_id) is None:
            raise ReportError(f"no run {run_id!r} in the store (see `cmis-migrate status`)")
        if not review.stations_of_run(engine, run_id, branch):
            raise ReportError(f"run {run_id!r} processed no station of branch {branch}")
        return run_id
    latest = review.latest_run_of_branch(engine, branch)
    if latest is None:
        raise ReportError(f"no run has processed a station of branch {branch} yet")
    return latest


def issues_frame(customers: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """One row per customer and issue, in ISSUE_COLUMNS, values as the sheet shows them."""
    if issues.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS})
    by_code = customers.set_index("customer_code", drop=False)
    by_code = by_code[~by_code.index.duplicated()]
    records = by_code.to_dict("index")
    rows = []
    for code, fld, rule, severity, message in issues[
        ["customer_code", "field", "rule", "severity", "message"]
    ].itertuples(index=False):
        c = records.get(code)
        if c is None:
            continue
        original, proposed = display_values(rule, fld, c)
        rows.append(
            (
                text(code),
                text(c["station"]),
                text(c["ledger"]),
                text(fld),
                original,
                proposed,
                text(rule),
                text(severity),
                text(message),
                "",
                "",
            )
        )
    out = pd.DataFrame(rows, columns=list(ISSUE_COLUMNS), dtype=object)
    order = pd.DataFrame(
        {
            "station": out["station"],
            "ledger": out["ledger"],
            "code": out["customer_code"],
            "field": out["field"].map(FIELD_ORDER).fillna(len(FIELD_ORDER)),
            "sev": (out["severity"] != Severity.BLOCKING).astype(int),
            "rule": out["rule"],
        }
    )
    order = order.sort_values(list(order.columns), kind="stable")
    return out.loc[order.index].reset_index(drop=True)


def summary_frame(counts: pd.DataFrame, tz: tzinfo) -> pd.DataFrame:
    def pct(ready: int, total: int) -> str:
        return f"{100.0 * ready / total:.1f}%" if total else ""

    rows = []
    for r in counts.itertuples(index=False):
        rows.append(
            (
                r.station,
                str(r.customers),
                str(r.ready),
                str(r.needs_review),
                str(r.blocked),
                str(r.drafted),
                pct(r.ready, r.customers),
                text(r.last_run),
                _local(r.last_finished, tz),
            )
        )
    tot = {k: int(counts[k].sum()) if len(counts) else 0 for k in SUMMARY_COLUMNS[1:6]}
    rows.append(
        (
            TOTAL_LABEL,
            *(str(tot[k]) for k in SUMMARY_COLUMNS[1:6]),
            pct(tot["ready"], tot["customers"]),
            "",
            "",
        )
    )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS), dtype=object)


def build_branch_report(
    engine: Engine,
    branch: str,
    *,
    now: datetime,
    tz: tzinfo,
    run_id: str | None = None,
    label_run: str | None = None,
) -> BranchReport:
    """The report's content. `run_id`: only the stations that run processed. `label_run`: the
    run to name without narrowing the scope (what `publish` does after each run)."""
    if run_id is not None:
        run = resolve_run(engine, branch, run_id)
        stations: list[str] | None = review.stations_of_run(engine, run, branch)
        scope = f"stations processed by run {run}"
    else:
        latest = resolve_run(engine, branch, None)  # also: the branch must be known
        run = label_run or latest
        stations = None
        scope = "all stations of the branch (latest state of each customer)"
    info = review.run_info(engine, run) or {}
    customers = review.branch_customers(engine, branch, stations)
    issues = issues_frame(customers, review.branch_issues(engine, branch, stations))
    report_id = uuid.uuid4().hex
    checksum = issues_checksum(
        template_version=TEMPLATE_VERSION,
        report_id=report_id,
        branch=branch,
        run_id=run,
        rows=issues[list(FIXED_COLUMNS)].itertuples(index=False),
    )
    return BranchReport(
        report_id=report_id,
        branch=branch,
        run_id=run,
        run_time=info.get("as_of") or info.get("started_at"),
        generated_at=now,
        stations_scope=scope,
        summary=summary_frame(review.station_counts(engine, branch, stations), tz),
        issues=issues,
        checksum=checksum,
    )


def issue_branch_report(
    engine: Engine,
    branch: str,
    out: Path,
    *,
    now: datetime,
    tz: tzinfo,
    run_id: str | None = None,
    label_run: str | None = None,
) -> BranchReport:
    """Build, record as issued (so its return can be verified) and write the workbook (0600)."""
    report = build_branch_report(engine, branch, now=now, tz=tz, run_id=run_id, label_run=label_run)
    review.record_issued_report(
        engine,
        report_id=report.report_id,
        branch=branch,
        run_id=report.run_id,
        checksum=report.checksum,
        file_name=Path(out).name,
        rows=len(report.issues),
        at=now,
    )
    write_private(Path(out), lambda p: write_workbook(report, p, tz))
    return report


# --- the workbook ------------------------------------------------------------------------

WIDTHS = {
    "customer_code": 16,
    "station": 14,
    "ledger": 15,
    "field": 14,
    "original_value": 40,
    "proposed_value": 40,
    "rule": 24,
    "severity": 10,
    "message": 70,
    "corrected_value": 32,
    "confirmed": 11,
}
SUMMARY_WIDTHS = (22, 11, 9, 13, 9, 9, 10, 24, 17)


def write_workbook(report: BranchReport, path: Path, tz: tzinfo) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    edit_fill = PatternFill("solid", fgColor="FFF2CC")

    def make(ws):
        def cell(value: object, *, font=None, fill=None) -> WriteOnlyCell:
            c = WriteOnlyCell(ws, value=None if value in (None, "") else str(value))
            c.number_format = "@"  # text: Excel must not turn IDs and phones into numbers
            if font is not None:
                c.font = font
            if fill is not None:
                c.fill = fill
            return c

        return cell

    # Summary
    ws = wb.create_sheet(SUMMARY_SHEET)
    cell = make(ws)
    for i, w in enumerate(SUMMARY_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.append([cell("Báo cáo rà soát dữ liệu khách hàng (branch review report)", font=bold)])
    for label, value in (
        ("branch", report.branch),
        ("run", report.run_id),
        ("run time", _local(report.run_time, tz)),
        ("generated", _local(report.generated_at, tz)),
        ("scope", report.stations_scope),
        ("issues", str(len(report.issues))),
    ):
        ws.append([cell(label, font=bold), cell(value)])
    ws.append([])
    ws.append([cell(c, font=bold, fill=head_fill) for c in SUMMARY_COLUMNS])
    for row in report.summary.itertuples(index=False):
        total = row[0] == TOTAL_LABEL
        ws.append([cell(v, font=bold if total else None) for v in row])

    # Issues
    ws = wb.create_sheet(ISSUES_SHEET)
    cell = make(ws)
    n = len(report.issues)
    last = max(n + 1, 2)
    for i, c in enumerate(ISSUE_COLUMNS, start=1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = WIDTHS[c]
        dim.number_format = "@"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(ISSUE_COLUMNS))}{last}"
    confirmed_col = get_column_letter(ISSUE_COLUMNS.index("confirmed") + 1)
    dv = DataValidation(
        type="list",
        formula1=f'"{YES},{NO}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="confirmed",
        error="Chọn yes hoặc no (choose yes or no).",
        promptTitle="confirmed",
        prompt="yes: chi nhánh xác nhận cảnh báo này (sự đồng ý, cùng một người, đúng phường/xã...)",
        showInputMessage=True,
    )
    dv.add(f"{confirmed_col}2:{confirmed_col}{last}")
    ws.data_validations.append(dv)
    sev_col = get_column_letter(ISSUE_COLUMNS.index("severity") + 1)
    rng = f"A2:{get_column_letter(len(ISSUE_COLUMNS))}{last}"
    ws.conditional_formatting.add(
        rng,
        FormulaRule(
            formula=[f'${sev_col}2="{Severity.BLOCKING}"'],
            fill=PatternFill("solid", bgColor="F8CBAD"),
        ),
    )
    ws.conditional_formatting.add(
        rng,
        FormulaRule(
            formula=[f'${sev_col}2="{Severity.WARNING}"'],
            fill=PatternFill("solid", bgColor="FFE699"),
        ),
    )
    ws.append(
        [
            cell(c, font=bold, fill=edit_fill if c in EDITABLE_COLUMNS else head_fill)
            for c in ISSUE_COLUMNS
        ]
    )
    # data rows as plain text values: Excel keeps a text cell text, and an empty cell (the ones a
    # clerk fills) takes its column's "@" (text) format; a styled cell each costs 2.3x the time
    for row in report.issues.itertuples(index=False):
        ws.append([None if v is None or v == "" else str(v) for v in row])

    # the identity of the report: veryHidden (not listed by Excel's Unhide) and protected
    ws = wb.create_sheet(IDENTITY_SHEET)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    cell = make(ws)
    for key, value in (
        ("template_version", TEMPLATE_VERSION),
        ("report_id", report.report_id),
        ("branch", report.branch),
        ("run_id", report.run_id),
        ("generated_at", report.generated_at.isoformat()),
        ("issues_rows", str(n)),
        ("checksum", report.checksum),
    ):
        ws.append([cell(key), cell(value)])
    wb.save(path)

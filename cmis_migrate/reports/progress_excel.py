"""The progress report as an Excel workbook (openpyxl), written owner-only (0o600).

Sheets: "Progress" (the report month, one row per branch and the company total), "History"
(every branch and month up to the report month), "Charts" (per branch, and for the company,
a line chart of cumulative drafted against cumulative plan) and "Chart data" (what the charts
draw).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cmis_migrate.progress import AHEAD, BEHIND, COMPANY, company_totals, month_view
from cmis_migrate.reports.private_files import write_private
from cmis_migrate.safe_cells import neutralize

HEADERS = {
    "branch": "Branch",
    "month": "Month",
    "drafted": "Drafted in month",
    "drafted_cum": "Drafted, cumulative",
    "signed": "Signed in month",
    "signed_cum": "Signed, cumulative",
    "planned": "Planned in month",
    "planned_cum": "Planned, cumulative",
    "pct_of_plan": "% of cumulative plan",
    "ahead_behind": "Ahead (+) / behind (-)",
    "status": "Status",
}
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
STATUS_COLORS = {AHEAD: "1E7B34", BEHIND: "C00000"}
CHARTS_PER_ROW = 3
CHART_COLS, CHART_ROWS = 9, 16  # grid step, in cells
CHART_WIDTH_CM, CHART_HEIGHT_CM = 14.5, 7.5  # 9 default columns are ~15.2 cm wide


def write_progress_workbook(
    path: Path,
    frame: pd.DataFrame,
    month: str,
    *,
    timezone: str,
    generated_at: datetime,
    plan_file: str,
) -> Path:
    """Write the workbook for `frame` (cmis_migrate.progress.progress_frame) to `path`."""
    wb = build_workbook(
        frame, month, timezone=timezone, generated_at=generated_at, plan_file=plan_file
    )
    return write_private(Path(path), wb.save)


def build_workbook(
    frame: pd.DataFrame, month: str, *, timezone: str, generated_at: datetime, plan_file: str
) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Progress"
    current = pd.concat(
        [month_view(frame, month), month_view(company_totals(frame), month)], ignore_index=True
    )
    title = f"Progress against the monthly plan, as at the end of {month} ({timezone})"
    note = (
        f"Generated {generated_at:%Y-%m-%d %H:%M %Z}. Drafts count by the day a customer was "
        f"first drafted, signed contracts by their signing time. Plan: {plan_file}"
    )
    _table(ws, current, [c for c in HEADERS if c != "month"], title, note)

    history = pd.concat([frame, company_totals(frame)], ignore_index=True)
    _table(wb.create_sheet("History"), history, list(HEADERS), "History by branch and month", None)

    data = wb.create_sheet("Chart data")
    charts = wb.create_sheet("Charts", index=1)
    _charts(charts, data, history)
    return wb


def _table(
    ws: Worksheet, rows: pd.DataFrame, cols: list[str], title: str, note: str | None
) -> None:
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    if note:
        ws["A2"] = note
    header_row = 4
    for j, col in enumerate(cols, start=1):
        cell = ws.cell(row=header_row, column=j, value=HEADERS[col])
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(j)].width = 11 if col != "status" else 10
    for i, rec in enumerate(rows.to_dict("records"), start=header_row + 1):
        for j, col in enumerate(cols, start=1):
            value = rec[col]
            cell = ws.cell(row=i, column=j)
            if col == "pct_of_plan":
                cell.value = None if pd.isna(value) else float(value) / 100.0
                cell.number_format = "0.0%"
            elif col == "ahead_behind":
                cell.value = int(value)
                cell.number_format = "+#,##0;-#,##0;0"
            elif col in ("branch", "month", "status"):
                cell.value = neutralize(str(value))  # plan-file text: never a formula
                cell.data_type = "s"
            else:
                cell.value = int(value)
                cell.number_format = "#,##0"
            if col == "status" and value in STATUS_COLORS:
                cell.font = Font(color=STATUS_COLORS[value], bold=rec["branch"] == COMPANY)
            elif rec["branch"] == COMPANY:
                cell.font = BOLD
    ws.row_dimensions[header_row].height = 32
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    ws.auto_filter.ref = (
        f"A{header_row}:{get_column_letter(len(cols))}{max(header_row, ws.max_row)}"
    )


def _charts(charts: Worksheet, data: Worksheet, history: pd.DataFrame) -> None:
    """One line chart per branch (company first): cumulative drafted vs cumulative plan."""
    charts["A1"] = "Cumulative drafted vs cumulative plan, per branch"
    charts["A1"].font = Font(bold=True, size=13)
    months = sorted(history["month"].unique().tolist())
    branches = [COMPANY, *sorted(b for b in history["branch"].unique() if b != COMPANY)]
    data.cell(row=1, column=1, value="Month").font = BOLD
    for i, m in enumerate(months, start=2):
        data.cell(row=i, column=1, value=m)
    indexed = history.set_index(["branch", "month"])
    for k, branch in enumerate(branches):
        col = 2 + 2 * k
        data.cell(row=1, column=col, value=neutralize(f"{branch} drafted")).font = BOLD
        data.cell(row=1, column=col + 1, value=neutralize(f"{branch} plan")).font = BOLD
        for i, m in enumerate(months, start=2):
            rec = indexed.loc[(branch, m)]
            data.cell(row=i, column=col, value=int(rec["drafted_cum"]))
            data.cell(row=i, column=col + 1, value=int(rec["planned_cum"]))
        chart = _line_chart(data, branch, col, len(months))
        row = 3 + (k // CHARTS_PER_ROW) * CHART_ROWS
        column = 1 + (k % CHARTS_PER_ROW) * CHART_COLS
        charts.add_chart(chart, f"{get_column_letter(column)}{row}")


def _line_chart(data: Worksheet, branch: str, col: int, n_months: int) -> LineChart:
    chart = LineChart()
    chart.title = f"{'Company' if branch == COMPANY else branch}: cumulative drafted vs plan"
    chart.y_axis.title = "customers"
    chart.y_axis.number_format = "#,##0"
    # openpyxl 3.1 marks axes as deleted unless told otherwise: Excel would hide them
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
    values = Reference(data, min_col=col, max_col=col + 1, min_row=1, max_row=n_months + 1)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(data, min_col=1, min_row=2, max_row=n_months + 1))
    drafted, plan = chart.series
    drafted.graphicalProperties.line.solidFill = "1F77B4"
    drafted.graphicalProperties.line.width = 28000
    plan.graphicalProperties.line.solidFill = "7F7F7F"
    plan.graphicalProperties.line.dashStyle = "dash"
    for s in chart.series:
        s.marker.symbol = "circle" if n_months <= 2 else "none"
        s.smooth = False
    return chart

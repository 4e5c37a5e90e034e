"""The look every workbook the tool writes shares with the review workbook: a bold filled
header row ending each label with its key, column widths, frozen header, filter, dates as
dates in the configured time zone, text as (neutralized) text. For openpyxl write-only sheets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from cmis_migrate.reports.review_layout import safe_text

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


def labelled(key: str, labels: Mapping[str, str]) -> str:
    """'Họ và tên (holder_name)'; the bare key when it has no label."""
    label = labels.get(key)
    return f"{label} ({key})" if label else key


def header_cells(ws, heads: Sequence[str]) -> list[WriteOnlyCell]:
    out = []
    for h in heads:
        c = WriteOnlyCell(ws, value=safe_text(h))
        c.font = Font(bold=True)
        c.fill = HEADER_FILL
        c.alignment = Alignment(wrap_text=True, vertical="top")
        out.append(c)
    return out


def setup_table(ws, widths: Sequence[float], n_rows: int, *, header_row: int = 1) -> None:
    """Widths, frozen header, filter over the table, A4 landscape fit to width (call before
    the first append: write-only sheets write these first)."""
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = f"A{header_row + 1}"
    last = get_column_letter(max(len(widths), 1))
    ws.auto_filter.ref = f"A{header_row}:{last}{max(header_row + n_rows, header_row + 1)}"
    ws.row_dimensions[header_row].height = 30
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{header_row}:{header_row}"


def value_cell(ws, value: object, tz: tzinfo | None) -> object:
    """A cell value: datetimes as local (naive, Excel has no zones) date-times, dates as dates,
    numbers as numbers, everything else as safe text."""
    if isinstance(value, datetime):
        local = value.astimezone(tz) if (tz is not None and value.tzinfo) else value
        c = WriteOnlyCell(ws, value=local.replace(tzinfo=None))
        c.number_format = DATETIME_FORMAT
        return c
    if isinstance(value, date):
        c = WriteOnlyCell(ws, value=value)
        c.number_format = DATE_FORMAT
        return c
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return None if value != value else value
    return safe_text(value) or None


def widths_for(heads: Sequence[str], rows: Iterable[Sequence[object]], *, cap: int = 40) -> list:
    """Column widths from the header and the first rows' text (bounded)."""
    widths = [min(max(len(h) // 2, 8), cap) for h in heads]
    for row in rows:
        for j, v in enumerate(row):
            if j < len(widths) and v is not None:
                widths[j] = min(max(widths[j], len(str(v)) + 2), cap)
    return widths

"""Rows rendered as SpreadsheetML text and spliced into a workbook openpyxl wrote: whatever the
text, Excel's readers (openpyxl here, both modes) get back exactly what safe_text made of it."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill, Protection

from cmis_migrate.reports.review_layout import safe_text
from cmis_migrate.reports.xlsx_rows import column_letters, inline_row, splice_rows

COLUMNS = 4


def shell_with_header() -> tuple[bytes, str, list[int]]:
    """A write-only workbook whose second sheet has only a header row, and two looks."""
    wb = Workbook(write_only=True)
    wb.create_sheet("first").append(["a"])
    ws = wb.create_sheet("data")
    bold = WriteOnlyCell(ws, value="h")
    bold.font = Font(bold=True)
    red = WriteOnlyCell(ws, value=None)
    red.fill = PatternFill("solid", fgColor="F8CBAD")
    free = WriteOnlyCell(ws, value=None)
    free.protection = Protection(locked=False)
    ws.append([bold] * COLUMNS)
    styles = [red.style_id, free.style_id]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), ws.path.lstrip("/"), styles


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.lists(st.text(max_size=40), min_size=COLUMNS, max_size=COLUMNS), min_size=0, max_size=8
    ),
    tall=st.booleans(),
)
def test_any_text_comes_back_as_written(tmp_path, rows, tall) -> None:
    shell, member, (red, free) = shell_with_header()
    letters = column_letters(COLUMNS)
    values = [[safe_text(v) for v in row] for row in rows]
    out = tmp_path / "book.xlsx"
    splice_rows(
        shell,
        member,
        (
            inline_row(i, letters, [red, red, free, red], row, 45.0 if tall else None)
            for i, row in enumerate(values, start=2)
        ),
        out,
    )
    for read_only in (False, True):
        wb = load_workbook(out, read_only=read_only)
        back = [list(r) for r in wb["data"].iter_rows(min_row=2, values_only=True)]
        back = [[v or "" for v in r] for r in back if any(v is not None for v in r)]
        assert back == [r for r in values if any(r)]
        assert wb.sheetnames == ["first", "data"]
        wb.close()
    ws = load_workbook(out)["data"]
    if values:
        assert ws.cell(2, 1).fill.fgColor.rgb.endswith("F8CBAD")
        assert ws.cell(2, 3).protection.locked is False and ws.cell(2, 1).protection.locked
        assert ws.row_dimensions[2].height == (45.0 if tall else None)
    assert ws.cell(1, 1).font.b  # the header openpyxl wrote is still there


def test_a_sheet_the_workbook_does_not_have_is_named(tmp_path) -> None:
    shell, _, _ = shell_with_header()
    with pytest.raises(ValueError, match="sheet9.xml"):
        splice_rows(shell, "xl/worksheets/sheet9.xml", iter(()), tmp_path / "x.xlsx")


def test_markup_in_values_stays_text(tmp_path) -> None:
    shell, member, (red, _) = shell_with_header()
    nasty = ['</t></is></c><c r="Z9"><f>1+1</f></c>', "a & b < c > d", "  lề  ", "dòng 1\ndòng 2"]
    out = tmp_path / "book.xlsx"
    splice_rows(shell, member, [inline_row(2, column_letters(4), [red] * 4, nasty)], out)
    ws = load_workbook(out)["data"]
    assert [c.value for c in ws[2]] == nasty
    assert ws.max_column == COLUMNS and all(c.data_type != "f" for c in ws[2])


def test_characters_xml_cannot_hold_are_shown_as_replacement_characters(tmp_path) -> None:
    shell, member, (red, _) = shell_with_header()
    values = [safe_text(v) for v in ("\ud800x", "y\uffff", "\x00z\x1f", "\ufffe")]
    assert values == ["\ufffdx", "y\ufffd", "\ufffdz\ufffd", "\ufffd"]
    out = tmp_path / "book.xlsx"
    splice_rows(shell, member, [inline_row(2, column_letters(4), [red] * 4, values)], out)
    assert [c.value for c in load_workbook(out)["data"][2]] == values

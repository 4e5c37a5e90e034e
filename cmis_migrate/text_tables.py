"""Read a CSV or XLSX file that people filled in, every cell as TEXT.

Numbers are never guessed from CSV text, and XLSX cells are turned into text without losing
what was typed: whole numbers without ".0", dates in ISO form. The result's index is the row
number a spreadsheet shows (the header is row 1), so errors can name the row. Empty rows are
dropped (their numbers are skipped, not reused).

A stand-in for a shared `tabular_files.read_table` (not available on this branch yet).
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from cmis_migrate.errors import InputFileError

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def read_text_table(path: Path | str) -> pd.DataFrame:
    """All cells as str ('' when empty), header names stripped; index = spreadsheet row number.

    Raises InputFileError naming the file (and row/field when known) when it cannot be read.
    """
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise InputFileError(name, "unsupported file type (use .csv or .xlsx)")
    if not path.is_file():
        raise InputFileError(name, "file not found")
    try:
        if suffix in CSV_SUFFIXES:
            header, rows = _csv_rows(path.read_bytes(), name)
        else:
            header, rows = _xlsx_rows(path, name)
    except PermissionError:
        raise InputFileError(name, "permission denied") from None
    return _frame(header, rows, name)


# ---- CSV -------------------------------------------------------------------------------------


def _csv_rows(raw: bytes, name: str) -> tuple[tuple[int, list[str]], list[tuple[int, list[str]]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _decode_error(raw, exc, name) from None
    text = unicodedata.normalize("NFC", text)
    delimiter = _delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputFileError(name, f"not valid CSV ({exc})", row=line) from None
    if not records:
        raise InputFileError(name, "the file is empty (a header row is expected)")
    return records[0], records[1:]


def _delimiter(header_line: str) -> str:
    # Excel saves "CSV" with ';' where the decimal separator is ',' (Vietnamese locale)
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _decode_error(raw: bytes, exc: UnicodeDecodeError, name: str) -> InputFileError:
    start = raw.rfind(b"\n", 0, exc.start) + 1
    line = raw.count(b"\n", 0, exc.start) + 1
    field = None
    header = raw.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").strip("\r")
    if line > 1:
        delimiter = _delimiter(header)
        names = [h.strip() for h in header.split(delimiter)]
        column = raw[start : exc.start].count(delimiter.encode())
        field = names[column] if column < len(names) else None
    return InputFileError(
        name,
        f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as 'CSV UTF-8' or as .xlsx",
        row=line,
        field=field,
    )


# ---- XLSX ------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """An openpyxl cell value as the text a person typed (no '.0', no time on a plain date)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _xlsx_rows(path: Path, name: str) -> tuple[tuple[int, list[str]], list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        if isinstance(exc, PermissionError):
            raise
        raise InputFileError(name, "not a readable .xlsx workbook") from None
    try:
        if not wb.worksheets:
            raise InputFileError(name, "the workbook has no sheet")
        ws = wb.worksheets[0]
        records: list[tuple[int, list[str]]] = []
        for number, values in enumerate(
            ws.iter_rows(min_row=1, min_col=1, values_only=True), start=1
        ):
            cells = [cell_text(v) for v in values]
            if any(c.strip() for c in cells):
                records.append((number, cells))
    finally:
        wb.close()
    if not records:
        raise InputFileError(name, "the first sheet is empty (a header row is expected)")
    return records[0], records[1:]


# ---- both ------------------------------------------------------------------------------------


def _frame(
    header: tuple[int, list[str]], rows: list[tuple[int, list[str]]], name: str
) -> pd.DataFrame:
    header_row, names = header
    names = [n.strip() for n in names]
    # trailing empty header cells (an Excel habit) are dropped when their column is empty too
    width = len(names)
    while (
        width
        and not names[width - 1]
        and all(len(cells) < width or not cells[width - 1].strip() for _, cells in rows)
    ):
        width -= 1
    names = [n or f"(column {i + 1})" for i, n in enumerate(names[:width])]
    seen: set[str] = set()
    for n in names:
        key = n.lower()
        if key in seen:
            raise InputFileError(
                name, "this column appears twice in the header", row=header_row, field=n
            )
        seen.add(key)
    data: list[list[str]] = []
    for number, cells in rows:
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            raise InputFileError(
                name, f"more cells than the header has columns ({len(cells)})", row=number
            )
        data.append(cells[:width] + [""] * (width - len(cells)))
    frame = pd.DataFrame(data, columns=names, index=[n for n, _ in rows], dtype="str")
    frame.index.name = "row"
    return frame

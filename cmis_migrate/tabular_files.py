"""Reading and writing the spreadsheets people hand us: CSV (UTF-8) and XLSX, every cell as text.

`read_table` never lets a number or a date change shape: a CSV is read with the csv module
(no type inference), an XLSX cell that Excel stored as a number is written back as the digits
it holds (912345678 and 912345678.0 -> '912345678'), a date cell as ISO text. A malformed
file raises InputFileError (one line naming the file and, when known, the row); a bad row does
not stop the others: it is kept, and the problem is reported through `problems`.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pandas as pd

from cmis_migrate.errors import InputFileError, OutputFileError

SUPPORTED = (".csv", ".xlsx")
EXTRA_CELLS = "extra_cells"  # cells beyond the header, kept so that nothing is lost


def table_kind(path: Path | str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUPPORTED:
        raise InputFileError(
            path, f"unsupported file type {suffix or '(none)'!r}: use .csv or .xlsx"
        )
    return suffix[1:]


def read_table(
    path: Path | str,
    *,
    expected: Sequence[str] = (),
    problems: list[str] | None = None,
) -> pd.DataFrame:
    """Read a .csv or .xlsx file whose first row is the header into a frame of str.

    `expected`: column names of which at least one must appear in the header (case and
    surrounding spaces ignored), else the file is taken to have no header row. Row problems
    (more or fewer cells than the header) are appended to `problems` as messages naming the
    file and row; the rows themselves are kept.
    """
    path = Path(path)
    kind = table_kind(path)
    if not path.is_file():
        raise InputFileError(path, "file not found")
    rows = _csv_rows(path) if kind == "csv" else _xlsx_rows(path)
    return _frame(path, rows, expected, problems if problems is not None else [])


def _frame(
    path: Path, rows: Iterable[tuple[int, list[str]]], expected: Sequence[str], problems: list[str]
) -> pd.DataFrame:
    it = iter(rows)
    header_row, header = next(((n, r) for n, r in it if any(c.strip() for c in r)), (0, []))
    if not header:
        raise InputFileError(
            path, "the file is empty (a header row naming the columns is expected)"
        )
    while header and not header[-1].strip():
        header.pop()
    names = [h.strip() or f"column_{i + 1}" for i, h in enumerate(header)]
    lowered = [n.lower() for n in names]
    dupes = sorted({n for n in lowered if lowered.count(n) > 1})
    if dupes:
        raise InputFileError(
            path, f"the header names a column twice: {', '.join(dupes)}", row=header_row
        )
    if expected and not set(lowered) & {e.lower() for e in expected}:
        raise InputFileError(
            path,
            "no header row: the first row must name the columns (e.g. "
            + ", ".join(expected[:4])
            + ")",
            row=header_row,
        )
    width = len(names)
    data: list[list[str]] = []
    extras: dict[int, str] = {}
    for number, cells in it:
        if not any(c.strip() for c in cells):
            continue  # a blank line holds nothing
        if len(cells) > width:
            extra = cells[width:]
            if any(c.strip() for c in extra):
                extras[len(data)] = " | ".join(extra)
                problems.append(
                    str(
                        InputFileError(
                            path,
                            f"{len(cells)} cells for {width} columns: the cells after "
                            f"{names[-1]!r} are kept in column {EXTRA_CELLS!r}",
                            row=number,
                        )
                    )
                )
            cells = cells[:width]
        elif len(cells) < width:
            problems.append(
                str(
                    InputFileError(
                        path,
                        f"{len(cells)} cells for {width} columns: the missing ones are read as empty",
                        row=number,
                        field=names[len(cells)],
                    )
                )
            )
            cells = cells + [""] * (width - len(cells))
        data.append(cells)
    frame = (
        pd.DataFrame(data, columns=names, dtype="str")
        if data
        else pd.DataFrame({n: pd.Series([], dtype="str") for n in names})
    )
    if extras:
        frame[EXTRA_CELLS] = pd.Series([extras.get(i, "") for i in range(len(frame))], dtype="str")
    return frame


# ---------------------------------------------------------------- CSV


def _csv_rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFileError(
            path,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}); save it as "
            "'CSV UTF-8' or as .xlsx",
            row=None,
        ) from None
    if not text.strip():
        raise InputFileError(
            path, "the file is empty (a header row naming the columns is expected)"
        )
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for cells in reader:
            number += 1
            rows.append((number, cells))
    except csv.Error as exc:
        raise InputFileError(path, f"not a readable CSV: {exc}", row=number + 1) from None
    return rows


# ---------------------------------------------------------------- XLSX


def cell_text(value: object) -> str:
    """An openpyxl cell value as the text a person sees (numbers keep all their digits)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _xlsx_rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        TypeError,
    ) as exc:
        raise InputFileError(
            path, f"not a readable .xlsx workbook ({type(exc).__name__})"
        ) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise InputFileError(path, "the workbook has no worksheet")
        rows = []
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                rows.append((number, [cell_text(v) for v in values]))
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
            raise InputFileError(
                path, f"not a readable .xlsx worksheet ({type(exc).__name__})"
            ) from None
        return rows
    finally:
        book.close()


# ---------------------------------------------------------------- writing


def _as_text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for name in frame.columns:
        col = frame[name]
        if col.dtype == bool:
            out[name] = col.map({True: "true", False: "false"}).astype("str")
        else:
            out[name] = col.astype("str").fillna("")
    return pd.DataFrame(out, index=frame.index)


def write_table(frame: pd.DataFrame, path: Path | str) -> None:
    """Write every cell as text to .csv (UTF-8 with BOM, as Excel's 'CSV UTF-8') or .xlsx
    (text cells, so '0912...' stays text). Written to a temporary file, then renamed."""
    path = Path(path)
    kind = table_kind(path)
    text = _as_text_frame(frame)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if kind == "csv":
            text.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        else:
            _write_xlsx(text, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputFileError(f"{path}: cannot write ({exc.strerror or exc})") from None


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")

    def cell(value: str) -> WriteOnlyCell:
        c = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        c.data_type = "s"  # never a formula or a number, whatever the text looks like
        return c

    sheet.append([cell(str(c)) for c in frame.columns])
    for values in frame.itertuples(index=False, name=None):
        sheet.append([cell(v) for v in values])
    book.save(path)

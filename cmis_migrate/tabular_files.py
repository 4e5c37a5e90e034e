"""The one reader (and writer) of the spreadsheets people hand us: CSV and XLSX, every cell TEXT.

`read_table` never lets a number or a date change shape: CSV is read as text only (no type
inference): whole, by Arrow (csv_columns.py), when the file is well formed, else record by
record with the csv module, which keeps and reports what is wrong (both give the same frame); an XLSX number is written back as the digits it holds (912345678 and
912345678.0 -> '912345678'), a date as ISO text, TRUE/FALSE as Excel shows them. Text is NFC.
Cells typed in a legacy Vietnamese font (TCVN3 `.VnTime…`, VNI `VNI-Times…`) are converted
to Unicode (transforms/legacy_text.py).

The frame's index is the row number a spreadsheet shows (the header is row 1; blank rows
are dropped, their numbers skipped). A file that cannot be read at all raises InputFileError
(one line naming the file and, when known, the row and field): not found, not .csv/.xlsx,
empty, no header row, a column named twice, not UTF-8, a damaged/truncated/encrypted/.xls
workbook. A bad ROW never stops the others: cells beyond the header are kept in column
`extra_cells`, missing cells read as empty, cells longer than Excel allows are cut; each is
reported in `problems` (InputFileError objects naming file, row and field) for the caller to
show or to carry with the row.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cmis_migrate import csv_columns
from cmis_migrate.errors import InputFileError, OutputFileError
from cmis_migrate.reports.private_files import write_private
from cmis_migrate.safe_cells import FORMULA_STARTS, PREFIX, neutralize, unneutralize
from cmis_migrate.transforms.legacy_text import capitals_font, font_encoding, legacy_to_unicode

SUPPORTED = (".csv", ".xlsx")  # what we write, and what commands ask for
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
EXTRA_CELLS = "extra_cells"  # cells beyond the header, kept so that nothing is lost
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
MAX_FILE_BYTES = 256 * 1024 * 1024
LEGACY_CELLS = "legacy_cells"  # frame.attrs key: cells converted from TCVN3/VNI fonts

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003) and encrypted .xlsx
_ZERO_WIDTH = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"))
# regexes (the same in Python's re and Arrow's RE2), anchored at the start by str.match
_STARTS = "[" + "".join(f"\\x{ord(c):02x}" for c in FORMULA_STARTS) + "]"
_NEUTRALIZED = f"\\x{ord(PREFIX):02x}+{_STARTS}"  # the cells unneutralize changes
_FORMULA_LIKE = f"\\x{ord(PREFIX):02x}*{_STARTS}"  # the cells neutralize may change

Rows = list[tuple[int, list[str]]]


def table_kind(path: Path | str) -> str:
    """'csv' or 'xlsx' for a file we can write; InputFileError otherwise."""
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
    problems: list[InputFileError] | None = None,
) -> pd.DataFrame:
    """Read a .csv or .xlsx file whose first non-blank row is the header into a frame of str.

    `expected`: column names of which at least one must appear in the header (case and
    surrounding spaces ignored), else the file is taken to have no header row. Row problems
    are appended to `problems`; the rows themselves are kept. `frame.attrs['legacy_cells']`
    counts the cells converted from a TCVN3/VNI font.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise InputFileError(
            path, f"unsupported file type {suffix or '(none)'!r}: use .csv or .xlsx"
        )
    try:
        if not path.is_file():
            raise InputFileError(path, "file not found" if not path.exists() else "not a file")
        size = path.stat().st_size
    except OSError as exc:
        raise InputFileError(path, f"cannot read ({exc.strerror or type(exc).__name__})") from None
    if size == 0:
        raise InputFileError(
            path, "the file is empty (a header row naming the columns is expected)"
        )
    if size > MAX_FILE_BYTES:
        raise InputFileError(
            path, f"too large ({size // 2**20} MiB; at most {MAX_FILE_BYTES // 2**20} MiB)"
        )
    found = problems if problems is not None else []
    try:
        if suffix in CSV_SUFFIXES:
            data, legacy = path.read_bytes(), 0
            frame = _csv_frame(path, data, expected)
            if frame is None:  # a row to keep and report, or a file Arrow cannot read
                frame = _frame(path, _csv_rows(path, data), expected, found, csv_file=True)
        else:
            rows, legacy = _xlsx_rows(path)
            frame = _frame(path, rows, expected, found, csv_file=False)
    except OSError as exc:
        raise InputFileError(path, f"cannot read ({exc.strerror or type(exc).__name__})") from None
    # the apostrophe write_table puts before formula-like text: a file we wrote reads back as is
    frame = _unneutralized(frame)
    frame.attrs[LEGACY_CELLS] = legacy
    return frame


def _unneutralized(frame: pd.DataFrame) -> pd.DataFrame:
    """unneutralize on every cell that starts with an apostrophe before formula-like text (the
    only cells it changes), found by one regex per column."""
    for name in frame.columns:
        column = frame[name]
        if not csv_columns.holds_any(column.array.__arrow_array__(), PREFIX.encode()):
            continue
        marked = column.str.match(_NEUTRALIZED)
        if marked.any():
            column = column.copy()
            column[marked] = column[marked].map(unneutralize)
            frame[name] = column
    return frame


# ---------------------------------------------------------------- both


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _names(
    path: Path,
    header_row: int,
    header: Sequence[str],
    expected: Sequence[str],
    holds_nothing: Callable[[int], bool],
) -> list[str]:
    """The column names of a header; `holds_nothing(i)`: no row below has text in column i."""
    names = [h.translate(_ZERO_WIDTH).strip() for h in header]
    # trailing unnamed header cells (an Excel habit) go when their column holds nothing
    width = len(names)
    while width and not names[width - 1] and holds_nothing(width - 1):
        width -= 1
    names = [n or f"column_{i + 1}" for i, n in enumerate(names[:width])]
    seen: dict[str, str] = {}
    for n in names:
        if n.lower() in seen:
            raise InputFileError(
                path, "this column appears twice in the header", row=header_row, field=n
            )
        seen[n.lower()] = n
    if expected and not set(seen) & {e.lower() for e in expected}:
        raise InputFileError(
            path,
            "no header row: the first row must name the columns (e.g. "
            + ", ".join(expected[:4])
            + ")",
            row=header_row,
        )
    return names


def _no_rows(names: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame({n: pd.Series([], dtype="str") for n in names})
    frame.index.name = "row"
    return frame


def _frame(
    path: Path,
    rows: Rows,
    expected: Sequence[str],
    problems: list[InputFileError],
    *,
    csv_file: bool,
) -> pd.DataFrame:
    filled = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not filled:
        raise InputFileError(
            path, "the file is empty (a header row naming the columns is expected)"
        )
    (header_row, header), body = filled[0], filled[1:]
    names = _names(
        path,
        header_row,
        header,
        expected,
        lambda i: all(len(c) <= i or not c[i].strip() for _, c in body),
    )
    width = len(names)
    data: list[list[str]] = []
    index: list[int] = []
    extras: dict[int, str] = {}
    for number, cells in body:
        if len(cells) > width:
            extra = [c for c in cells[width:] if c.strip()]
            if extra:
                extras[len(data)] = " | ".join(extra)
                problems.append(
                    InputFileError(
                        path,
                        f"more cells than the header has columns ({width + len(extra)} for "
                        f"{width}): the cells after {names[-1]!r} are kept in column "
                        f"{EXTRA_CELLS!r}",
                        row=number,
                    )
                )
            cells = cells[:width]
        elif len(cells) < width:
            if csv_file:  # a CSV row cut short (an XLSX row simply ends at its last cell)
                problems.append(
                    InputFileError(
                        path,
                        f"{len(cells)} cells for {width} columns: the missing ones are read "
                        "as empty",
                        row=number,
                        field=names[len(cells)],
                    )
                )
            cells = cells + [""] * (width - len(cells))
        for i, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                cells[i] = cell[:MAX_CELL_CHARS]
                problems.append(
                    InputFileError(
                        path,
                        f"{len(cell):,} characters: cut to the {MAX_CELL_CHARS:,} a cell can hold",
                        row=number,
                        field=names[i],
                    )
                )
        data.append(cells)
        index.append(number)
    if not data:
        return _no_rows(names)
    frame = pd.DataFrame(data, columns=names, index=index, dtype="str")
    frame.index.name = "row"
    if extras:
        frame[EXTRA_CELLS] = pd.Series(
            [extras.get(i, "") for i in range(len(frame))], index=frame.index, dtype="str"
        )
    return frame


# ---------------------------------------------------------------- CSV


def _decode(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text" (UTF-16)
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputFileError(path, "not readable UTF-16 text (the file is damaged)") from None
    return data.decode("utf-8-sig", errors="surrogateescape")  # bad bytes found per cell below


def _delimiter(first_line: str) -> str:
    # Excel saves "CSV" with ';' where the decimal separator is ',' (Vietnamese locale), and
    # "Unicode Text" with tabs
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _not_binary(path: Path, text: str) -> None:
    if "\x00" in text and text.count("\x00") > len(text) // 4:
        raise InputFileError(path, "not a text file (binary content; is it really a .csv?)")


def _csv_frame(path: Path, data: bytes, expected: Sequence[str]) -> pd.DataFrame | None:
    """The frame of a well-formed CSV file read whole by Arrow (csv_columns.py); None when a
    record needs _csv_rows (ragged, not UTF-8, a cell too long, no header on record 1). The
    same frame as _frame(_csv_rows(...)) gives; the same errors for the header."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode(path, data)  # UTF-16: Arrow reads UTF-8
        _not_binary(path, text)
        raw = text.encode("utf-8", errors="surrogatepass")
    else:
        raw = data.removeprefix(b"\xef\xbb\xbf")
        if b"\x00" in raw:
            _not_binary(path, raw.decode("utf-8", errors="surrogateescape"))
    delimiter = _delimiter(raw.split(b"\n", 1)[0].decode("ascii", errors="ignore"))
    columns = csv_columns.parse_columns(raw, delimiter)
    if columns is None or not len(columns[0]):
        return None
    if any(csv_columns.longest(c) > MAX_CELL_CHARS for c in columns):
        return None
    blank = [csv_columns.blank(c) for c in columns]
    header = [c[0].as_py() for c in columns]
    if all(b[0].as_py() for b in blank):  # blank lines above the header
        return None
    body_blank = [b.slice(1) for b in blank]
    names = _names(path, 1, header, expected, lambda i: pc.all(body_blank[i]).as_py() is not False)
    keep = pc.invert(functools.reduce(pc.and_, body_blank))
    rows = pc.indices_nonzero(keep).to_numpy() + 2  # record 1 is the header
    if not len(rows):
        return _no_rows(names)
    table = pa.table(
        [pc.filter(c.slice(1), keep) for c in columns[: len(names)]],
        names=[f"c{i}" for i in range(len(names))],
    )
    frame = table.to_pandas()
    frame.columns = names
    frame.index = pd.Index(rows, dtype="int64", name="row")
    return frame


def _csv_rows(path: Path, data: bytes) -> Rows:
    text = _decode(path, data)
    _not_binary(path, text)
    delimiter = _delimiter(text.split("\n", 1)[0])
    if csv.field_size_limit() < MAX_FILE_BYTES:
        csv.field_size_limit(MAX_FILE_BYTES)  # long cells are cut and reported, never fatal
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Rows = []
    number = 0
    names: list[str] = []
    try:
        for cells in reader:
            number += 1
            if not names and any(c.strip() for c in cells):
                names = [c.strip() for c in cells]
            for i, cell in enumerate(cells):
                if not cell.isascii():
                    if any("\udc80" <= ch <= "\udcff" for ch in cell):
                        raise _not_utf8(path, cell, number, names, i)
                    cells[i] = _nfc(cell)
            rows.append((number, cells))
    except csv.Error as exc:
        raise InputFileError(path, f"not a readable CSV ({exc})", row=number + 1) from None
    return rows


def _not_utf8(path: Path, cell: str, row: int, names: list[str], column: int) -> InputFileError:
    bad = next(ch for ch in cell if "\udc80" <= ch <= "\udcff")
    field = names[column] if column < len(names) and names[column] else None
    return InputFileError(
        path,
        f"not UTF-8 text (byte 0x{ord(bad) - 0xDC00:02x}): save it as 'CSV UTF-8' or as .xlsx "
        "(a sheet typed in .VnTime/VNI fonts: send the .xlsx itself)",
        row=row,
        field=field if row > 1 else None,
    )


# ---------------------------------------------------------------- XLSX


def cell_text(value: object) -> str:
    """An openpyxl cell value as the text a person sees (numbers keep all their digits)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _nfc(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _legacy_fonts(book) -> dict[int, tuple[str, bool]] | None:
    """fontId -> (encoding, capitals) for the workbook's TCVN3/VNI fonts; None when unknown."""
    fonts = getattr(book, "_fonts", None)
    if fonts is None:
        return None
    found = {}
    for i, font in enumerate(fonts):
        name = getattr(font, "name", None)
        encoding = font_encoding(name)
        if encoding:
            found[i] = (encoding, capitals_font(name))
    return found


def _xlsx_rows(path: Path) -> tuple[Rows, int]:
    from openpyxl import load_workbook

    with path.open("rb") as f:
        head = f.read(8)
    if head == _OLE2:
        raise InputFileError(
            path,
            "an Excel 97-2003 (.xls) or password-protected workbook: save it as .xlsx "
            "(Excel Workbook, without a password)",
        )
    if not head.startswith(b"PK"):
        raise InputFileError(
            path, "not a readable .xlsx workbook (it is not a zip archive, as every .xlsx is)"
        )
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except PermissionError:
        raise
    except Exception as exc:  # openpyxl raises a zoo (BadZipFile, KeyError, XML errors...)
        raise InputFileError(path, _damaged(exc)) from None
    try:
        if not book.worksheets:
            raise InputFileError(path, "the workbook has no worksheet")
        sheet = book.worksheets[0]
        fonts = _legacy_fonts(book)
        with contextlib.suppress(AttributeError):  # a wrong <dimension> must not pad rows
            sheet.reset_dimensions()
        rows: Rows = []
        legacy = 0
        try:
            if fonts == {}:
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    rows.append((number, [cell_text(v) for v in values]))
            else:
                for number, cells in enumerate(sheet.iter_rows(), start=1):
                    texts = []
                    for cell in cells:
                        value = getattr(cell, "value", None)
                        if isinstance(value, str):
                            converted = _convert(cell, value, fonts)
                            legacy += converted is not value
                            value = converted
                        texts.append(cell_text(value))
                    rows.append((number, texts))
        except InputFileError:
            raise
        except Exception as exc:
            raise InputFileError(path, _damaged(exc), row=len(rows) + 1) from None
        if not any(any(c.strip() for c in cells) for _, cells in rows):
            raise InputFileError(
                path,
                f"the first sheet ({sheet.title!r}) is empty (a header row naming the columns "
                "is expected)",
            )
        return rows, legacy
    finally:
        book.close()


def _convert(cell, value: str, fonts: dict[int, tuple[str, bool]] | None) -> str:
    try:
        if fonts is None:
            font = cell.font
            encoding = font_encoding(font.name)
            if encoding is None:
                return value
            capitals = capitals_font(font.name)
        else:
            style = cell.parent.parent._cell_styles[cell._style_id]
            if style.fontId not in fonts:
                return value
            encoding, capitals = fonts[style.fontId]
    except (AttributeError, IndexError, KeyError):
        return value
    converted = legacy_to_unicode(value, encoding, capitals=capitals)  # type: ignore[arg-type]
    return value if converted == value else converted


def _damaged(exc: BaseException) -> str:
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        return "not a readable .xlsx workbook: the file is damaged or cut short (copy it again)"
    return f"not a readable .xlsx workbook: the file is damaged ({type(exc).__name__})"


# ---------------------------------------------------------------- writing


def _as_data(text: str) -> str:
    """Formula-like text neutralized; a blank cell (a lone tab) stays blank, so that a blank
    row is read back as no row, as before."""
    return neutralize(text) if text.strip() else text


def _as_text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for name in frame.columns:
        col = frame[name]
        if col.dtype == bool:
            out[name] = col.map({True: "true", False: "false"}).astype("str")
        else:
            text = col.astype("str").fillna("")
            starts = "".join(FORMULA_STARTS).encode()
            if not csv_columns.holds_any(text.array.__arrow_array__(), starts):
                out[name] = text
                continue
            out[name] = _neutralized(text)
    return pd.DataFrame(out, index=frame.index)


def _neutralized(text: pd.Series) -> pd.Series:
    """`text.map(_as_data)` by Arrow kernels: the apostrophe before every formula-like cell
    that is not blank (a column of E.164 phones '+84...' has one on every row)."""
    cells = text.array.__arrow_array__()
    change = pc.match_substring_regex(cells, "^" + _FORMULA_LIKE)  # what neutralize prefixes
    if not pc.any(change).as_py():
        return text
    # a blank cell stays blank: of the cells marked, only one starting with tab or CR can be
    ws_start = pc.match_substring_regex(cells, "^[\t\r]")
    if pc.any(ws_start).as_py():
        change = pc.and_(change, pc.invert(pc.and_(ws_start, csv_columns.blank(cells))))
    mark = pa.scalar(PREFIX, cells.type)
    prefixed = pc.binary_join_element_wise(mark, cells, pa.scalar("", cells.type))
    done = pc.if_else(change, prefixed, cells)
    return pd.Series(pd.array(done, dtype=text.dtype), index=text.index, name=text.name)


def write_table(frame: pd.DataFrame, path: Path | str) -> None:
    """Write every cell as text to .csv (UTF-8 with BOM, as Excel's 'CSV UTF-8') or .xlsx
    (text cells, so '0912...' stays text). Owner-only (0600), written to a temporary file
    then renamed (reports/private_files.py): the rows hold personal data."""
    path = Path(path)
    kind = table_kind(path)
    text = _as_text_frame(frame)

    def write(tmp: Path) -> None:
        if kind == "csv":
            _write_csv(text, tmp)
        else:
            _write_xlsx(text, tmp)

    try:
        write_private(path, write)
    except OSError as exc:
        raise OutputFileError(f"{path}: cannot write ({exc.strerror or exc})") from None


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """What `frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\\r\\n")`
    writes, the rows joined by Arrow (csv_columns.csv_records); to_csv itself for a frame
    Arrow cannot take whole (column names that are not unique text)."""
    names = list(frame.columns)
    try:
        if not names or len(set(names)) != len(names) or not all(isinstance(n, str) for n in names):
            raise ValueError("column names")
        columns = pa.Table.from_pandas(frame, preserve_index=False).columns
        header = io.StringIO()
        csv.writer(header, lineterminator="\r\n").writerow(names)
        head = codecs.BOM_UTF8 + header.getvalue().encode("utf-8")
        body = list(csv_columns.csv_records(columns))
    except (ValueError, TypeError, UnicodeEncodeError, pa.ArrowException):
        frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        return
    with path.open("wb") as f:
        f.write(head)
        for piece in body:
            f.write(piece)


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")

    def cell(value: str) -> WriteOnlyCell:
        c = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_CHARS])
        c.data_type = "s"  # never a formula or a number, whatever the text looks like
        return c

    sheet.append([cell(str(c)) for c in frame.columns])
    for values in frame.itertuples(index=False, name=None):
        sheet.append([cell(v) for v in values])
    book.save(path)


def rows_with_problems(problems: Iterable[InputFileError]) -> dict[int, str]:
    """row number -> the row's problems as one text (for a column carried with the row)."""
    out: dict[int, list[str]] = {}
    for p in problems:
        if p.row is not None:
            where = f"{p.field}: " if p.field else ""
            out.setdefault(p.row, []).append(where + p.message)
    return {row: "; ".join(messages) for row, messages in out.items()}

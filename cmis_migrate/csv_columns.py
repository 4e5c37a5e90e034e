"""CSV files to and from text columns with Arrow (C++, no Python per cell): the fast path of
`tabular_files.read_table` for the common, well-formed file, and of `write_table`.

It answers None whenever the file needs the row-by-row reader of tabular_files, which keeps
and reports what is wrong: a record with another number of cells than the first, bytes that
are not UTF-8, a quote left open, a cell longer than a spreadsheet cell holds, no header on the
first record. So both readers give the same frame for every file; tests/unit/
test_tabular_files.py compares them on generated dirty files.

Arrow parses as the csv module does for what Excel writes: `"` quotes, `""` inside quotes,
newlines inside quoted cells, CR, LF or CRLF ends, text after a closing quote kept, a blank line
a record of empty cells; every cell stays text (no type inference, no missing values).

`csv_records` writes what Python's csv.writer writes (pandas' to_csv uses it): `,` between
cells, CRLF after each row, a cell quoted (`"` doubled) only when it holds `,`, `"`, CR or LF,
and a lone empty cell as `""`; tests compare the bytes with to_csv's on generated frames.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

# the characters str.strip() removes (str.isspace): a cell of only these is blank, as in
# tabular_files (tests/unit/test_tabular_files.py checks the list against the running Python)
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_BLANK = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]*$"  # RE2 syntax
_NEEDS_QUOTES = '[,"\\r\\n]'  # csv.QUOTE_MINIMAL with delimiter ',' and line end CRLF


def parse_columns(raw: bytes, delimiter: str) -> list[pa.Array] | None:
    """The cells of every record of UTF-8 `raw`, one text array per column (record 1 first);
    None when a record has another number of cells than the first, or Arrow cannot read it
    (invalid UTF-8, a quote left open)."""
    first_line = raw[: raw.find(b"\n")] if b"\n" in raw else raw
    at_most = first_line.count(delimiter.encode()) + 1  # the first record's cells, unless quoted
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(raw),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,  # a blank line is a record: rows keep their numbers
            ),  # a record of another length is an error here: the row-by-row reader keeps it
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(at_most)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if any(t != pa.string() for t in table.schema.types):  # a quoted newline in record 1
        return None
    return [nfc(column.combine_chunks()) for column in table.columns]


def nfc(column: pa.Array) -> pa.Array:
    """Every cell in Unicode NFC (Python's unicodedata, as the row-by-row reader does; ASCII
    cells, most of them, are left alone)."""
    non_ascii = pc.invert(pc.string_is_ascii(column))
    if not pc.any(non_ascii).as_py():
        return column
    texts = pc.filter(column, non_ascii).to_pylist()
    normalized = [unicodedata.normalize("NFC", t) for t in texts]
    changed = [i for i, (n, t) in enumerate(zip(normalized, texts, strict=True)) if n != t]
    if not changed:  # typed in NFC, as most text is: the column as it is
        return column
    where = np.zeros(len(column), dtype=bool)
    where[pc.indices_nonzero(non_ascii).to_numpy()[changed]] = True
    values = pa.array([normalized[i] for i in changed], column.type)
    return pc.replace_with_mask(column, pa.array(where), values)


def blank(column: pa.Array) -> pa.Array:
    """True where the cell is empty or only whitespace (what `not cell.strip()` says)."""
    return pc.match_substring_regex(column, _BLANK)


def longest(column: pa.Array) -> int:
    """Characters in the longest cell."""
    return pc.max(pc.utf8_length(column)).as_py() or 0


def holds_any(column: pa.Array | pa.ChunkedArray, chars: bytes) -> bool:
    """Whether any of these ASCII characters occurs in the column's text bytes (a quick scan
    of its buffers, to skip a regex over columns that cannot match; a True may be wrong)."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    for chunk in chunks:
        buffers = chunk.buffers()
        if len(buffers) < 3 or buffers[2] is None:
            continue
        data = buffers[2].to_pybytes()
        if any(data.find(bytes([c])) >= 0 for c in chars):
            return True
    return False


def _cell(column: pa.ChunkedArray, *, alone: bool) -> pa.ChunkedArray:
    if holds_any(column, b',"\r\n'):
        quote = pc.match_substring_regex(column, _NEEDS_QUOTES)
    else:
        quote = pc.equal(column, "") if alone else None
        if quote is None:
            return column
    if alone:  # csv.writer quotes the empty cell of a one-cell row (else it is a blank line)
        quote = pc.or_(quote, pc.equal(column, ""))
    if not pc.any(quote).as_py():
        return column
    doubled = pc.replace_substring(column, '"', '""')
    mark = pa.scalar('"', pa.large_string())
    quoted = pc.binary_join_element_wise(mark, doubled, mark, pa.scalar("", pa.large_string()))
    return pc.if_else(quote, quoted, column)


def csv_records(columns: list[pa.ChunkedArray]) -> Iterator[memoryview]:
    """The UTF-8 bytes of the rows (no header) as csv.writer writes them, in pieces."""
    text = pa.large_string()
    cells = [_cell(c.cast(text), alone=len(columns) == 1) for c in columns]
    comma, crlf, nothing = (pa.scalar(s, text) for s in (",", "\r\n", ""))
    rows = pc.binary_join_element_wise(*cells, comma) if len(cells) > 1 else cells[0]
    lines = pc.binary_join_element_wise(rows, crlf, nothing)
    for chunk in lines.chunks:
        if not len(chunk):
            continue
        offsets, data = chunk.buffers()[1], chunk.buffers()[2]  # large_string: int64 offsets
        first = int.from_bytes(offsets[chunk.offset * 8 :][:8], "little", signed=True)
        end = chunk.offset + len(chunk)
        last = int.from_bytes(offsets[end * 8 :][:8], "little", signed=True)
        yield memoryview(data)[first:last]


__all__ = ["PY_WHITESPACE", "blank", "csv_records", "holds_any", "longest", "nfc", "parse_columns"]

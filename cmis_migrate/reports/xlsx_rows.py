"""The data rows of a large sheet, written as SpreadsheetML text and spliced into a workbook
that openpyxl wrote with everything else.

openpyxl (even write-only, through lxml) costs about 10 µs a cell: the review sheet of a large
branch holds over two million cells, so its workbook took close to a minute of CPU. The rows
of that sheet are uniform (inline text in a handful of looks), so here they are rendered as
text, about five times faster, while openpyxl keeps writing what needs a real library: styles,
the header, protection, validation lists, print set-up, the hidden identity sheet.

`inline_row` renders one row; `splice_rows` copies the workbook openpyxl saved (in memory),
streaming the rows into the named sheet just before its `</sheetData>`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl.utils import get_column_letter

_FLUSH_CHARS = 1 << 20  # write the rows out about every megabyte of XML (bytes)
# deflate level of the workbook's members: on the largest branch's review sheet (207 MB of XML)
# level 6 took 2.84 s for 15.7 MB, level 3 1.11 s for 18.7 MB (level 1: 1.06 s, 21.8 MB); the
# members' content is the same at any level
COMPRESS_LEVEL = 3
SHEET_DATA_END = "</sheetData>"
# where a row rendered ahead of its place (inline_row(ROW_MARK, ...)) takes its number: a
# control character, which no value written (review_layout.safe_text) can hold
ROW_MARK = "\x00"


def xml_escaped(value: str) -> str:
    """`&`, `<` and `>` as XML text needs them (str.translate, the obvious way, costs ~25x
    more on Vietnamese text: it walks every character through a dict)."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def column_letters(n: int) -> list[str]:
    return [get_column_letter(j) for j in range(1, n + 1)]


def inline_row(
    index: int | str,
    letters: Sequence[str],
    styles: Sequence[int],
    values: Sequence[str],
    height: float | None = None,
) -> str:
    """`<row>` number `index`: each value an inline string with its style id (an empty value
    keeps only its style, so fills, borders and unlocked cells still show). The values must
    already be valid XML text (review_layout.safe_text)."""
    head = f'<row r="{index}" ht="{height}" customHeight="1">' if height else f'<row r="{index}">'
    cells = [
        f'<c r="{col}{index}" s="{s}" t="inlineStr"><is><t xml:space="preserve">'
        f"{xml_escaped(v)}</t></is></c>"
        if v
        else f'<c r="{col}{index}" s="{s}"/>'
        for col, s, v in zip(letters, styles, values, strict=True)
    ]
    return head + "".join(cells) + "</row>"


def splice_rows(workbook: bytes, sheet: str, rows: Iterable[str | bytes], out: Path) -> None:
    """Write `workbook` (an .xlsx in memory) to `out` with `rows` (text, or UTF-8) appended to
    the sheet stored as `sheet` (e.g. 'xl/worksheets/sheet3.xml'). Every other member is copied
    as it is."""
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as dst,
    ):
        found = False
        for info in src.infolist():
            data = src.read(info)
            if info.filename != sheet:
                dst.writestr(info, data)
                continue
            head, end, tail = data.decode("utf-8").partition(SHEET_DATA_END)
            if not end:
                raise ValueError(f"{sheet}: no {SHEET_DATA_END} to put the rows before")
            found = True
            with dst.open(info.filename, "w", force_zip64=True) as f:
                f.write(head.encode("utf-8"))
                buf: list[bytes] = []
                size = 0
                for row in rows:
                    if isinstance(row, str):
                        row = row.encode("utf-8", errors="replace")
                    buf.append(row)
                    size += len(row)
                    if size >= _FLUSH_CHARS:
                        f.write(b"".join(buf))
                        buf, size = [], 0
                f.write(b"".join(buf))
                f.write((end + tail).encode("utf-8"))
        if not found:
            raise ValueError(f"the workbook has no sheet stored as {sheet}")

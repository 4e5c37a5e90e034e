"""The drafts CSV written from the lines of the last one, only changed drafts read and made.

A night after a change of 1% of the customers redrafts a few thousand of the province's
~260,000 drafts, and the CSV was written again whole (12–20 s of the run's last seconds). Each
line is kept instead (`.drafts.csv.lines.arrow` beside the CSV, owner-only: the same data as
the CSV) with its row's signature: its draft hash and the values the hash does not cover, one
text the database makes (store.queries.drafts_signatures). The next CSV reads the signatures,
reads and makes the lines only of the drafts whose signature changed, and takes the others as
kept; the file is the one a whole export writes, byte for byte.

Lines kept by other code (`drafts_export.csv_code_key`) or a file that cannot be read mean a
whole export, never an error.
"""

from __future__ import annotations

import codecs
import csv
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

from cmis_migrate.reports.drafts_export import CRLF, EXPORT_COLUMNS, csv_code_key, kept_lines_path
from cmis_migrate.reports.kept_files import OPTIONS, read_kept, stamped
from cmis_migrate.reports.private_files import write_private
from cmis_migrate.safe_cells import cell_values

log = logging.getLogger(__name__)

SCHEMA = pa.schema(
    [("customer_code", pa.string()), ("signature", pa.string()), ("line", pa.large_binary())]
)
PIECE = 20_000  # lines written (and kept) at a time

Line = tuple[str, str, bytes]  # customer_code, signature, the CSV line (UTF-8, CRLF)


class _Returned:
    """A file whose write() hands back what it is given: csv.writer.writerow returns the line."""

    def write(self, text: str) -> str:
        return text


def lines_of(rows: Iterable[Sequence]) -> list[Line]:
    """Rows of drafts_rows(EXPORT_COLUMNS, signed=True) as lines of the CSV (export_drafts_csv's
    dialect: cells neutralized, minimal quoting, CRLF)."""
    writer = csv.writer(_Returned(), lineterminator=CRLF)
    return [(row[0], row[-1], writer.writerow(cell_values(row[:-1])).encode()) for row in rows]


def load_lines(path: Path) -> dict[str, tuple[str, bytes]] | None:
    """customer -> (signature, line) of the kept lines, when this code can use them."""
    table = read_kept(path, csv_code_key(), "drafts CSV lines")
    if table is None:
        return None
    if table.schema.remove_metadata() != SCHEMA:
        log.warning("kept drafts CSV lines are not lines of a drafts CSV: written whole")
        return None
    codes, sigs, lines = (table.column(c).to_pylist() for c in SCHEMA.names)
    return dict(zip(codes, zip(sigs, lines, strict=True), strict=True))


def _pieces(
    kept: dict[str, tuple[str, bytes]] | None,
    signatures: Callable[[], list[tuple[str, str]]],
    read: Callable[[Sequence[str] | None], Iterable[list[list]]],
) -> Iterator[list[Line]]:
    """The CSV's lines in customer order, a piece at a time: all read (nothing kept), or the
    kept ones with those of the drafts whose signature changed read again."""
    if kept is None:
        for part in read(None):
            yield lines_of(part)
        return
    order = signatures()
    stale = [code for code, sig in order if kept.get(code, ("",))[0] != sig]
    fresh = {line[0]: line for part in (read(stale) if stale else ()) for line in lines_of(part)}
    piece: list[Line] = []
    for code, sig in order:
        if code in fresh:
            piece.append(fresh[code])
        elif code in kept and kept[code][0] == sig:
            piece.append((code, sig, kept[code][1]))
        else:  # redrafted or removed after its signature was read: the next CSV has it
            continue
        if len(piece) >= PIECE:
            yield piece
            piece = []
    if piece:
        yield piece


def export_drafts_csv_lines(
    out: Path,
    signatures: Callable[[], list[tuple[str, str]]],
    read: Callable[[Sequence[str] | None], Iterable[list[list]]],
) -> Path:
    """The drafts CSV at `out` (what export_drafts_csv writes, byte for byte), from its kept
    lines where the drafts did not change; its lines kept again beside it. `signatures()`: every
    draft's (customer_code, signature) in order; `read(codes)`: signed rows of these drafts
    (None: all), in pieces."""
    out = Path(out)
    kept_path = kept_lines_path(out)
    kept = load_lines(kept_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".lines-", suffix=".arrow", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    schema = stamped(SCHEMA, csv_code_key())

    def write(path: Path) -> None:
        with (
            open(path, "wb") as f,
            pa.OSFile(str(tmp), "wb") as sink,
            ipc.new_file(sink, schema, options=OPTIONS) as lines_out,
        ):
            header = csv.writer(_Returned(), lineterminator=CRLF).writerow(EXPORT_COLUMNS)
            f.write(codecs.BOM_UTF8 + header.encode())
            for piece in _pieces(kept, signatures, read):
                f.write(b"".join(line for _, _, line in piece))
                codes, sigs, lines = zip(*piece, strict=True)
                lines_out.write_batch(
                    pa.record_batch([list(codes), list(sigs), list(lines)], schema=schema)
                )

    try:
        os.chmod(tmp, 0o600)
        write_private(out, write)
        os.replace(tmp, kept_path)
    finally:
        tmp.unlink(missing_ok=True)
    return out

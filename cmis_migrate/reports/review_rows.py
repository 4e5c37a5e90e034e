"""The review sheet's data rows as written, and each branch's kept copy of them.

Building the rows of a branch's review sheet (their cells from the store's values, their keys,
their digests for the checksum, their SpreadsheetML) is most of what a workbook costs, and a
branch's workbook is built again whenever anything of the branch changed: after a night that
changed 1% of the customers that is every branch, each for a few hundred of its customers. So
when a workbook is issued its rows are kept (`work/review_rows/review_<branch>.arrow`,
owner-only: they hold what the workbook holds), each customer with its signature: what its rows
are made of (store.review.SIGNATURE_COLUMNS, a customer's row and issues are only ever rewritten
together, and its station's name). The next workbook of the branch reads from the store only
the customers whose signature is not the kept one, builds their rows, and takes the others'.

A kept copy serves only the code that made it (`code_key`: the modules that make a row and the
rows' style ids); any other, or a file that cannot be read, means a whole build, never an error.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from cmis_migrate.reports.kept_files import OPTIONS, read_kept, stamped
from cmis_migrate.reports.private_files import write_private
from cmis_migrate.reports.review_layout import FIXED_COLUMNS, TEMPLATE_VERSION, row_digest

log = logging.getLogger(__name__)

# n: the row's place among its customer's rows (the sheet's order is station, ledger, customer, n)
ROW_COLUMNS = ("customer_code", "station", "ledger", "n", "digest", "xml")
ORDER = [(c, "ascending") for c in ("station", "ledger", "customer_code", "n")]
KEPT_FOLDER = "review_rows"
WHOLE_SHARE = 0.5  # more of the branch changed than this: read it whole (one query, no lists)
PIECE = 10_000  # rows made, written and kept at a time
MOST_RUNS = 256  # runs of consecutive rows a piece is sliced into before it is copied whole
# the modules a row's content comes from: a change to any of them makes kept rows stale
_ROW_MODULES = (
    "branch_report",
    "review_layout",
    "review_rows",
    "review_workbook",
    "xlsx_rows",
)


@dataclass(frozen=True)
class SheetRows:
    """The review sheet's data rows: the customer each is about (its code, station and ledger as
    shown: the sheet's order), its row_digest and its SpreadsheetML, with xlsx_rows.ROW_MARK
    where its row number goes. An Arrow table whose rows are the sheet's in order, or those
    `order` picks in order: a large branch's rows are ~200 MB of text, merged without moving it
    and handed out a piece at a time (never a Python object per row for all of them at once)."""

    table: pa.Table  # ROW_COLUMNS
    order: pa.Array | None = None  # the table's row at each place of the sheet (int64)

    def __len__(self) -> int:
        return self.table.num_rows if self.order is None else len(self.order)

    def pieces(self, size: int = PIECE) -> Iterator[pa.Table]:
        """The sheet's rows in order, `size` at a time."""
        for start in range(0, len(self), size):
            if self.order is None:
                yield self.table.slice(start, size)
            else:
                yield gathered(self.table, self.order.slice(start, size))

    def xml_utf8(self) -> Iterator[bytes]:
        """Each row's SpreadsheetML (UTF-8), in the sheet's order."""
        for piece in self.pieces():
            yield from piece.column("xml").to_pylist()

    @property
    def xml(self) -> list[str]:
        return [x.decode() for x in self.xml_utf8()]

    def _column(self, name: str) -> pa.ChunkedArray:
        column = self.table.column(name)
        return column if self.order is None else column.take(self.order)

    @property
    def digests(self) -> list[str]:
        return self._column("digest").to_pylist()

    def customers(self) -> int:
        return int(pc.count_distinct(self._column("customer_code")).as_py())


def gathered(table: pa.Table, order: pa.Array, most_runs: int = MOST_RUNS) -> pa.Table:
    """`table.take(order)`: where `order` runs through consecutive rows, those rows as slices
    of `table` (no copy of their text). Merged rows are mostly such runs: a branch's kept rows
    are stored in the sheet's order and a night changes few of them, whose fresh rows break the
    runs. Copied by `take` when the piece holds more than `most_runs` runs."""
    places = order.to_numpy(zero_copy_only=False)
    if len(places) < 2:
        return table.take(order)
    breaks = np.flatnonzero(np.diff(places) != 1) + 1
    if len(breaks) >= most_runs:
        return table.take(order)
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(places)]))
    return pa.concat_tables(
        [table.slice(int(places[a]), int(b - a)) for a, b in zip(starts, ends, strict=True)]
    )


@dataclass(frozen=True)
class KeptRows:
    """The rows of the branch's last workbook, by customer, with each customer's signature
    then (a customer without issues has a signature and no rows)."""

    signatures: dict[str, str]
    rows: SheetRows


KINDS = {"n": pa.int32(), "xml": pa.large_binary()}  # the others text


def _table(columns: Mapping[str, object]) -> pa.Table:
    """ROW_COLUMNS: text, n a number, xml as UTF-8 (what the sheet is written in)."""
    return pa.table(
        {
            c: columns[c]
            if isinstance(columns[c], pa.ChunkedArray)
            else pa.array(columns[c], KINDS.get(c, pa.string()))
            for c in ROW_COLUMNS
        }
    )


def _encoded(rows: Iterable[str]) -> pa.ChunkedArray:
    """Rendered rows as UTF-8 in Arrow, PIECE at a time (a large branch's are ~200 MB)."""
    chunks, piece = [], []
    for row in rows:
        piece.append(row.encode())
        if len(piece) >= PIECE:
            chunks.append(pa.array(piece, pa.large_binary()))
            piece = []
    chunks.append(pa.array(piece, pa.large_binary()))
    return pa.chunked_array(chunks, pa.large_binary())


def sheet_rows(issues: pd.DataFrame) -> SheetRows:
    """The rows of an issues frame (branch_report.issues_frame, in the sheet's order)."""
    from cmis_migrate.reports.review_workbook import rendered_rows

    fixed = issues[list(FIXED_COLUMNS)].itertuples(index=False, name=None)
    return SheetRows(
        _table(
            {
                "customer_code": issues["customer_code"].tolist(),
                "n": issues.groupby("customer_code", sort=False).cumcount().tolist(),
                "station": issues["station"].tolist(),
                "ledger": issues["ledger"].tolist(),
                "digest": [row_digest(r) for r in fixed],
                "xml": _encoded(rendered_rows(issues)),
            }
        )
    )


def signatures_of(store_rows: pd.DataFrame, names: Mapping[str, str]) -> dict[str, str]:
    """customer -> its signature: store.review.branch_signatures' and its station's name."""
    return {
        code: f"{signature}\x1f{names.get(station, '')}"
        for code, station, signature in zip(
            store_rows["customer_code"].tolist(),
            store_rows["station"].tolist(),
            store_rows["signature"].tolist(),
            strict=True,
        )
    }


def to_rebuild(
    kept: KeptRows | None, signatures: Mapping[str, str], whole_share: float = WHOLE_SHARE
) -> list[str] | None:
    """The customers whose rows must be built from the store; None: build the branch whole
    (nothing kept, or more than `whole_share` of the branch changed)."""
    if kept is None:
        return None
    stale = sorted(c for c, sig in signatures.items() if kept.signatures.get(c) != sig)
    if len(stale) > whole_share * len(signatures):
        return None
    return stale


def merged(kept: KeptRows, signatures: Mapping[str, str], fresh: SheetRows) -> SheetRows:
    """The sheet's rows: the kept rows of the customers whose signature is the kept one, and the
    fresh rows of the others, in the sheet's order (station, ledger, customer as shown, then
    each customer's rows as built). Only the keys are taken and sorted: the rows stay where
    they are, `order` picks them (kept rows may be in any order)."""
    same = pa.array(
        [c for c, sig in signatures.items() if kept.signatures.get(c) == sig], pa.string()
    )
    old, new = kept.rows.table, fresh.table
    if kept.rows.order is not None or fresh.order is not None:
        raise ValueError("merged takes rows as they are stored, not picked")
    table = pa.concat_tables([old, new])
    wanted = pc.indices_nonzero(pc.is_in(old.column("customer_code"), value_set=same))
    picked = pa.concat_arrays(
        [wanted.cast(pa.int64()), pa.array(range(old.num_rows, table.num_rows), pa.int64())]
    )
    keys = table.select(["station", "ledger", "customer_code", "n"]).take(picked)
    order = picked.take(pc.sort_indices(keys, sort_keys=ORDER))
    return SheetRows(table, order)


def unchanged(kept: KeptRows | None, signatures: Mapping[str, str]) -> bool:
    """Whether the kept rows are already those of a workbook with these signatures."""
    return kept is not None and kept.signatures == dict(signatures)


@lru_cache(maxsize=1)
def code_key() -> str:
    """What kept rows are valid for: the template, the rows' style ids, and the source of
    every module a row's content comes from."""
    from cmis_migrate.reports import branch_report, review_layout, review_workbook, xlsx_rows

    modules = {
        "branch_report": branch_report,
        "review_layout": review_layout,
        "review_rows": sys.modules[__name__],
        "review_workbook": review_workbook,
        "xlsx_rows": xlsx_rows,
    }
    digest = hashlib.sha256(TEMPLATE_VERSION.encode())
    digest.update(repr(sorted(review_workbook.look_ids().items())).encode())
    for name in _ROW_MODULES:
        digest.update(Path(modules[name].__file__).read_bytes())
    return digest.hexdigest()


def load_kept(path: Path) -> KeptRows | None:
    """The branch's kept rows, when there are any this code can use (else None)."""
    table = read_kept(path, code_key(), f"review rows {path.name}")
    if table is None:
        return None
    try:
        codes = table.column("customer_code").to_pylist()
        signatures = dict(zip(codes, table.column("signature").to_pylist(), strict=True))
        rows = table.select(list(ROW_COLUMNS))
        bare = table.column("xml").null_count  # written last (save_kept): cut off, not copied
        if bare:
            rows = rows.slice(0, table.num_rows - bare)
            if rows.column("xml").null_count:
                raise ValueError("customers without rows among the rows")
        if rows.schema != _table({c: [] for c in ROW_COLUMNS}).schema:
            raise ValueError("not the rows of a review sheet")
    except (pa.ArrowException, KeyError, ValueError) as exc:
        log.warning("kept review rows %s unusable (%s): built whole", path.name, exc)
        return None
    return KeptRows(signatures, SheetRows(rows))


def save_kept(path: Path, signatures: Mapping[str, str], rows: SheetRows) -> None:
    """Keep the rows of the workbook just issued, for the branch's next one (0600), written a
    piece at a time; the customers without rows with their signature only."""
    schema = stamped(
        pa.schema(
            [*((c, KINDS.get(c, pa.string())) for c in ROW_COLUMNS), ("signature", pa.string())]
        ),
        code_key(),
    )

    def write(tmp: Path) -> None:
        with_rows: set[str] = set()
        with (
            pa.OSFile(str(tmp), "wb") as sink,
            ipc.new_file(sink, schema, options=OPTIONS) as w,
        ):
            for piece in rows.pieces():
                codes = piece.column("customer_code").to_pylist()
                with_rows.update(codes)
                sigs = pa.array([signatures.get(c, "") for c in codes], pa.string())
                w.write_table(
                    piece.select(list(ROW_COLUMNS)).append_column("signature", sigs).cast(schema)
                )
            bare = [c for c in signatures if c not in with_rows]
            if bare:
                n = len(bare)
                columns = {c: pa.nulls(n, KINDS.get(c, pa.string())) for c in ROW_COLUMNS}
                columns["customer_code"] = pa.array(bare, pa.string())
                columns["signature"] = pa.array([signatures[c] for c in bare], pa.string())
                w.write_table(pa.table(columns, schema=schema))

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_private(path, write)

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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from cmis_migrate.reports.private_files import write_private
from cmis_migrate.reports.review_layout import FIXED_COLUMNS, TEMPLATE_VERSION, row_digest

log = logging.getLogger(__name__)

# n: the row's place among its customer's rows (the sheet's order is station, ledger, customer, n)
ROW_COLUMNS = ("customer_code", "station", "ledger", "n", "digest", "xml")
ORDER = [(c, "ascending") for c in ("station", "ledger", "customer_code", "n")]
KEPT_FOLDER = "review_rows"
KEY_FIELD = b"cmis_migrate.code_key"
WHOLE_SHARE = 0.5  # more of the branch changed than this: read it whole (one query, no lists)
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
    where its row number goes. An Arrow table, its rows in the sheet's order or in `order`: a
    large branch's rows are ~200 MB of text, kept and merged without moving it."""

    table: pa.Table  # ROW_COLUMNS
    order: list[int] | None = None  # the table's row at each place of the sheet

    def __len__(self) -> int:
        return self.table.num_rows

    def xml_utf8(self) -> list[bytes]:
        """Each row's SpreadsheetML (UTF-8), in the sheet's order."""
        xml = self.table.column("xml").to_pylist()
        return xml if self.order is None else [xml[i] for i in self.order]

    @property
    def xml(self) -> list[str]:
        return [x.decode() for x in self.xml_utf8()]

    @property
    def digests(self) -> list[str]:
        return self.table.column("digest").to_pylist()

    def customers(self) -> int:
        return int(pc.count_distinct(self.table.column("customer_code")).as_py())


@dataclass(frozen=True)
class KeptRows:
    """The rows of the branch's last workbook, by customer, with each customer's signature
    then (a customer without issues has a signature and no rows)."""

    signatures: dict[str, str]
    rows: SheetRows


def _table(columns: Mapping[str, list]) -> pa.Table:
    """ROW_COLUMNS: text, n a number, xml as UTF-8 (what the sheet is written in)."""
    kinds = {"n": pa.int32(), "xml": pa.large_binary()}
    return pa.table({c: pa.array(columns[c], kinds.get(c, pa.string())) for c in ROW_COLUMNS})


def sheet_rows(issues: pd.DataFrame) -> SheetRows:
    """The rows of an issues frame (branch_report.issues_frame, in the sheet's order)."""
    from cmis_migrate.reports.review_workbook import rendered_rows

    fixed = issues[list(FIXED_COLUMNS)].itertuples(index=False, name=None)
    codes = issues["customer_code"].tolist()
    return SheetRows(
        _table(
            {
                "customer_code": codes,
                "n": issues.groupby("customer_code", sort=False).cumcount().tolist(),
                "station": issues["station"].tolist(),
                "ledger": issues["ledger"].tolist(),
                "digest": [row_digest(r) for r in fixed],
                "xml": [x.encode() for x in rendered_rows(issues)],
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
    each customer's rows as built). Only the keys are sorted: the rows stay where they are,
    `order` says where each goes (kept rows may be in any order)."""
    same = pa.array(
        [c for c, sig in signatures.items() if kept.signatures.get(c) == sig], pa.string()
    )
    old = kept.rows.table.filter(pc.is_in(kept.rows.table.column("customer_code"), value_set=same))
    table = pa.concat_tables([old, fresh.table])
    order = pc.sort_indices(
        table.select(["station", "ledger", "customer_code", "n"]), sort_keys=ORDER
    )
    return SheetRows(table, order.to_pylist())


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
    if not path.exists():
        return None
    try:
        with pa.memory_map(str(path)) as source:
            table = ipc.open_file(source).read_all()
        if (table.schema.metadata or {}).get(KEY_FIELD) != code_key().encode():
            log.info("kept review rows %s were made by other code: built whole", path.name)
            return None
        codes = table.column("customer_code").to_pylist()
        signatures = dict(zip(codes, table.column("signature").to_pylist(), strict=True))
        rows = table.filter(pc.is_valid(table.column("xml"))).select(list(ROW_COLUMNS))
    except (OSError, pa.ArrowException, KeyError, ValueError) as exc:
        log.warning(
            "kept review rows %s unreadable (%s): built whole", path.name, type(exc).__name__
        )
        return None
    if rows.schema != _table({c: [] for c in ROW_COLUMNS}).schema:
        log.warning("kept review rows %s are not rows of a review sheet: built whole", path.name)
        return None
    return KeptRows(signatures, SheetRows(rows))


def save_kept(path: Path, signatures: Mapping[str, str], rows: SheetRows) -> None:
    """Keep the rows of the workbook just issued, for the branch's next one (0600)."""
    table = rows.table
    codes = table.column("customer_code").to_pylist()
    with_rows = set(codes)
    bare = [c for c in signatures if c not in with_rows]
    if bare:
        table = pa.concat_tables(
            [
                table,
                pa.table(
                    {c: pa.nulls(len(bare), table.schema.field(c).type) for c in ROW_COLUMNS}
                ).set_column(0, "customer_code", pa.array(bare, pa.string())),
            ]
        )
    table = table.append_column(
        "signature", pa.array([signatures.get(c, "") for c in (*codes, *bare)], pa.string())
    ).replace_schema_metadata({KEY_FIELD: code_key().encode()})
    options = ipc.IpcWriteOptions(compression="zstd")

    def write(tmp: Path) -> None:
        with (
            pa.OSFile(str(tmp), "wb") as sink,
            ipc.new_file(sink, table.schema, options=options) as w,
        ):
            w.write_table(table)

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_private(path, write)

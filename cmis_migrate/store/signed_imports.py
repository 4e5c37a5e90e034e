"""Store side of `signed import`: look up the customers a file names, write the signed
contracts and the audit row. All functions take a Connection: the caller holds ONE transaction
around lookups and writes, so what was checked is what gets written."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from cmis_migrate.signed import DRAFT_COLUMNS, SIGNED_BEFORE_COLUMNS
from cmis_migrate.store.chunks import chunked
from cmis_migrate.store.frames import frame_of
from cmis_migrate.store.tables import customers, drafts, imports, signed_contracts
from cmis_migrate.store.unit_of_work import records

KIND = "signed"


def earlier_import(conn: Connection, checksum: str) -> dict | None:
    """The first signed-results import of a file with this sha256, if any."""
    row = conn.execute(
        select(imports)
        .where(imports.c.kind == KIND, imports.c.checksum == checksum)
        .order_by(imports.c.imported_at)
        .limit(1)
    ).first()
    return None if row is None else dict(row._mapping)


def known_customers(conn: Connection, codes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in chunked(codes):
        q = select(customers.c.customer_code).where(customers.c.customer_code.in_(part))
        found |= set(conn.execute(q).scalars())
    return found


def drafts_of(conn: Connection, codes: Sequence[str]) -> pd.DataFrame:
    cols = [drafts.c[c] for c in DRAFT_COLUMNS]
    rows: list[tuple] = []
    for part in chunked(codes):
        rows += conn.execute(select(*cols).where(drafts.c.customer_code.in_(part))).all()
    return frame_of(rows, DRAFT_COLUMNS)


def signed_before(conn: Connection, codes: Sequence[str]) -> pd.DataFrame:
    cols = [signed_contracts.c[c] for c in SIGNED_BEFORE_COLUMNS]
    rows: list[tuple] = []
    for part in chunked(codes):
        q = select(*cols).where(signed_contracts.c.customer_code.in_(part))
        rows += conn.execute(q).all()
    return frame_of(rows, SIGNED_BEFORE_COLUMNS)


def write_signed(conn: Connection, import_row: dict, apply: pd.DataFrame) -> None:
    """Insert the audit row and one signed_contracts row per applied customer."""
    conn.execute(imports.insert().values(kind=KIND, **import_row))
    rows = records(apply[["customer_code", "signed_at", "contract_no", "paper_contract_no"]])
    for r in rows:
        r["import_id"] = import_row["import_id"]
        r["signed_at"] = pd.Timestamp(r["signed_at"]).to_pydatetime()
    if rows:
        conn.execute(signed_contracts.insert(), rows)

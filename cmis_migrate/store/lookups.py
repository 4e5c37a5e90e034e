"""Reads a station batch needs from the store before validating: cross-station holder facts,
branch corrections and confirmations, and the content hashes of what was processed before."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from cmis_migrate.store.chunks import chunked
from cmis_migrate.store.frames import frame_of
from cmis_migrate.store.tables import confirmations, corrections, customers, holder_index


def _distinct(values: Iterable) -> list[str]:
    return sorted({v for v in values if isinstance(v, str) and v})


def other_holders(
    engine: Engine, column: str, values: Iterable[str], exclude_codes: Iterable[str]
) -> pd.DataFrame:
    """Rows of holder_index (customer_code, <column>, holder_key) sharing `values`, outside this batch."""
    col = holder_index.c[column]
    vals = _distinct(values)
    excl = set(exclude_codes)
    rows: list[tuple] = []
    with engine.connect() as conn:
        for part in chunked(vals):
            q = select(holder_index.c.customer_code, col, holder_index.c.holder_key).where(
                col.in_(part)
            )
            rows += [r for r in conn.execute(q) if r[0] not in excl]
    return frame_of(rows, ["customer_code", column, "holder_key"])


def latest_corrections(engine: Engine, codes: Sequence[str]) -> pd.DataFrame:
    """The newest correction per (customer_code, field) for these customers."""
    rows: list[tuple] = []
    with engine.connect() as conn:
        for part in chunked(list(codes)):
            newest = (
                select(
                    corrections.c.customer_code,
                    corrections.c.field,
                    func.max(corrections.c.id).label("id"),
                )
                .where(corrections.c.customer_code.in_(part))
                .group_by(corrections.c.customer_code, corrections.c.field)
                .subquery()
            )
            q = select(
                corrections.c.customer_code,
                corrections.c.field,
                corrections.c.new_value,
                corrections.c.applied_at,
            ).join(newest, newest.c.id == corrections.c.id)
            rows += list(conn.execute(q))
    return frame_of(rows, ["customer_code", "field", "new_value", "applied_at"])


def confirmations_for(engine: Engine, codes: Sequence[str]) -> dict[tuple[str, str], str | None]:
    out: dict[tuple[str, str], str | None] = {}
    with engine.connect() as conn:
        for part in chunked(list(codes)):
            q = select(
                confirmations.c.customer_code, confirmations.c.rule, confirmations.c.value
            ).where(confirmations.c.customer_code.in_(part))
            for code, rule, value in conn.execute(q):
                out[(code, rule)] = value
    return out


STORED_STATE = (
    "customer_code",
    "content_hash",
    "context_counts",
    "outcome",
    "otp_phone",
    "id_number",
    "holder_key",
    "person_key",
)


def stored_state(engine: Engine, codes: Sequence[str]) -> pd.DataFrame:
    """What the store holds for these customers (STORED_STATE columns, one row per stored
    customer): its hashes, outcome and cross-station keys, to decide who is unchanged."""
    c, h = customers.c, holder_index.c
    cols = (
        c.customer_code,
        c.content_hash,
        c.context_counts,
        c.outcome,
        h.otp_phone,
        h.id_number,
        h.holder_key,
        h.person_key,
    )
    rows: list[tuple] = []
    with engine.connect() as conn:
        for part in chunked(list(codes)):
            q = (
                select(*cols)
                .select_from(customers.outerjoin(holder_index, h.customer_code == c.customer_code))
                .where(c.customer_code.in_(part))
            )
            rows += conn.execute(q).all()
    return frame_of(rows, STORED_STATE, dtype=object)


def stored_ledgers(engine: Engine, codes: Sequence[str]) -> dict[str, str]:
    """customer -> the ledger the store holds it in (stored customers only)."""
    return {code: ledger for code, (ledger, _) in stored_places(engine, codes).items()}


def stored_places(engine: Engine, codes: Sequence[str]) -> dict[str, tuple[str, str]]:
    """customer -> (ledger, content hash) as the store holds it (stored customers only)."""
    c = customers.c
    out: dict[str, tuple[str, str]] = {}
    with engine.connect() as conn:
        for part in chunked(list(codes)):
            q = select(c.customer_code, c.ledger, c.content_hash).where(c.customer_code.in_(part))
            for code, ledger, digest in conn.execute(q):
                out[code] = (ledger, digest)
    return out

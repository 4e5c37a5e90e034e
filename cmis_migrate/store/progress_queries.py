"""Store reads for the progress report: drafts and signed contracts counted per branch and
local month, in the database.

The local month boundaries (cmis_migrate.progress.month_starts, in UTC as the store keeps its
moments) become one CASE expression, so the database returns one row per branch and month
instead of one per customer. Works the same on SQLite (ISO text) and PostgreSQL (timestamptz).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import ColumnElement, FromClause, case, func, literal, select
from sqlalchemy.engine import Engine

from cmis_migrate.progress import empty_counts, month_starts
from cmis_migrate.store.frames import frame_of
from cmis_migrate.store.tables import customers, drafts, signed_contracts


def _per_month(
    engine: Engine,
    source: FromClause,
    branch: ColumnElement,
    at: ColumnElement,
    tz: str | ZoneInfo,
    name: str,
) -> pd.DataFrame:
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(at), func.max(at)).select_from(source)).one()
        if first is None:
            return empty_counts(name)
        months = month_starts(first, last, tz)
        # a moment belongs to the last month that started at or before it
        whens = [(at < months[i + 1][1], literal(months[i][0])) for i in range(len(months) - 1)]
        last_month = literal(months[-1][0])
        label = case(*whens, else_=last_month) if whens else last_month
        inner = select(branch.label("branch"), label.label("month")).select_from(source).subquery()
        query = (
            select(inner.c.branch, inner.c.month, func.count().label(name))
            .group_by(inner.c.branch, inner.c.month)
            .order_by(inner.c.branch, inner.c.month)
        )
        rows = conn.execute(query).all()
    frame = frame_of(rows, ["branch", "month", name])
    return frame.astype({"branch": "str", "month": "str", name: "int64"})


def drafted_per_month(engine: Engine, tz: str | ZoneInfo) -> pd.DataFrame:
    """`branch, month, drafted`: customers by the month they were first drafted (redos keep
    first_drafted_at, so a redraft is not counted again)."""
    return _per_month(engine, drafts, drafts.c.branch, drafts.c.first_drafted_at, tz, "drafted")


def signed_per_month(engine: Engine, tz: str | ZoneInfo) -> pd.DataFrame:
    """`branch, month, signed`; the branch is the draft's (else the customer's, else the unit
    code the customer code starts with)."""
    source = signed_contracts.outerjoin(
        drafts, drafts.c.customer_code == signed_contracts.c.customer_code
    ).outerjoin(customers, customers.c.customer_code == signed_contracts.c.customer_code)
    branch = func.coalesce(
        drafts.c.branch, customers.c.branch, func.substr(signed_contracts.c.customer_code, 1, 6)
    )
    return _per_month(engine, source, branch, signed_contracts.c.signed_at, tz, "signed")

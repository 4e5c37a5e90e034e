"""Store reads for the progress report: drafts and signed contracts counted per branch and month.

Rows are streamed in chunks and counted chunk by chunk (only `branch` and one timestamp per
customer are read), so a province-sized store never sits in memory at once. Months are local to
`tz` (the config's schedule.timezone): the conversion happens in cmis_migrate.progress.
"""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.engine import Engine

from cmis_migrate.progress import add_counts, count_by_month
from cmis_migrate.store.tables import customers, drafts, signed_contracts

CHUNK = 50_000


def _chunks(engine: Engine, query: Select, chunk: int) -> Iterator[pd.DataFrame]:
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(query)
        for rows in result.partitions(chunk):
            yield pd.DataFrame(rows, columns=["branch", "at"])


def draft_times(engine: Engine, chunk: int = CHUNK) -> Iterator[pd.DataFrame]:
    """`branch, at` per drafted customer, `at` = first_drafted_at (kept across redos)."""
    return _chunks(engine, select(drafts.c.branch, drafts.c.first_drafted_at), chunk)


def signed_times(engine: Engine, chunk: int = CHUNK) -> Iterator[pd.DataFrame]:
    """`branch, at` per signed contract; the branch is the draft's (else the customer's, else
    the unit code the customer code starts with)."""
    branch = func.coalesce(
        drafts.c.branch, customers.c.branch, func.substr(signed_contracts.c.customer_code, 1, 6)
    )
    query = (
        select(branch, signed_contracts.c.signed_at)
        .select_from(signed_contracts)
        .outerjoin(drafts, drafts.c.customer_code == signed_contracts.c.customer_code)
        .outerjoin(customers, customers.c.customer_code == signed_contracts.c.customer_code)
    )
    return _chunks(engine, query, chunk)


def drafted_per_month(engine: Engine, tz: str | ZoneInfo, chunk: int = CHUNK) -> pd.DataFrame:
    """`branch, month, drafted`."""
    return add_counts(
        (count_by_month(c, tz, "drafted") for c in draft_times(engine, chunk)), "drafted"
    )


def signed_per_month(engine: Engine, tz: str | ZoneInfo, chunk: int = CHUNK) -> pd.DataFrame:
    """`branch, month, signed`."""
    return add_counts(
        (count_by_month(c, tz, "signed") for c in signed_times(engine, chunk)), "signed"
    )

"""Planner statistics of the store's big tables, kept fresh by the pipeline itself (PostgreSQL).

Station batches look customers up with IN-lists of a few hundred keys (holder_index by phone,
ID and person; customers, issues and drafts by customer code). Without statistics PostgreSQL
estimates that such a list matches most of the table and scans it whole: on the province that
made every lookup ~10x slower. Autovacuum would ANALYZE the tables, but it may be off (it is on
the test machine) and a first run grows them from nothing to ~800,000 rows within minutes. So
each task checks, with one cheap query, whether a table changed by more than a fifth since its
last ANALYZE, and analyzes it then. SQLite picks its indexes without statistics: nothing to do.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

LOOKED_UP = ("holder_index", "customers", "customer_issues", "drafts", "signed_contracts")
SHARE = 0.2  # analyze when more than this share of the rows changed since the last ANALYZE
MIN_CHANGES = 1000


def refresh_statistics(engine: Engine, tables: tuple[str, ...] = LOOKED_UP) -> list[str]:
    """ANALYZE the tables (of `tables`) that changed much since their last ANALYZE; returns them."""
    if engine.dialect.name != "postgresql":
        return []
    q = text(
        "select relname, n_live_tup, n_mod_since_analyze from pg_stat_user_tables "
        "where schemaname = current_schema() and relname = any(:names)"
    )
    with engine.connect() as conn:
        rows = conn.execute(q, {"names": list(tables)}).all()
    stale = [
        name
        for name, live, changed in rows
        if changed > MIN_CHANGES and changed > SHARE * max(live, 1)
    ]
    if stale:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in stale:
                conn.execute(text(f'ANALYZE "{name}"'))
    return stale

"""The names of CMIS managing units (D_DVIQLY): the district branch a contract's seller is.

Read-only, one small SELECT per run; kept apart from the customer queries in cmis.py.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine

from cmis_migrate.source.schema import DEFAULT_TABLES, CmisTables


def units(engine: Engine, tables: CmisTables = DEFAULT_TABLES) -> dict[str, str]:
    """MA_DVIQLY -> TEN_DVIQLY for every unit with a name (codes and names stripped), under
    the site's table and column names (`tables`: source.schema/tables/columns)."""
    t = tables.D_DVIQLY.c
    with engine.connect() as conn:
        rows = conn.execute(select(t.MA_DVIQLY, t.TEN_DVIQLY)).all()
    out: dict[str, str] = {}
    for code, name in rows:
        code, name = str(code or "").strip(), " ".join(str(name or "").split())
        if code and name:
            out[code] = name
    return out

"""The store's copy of CMIS unit names (written when a run plans, read when a draft renders)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from cmis_migrate.store.tables import units


def save_units(engine: Engine, names: Mapping[str, str], *, now: datetime) -> int:
    """Replace the stored names of these units (others are kept: CMIS may drop a unit)."""
    if not names:
        return 0
    codes = list(names)
    with engine.begin() as conn:
        conn.execute(delete(units).where(units.c.code.in_(codes)))
        conn.execute(insert(units), [{"code": c, "name": names[c], "read_at": now} for c in codes])
    return len(codes)


def unit_name(engine: Engine, code: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(units.c.name).where(units.c.code == code)).scalar()


def unit_names(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(units.c.code, units.c.name)).all())

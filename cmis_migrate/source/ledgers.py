"""The meter-reading ledgers of the CMIS source (D_SO_GCS) with their reading day.

Read-only: one SELECT. The planner and the `windows` command use it to tell which ledgers are
open.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from cmis_migrate import db
from cmis_migrate.config import Config
from cmis_migrate.model import reading_day
from cmis_migrate.source.connect import open_source_engine
from cmis_migrate.source.schema import DEFAULT_TABLES, CmisTables

# one row per ledger: MA_SOGCS, MA_TRAM, MA_DVIQLY (text) and NGAY_GCS (Int64, may be missing)
LEDGER_COLUMNS = ("ledger", "station", "branch", "reading_day")


class SourceUnavailable(Exception):
    """The CMIS source database is missing or cannot be read (the message says what to do)."""


def source_engine(cfg: Config) -> Engine:
    """The configured source engine (read only), with a missing SQLite file as
    SourceUnavailable: SQLite would otherwise create an empty database and every read would
    say 'no such table'."""
    try:
        return open_source_engine(cfg)
    except FileNotFoundError:
        raise SourceUnavailable(
            f"the source database {db.sqlite_path(cfg.source.url)} does not exist yet: "
            "create the demo CMIS "
            "with `cmis-migrate seed-demo`, or point source.url in config.yaml at CMIS"
        ) from None


def ledgers_query(tables: CmisTables = DEFAULT_TABLES):
    t = tables.D_SO_GCS.c
    return select(t.MA_SOGCS, t.MA_TRAM, t.MA_DVIQLY, t.NGAY_GCS).order_by(t.MA_SOGCS)


def list_ledgers(engine: Engine, tables: CmisTables = DEFAULT_TABLES) -> pd.DataFrame:
    """All ledgers of D_SO_GCS, sorted by ledger code, columns LEDGER_COLUMNS."""
    stmt = ledgers_query(tables)
    name = tables.D_SO_GCS.name
    try:
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()
    except DBAPIError as exc:
        where = engine.url.render_as_string(hide_password=True)
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        hint = (
            " (is it a CMIS database? the demo one is made by `cmis-migrate seed-demo`)"
            if name in detail or "no such table" in detail.lower()
            else ""
        )
        raise SourceUnavailable(f"cannot read {name} from {where}: {detail}{hint}") from exc
    cols = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
    return pd.DataFrame(
        {
            "ledger": pd.array([_text(v) for v in cols[0]], dtype="str"),
            "station": pd.array([_text(v) for v in cols[1]], dtype="str"),
            "branch": pd.array([_text(v) for v in cols[2]], dtype="str"),
            "reading_day": pd.array([reading_day(v) for v in cols[3]], dtype="Int64"),
        }
    )


def _text(v: object) -> str | None:
    return None if v is None else str(v).strip()

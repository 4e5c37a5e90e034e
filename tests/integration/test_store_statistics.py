"""The store keeps its planner statistics fresh (PostgreSQL): without them every IN-list lookup
of a station batch scanned whole tables. SQLite needs nothing."""

from __future__ import annotations

import time

from sqlalchemy import create_engine, text

from cmis_migrate.store.schema import upgrade
from cmis_migrate.store.statistics import refresh_statistics
from cmis_migrate.store.tables import holder_index


def _rows(n: int, start: int = 0) -> list[dict]:
    return [
        {
            "customer_code": f"PA0701{i:07d}",
            "station": "PA0701T0001",
            "otp_phone": f"+8491{i:07d}",
            "id_number": f"038{i:09d}",
            "holder_key": f"holder {i}|038{i:09d}",
            "person_key": None,
        }
        for i in range(start, start + n)
    ]


def _insert(engine, rows: list[dict]) -> None:
    """Insert, commit, and make the server's activity counters see it at once."""
    with engine.connect() as conn:
        conn.execute(holder_index.insert(), rows)
        conn.commit()
        if conn.dialect.server_version_info >= (15,):
            conn.execute(text("select pg_stat_force_next_flush()"))
            conn.commit()
        else:  # older servers report activity within ~0.5 s
            time.sleep(1.0)


def test_a_grown_table_is_analyzed_once(pg_database) -> None:
    engine = create_engine(pg_database)
    try:
        upgrade(engine)
        _insert(engine, _rows(3000))
        assert refresh_statistics(engine, ("holder_index",)) == ["holder_index"]
        with engine.connect() as conn:  # the planner knows the table now
            known = conn.execute(
                text("select count(*) from pg_stats where tablename = 'holder_index'")
            ).scalar_one()
        assert known > 0
        assert refresh_statistics(engine, ("holder_index",)) == []  # nothing changed since
        _insert(engine, _rows(100, start=3000))
        assert refresh_statistics(engine, ("holder_index",)) == []  # a few rows: not yet
    finally:
        engine.dispose()


def test_sqlite_needs_no_statistics(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        upgrade(engine)
        assert refresh_statistics(engine) == []
    finally:
        engine.dispose()

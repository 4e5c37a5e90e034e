"""store.bulk_rows on a real database: what goes in by COPY (PostgreSQL) or executemany
(SQLite) comes back as Core would have stored it: text with tabs, newlines and backslashes,
a count that passed through a float column, moments in UTC, booleans, NULLs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Boolean, Column, Integer, MetaData, Table, Text, create_engine, select

from cmis_migrate.store.bulk_rows import delete_keyed, insert_rows, select_keyed
from cmis_migrate.store.tables import DateTime

HANOI = timezone(timedelta(hours=7))


def test_rows_come_back_as_written(db_urls) -> None:
    meta = MetaData()
    t = Table(
        "bulk_probe",
        meta,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("code", Text, nullable=False),
        Column("note", Text),
        Column("n", Integer),
        Column("flag", Boolean),
        Column("at", DateTime(timezone=True)),
    )
    engine = create_engine(db_urls["store"])
    moment = datetime(2026, 3, 10, 23, 0, 1, 250_000, tzinfo=HANOI)
    rows = [
        {"code": "A", "note": "tab\there\nnew line \\N back\\slash", "n": 3.0, "flag": True,
         "at": moment},
        {"code": "B", "note": None, "n": None, "flag": False, "at": moment},
        {"code": "C", "note": "Nguyễn Văn An; \"quoted\", comma", "n": 12, "flag": None,
         "at": None},
    ]  # fmt: skip
    try:
        meta.create_all(engine)
        with engine.begin() as conn:
            insert_rows(conn, t, rows)
        with engine.begin() as conn:
            delete_keyed(conn, t.c.code, ["B"])
            found = select_keyed(conn, t.c.code, ["A", "B", "C"], t.c.note, t.c.n, t.c.flag, t.c.at)
        got = {r[0]: tuple(r[1:]) for r in found}
        assert got == {
            "A": (rows[0]["note"], 3, True, moment.astimezone(UTC)),
            "C": (rows[2]["note"], 12, None, None),
        }
        with engine.connect() as conn:  # the key was the database's own
            assert sorted(conn.execute(select(t.c.id)).scalars()) == [1, 3]
    finally:
        meta.drop_all(engine)
        engine.dispose()

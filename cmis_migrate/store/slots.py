"""A counting semaphore kept in the store: at most N CMIS ledgers read at once, across threads,
processes and Dask workers that share the store. Slots are leases: a slot whose holder died
(kill -9, lost worker) frees itself when its lease runs out, so nothing stays orphaned.
A holder is `<owner>/<random>` (the owner is the run id), so when a run is found dead its slots
are freed at once instead of after the lease (see `release_owners`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from cmis_migrate.db import utcnow
from cmis_migrate.store.tables import ledger_slots


class SlotTimeout(TimeoutError):
    """No ledger slot became free in time (CMIS is busy with other readers of this store)."""


def ensure_slots(engine: Engine, n: int) -> None:
    """Make sure slots 0..n-1 exist (rows beyond n are ignored by acquire)."""
    with engine.begin() as conn:
        have = {r[0] for r in conn.execute(select(ledger_slots.c.slot))}
        missing = [{"slot": i} for i in range(n) if i not in have]
        if not missing:
            return
        dialect = engine.dialect.name
        if dialect == "postgresql":
            stmt = postgresql.insert(ledger_slots).on_conflict_do_nothing()
        elif dialect == "sqlite":
            stmt = sqlite.insert(ledger_slots).on_conflict_do_nothing()
        else:  # pragma: no cover - other backends: plain insert, races are unlikely at set-up
            stmt = ledger_slots.insert()
        conn.execute(stmt, missing)


def try_acquire(engine: Engine, n: int, holder: str, ledger: str, lease_seconds: int) -> int | None:
    """Take a free (or expired) slot below n; return its number, or None if all are busy."""
    now = utcnow()
    free = or_(ledger_slots.c.holder.is_(None), ledger_slots.c.lease_until < now)
    with engine.begin() as conn:
        candidates = [
            r[0]
            for r in conn.execute(
                select(ledger_slots.c.slot)
                .where(ledger_slots.c.slot < n, free)
                .order_by(ledger_slots.c.slot)
            )
        ]
        for slot in candidates:
            # the WHERE re-checks freedom: of two racing writers only one updates the row
            res = conn.execute(
                update(ledger_slots)
                .where(and_(ledger_slots.c.slot == slot, free))
                .values(
                    holder=holder,
                    ledger=ledger,
                    acquired_at=now,
                    lease_until=now + timedelta(seconds=lease_seconds),
                )
            )
            if res.rowcount == 1:
                return slot
    return None


def release(engine: Engine, slot: int, holder: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(ledger_slots)
            .where(ledger_slots.c.slot == slot, ledger_slots.c.holder == holder)
            .values(holder=None, ledger=None, acquired_at=None, lease_until=None)
        )


def release_owners(conn: Connection, owners: list[str]) -> int:
    """Free every slot held on behalf of these owners (runs found dead); returns how many."""
    freed = 0
    for owner in owners:
        res = conn.execute(
            update(ledger_slots)
            .where(ledger_slots.c.holder.like(f"{owner}/%"))
            .values(holder=None, ledger=None, acquired_at=None, lease_until=None)
        )
        freed += res.rowcount or 0
    return freed


@contextmanager
def ledger_slot(
    engine: Engine,
    n: int,
    ledger: str,
    *,
    lease_seconds: int,
    wait_seconds: float = 3600.0,
    poll_seconds: float = 0.05,
    owner: str | None = None,
) -> Iterator[int]:
    """Hold one of the n ledger slots while reading `ledger` from CMIS (on behalf of `owner`)."""
    holder = f"{owner}/{uuid.uuid4().hex}" if owner else uuid.uuid4().hex
    deadline = time.monotonic() + wait_seconds
    delay = poll_seconds
    while True:
        slot = try_acquire(engine, n, holder, ledger, lease_seconds)
        if slot is not None:
            break
        if time.monotonic() > deadline:
            raise SlotTimeout(f"no CMIS ledger slot free after {wait_seconds:.0f}s")
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)
    try:
        yield slot
    finally:
        release(engine, slot, holder)

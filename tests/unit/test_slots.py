from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from cmis_migrate.db import store_engine, utcnow
from cmis_migrate.store import slots
from cmis_migrate.store.schema import upgrade
from cmis_migrate.store.tables import ledger_slots


@pytest.fixture
def engine(tmp_path):
    e = store_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(e)
    slots.ensure_slots(e, 3)
    yield e
    e.dispose()


def test_never_more_than_n_holders_across_threads(engine) -> None:
    n = 2
    current = 0
    peak = 0
    lock = threading.Lock()

    def reader(i: int) -> None:
        nonlocal current, peak
        with slots.ledger_slot(engine, n, f"L{i}", lease_seconds=60, poll_seconds=0.01):
            with lock:
                current += 1
                peak = max(peak, current)
            time.sleep(0.02)
            with lock:
                current -= 1

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == n  # reached, never exceeded


def test_slots_above_the_limit_are_not_used(engine) -> None:
    assert slots.try_acquire(engine, 1, "a", "L1", 60) == 0
    assert slots.try_acquire(engine, 1, "b", "L2", 60) is None


def test_a_dead_holders_slot_frees_itself_when_its_lease_ends(engine) -> None:
    assert slots.try_acquire(engine, 1, "dead", "L1", 60) == 0
    assert slots.try_acquire(engine, 1, "alive", "L2", 60) is None
    with engine.begin() as conn:  # the holder was killed: its lease runs out
        conn.execute(update(ledger_slots).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert slots.try_acquire(engine, 1, "alive", "L2", 60) == 0


def test_release_only_frees_ones_own_slot(engine) -> None:
    assert slots.try_acquire(engine, 1, "a", "L1", 60) == 0
    slots.release(engine, 0, "someone-else")
    assert slots.try_acquire(engine, 1, "b", "L2", 60) is None
    slots.release(engine, 0, "a")
    assert slots.try_acquire(engine, 1, "b", "L2", 60) == 0


def test_waiting_too_long_raises(engine) -> None:
    assert slots.try_acquire(engine, 1, "a", "L1", 60) == 0
    with (
        pytest.raises(slots.SlotTimeout),
        slots.ledger_slot(engine, 1, "L2", lease_seconds=60, wait_seconds=0.1, poll_seconds=0.02),
    ):
        pass

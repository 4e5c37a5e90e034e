"""Reading a station's open ledgers from CMIS under the load limits: one ledger slot per task
(or a slot and a pause per ledger), windows judged per ledger, the batch's lease renewed while
it reads. The only place the nightly run reads customer rows."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import date
from functools import lru_cache

import pandas as pd

from cmis_migrate.clock import Clock
from cmis_migrate.config import RulesConfig
from cmis_migrate.errors import SourceDataError
from cmis_migrate.model import Ledger, LedgerDone, ReadStats, StationJob
from cmis_migrate.runtime import Runtime
from cmis_migrate.source.cmis import RAW_COLUMNS
from cmis_migrate.source_values import bounded, bounded_by, bounds_of, check_codes
from cmis_migrate.store import runs
from cmis_migrate.store.slots import ledger_slot

log = logging.getLogger(__name__)


class LedgerAccess:
    """How the ledger reads of one task take CMIS capacity. Without a configured pause, one
    ledger slot is held for all of them: the holder reads one ledger at a time, so no more than
    load.max_ledgers_at_once ledgers are read at once, as with a slot per ledger, for 2 store
    transactions per task instead of 2 per ledger (~5,600 ledgers in the province). With
    load.pause_between_ledgers_seconds, each ledger takes its own slot and the task pauses
    between two reads (the pause leaves the slot to others)."""

    def __init__(self, rt: Runtime, owner: str | None = None):
        self.rt = rt
        self.owner = owner  # the run id: a dead run's slots are freed as soon as it is found dead
        self.pause = rt.cfg.load.pause_between_ledgers_seconds
        self._stack = ExitStack()
        self._held = False
        self._reads = 0

    def _slot(self, ledger: str):
        load = self.rt.cfg.load
        return ledger_slot(
            self.rt.store,
            load.max_ledgers_at_once,
            ledger,
            lease_seconds=load.lease_seconds,
            owner=self.owner,
        )

    @contextmanager
    def reading(self, ledger: str) -> Iterator[None]:
        if self._reads and self.pause:
            time.sleep(self.pause)
        self._reads += 1
        if self.pause:
            with self._slot(ledger):
                yield
            return
        if not self._held:  # taken at the first ledger actually read
            self._stack.enter_context(self._slot(ledger))
            self._held = True
        yield

    def __enter__(self) -> LedgerAccess:
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()


def read_open_ledgers(
    job: StationJob,
    rt: Runtime,
    clock: Clock,
    stats: ReadStats,
    access: LedgerAccess | None = None,
) -> tuple[pd.DataFrame, list[LedgerDone], list[tuple[Ledger, object]]]:
    """Read every ledger of the station whose window is open now; defer the others unread.
    The ledgers the run keeps (job.kept: unchanged since their last read) are neither read
    nor deferred; those it reads in part (job.parts) are read for their dated customers only.

    `access`: the task's LedgerAccess when several stations are read in a row."""
    if access is None:
        with LedgerAccess(rt, owner=job.run_id) as own:
            return read_open_ledgers(job, rt, clock, stats, own)
    cfg = rt.cfg
    if not job.reads_nothing:  # begun with the task's other such stations (read_stations)
        runs.begin_batch(rt.store, job.run_id, job.station)  # attempts count per station read
    problems = [lg.reading_day_problem for lg in job.ledgers if lg.reading_day_problem]
    if problems:  # its windows cannot be judged: read none of the station's ledgers
        raise SourceDataError("; ".join(problems))
    parts: list[pd.DataFrame] = []
    done: list[LedgerDone] = []
    deferred: list[tuple[Ledger, object]] = []
    kept = job.kept_ledgers
    last_beat = time.monotonic()  # the batch was started (its lease set) just before
    for lg in job.ledgers:
        if lg.ledger in kept:
            continue
        window = rt.calendar.ledger_status(clock.now(), lg.reading_day)
        if not window.open:
            deferred.append((lg, window))
            continue
        as_of = clock.now().date()
        part = job.part(lg.ledger)
        if part is not None:
            with access.reading(lg.ledger):
                rows = read_part(rt, lg, part.codes, as_of, stats)
            if rows is not None:
                parts.append(rows)
                done.append(LedgerDone(lg, as_of, part.open_requests, part))
                continue
        pending: set[str] = set()
        with access.reading(lg.ledger):
            for chunk in rt.source.read_ledger(
                job.station,
                lg.ledger,
                as_of=as_of,
                chunk_rows=cfg.load.max_rows_per_query,
                stats=stats,
            ):
                parts.append(chunk.assign(reading_day=lg.reading_day))
                pending.update(chunk.loc[chunk["pending_change"].notna(), "customer_code"])
        done.append(LedgerDone(lg, as_of, len(pending)))
        if time.monotonic() - last_beat > cfg.load.lease_seconds / 4:  # renew well in time
            runs.heartbeat_batch(
                rt.store, job.run_id, job.station, lease_seconds=cfg.load.lease_seconds
            )
            last_beat = time.monotonic()
    if not parts:
        return no_rows(cfg.rules), done, deferred
    raw = pd.concat(parts, ignore_index=True)
    # a customer listed twice (bad CMIS data) is processed once
    raw = raw.drop_duplicates(subset="customer_code", keep="first").reset_index(drop=True)
    check_codes(raw)  # a code the store cannot take fails this station, named, not the run
    return bounded(raw, cfg.rules), done, deferred


def read_part(
    rt: Runtime, lg: Ledger, codes: tuple[str, ...], as_of: date, stats: ReadStats
) -> pd.DataFrame | None:
    """A ledger's rows of these customers as its whole read would take them (incremental.
    read_in_part), or None when one of them has no row in it tonight (moved out, ended): the
    ledger is then read whole."""
    rows = rt.source.read_ledger_customers(
        lg.station, lg.ledger, list(codes), as_of=as_of, stats=stats
    )
    if set(rows["customer_code"]) != set(codes):
        log.info("ledger %s: a customer to read in part is not in it; read whole", lg.ledger)
        return None
    return rows.assign(reading_day=lg.reading_day)


def read_more(
    rt: Runtime, done: LedgerDone, codes: list[str], stats: ReadStats
) -> tuple[pd.DataFrame, LedgerDone]:
    """More customers of a ledger read in part, on the day it was read: their rows bounded as
    a read leaves them (those in it tonight), and the ledger's read with them."""
    lg, part = done.ledger, done.part
    assert part is not None
    rows = rt.source.read_ledger_customers(
        lg.station, lg.ledger, sorted(codes), as_of=done.as_of, stats=stats
    )
    rows = rows[~rows["customer_code"].isin(part.codes)].drop_duplicates("customer_code")
    added = tuple(rows["customer_code"])
    more = replace(done, part=replace(part, codes=tuple(sorted((*part.codes, *added)))))
    return bounded(rows.assign(reading_day=lg.reading_day), rt.cfg.rules), more


def no_rows(rules: RulesConfig) -> pd.DataFrame:
    """What a station that read no row returns: the columns of a read, none of its rows (made
    once per set of limits: a quiet incremental night has thousands of such stations)."""
    return _no_rows(bounds_of(rules)).copy()


@lru_cache(maxsize=4)
def _no_rows(bounds: tuple) -> pd.DataFrame:
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in (*RAW_COLUMNS, "reading_day")})
    return bounded_by(empty, bounds)

"""A branch's review workbook, written while the run goes on.

A large run does not end by writing every branch workbook one after the other: as soon as the
last task holding a branch's stations has finished (its stations committed, failed or
deferred), the branch's workbook is written in a worker process beside the station batches
(openpyxl is pure Python: in a thread it would only take turns with the batches). The run's
closing `publish` then finds the workbook issued and nothing changed since, and keeps it.

When the last station has ended, the run only waits for its outputs, and one core would sit
idle: the workbooks not yet begun and the drafts CSV are then shared between the worker and a
second one (`TAIL_WORKERS`), the largest branch first, each lane taking the next as it frees.
Meanwhile the run's own process, otherwise only waiting, brings the Data Docs up to date (a
thread: nothing a station page shows changes once the last station has ended), so the closing
publish does not build them after everything else.

Small runs (fewer than `EARLY_FROM_CUSTOMERS` customers planned) publish after the run closes,
as before: starting a worker process costs more than it saves there.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from cmis_migrate.config import Config
from cmis_migrate.model import StationJob

log = logging.getLogger(__name__)

EARLY_FROM_CUSTOMERS = 100_000
TAIL_WORKERS = 2  # once the stations are done: the machine's two cores
DRAFTS = "drafts CSV"  # the tail's other job, beside the branches


@dataclass(frozen=True)
class Published:
    branch: str
    path: str | None  # None: kept (unchanged since issued) or not written (see error)
    error: str | None = None
    seconds: float = 0.0  # the worker's time on it


def write_branch_workbook(cfg: Config, branch: str, run_id: str) -> Published:
    """In the worker process: the branch's workbook, unless the one on disk is still current
    (the closing publish's own rule: reports/publish.py publish_branch)."""
    from cmis_migrate.db import store_engine, utcnow
    from cmis_migrate.memory import release_free_memory
    from cmis_migrate.reports.publish import publish_branch
    from cmis_migrate.store import published

    started = time.perf_counter()
    engine = store_engine(cfg.store.url)
    try:
        unwritten = {w["branch"] for w in published.unwritten(engine)}
        state, out = publish_branch(engine, cfg, branch, run_id, now=utcnow(), unwritten=unwritten)
    finally:
        engine.dispose()
        release_free_memory()  # the branch's report, before the next branch's
    seconds = time.perf_counter() - started
    if state == "written":
        return Published(branch, str(out), seconds=seconds)
    error = None if state == "kept" else f"workbook {state}"
    return Published(branch, None, error, seconds=seconds)


def write_drafts_csv(cfg: Config) -> Published:
    """In a worker process: the drafts CSV, unless the one on disk is still current (the
    closing publish then keeps it: reports/publish.py publish_drafts)."""
    from cmis_migrate.db import store_engine
    from cmis_migrate.reports.publish import DRAFTS_CSV, publish_drafts

    started = time.perf_counter()
    engine = store_engine(cfg.store.url)
    try:
        written = publish_drafts(engine, cfg.paths.drafts / DRAFTS_CSV)
    finally:
        engine.dispose()
    path = str(written[0]) if written else None
    return Published(DRAFTS, path, seconds=time.perf_counter() - started)


class BranchPublisher:
    """Counts, per branch, the task groups still to finish; writes the branch's workbook in the
    worker process when its count reaches zero. `enabled=False`: does nothing. `data_docs`:
    what brings the run's Data Docs up to date (the index's path, None when it failed), called
    in a thread of this process during the tail; `docs` holds what it gave."""

    def __init__(
        self,
        cfg: Config,
        run_id: str,
        groups: Sequence[Sequence[StationJob]],
        *,
        enabled: bool,
        data_docs: Callable[[], Path | None] | None = None,
    ) -> None:
        self.cfg, self.run_id, self.enabled = cfg, run_id, enabled
        self.data_docs = data_docs
        self.docs: Path | None = None
        self.groups = [sorted({job.branch for job in group}) for group in groups]
        self.remaining = Counter(b for branches in self.groups for b in branches)
        self.sizes = Counter()  # customers planned per branch: the tail starts with the largest
        for group in groups:
            for job in group:
                self.sizes[job.branch] += job.customers
        self.futures: dict[Future, str] = {}  # each submitted job and the branch it writes
        self.pool: ProcessPoolExecutor | None = None
        self.tail_seconds = 0.0

    @classmethod
    def for_run(
        cls,
        cfg: Config,
        run_id: str,
        groups: Sequence[Sequence[StationJob]],
        data_docs: Callable[[], Path | None] | None = None,
    ):
        planned = sum(job.customers for group in groups for job in group)
        enabled = planned >= EARLY_FROM_CUSTOMERS
        return cls(cfg, run_id, groups, enabled=enabled, data_docs=data_docs)

    def _docs_thread(self) -> threading.Thread | None:
        """The Data Docs, built beside the tail's workers (their wait releases the lock)."""
        if self.data_docs is None:
            return None

        def build() -> None:
            try:
                self.docs = self.data_docs()
            except Exception:  # noqa: BLE001 - the closing publish builds them instead
                log.exception("Data Docs after the last station failed")

        thread = threading.Thread(target=build, name="data-docs", daemon=True)
        thread.start()
        return thread

    def group_done(self, index: int) -> None:
        if not self.enabled:
            return
        for branch in self.groups[index]:
            self.remaining[branch] -= 1
            if self.remaining[branch] == 0:
                self._submit(branch)

    def _submit(self, branch: str) -> None:
        if self.pool is None:
            self.pool = _worker_pool()
        future = self.pool.submit(write_branch_workbook, self.cfg, branch, self.run_id)
        self.futures[future] = branch

    def _job(self, pool: ProcessPoolExecutor, what: str) -> Future:
        if what == DRAFTS:
            future = pool.submit(write_drafts_csv, self.cfg)
        else:
            future = pool.submit(write_branch_workbook, self.cfg, what, self.run_id)
        self.futures[future] = what
        return future

    def _tail(self) -> None:
        """The stations are done: the branches whose workbook has not begun, and the drafts
        CSV, shared between the worker and a second one; each lane takes the next job (largest
        branch first) as soon as it has nothing left."""
        started = time.perf_counter()
        docs = self._docs_thread()
        waiting = [b for f, b in self.futures.items() if f.cancel()]  # not begun in the worker
        for f in [f for f in self.futures if f.cancelled()]:
            del self.futures[f]
        todo = [DRAFTS, *sorted(waiting, key=lambda b: (-self.sizes[b], b))]
        busy = [f for f in self.futures if not f.done()]
        lanes: list[tuple[ProcessPoolExecutor, list[Future]]] = [(self.pool, busy)]
        extra: list[ProcessPoolExecutor] = []
        try:
            for _ in range(TAIL_WORKERS - 1 if waiting else 0):  # none for the drafts alone
                extra.append(_worker_pool())
                lanes.append((extra[-1], []))
            while True:
                for lane in list(lanes):
                    pool, running = lane
                    running[:] = [f for f in running if not f.done()]
                    if not running and todo:
                        try:
                            running.append(self._job(pool, todo[0]))
                            todo.pop(0)
                        except (BrokenProcessPool, RuntimeError):  # its process died
                            lanes.remove(lane)
                under_way = [f for _, running in lanes for f in running]
                if not under_way:
                    break
                wait(under_way, return_when=FIRST_COMPLETED)
            if todo:
                log.warning(
                    "publishing workers lost: %d outputs left to the closing publish", len(todo)
                )
            if docs is not None:
                docs.join()
        finally:
            for pool in extra:
                pool.shutdown(wait=True, cancel_futures=True)
            self.tail_seconds = time.perf_counter() - started

    def finish(self, *, cancel: bool = False) -> list[Published]:
        """Wait for the workbooks under way (`cancel`: only for the one being written), the
        others and the drafts CSV shared with a second worker (see _tail). A failure is logged;
        the closing publish, which rewrites every output not current, tries it again."""
        try:
            if cancel and self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)
                self.futures = {f: b for f, b in self.futures.items() if not f.cancelled()}
            elif self.pool is not None:
                self._tail()
        except BaseException:
            self.pool.shutdown(wait=True, cancel_futures=True)
            raise
        done: list[Published] = []
        for future in self.futures:
            try:
                done.append(future.result())
            except Exception as exc:  # noqa: BLE001 - the worker process itself died
                log.warning("a publishing worker failed: %s", type(exc).__name__)
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        workbooks = [p for p in done if p.branch != DRAFTS]
        if workbooks:
            log.info(
                "%d review workbooks written during the run (worker busy %.1f s)",
                sum(1 for p in workbooks if p.path),
                sum(p.seconds for p in workbooks),
            )
        for p in done:
            if p.branch == DRAFTS:
                log.info(
                    "drafts CSV %s after the last station (%.1f s); waited %.1f s for the outputs",
                    "written" if p.path else "kept",
                    p.seconds,
                    self.tail_seconds,
                )
            elif p.error:
                log.warning("review workbook of branch %s not written early: %s", p.branch, p.error)
        return done


def _worker_pool() -> ProcessPoolExecutor:
    """One worker process, spawned: the flow's threads and engines must not be forked."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))

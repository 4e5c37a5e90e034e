"""A branch's review workbook, written while the run goes on.

A large run does not end by writing every branch workbook one after the other: as soon as the
last task holding a branch's stations has finished (its stations committed, failed or
deferred), the branch's workbook is written in a worker process beside the station batches
(openpyxl is pure Python: in a thread it would only take turns with the batches). The run's
closing `publish` then finds the workbook issued and nothing changed since, and keeps it.

Small runs (fewer than `EARLY_FROM_CUSTOMERS` customers planned) publish after the run closes,
as before: starting a worker process costs more than it saves there.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from cmis_migrate.config import Config
from cmis_migrate.model import StationJob

log = logging.getLogger(__name__)

EARLY_FROM_CUSTOMERS = 100_000


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


class BranchPublisher:
    """Counts, per branch, the task groups still to finish; writes the branch's workbook in the
    worker process when its count reaches zero. `enabled=False`: does nothing."""

    def __init__(
        self, cfg: Config, run_id: str, groups: Sequence[Sequence[StationJob]], *, enabled: bool
    ) -> None:
        self.cfg, self.run_id, self.enabled = cfg, run_id, enabled
        self.groups = [sorted({job.branch for job in group}) for group in groups]
        self.remaining = Counter(b for branches in self.groups for b in branches)
        self.futures: list[Future] = []
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def for_run(cls, cfg: Config, run_id: str, groups: Sequence[Sequence[StationJob]]):
        planned = sum(job.customers for group in groups for job in group)
        return cls(cfg, run_id, groups, enabled=planned >= EARLY_FROM_CUSTOMERS)

    def group_done(self, index: int) -> None:
        if not self.enabled:
            return
        for branch in self.groups[index]:
            self.remaining[branch] -= 1
            if self.remaining[branch] == 0:
                self._submit(branch)

    def _submit(self, branch: str) -> None:
        if self.pool is None:  # spawn: the flow's threads and engines must not be forked
            spawn = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=spawn)
        self.futures.append(self.pool.submit(write_branch_workbook, self.cfg, branch, self.run_id))

    def finish(self, *, cancel: bool = False) -> list[Published]:
        """Wait for the workbooks under way (`cancel`: only for the one being written). A
        failure is logged; the closing publish, which rewrites every workbook not current,
        tries that branch again."""
        if cancel and self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.futures = [f for f in self.futures if not f.cancelled()]
        done: list[Published] = []
        for future in self.futures:
            try:
                done.append(future.result())
            except Exception as exc:  # noqa: BLE001 - the worker process itself died
                log.warning("a branch workbook worker failed: %s", type(exc).__name__)
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        if done:
            log.info(
                "%d review workbooks written during the run (worker busy %.1f s)",
                sum(1 for p in done if p.path),
                sum(p.seconds for p in done),
            )
        for p in done:
            if p.error:
                log.warning("review workbook of branch %s not written early: %s", p.branch, p.error)
        return done

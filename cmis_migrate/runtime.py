"""The wiring of a run: engines, the calendar and the reference lists, built once from the
config by whoever starts the work (the CLI, the flow, a test) and handed down. Nothing here is
cached per process: whoever builds a Runtime closes it.
Under Dask a task runs in another process, where engines cannot be sent: see
cmis_migrate.flows.dask_runner.WorkerRuntime."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from cmis_migrate.config import Config
from cmis_migrate.db import store_engine
from cmis_migrate.evaluate import Policy
from cmis_migrate.reference import load_staff_phones, province_wards
from cmis_migrate.source.cmis import CmisSource
from cmis_migrate.source.connect import open_source
from cmis_migrate.store import slots
from cmis_migrate.store.schema import upgrade
from cmis_migrate.windows import Calendar


@dataclass
class Runtime:
    cfg: Config
    store: Engine
    source: CmisSource
    calendar: Calendar
    staff_phones: frozenset[str]
    wards: tuple[str, ...]

    @property
    def policy(self) -> Policy:
        return Policy(self.cfg.rules, self.staff_phones, self.wards)

    def get(self) -> Runtime:  # a Runtime is its own handle (dask_runner.WorkerRuntime)
        return self

    def close(self) -> None:
        self.store.dispose()
        self.source.engine.dispose()


def open_store(cfg: Config) -> Engine:
    """The store engine with its schema at the latest revision and its ledger slots in place."""
    engine = store_engine(cfg.store.url)
    upgrade(engine)
    slots.ensure_slots(engine, cfg.load.max_ledgers_at_once)
    return engine


def build_runtime(cfg: Config) -> Runtime:
    store = open_store(cfg)
    try:
        return Runtime(
            cfg=cfg,
            store=store,
            source=open_source(cfg),
            calendar=Calendar(cfg.windows, cfg.tz),
            staff_phones=load_staff_phones(cfg.paths.staff_phones_file),
            wards=province_wards(cfg.rules.province),
        )
    except BaseException:
        store.dispose()
        raise


@contextmanager
def opened_runtime(cfg: Config) -> Iterator[Runtime]:
    rt = build_runtime(cfg)
    try:
        yield rt
    finally:
        rt.close()

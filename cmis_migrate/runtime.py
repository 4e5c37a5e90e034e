"""What a station batch needs, built once per process from the config: engines, the calendar,
reference lists. Tasks receive the Config (picklable) and look their Runtime up here, so a
thread, a subprocess or a Dask worker each builds its own connections."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from cmis_migrate.config import Config
from cmis_migrate.db import source_engine, store_engine
from cmis_migrate.reference import load_staff_phones, province_wards
from cmis_migrate.source.cmis import CmisSource
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


_lock = threading.Lock()
_runtimes: dict[str, Runtime] = {}


def open_store(cfg: Config) -> Engine:
    """The store engine with its schema at the latest revision and its ledger slots in place."""
    engine = store_engine(cfg.store.url)
    upgrade(engine)
    slots.ensure_slots(engine, cfg.load.max_ledgers_at_once)
    return engine


def runtime_for(cfg: Config) -> Runtime:
    key = cfg.model_dump_json()
    with _lock:
        rt = _runtimes.get(key)
        if rt is None:
            rt = Runtime(
                cfg=cfg,
                store=open_store(cfg),
                source=CmisSource(source_engine(cfg.source.url)),
                calendar=Calendar(cfg.windows, cfg.tz),
                staff_phones=load_staff_phones(cfg.paths.staff_phones_file),
                wards=province_wards(cfg.rules.province),
            )
            _runtimes[key] = rt
        return rt


def dispose_all() -> None:
    with _lock:
        for rt in _runtimes.values():
            rt.store.dispose()
            rt.source.engine.dispose()
        _runtimes.clear()

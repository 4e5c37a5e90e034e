"""The run's clock. With --at the run behaves as if it started at that time and time then
passes normally, so windows can close during a run in tests and in planning just as at night.
Serializable (two numbers), so tasks on other threads, processes or Dask workers share it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Clock:
    tz: str
    as_of: datetime | None = None  # the --at, tz-aware
    wall_start: float = 0.0  # time.time() when the run started

    @classmethod
    def start(cls, tz: str, as_of: datetime | None = None) -> Clock:
        if as_of is not None and as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=ZoneInfo(tz))
        return cls(tz=tz, as_of=as_of, wall_start=time.time())

    def now(self) -> datetime:
        zone = ZoneInfo(self.tz)
        if self.as_of is None:
            return datetime.now(zone)
        return (self.as_of + timedelta(seconds=time.time() - self.wall_start)).astimezone(zone)

    @property
    def started(self) -> datetime:
        if self.as_of is not None:
            return self.as_of
        return datetime.fromtimestamp(self.wall_start, ZoneInfo(self.tz))

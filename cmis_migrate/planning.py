"""Which station batches a run takes, in which order (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from cmis_migrate.model import Station, StationJob


class UnknownStations(ValueError):
    """--station named stations CMIS does not have."""


def plan_jobs(
    run_id: str,
    inventory: Iterable[Station],
    *,
    only: Iterable[str] | None = None,
) -> list[StationJob]:
    """Stations whose customer data was already standardized go first (the company's rule),
    then by branch and station code. `only` restricts the run to those stations."""
    stations = list(inventory)
    if only is not None:
        wanted = list(dict.fromkeys(only))
        known = {s.station for s in stations}
        unknown = [s for s in wanted if s not in known]
        if unknown:
            raise UnknownStations(f"unknown station(s): {', '.join(unknown[:10])}")
        keep = set(wanted)
        stations = [s for s in stations if s.station in keep]
    stations.sort(key=lambda s: (not s.standardized, s.branch, s.station))
    return [
        StationJob(
            run_id=run_id,
            station=s.station,
            branch=s.branch,
            standardized=s.standardized,
            ledgers=s.ledgers,
        )
        for s in stations
    ]


def group_jobs(
    jobs: list[StationJob], *, max_customers: int, min_groups: int = 1
) -> list[tuple[StationJob, ...]]:
    """Consecutive stations of the plan, whole, in groups of about `max_customers` customers
    (a station larger than that is a group alone). With few customers the groups shrink so
    that there are at least `min_groups` of them (while there are stations to split)."""
    total = sum(j.customers for j in jobs)
    target = max(1, min(max_customers, -(-total // max(min_groups, 1))))
    groups: list[tuple[StationJob, ...]] = []
    current: list[StationJob] = []
    size = 0
    for job in jobs:
        if current and size + job.customers > target:
            groups.append(tuple(current))
            current, size = [], 0
        current.append(job)
        size += job.customers
    if current:
        groups.append(tuple(current))
    return groups

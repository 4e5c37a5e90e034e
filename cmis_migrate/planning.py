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


STATION_COST = 10
"""What a station batch costs beyond its customers, in customers read: planning it, beginning
and committing its batch (~6 ms on a quiet night, where a customer read and evaluated costs
~0.6 ms). It keeps a night that reads little from putting every station in one task."""


def job_work(job: StationJob) -> int:
    """A station batch's share of a night's work: the customers it reads (all of them on a
    first night; on an incremental night only those of its changed ledgers), plus its own cost."""
    return job.to_read + STATION_COST


def group_jobs(
    jobs: list[StationJob], *, max_customers: int, min_groups: int = 1
) -> list[tuple[StationJob, ...]]:
    """Consecutive stations of the plan, whole, in groups of about `max_customers` customers
    read (a station larger than that is a group alone). With little to read the groups shrink
    so that there are at least `min_groups` of them (while there are stations to split).

    The size is the night's work (`job_work`), not the stations' customers: on an incremental
    night that reads 1% of the customers the groups are few, and each group pays the fixed costs
    of a task (a Great Expectations validation run, store look-ups) once for many stations."""
    weights = [job_work(j) for j in jobs]
    target = max(1, min(max_customers, -(-sum(weights) // max(min_groups, 1))))
    groups: list[tuple[StationJob, ...]] = []
    current: list[StationJob] = []
    size = 0
    for job, weight in zip(jobs, weights, strict=True):
        if current and size + weight > target:
            groups.append(tuple(current))
            current, size = [], 0
        current.append(job)
        size += weight
    if current:
        groups.append(tuple(current))
    return groups

"""The nightly migration flow: plan -> station batches (extract, normalize, validate, draft,
store) -> close the run -> publish reports. Orchestration only; the work is in
cmis_migrate.station_group (and cmis_migrate.batch).

One Prefect task per group of whole stations (about load.customers_per_task customers), not per
customer: each station of a group still has its own batch row and its own transaction, and
tasks return small counts, never frames. Grouping pays the fixed cost of a pass (GX, pandas,
store lookups) once per group; with ~3,300 stations a task per station cost more than the work.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from cmis_migrate.batch import StationJob
from cmis_migrate.clock import Clock
from cmis_migrate.config import Config, load_config
from cmis_migrate.failures import is_transient
from cmis_migrate.planning import group_jobs
from cmis_migrate.run_control import RunHandle, begin_run, close_run, plan_run, publish_after_run
from cmis_migrate.runtime import runtime_for
from cmis_migrate.station_group import process_group, summaries_after_error


def _retry_transient(task, task_run, state) -> bool:
    """Retry a station batch only for transient database trouble; data errors fail at once."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - we classify, not swallow
        return is_transient(exc)
    return False


@task(
    name="station-batches",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    retry_jitter_factor=0.3,
    retry_condition_fn=_retry_transient,
    cache_policy=NO_CACHE,
    persist_result=False,
    task_run_name="stations-{label}",
)
def station_batches(
    cfg: Config, jobs: tuple[StationJob, ...], clock: Clock, label: str = ""
) -> list[dict]:
    """The station batches of one group; raises only transient errors (retried with backoff:
    stations committed before the error are then not done again)."""
    rt = runtime_for(cfg)
    ctx = get_run_context()
    summaries = process_group(list(jobs), rt, clock, task_run_id=str(ctx.task_run.id))
    for s in summaries:
        if s.state == "failed":
            get_run_logger().error("station %s failed: %s", s.station, s.error)
    return [s.as_dict() for s in summaries]


def workers(cfg: Config) -> int:
    if cfg.runner == "dask":
        return cfg.dask.n_workers * cfg.dask.threads_per_worker
    return cfg.load.parallel_batches


def task_groups(cfg: Config, jobs: list[StationJob]) -> list[tuple[StationJob, ...]]:
    """At most ~customers_per_task customers a task, and at least 4 tasks per worker."""
    return group_jobs(jobs, max_customers=cfg.load.customers_per_task, min_groups=4 * workers(cfg))


def run_batches(cfg: Config, handle: RunHandle) -> list[dict]:
    groups = task_groups(cfg, handle.jobs)
    futures = [
        station_batches.submit(cfg, group, handle.clock, f"{group[0].station}+{len(group) - 1}")
        for group in groups
    ]
    results = []
    for group, future in zip(groups, futures, strict=True):
        try:
            results.extend(future.result())
        except Exception as exc:  # retries exhausted (transient) or the task crashed
            rt = runtime_for(cfg)
            results.extend(s.as_dict() for s in summaries_after_error(rt, list(group), exc))
    return results


@flow(name="nightly_migration", persist_result=False, log_prints=False)
def nightly_migration(
    config_path: str,
    at: str | None = None,
    stations: list[str] | None = None,
    failed_only: bool = False,
    kind: str = "run",
) -> dict:
    """Migrate every planned station batch once. `at` (ISO) fixes the clock for planning/tests."""
    cfg = load_config(config_path)
    handle = begin_run(cfg, kind=kind, at=at, flow_run_id=str(get_run_context().flow_run.id))
    try:
        plan_run(cfg, handle, stations=stations, failed_only=failed_only)
        get_run_logger().info("run %s: %d station batches planned", handle.run_id, len(handle.jobs))
        results = run_batches(cfg, handle)
    except BaseException as exc:
        close_run(cfg, handle, [], error=exc)
        raise
    summary = close_run(cfg, handle, results)
    publish_after_run(cfg, handle.run_id)
    return summary


def flow_for(cfg: Config):
    """The flow with the task runner the config asks for (threads here, or a Dask cluster)."""
    if cfg.runner == "dask":
        from cmis_migrate.flows.dask_runner import dask_task_runner

        return nightly_migration.with_options(task_runner=dask_task_runner(cfg))
    return nightly_migration.with_options(
        task_runner=ThreadPoolTaskRunner(max_workers=cfg.load.parallel_batches)
    )

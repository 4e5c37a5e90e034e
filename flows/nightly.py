"""The nightly migration flow: plan -> station batches (extract, normalize, validate, draft,
store) -> close the run -> publish reports. Orchestration only; the work is in cmis_migrate.batch.

One Prefect task per station batch (not per customer): tasks return small counts, never frames.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from cmis_migrate.batch import BatchSummary, StationJob, process_station
from cmis_migrate.clock import Clock
from cmis_migrate.config import Config, load_config
from cmis_migrate.failures import describe, is_transient
from cmis_migrate.run_control import RunHandle, begin_run, close_run, plan_run, publish_after_run
from cmis_migrate.runtime import runtime_for
from cmis_migrate.store import runs


def _retry_transient(task, task_run, state) -> bool:
    """Retry a station batch only for transient database trouble; data errors fail at once.
    (Prefect 3.9 hands a Failed state whose data is the exception the task raised.)"""
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, BaseException) and is_transient(exc)


@task(
    name="station-batch",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=10),
    retry_jitter_factor=0.3,
    retry_condition_fn=_retry_transient,
    cache_policy=NO_CACHE,
    persist_result=False,
    task_run_name="station-{job.station}",
)
def station_batch(cfg: Config, job: StationJob, clock: Clock) -> dict:
    rt = runtime_for(cfg)
    ctx = get_run_context()
    try:
        return process_station(job, rt, clock, task_run_id=str(ctx.task_run.id)).as_dict()
    except Exception as exc:
        if is_transient(exc):
            raise  # Prefect retries it with backoff; the flow records the last failure
        kind, message = describe(exc)
        runs.fail_batch(rt.store, job.run_id, job.station, kind, message)
        get_run_logger().error("station %s failed: %s: %s", job.station, kind, message)
        return BatchSummary(
            job.station, job.branch, "failed", customers=job.customers, error=message
        ).as_dict()


def configured_batch_task(cfg: Config):
    """station_batch with the retries and backoff of load.transient_retries/retry_backoff_seconds."""
    retries = cfg.load.transient_retries
    return station_batch.with_options(
        retries=retries,
        retry_delay_seconds=exponential_backoff(cfg.load.retry_backoff_seconds)(retries) or 0,
    )


def run_batches(cfg: Config, handle: RunHandle) -> list[dict]:
    batch_task = configured_batch_task(cfg)
    futures = [batch_task.submit(cfg, job, handle.clock) for job in handle.jobs]
    results = []
    for job, future in zip(handle.jobs, futures, strict=True):
        try:
            results.append(future.result())
        except Exception as exc:  # retries exhausted (transient) or the task crashed
            kind, message = describe(exc)
            runs.fail_batch(runtime_for(cfg).store, job.run_id, job.station, kind, message)
            results.append(
                BatchSummary(
                    job.station, job.branch, "failed", customers=job.customers, error=message
                ).as_dict()
            )
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

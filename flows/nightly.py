"""The nightly migration flow: plan -> station batches (extract, normalize, validate, draft,
store) -> close the run -> publish reports. Orchestration only; the work is in cmis_migrate.batch.

One Prefect task per station batch (not per customer): tasks return small counts, never frames.
"""

from __future__ import annotations

import contextlib

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from cmis_migrate.batch import BatchSummary, StationJob, process_station
from cmis_migrate.clock import Clock
from cmis_migrate.config import Config, load_config
from cmis_migrate.failures import describe, is_transient
from cmis_migrate.run_control import (
    RunHandle,
    begin_run,
    close_run,
    plan_run,
    publish_after_run,
    summary_markdown,
)
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
def station_batch(cfg: Config, job: StationJob, clock: Clock) -> dict | State:
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
        summary = BatchSummary(
            job.station, job.branch, "failed", customers=job.customers, error=message
        )
        # a Failed state (red in the Prefect UI) carrying the summary; not retried: the
        # retry condition sees no exception in it
        return Failed(message=f"{kind}: {message}", data=summary.as_dict())


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
        result = future.result(raise_on_failure=False)
        if isinstance(result, BaseException):  # retries exhausted (transient) or a crash
            kind, message = describe(result)
            runs.fail_batch(runtime_for(cfg).store, job.run_id, job.station, kind, message)
            result = BatchSummary(
                job.station, job.branch, "failed", customers=job.customers, error=message
            ).as_dict()
        results.append(result)
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
    summary_artifact(kind, summary, results)
    publish_after_run(cfg, handle.run_id)
    return summary


def summary_artifact(kind: str, summary: dict, results: list[dict]) -> None:
    """The run's outcome on its page in the Prefect UI (the store keeps the truth)."""
    with contextlib.suppress(Exception):  # a courtesy: never fail a finished run over it
        create_markdown_artifact(
            markdown=summary_markdown(kind, summary, results),
            key="cmis-migrate-run",
            description="station batches",
        )


def flow_for(cfg: Config):
    """The flow with the task runner the config asks for (threads here, or a Dask cluster)."""
    if cfg.runner == "dask":
        from cmis_migrate.flows.dask_runner import dask_task_runner

        return nightly_migration.with_options(task_runner=dask_task_runner(cfg))
    return nightly_migration.with_options(
        task_runner=ThreadPoolTaskRunner(max_workers=cfg.load.parallel_batches)
    )

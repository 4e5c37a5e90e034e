"""The nightly migration flow: plan -> station batches (extract, normalize, validate, draft,
store) -> close the run -> publish reports. Orchestration only; the work is in
cmis_migrate.station_group (and cmis_migrate.batch).

One Prefect task per group of whole stations (about load.customers_per_task customers read: on
an incremental night only those of the changed ledgers, so a night that reads little has few
tasks), not per customer: each station of a group still has its own batch row and its own
transaction, and tasks return small counts, never frames. Grouping pays the fixed cost of a pass (GX, pandas,
store lookups) once per group; with ~3,300 stations a task per station cost more than the work.
"""

from __future__ import annotations

import contextlib

from prefect import flow, get_client, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.futures import as_completed
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote

from cmis_migrate.clock import Clock
from cmis_migrate.config import Config, load_config
from cmis_migrate.failures import is_transient
from cmis_migrate.logs import Readable
from cmis_migrate.model import StationJob
from cmis_migrate.planning import group_jobs
from cmis_migrate.reports.branch_publisher import BranchPublisher
from cmis_migrate.run_control import (
    RunHandle,
    begin_run,
    close_run,
    data_docs_of,
    plan_run,
    publish_after_run,
    run_tags,
    summary_markdown,
)
from cmis_migrate.runtime import Runtime, opened_runtime
from cmis_migrate.station_group import process_group, summaries_after_error
from cmis_migrate.store.queries import batches_of_run


def _retry_transient(task, task_run, state) -> bool:
    """Retry only for transient database trouble; data errors fail at once.
    (Prefect 3.9 hands a Failed state whose data is the exception the task raised.)"""
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, BaseException) and is_transient(exc)


@task(
    name="station-batches",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=10),
    retry_jitter_factor=0.3,
    retry_condition_fn=_retry_transient,
    cache_policy=NO_CACHE,
    persist_result=False,
    task_run_name="stations-{label}",
)
def station_batches(
    runtime, jobs: tuple[StationJob, ...], clock: Clock, label: str = ""
) -> list[dict] | State:
    """The station batches of one group. Raises only transient errors (retried with backoff:
    stations committed before the error are not done again). A station that failed on a data
    error makes the task end Failed (red in the Prefect UI, not retried), carrying every
    station's summary. `runtime`: the flow's Runtime, or under Dask a handle to the worker's."""
    rt = runtime.get()
    ctx = get_run_context()
    summaries = process_group(list(jobs), rt, clock, task_run_id=str(ctx.task_run.id))
    failed = [s for s in summaries if s.state == "failed"]
    for s in failed:
        get_run_logger().error("station %s failed: %s", s.station, s.error)
    data = [s.as_dict() for s in summaries]
    if failed:
        names = ", ".join(s.station for s in failed[:5])
        return Failed(message=f"{len(failed)} station batch(es) failed: {names}", data=data)
    return data


def configured_batch_task(cfg: Config):
    """station_batches with the retries and backoff of load.transient_retries/retry_backoff_seconds."""
    retries = cfg.load.transient_retries
    return station_batches.with_options(
        retries=retries,
        retry_delay_seconds=exponential_backoff(cfg.load.retry_backoff_seconds)(retries) or 0,
    )


def workers(cfg: Config) -> int:
    if cfg.runner == "dask":
        return cfg.dask.n_workers * cfg.dask.threads_per_worker
    return cfg.load.parallel_batches


def task_groups(cfg: Config, jobs: list[StationJob]) -> list[tuple[StationJob, ...]]:
    """At most ~customers_per_task customers read a task, and at least 4 tasks per worker."""
    return group_jobs(jobs, max_customers=cfg.load.customers_per_task, min_groups=4 * workers(cfg))


def task_runtime(rt: Runtime):
    """What the tasks are handed: the flow's own Runtime when they run in its threads; under
    Dask a handle to a Runtime each worker builds for itself (engines cannot travel)."""
    if rt.cfg.runner == "dask":  # a plain object: nothing for Prefect to walk into
        from cmis_migrate.flows.dask_runner import worker_runtime

        return worker_runtime(get_run_context().task_runner, rt.cfg)
    return quote(rt)  # Prefect must not walk into the engines (quote does not cross to Dask)


def task_jobs(cfg: Config, group: tuple[StationJob, ...]):
    """A group's jobs as the task is handed them: quoted, so that Prefect does not walk every
    station, ledger and kept count of them looking for futures (twice per task: ~1.2 s of the
    flow's process on a province night); as they are under Dask (quote does not cross)."""
    return group if cfg.runner == "dask" else quote(group)


def run_batches(rt: Runtime, handle: RunHandle) -> list[dict]:
    """Every group's station summaries, in plan order. As each group ends, a branch none of
    whose stations is still to come gets its review workbook written beside the batches; once
    the last has ended, the Data Docs are built while the last workbooks are written
    (`handle.data_docs`)."""
    cfg = rt.cfg
    batch_task = configured_batch_task(cfg)
    groups = task_groups(cfg, handle.jobs)
    runtime = task_runtime(rt)
    futures = [
        batch_task.submit(
            runtime, task_jobs(cfg, group), handle.clock, f"{group[0].station}+{len(group) - 1}"
        )
        for group in groups
    ]
    index = {id(f): i for i, f in enumerate(futures)}
    publisher = BranchPublisher.for_run(
        cfg, handle.run_id, groups, data_docs=data_docs_of(rt, handle.run_id)
    )
    by_group: dict[int, list[dict]] = {}
    try:
        for future in as_completed(futures):
            i = index[id(future)]
            result = future.result(raise_on_failure=False)
            if isinstance(result, BaseException):  # retries exhausted (transient) or a crash
                errors = summaries_after_error(rt, list(groups[i]), result)
                by_group[i] = [s.as_dict() for s in errors]
            else:
                by_group[i] = result
            publisher.group_done(i)
    except BaseException:  # Ctrl+C, SIGTERM, a crash: workbooks not yet started are dropped
        publisher.finish(cancel=True)
        raise
    publisher.finish()
    handle.data_docs = publisher.docs
    return [s for i in range(len(groups)) for s in by_group.get(i, [])]


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
    with opened_runtime(cfg) as rt:
        handle = begin_run(rt, kind=kind, at=at, flow_run_id=str(get_run_context().flow_run.id))
        try:
            plan_run(rt, handle, stations=stations, failed_only=failed_only)
            label_flow_run(handle.run_id, run_tags(cfg, kind, handle.jobs))
            log = get_run_logger()
            log.info(
                "run %s: %d station batches planned", Readable(handle.run_id), len(handle.jobs)
            )
            if handle.incremental:  # counts and reasons only: no personal data
                log.info("%s", Readable(handle.incremental))
            results = run_batches(rt, handle)
        except BaseException as exc:
            label_flow_run(handle.run_id, run_tags(cfg, kind, handle.jobs))
            close_run(rt, handle, [], error=exc)
            raise
        summary = close_run(rt, handle, results)
        batch_rows = batches_of_run(rt.store, handle.run_id)
        log_deferrals(batch_rows)
        summary_artifact(kind, summary, batch_rows, cfg)
        publish_after_run(rt, handle.run_id, docs_built=handle.data_docs)
    if summary["state"] == "failed":  # the flow run ends Failed in Prefect (alerts, the UI)
        n = summary["batches"].get("failed", 0)
        return Failed(
            message=f"{n} station batch(es) failed: `cmis-migrate rerun --failed` redoes them",
            data=summary,
        )
    return summary


def run_nightly(cfg: Config, **params) -> dict:
    """Run the flow (with the config's task runner) and return the run's summary, also when
    station batches failed (the flow run is then Failed in Prefect, carrying the same summary).
    An error that stopped the whole run is raised."""
    state = flow_for(cfg)(config_path=str(cfg.config_path), return_state=True, **params)
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        raise result
    return result


def label_flow_run(run_id: str, tags: list[str]) -> None:
    """Name the flow run after the store's run id (made inside the flow, so also for scheduled
    runs) and tag it; a courtesy for the Prefect UI, never a reason to fail the run."""
    flow_run = get_run_context().flow_run
    with contextlib.suppress(Exception), get_client(sync_client=True) as client:
        client.update_flow_run(flow_run.id, name=run_id, tags=sorted({*flow_run.tags, *tags}))


def log_deferrals(batch_rows: list[dict]) -> None:
    """A deferred station in the run's log, with its reason and next open window (calendar
    text, no personal data: kept readable by the masking filter)."""
    log = get_run_logger()
    for b in batch_rows:
        if b["state"] == "deferred":
            log.info(
                "station %s deferred (%s customers): %s",
                Readable(b["station"]),
                b["deferred"],
                Readable(b.get("deferred_reason") or "closed"),
            )


def summary_artifact(kind: str, summary: dict, batch_rows: list[dict], cfg: Config) -> None:
    """The run's outcome on its page in the Prefect UI (the store keeps the truth)."""
    with contextlib.suppress(Exception):  # a courtesy: never fail a finished run over it
        create_markdown_artifact(
            markdown=summary_markdown(kind, summary, batch_rows, cfg.tz),
            key="cmis-migrate-run",
            description=f"run {summary['run_id']}: customers per branch, deferred and failed stations",
        )


def flow_for(cfg: Config):
    """The flow with the task runner the config asks for (threads here, or a Dask cluster)."""
    if cfg.runner == "dask":
        from cmis_migrate.flows.dask_runner import dask_task_runner

        return nightly_migration.with_options(task_runner=dask_task_runner(cfg))
    return nightly_migration.with_options(
        task_runner=ThreadPoolTaskRunner(max_workers=cfg.load.parallel_batches)
    )

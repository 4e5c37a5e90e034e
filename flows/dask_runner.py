"""Station batches on a Dask cluster through prefect-dask: the scheduler at dask.address, or a
local cluster of worker processes (dask.n_workers x dask.threads_per_worker) when none is given.

What holds across workers: engines cannot travel between processes, so the flow registers a
worker plugin that builds each worker's own Runtime once (and closes it when the worker stops),
and hands its tasks a WorkerRuntime that finds it. Every worker shares the store (PostgreSQL
for a real cluster; one SQLite file works on one machine); ledger slots are leases in that
store, so no more than load.max_ledgers_at_once CMIS ledgers are read at once across all
workers; the clock travels with each task, so windows are judged the same everywhere. Writes
are keyed by customer and a station already finished in the run is not redone, so a task Dask
recomputes after losing a worker changes nothing.
"""

from __future__ import annotations

import logging

from distributed.diagnostics.plugin import WorkerPlugin

from cmis_migrate.config import Config
from cmis_migrate.runtime import Runtime, build_runtime

PLUGIN_NAME = "cmis-migrate-runtime"


def dask_task_runner(cfg: Config):
    from prefect_dask import DaskTaskRunner

    if cfg.dask.address:
        return DaskTaskRunner(address=cfg.dask.address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": cfg.dask.n_workers,
            "threads_per_worker": cfg.dask.threads_per_worker,
            "processes": True,
            # its HTTP endpoints (health, metrics) on loopback, a free port: None meant 8787
            # on every interface
            "dashboard_address": "127.0.0.1:0",
            # the workers' own chatter (start, stop, "still alive, killing") stays off the console
            "silence_logs": logging.ERROR,
        },
    )


class RuntimePlugin(WorkerPlugin):
    """The worker's Runtime, built when the plugin is set up on it, closed when it stops."""

    name = PLUGIN_NAME

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.runtime: Runtime | None = None

    def setup(self, worker) -> None:
        self.runtime = build_runtime(self.cfg)

    def teardown(self, worker) -> None:
        if self.runtime is not None:
            self.runtime.close()
            self.runtime = None


class WorkerRuntime:
    """What a task is handed under Dask (picklable): `get()` is the Runtime of the worker
    process the task runs in. A plain class: Prefect takes dataclass parameters apart."""

    def __init__(self, cfg: Config):
        self.cfg = cfg

    def get(self) -> Runtime:
        from distributed import get_worker

        plugin = get_worker().plugins.get(PLUGIN_NAME)
        if plugin is None or plugin.runtime is None:
            raise RuntimeError("this Dask worker has no cmis-migrate runtime plugin")
        return plugin.runtime


def worker_runtime(task_runner, cfg: Config) -> WorkerRuntime:
    """Register the runtime plugin on every worker of the runner's cluster (those that join
    later get it too) and return the handle tasks use."""
    task_runner.client.register_plugin(RuntimePlugin(cfg), name=PLUGIN_NAME)
    return WorkerRuntime(cfg)

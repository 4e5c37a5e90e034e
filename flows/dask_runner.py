"""Station batches on a Dask cluster through prefect-dask: the scheduler at dask.address, or a
local cluster of worker processes (dask.n_workers x dask.threads_per_worker) when none is given.

What holds across workers: every worker builds its own Runtime (engines) from the Config it is
sent, and shares the store (PostgreSQL for a real cluster; one SQLite file works on one machine);
ledger slots are leases in that store, so no more than load.max_ledgers_at_once CMIS ledgers
are read at once across all workers; the clock travels with each task, so windows are judged
the same everywhere. Writes are keyed by customer and a station already finished in the run is
not redone, so a task Dask recomputes after losing a worker changes nothing.
"""

from __future__ import annotations

import logging

from cmis_migrate.config import Config


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

"""Station batches on a Dask cluster through prefect-dask: the scheduler in config.yaml, or a
local cluster of processes when none is given. Ledger limits still hold: the slots live in the
store every worker shares."""

from __future__ import annotations

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
            "dashboard_address": None,
        },
    )

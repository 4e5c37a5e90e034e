"""The nightly schedule: the nightly flow as a Prefect deployment on schedule.cron in
schedule.timezone, served by Prefect's own runner (`prefect.serve`). Orchestration only.

`build_deployment` makes the deployment without touching the API (tests inspect it, or
`.apply()` it to a test server); `serve_nightly` registers it and waits for scheduled runs,
each executed in a fresh subprocess with the config's task runner (threads or Dask).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmis_migrate.config import Config

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

DEFAULT_DEPLOYMENT = "nightly"
TAGS = ["cmis-migrate"]


def build_deployment(cfg: Config, name: str = DEFAULT_DEPLOYMENT) -> RunnerDeployment:
    """The nightly flow on `schedule.cron` in `schedule.timezone`, parameterized with the
    absolute path of the config file (every scheduled run reloads it: edits apply next night)."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    from cmis_migrate.flows.nightly import flow_for

    if cfg.config_path is None:
        raise ValueError("the config was not read from a file: a deployment needs its path")
    return flow_for(cfg).to_deployment(
        name=name,
        schedule=Cron(cfg.schedule.cron, timezone=cfg.schedule.timezone),
        parameters={"config_path": str(cfg.config_path), "kind": "schedule"},
        description=(
            f"cmis-migrate nightly run of {cfg.config_path} "
            f"({cfg.schedule.cron!r} in {cfg.schedule.timezone})"
        ),
        tags=TAGS,
        # the module path, not a file path relative to wherever `schedule` was started
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def serve_nightly(cfg: Config, name: str = DEFAULT_DEPLOYMENT) -> None:
    """Register the deployment and run its scheduled runs until interrupted (Ctrl+C, SIGTERM).

    One run at a time (`limit=1`, a counter inside this process: nothing to orphan if it is
    killed); a night's run still going when the next is due makes that one wait. On a clean
    stop Prefect pauses the schedule, so no runs pile up while nobody serves them."""
    import signal
    import threading

    from prefect import serve

    if threading.current_thread() is threading.main_thread():
        # Ctrl+C / SIGINT stops serving even when the command was started in the background of
        # a script (such a process starts with SIGINT ignored, and Python then keeps ignoring it)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    serve(build_deployment(cfg, name), limit=1, print_starting_message=False)

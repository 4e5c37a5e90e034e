"""`cmis-migrate schedule`: serve the nightly flow as a Prefect deployment on schedule.cron in
schedule.timezone, until stopped. Runs and their logs show in the Prefect UI of the server
named by PREFECT_API_URL; without one the command refuses (or, with --temporary-server, serves
against a throw-away local server, for trying it out)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Annotated

import typer

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import (
    DEFAULT_CONFIG_PATH,
    ConfigOption,
    console,
    err_console,
    fail,
    get_config,
)

NO_SERVER = (
    "no Prefect server to serve the schedule on: PREFECT_API_URL is not set.\n"
    "  Start one (it keeps the run history and serves the UI at http://127.0.0.1:4200):\n"
    "      prefect server start\n"
    "  then, in the shell that runs this command:\n"
    "      export PREFECT_API_URL=http://127.0.0.1:4200/api\n"
    "  (or pass --temporary-server to try the schedule against a throw-away server, no UI)"
)


def next_run(cron: str, tz: tzinfo, now: datetime) -> datetime:
    """The first moment after `now` that `cron` (read in `tz`, as Prefect's Cron does) names."""
    from cronsim import CronSim  # Prefect's own cron library

    return next(CronSim(cron, now.astimezone(tz)))


@app.command()
def schedule(
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    name: Annotated[
        str, typer.Option("--name", help="Deployment name (one per site on a shared server).")
    ] = "nightly",
    temporary_server: Annotated[
        bool,
        typer.Option(
            "--temporary-server",
            help="Without PREFECT_API_URL, serve against a temporary local Prefect server that "
            "stops with this command (no UI; for trying the schedule out).",
        ),
    ] = False,
) -> None:
    """Serve the nightly flow on schedule.cron in schedule.timezone (Prefect deployment)."""
    cfg = get_config(config)
    from cmis_migrate.prefect_setup import configure_environment, prefect_session
    from cmis_migrate.preflight import PreflightError, check_source, check_store

    log_file = configure_environment(cfg)
    from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL

    server_url = PREFECT_API_URL.value()
    if not server_url and not temporary_server:
        raise fail(NO_SERVER)
    try:
        check_source(cfg)
        check_store(cfg)
    except PreflightError as exc:
        raise fail(str(exc)) from None
    from cmis_migrate.flows.schedule import serve_nightly

    if not server_url:
        err_console.print(
            "[yellow]warning: serving against a temporary Prefect server: scheduled runs happen "
            "only while this command runs and there is no UI. For the real schedule start "
            "`prefect server start` and set PREFECT_API_URL.[/]"
        )
    with prefect_session(cfg) as api_url:
        ui = PREFECT_UI_URL.value() if server_url else None
        console.print(
            f"serving [bold]nightly_migration/{name}[/]: {cfg.schedule.cron!r} in "
            f"{cfg.schedule.timezone}, config {cfg.config_path}",
            highlight=False,
        )
        console.print(f"Prefect API: {api_url}" + (f"   UI: {ui}" if ui else ""), highlight=False)
        console.print(
            f"next run: {next_run(cfg.schedule.cron, cfg.tz, datetime.now(cfg.tz)):%a %Y-%m-%d %H:%M}"
            f" ({cfg.schedule.timezone})",
            highlight=False,
        )
        console.print(f"Prefect logs: {log_file}; stop with Ctrl+C (the schedule is then paused)")
        serve_nightly(cfg, name)
    console.print(
        "stopped serving; the schedule is paused until `cmis-migrate schedule` runs again"
    )

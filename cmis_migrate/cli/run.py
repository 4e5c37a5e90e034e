"""`cmis-migrate run`: the nightly flow once, now or as if at --at."""

from __future__ import annotations

from typing import Annotated

import typer

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import (
    DEFAULT_CONFIG_PATH,
    AtOption,
    ConfigOption,
    get_config,
    localize,
)


@app.command()
def run(
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    at: AtOption = None,
    station: Annotated[
        list[str] | None, typer.Option("--station", help="Only these stations (repeatable).")
    ] = None,
) -> None:
    """Run the nightly migration flow once: plan, extract, normalize, validate, draft, store."""
    from cmis_migrate.cli.running import execute_flow
    from cmis_migrate.cli.summary import print_run_summary

    cfg = get_config(config)
    summary = execute_flow(cfg, at=localize(at, cfg), kind="run", stations=station or None)
    print_run_summary(cfg, summary)
    if summary.get("state") == "failed":
        raise typer.Exit(1)

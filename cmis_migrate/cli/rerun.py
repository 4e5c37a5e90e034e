"""`cmis-migrate rerun`: redo the station batches that failed (or that a dead run left
unfinished), or the stations named, through the same flow as `run` (windows, load limits)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import (
    DEFAULT_CONFIG_PATH,
    AtOption,
    ConfigOption,
    console,
    fail,
    get_config,
    localize,
)
from cmis_migrate.cli.status import rerun_lines

if TYPE_CHECKING:
    from cmis_migrate.config import Config

SHOWN = 20


def _names(codes: list[str]) -> str:
    more = f" and {len(codes) - SHOWN} more" if len(codes) > SHOWN else ""
    return ", ".join(codes[:SHOWN]) + more


def _unknown_stations(cfg: Config, codes: list[str]) -> list[str]:
    from cmis_migrate.source.connect import open_source

    source = open_source(cfg)
    try:
        known = {s.station for s in source.inventory()}
    finally:
        source.engine.dispose()
    return [c for c in codes if c not in known]


def _publish_due_workbooks(cfg: Config) -> None:
    """The review workbooks due without a station to redo: those a run that died before
    publishing left unwritten, or that a full disk refused last time."""
    from cmis_migrate.cli.summary import unwritten_lines
    from cmis_migrate.reports.publish import publish_workbooks
    from cmis_migrate.runtime import open_store
    from cmis_migrate.store import published

    engine = open_store(cfg)
    try:
        written = publish_workbooks(engine, cfg, [], None)
        unwritten = published.unwritten(engine)
    finally:
        engine.dispose()
    if written:
        console.print(f"review workbooks written: {_names([p.name for p in written])}")
    for line in unwritten_lines(unwritten):
        console.print(f"[red]{escape(line)}[/]", soft_wrap=True, highlight=False)


def _report_live_runs(cfg: Config) -> list[dict]:
    from cmis_migrate.db import store_engine
    from cmis_migrate.store import runs

    engine = store_engine(cfg.store.url)
    try:
        live = runs.live_runs(engine)
    finally:
        engine.dispose()
    now = datetime.now(UTC)
    for r in live:
        silent = (now - r["heartbeat_at"]).total_seconds() if r["heartbeat_at"] else 0.0
        console.print(
            f"[yellow]run {r['run_id']} ({r['kind']}) is still running (last heartbeat "
            f"{silent:,.0f} s ago); if it was killed, it counts as dead after "
            f"{cfg.load.dead_after_seconds:,.0f} s without a heartbeat and its unfinished batches "
            "are redone then[/]"
        )
    return live


def plan_rerun(cfg: Config, *, failed: bool, stations: list[str]) -> list[str]:
    """Declare dead runs dead, then the stations a rerun will take (before Prefect starts)."""
    from cmis_migrate.db import safe_url
    from cmis_migrate.preflight import PreflightError, check_source, check_store
    from cmis_migrate.run_control import abandon_dead_runs
    from cmis_migrate.runtime import open_store
    from cmis_migrate.store import runs

    try:
        check_source(cfg)
        check_store(cfg)
    except PreflightError as exc:
        raise fail(str(exc)) from None
    store = open_store(cfg)
    try:
        for run_id in abandon_dead_runs(cfg, store):
            console.print(
                f"[yellow]run {run_id} stopped without finishing (its process is gone or it "
                "stopped heartbeating): "
                "its unfinished station batches count as failed[/]"
            )
        todo = list(stations)
        if failed:
            todo = sorted(set(runs.stations_to_redo(store)) | set(stations))
    finally:
        store.dispose()
    unknown = _unknown_stations(cfg, stations) if stations else []
    if unknown:
        raise fail(
            f"unknown station(s) in the CMIS source {safe_url(cfg.source.url)}: {_names(unknown)}"
        )
    return todo


@app.command()
def rerun(
    codes: Annotated[
        list[str] | None,
        typer.Argument(
            help="Station codes to redo (same as --station).", metavar="CODE", show_default=False
        ),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    at: AtOption = None,
    failed: Annotated[
        bool,
        typer.Option(
            "--failed",
            help="Redo every station batch whose latest state is failed, or that a dead run "
            "left running.",
        ),
    ] = False,
    station: Annotated[
        list[str] | None,
        typer.Option("--station", help="Redo these stations: --station CODE [CODE ...]."),
    ] = None,
) -> None:
    """Redo failed station batches (--failed) or named stations, within windows and limits.

    --failed takes every station whose latest batch failed or was left running by a run that
    died; --station CODE [CODE ...] takes those stations. --at works as for `run`."""
    from cmis_migrate.cli.running import execute_flow
    from cmis_migrate.cli.summary import print_run_summary
    from cmis_migrate.db import store_engine
    from cmis_migrate.store.queries import latest_runs

    cfg = get_config(config)
    stations = list(dict.fromkeys([*(station or []), *(codes or [])]))
    if not failed and not stations:
        raise fail("say what to redo: --failed, or --station CODE [CODE ...]")
    todo = plan_rerun(cfg, failed=failed, stations=stations)
    if not todo:
        live = _report_live_runs(cfg)
        console.print(
            "nothing to redo: no station batch failed or was left unfinished by a dead run"
        )
        if not live:  # a running run publishes its own
            _publish_due_workbooks(cfg)
        return
    console.print(f"redoing {len(todo)} station batch(es): {_names(todo)}")
    summary = execute_flow(
        cfg,
        at=localize(at, cfg),
        kind="rerun",
        stations=stations or None,
        failed_only=failed,
        to_read=todo,
    )
    print_run_summary(cfg, summary)
    engine = store_engine(cfg.store.url)
    try:
        (run,) = [r for r in latest_runs(engine, 10) if r["id"] == summary["run_id"]]
    finally:
        engine.dispose()
    for line in rerun_lines(run):
        console.print(line, highlight=False)
    if summary.get("state") == "failed":
        raise typer.Exit(1)

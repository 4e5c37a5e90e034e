"""Running the nightly flow from the command line: preflight, a quiet Prefect session, a
progress bar fed from the store, and a clean error instead of a traceback."""

from __future__ import annotations

import threading
from datetime import datetime

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select

from cmis_migrate.cli.closed import nothing_open
from cmis_migrate.cli.common import console, fail
from cmis_migrate.config import Config
from cmis_migrate.db import store_engine
from cmis_migrate.failures import describe
from cmis_migrate.preflight import PreflightError, check_source, check_store


def _watch(cfg: Config, progress: Progress, task_id, stop: threading.Event) -> None:
    from cmis_migrate.store.tables import batches, runs

    engine = store_engine(cfg.store.url)
    try:
        while not stop.wait(0.5):
            try:
                with engine.connect() as conn:
                    run = conn.execute(
                        select(runs.c.run_id, runs.c.stations_planned)
                        .where(runs.c.state == "running")
                        .order_by(runs.c.started_at.desc())
                        .limit(1)
                    ).first()
                    if run is None:
                        continue
                    done = conn.execute(
                        select(func.count())
                        .select_from(batches)
                        .where(
                            batches.c.run_id == run.run_id,
                            batches.c.state.in_(("succeeded", "failed", "deferred")),
                        )
                    ).scalar_one()
                progress.update(task_id, total=max(run.stations_planned, 1), completed=done)
            except Exception:  # noqa: BLE001 - the store may not exist yet during start-up
                continue
    finally:
        engine.dispose()


def execute_flow(
    cfg: Config,
    *,
    at: datetime | None,
    kind: str,
    stations: list[str] | None = None,
    failed_only: bool = False,
    to_read: list[str] | None = None,
) -> dict:
    """Run the flow and return its summary. Every ledger of the stations `to_read` (default:
    `stations`, or all) closed at `at` (default: now): say why and exit 0, starting nothing."""
    try:
        check_source(cfg)
        check_store(cfg)
    except PreflightError as exc:
        raise fail(str(exc)) from None
    closed = nothing_open(cfg, at or datetime.now(cfg.tz), to_read or stations)
    if closed:
        for line in closed:
            console.print(line, highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(0)
    from cmis_migrate.prefect_setup import prefect_session

    stop = threading.Event()
    with Progress(
        TextColumn("[bold]station batches"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task_id = progress.add_task("batches", total=None)
        watcher = threading.Thread(target=_watch, args=(cfg, progress, task_id, stop), daemon=True)
        try:
            progress.console.print("[dim]starting Prefect (its logs: work/logs/prefect*.log)…[/]")
            with prefect_session(cfg):
                from cmis_migrate.flows.nightly import run_nightly

                watcher.start()
                return run_nightly(
                    cfg,
                    at=at.isoformat() if at else None,
                    stations=stations,
                    failed_only=failed_only,
                    kind=kind,
                )
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - show one clean line, details are in the logs
            error_type, message = describe(exc)
            raise fail(
                f"the run failed: {error_type}: {message} (details: {cfg.paths.logs})"
            ) from None
        finally:
            stop.set()

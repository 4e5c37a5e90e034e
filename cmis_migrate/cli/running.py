"""Running the nightly flow from the command line: preflight, a quiet Prefect session, a
progress bar fed from the store, and a clean error instead of a traceback."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select

from cmis_migrate.cli.closed import nothing_open
from cmis_migrate.cli.common import console, err_console, error_line, fail
from cmis_migrate.config import Config
from cmis_migrate.db import store_engine
from cmis_migrate.preflight import PreflightError, check_source, check_store


def _watch(cfg: Config, progress: Progress, task_id, stop: threading.Event) -> None:
    """Follow the run in the store: its batches while it runs, then the writing of the
    reports (the run is closed before its workbooks and Data Docs are written)."""
    from cmis_migrate.store.tables import batches, runs

    engine = store_engine(cfg.store.url)
    run_id = None
    try:
        while not stop.wait(0.5):
            try:
                with engine.connect() as conn:
                    q = select(runs.c.run_id, runs.c.stations_planned, runs.c.state)
                    if run_id is None:  # the run this command started: the newest running one
                        q = q.where(runs.c.state == "running").order_by(runs.c.started_at.desc())
                    else:
                        q = q.where(runs.c.run_id == run_id)
                    run = conn.execute(q.limit(1)).first()
                    if run is None:
                        continue
                    run_id = run.run_id
                    done = conn.execute(
                        select(func.count())
                        .select_from(batches)
                        .where(
                            batches.c.run_id == run.run_id,
                            batches.c.state.in_(("succeeded", "failed", "deferred")),
                        )
                    ).scalar_one()
                planned = max(run.stations_planned, 1)
                if run.state == "running":
                    phase = PHASES["batches"] if done < planned else PHASES["closing"]
                else:
                    phase, done = PHASES["publishing"], planned
                progress.update(task_id, description=phase, total=planned, completed=done)
            except Exception:  # noqa: BLE001 - the store may not exist yet during start-up
                continue
    finally:
        engine.dispose()


PHASES = {
    "starting": "starting Prefect",
    "batches": "station batches",
    "closing": "closing the run",
    "publishing": "writing workbooks and Data Docs",
}


def warn_staff_phones(cfg: Config) -> None:
    """Every run: without the staff phones list, a staff phone may become a customer's OTP."""
    path = cfg.paths.staff_phones_file
    if path is not None and path.exists():
        return
    where = "is not set" if path is None else f"{path} does not exist"
    err_console.print(
        f"[yellow]warning: paths.staff_phones_file {escape(where)}: the staff-phone guard is off "
        "(a staff member's phone entered for a customer is not caught)[/]",
        highlight=False,
    )


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
    warn_staff_phones(cfg)
    closed = nothing_open(cfg, at or datetime.now(cfg.tz), to_read or stations)
    if closed:
        for line in closed:
            console.print(line, highlight=False, markup=False)
        raise typer.Exit(0)
    from cmis_migrate.prefect_setup import prefect_session

    started = time.perf_counter()
    stop = threading.Event()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task_id = progress.add_task(PHASES["starting"], total=None)
        watcher = threading.Thread(target=_watch, args=(cfg, progress, task_id, stop), daemon=True)
        try:
            progress.console.print(
                f"[dim]starting Prefect (its logs: {cfg.paths.logs}/prefect*.log)…[/]"
            )
            with prefect_session(
                cfg, warm_up=_import_flow, while_booting=lambda: prepare_validation(cfg)
            ):
                from cmis_migrate.flows.nightly import run_nightly

                watcher.start()
                summary = run_nightly(
                    cfg,
                    at=at.isoformat() if at else None,
                    stations=stations,
                    failed_only=failed_only,
                    kind=kind,
                )
                return {**summary, "elapsed_seconds": time.perf_counter() - started}
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - show one clean line, details are in the logs
            raise fail(error_line(exc, "the run failed: ")) from None
        finally:
            stop.set()


def _import_flow() -> None:
    """The flow's modules (Prefect's client, pandas, SQLAlchemy...), imported while Prefect's
    temporary server boots in its own process."""
    import cmis_migrate.flows.nightly  # noqa: F401


def prepare_validation(cfg: Config) -> None:
    """The GX suite the station batches validate with (GX's import and the suite: ~4 s here),
    built while Prefect's temporary server boots on the other core (~6 s after the flow's
    import): the first task group does not pay for it. Not for a Dask cluster, whose workers
    build their own."""
    if cfg.runner == "dask":
        return
    from cmis_migrate.reference import province_wards
    from cmis_migrate.validators.expectations import prepare_suite

    prepare_suite(province_wards(cfg.rules.province))

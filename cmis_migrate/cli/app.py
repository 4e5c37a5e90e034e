"""The `cmis-migrate` command line: one typer app, one module per command group.

A command module defines its commands on `app` (imported from here); add the module's name
to COMMAND_MODULES to make them appear.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
from typing import Annotated

import typer

app = typer.Typer(
    name="cmis-migrate",
    help="Migrate paper-era CMIS customer records into reviewed draft e-contracts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"cmis-migrate {version('cmis-migrate')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            typer.echo("cmis-migrate (not installed: version unknown)")
        raise typer.Exit()


@app.callback()
def _root(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Migrate paper-era CMIS customer records into reviewed draft e-contracts."""
    # an explicit callback keeps every command a sub-command even while only one is registered


COMMAND_MODULES: list[str] = [
    "demo",
    "run",
    "rerun",
    "schedule",
    "status",
    "drafts",
    "windows",
    "progress",
    "signed",
    "seed_demo",
    "normalize_file",
    "report",
    "corrections",
    "export_sample",
    "check_source",
]


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"cmis_migrate.cli.{name}")


DEBUG_ENV = "CMIS_MIGRATE_DEBUG"  # set to 1 to see a traceback instead of one line


def main() -> None:
    # every file and folder we create (store, reports, drafts, logs, Prefect's home) holds or
    # may hold personal data: owner-only, whatever the user's umask
    os.umask(0o077)
    _register()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    except Exception as exc:  # the last line of defence: one clean line, never a traceback
        if os.environ.get(DEBUG_ENV):
            raise
        raise SystemExit(unexpected_error(exc)) from None


def _terminated(signum, frame) -> None:
    """SIGTERM (systemd or container stop) takes the Ctrl+C path: the run is closed in the
    store and what it left is redone by the next run or `rerun --failed`."""
    raise KeyboardInterrupt


def unexpected_error(exc: BaseException) -> int:
    """Print one line for an error no command handled (digits masked, no SQL parameters), log
    the traceback (masked) where file logging is set up, and return the exit code 2."""
    import logging

    from cmis_migrate.cli.common import err_console
    from cmis_migrate.failures import describe

    kind, message = describe(exc)
    logging.getLogger("cmis_migrate").error("unexpected error", exc_info=exc)
    err_console.print(
        f"error: {kind}: {message} (set {DEBUG_ENV}=1 to see where it happened)",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    return 2

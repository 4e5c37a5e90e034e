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

from cmis_migrate.cli.common import DEBUG_ENV

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


def main() -> None:
    # every file and folder we create (store, reports, drafts, logs, Prefect's home) holds or
    # may hold personal data: owner-only, whatever the user's umask
    os.umask(0o077)
    quiet_logging()
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


def quiet_logging() -> None:
    """Nothing logging does reaches the console: no "--- Logging error ---" traceback per record
    when a log cannot be written (disk full), warnings of loggers nobody configured go to the
    command's log instead of stderr (logging's last resort), and an exception in a thread is
    logged there instead of printed."""
    import logging

    from cmis_migrate.logs import command_log_path, log_unexpected, use_command_log

    logging.raiseExceptions = False
    use_command_log(command_log_path().parent)  # until the config says where the logs go

    def _thread_error(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None and not isinstance(args.exc_value, SystemExit):
            log_unexpected(args.exc_value, f"unexpected error in thread {args.thread}")

    threading.excepthook = _thread_error


def unexpected_error(exc: BaseException) -> int:
    """Print one line for an error no command handled (digits masked, no SQL parameters) with
    the log file holding its traceback (masked), and return the exit code 2."""
    from cmis_migrate.cli.common import err_console, error_line

    err_console.print(f"error: {error_line(exc)}", markup=False, highlight=False, soft_wrap=True)
    return 2

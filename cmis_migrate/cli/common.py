"""What every command shares: the --config option, loading it, and clean error exits.

Every command module imports this one to be listed by `--help`, so it imports nothing heavy
(config.py brings pydantic, SQLAlchemy and the CMIS schema): `get_config` loads it when a
command runs (tests/unit/test_cli_startup.py checks what `--help` imports).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cmis_migrate.logs import log_unexpected, use_command_log

if TYPE_CHECKING:
    from cmis_migrate.config import Config

console = Console()
err_console = Console(stderr=True)

ConfigOption = Annotated[
    Path,
    typer.Option(
        "--config",
        "-c",
        help="Path of config.yaml (relative paths in it resolve against its folder).",
    ),
]
AtOption = Annotated[
    datetime | None,
    typer.Option(
        "--at",
        help="Plan and decide windows as if the clock showed this time (ISO, e.g. 2026-03-10T23:00; "
        "without an offset it is read in schedule.timezone).",
        formats=[
            "%Y-%m-%dT%H:%M:%S%z",
            "%Y-%m-%dT%H:%M%z",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d",
        ],
    ),
]

DEFAULT_CONFIG_PATH = Path("config.yaml")  # == config.DEFAULT_CONFIG (a test checks)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-paragraph error (no traceback) and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def get_config(path: Path) -> Config:
    from cmis_migrate.config import ConfigError, load_config

    try:
        cfg = load_config(path)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    use_command_log(cfg.paths.logs)
    return cfg


DEBUG_ENV = "CMIS_MIGRATE_DEBUG"  # set to 1 to see a traceback instead of one line


def error_line(exc: BaseException, what: str = "") -> str:
    """One line for an unexpected error: what failed, the error (digits masked, no SQL
    parameters) and the log file its traceback (masked) was written to."""
    from cmis_migrate.failures import describe, is_disk_full

    kind, message = describe(exc)
    path = log_unexpected(exc)
    where = (
        f"details in {path}; {DEBUG_ENV}=1 shows them here"
        if path is not None
        else "its details could not be written to the log"
    )
    if is_disk_full(exc):
        return (
            f"{what}the disk is full ({kind}: {message}). What was committed stands; free "
            f"some space, then the same command finishes the work ({where})"
        )
    return f"{what}{kind}: {message} ({where})"


def localize(at: datetime | None, cfg: Config) -> datetime | None:
    """An --at without offset is wall-clock time in the configured timezone."""
    if at is None:
        return None
    return at.replace(tzinfo=cfg.tz) if at.tzinfo is None else at.astimezone(cfg.tz)

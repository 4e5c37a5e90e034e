"""The `cmis-migrate` command line: one typer app, one module per command group.

A command module defines its commands on `app` (imported from here); add the module's name
to COMMAND_MODULES to make them appear.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="cmis-migrate",
    help="Migrate paper-era CMIS customer records into reviewed draft e-contracts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
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
]


@app.callback()
def _root() -> None:
    """Migrate paper-era CMIS customer records into reviewed draft e-contracts."""
    # a callback keeps `cmis-migrate <command>` a group even while only one command is
    # registered (typer would otherwise run that lone command as the whole app)


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"cmis_migrate.cli.{name}")


def main() -> None:
    _register()
    app()

"""The `cmis-migrate` command line: one typer app, one module per command group."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="cmis-migrate",
    help="Migrate paper-era CMIS customer records into reviewed draft e-contracts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    app()

"""`cmis-migrate seed-demo`: write a realistic, dirty demo CMIS database."""

from __future__ import annotations

from typing import Annotated

import typer

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import DEFAULT_CONFIG_PATH, ConfigOption, console, fail, get_config


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


@app.command("seed-demo")
def seed_demo_command(
    customers: Annotated[
        int | None,
        typer.Option(
            "--customers", "-n", min=1, help="Customers to create (default: demo.customers)."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Random seed (default: demo.seed); same seed, same data."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url", help="SQLAlchemy URL to write to (default: source.url of the config)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Drop and re-create the CMIS tables if they exist.")
    ] = False,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """Write a demo CMIS (PC Thanh Hóa branches, stations, ledgers, dirty paper-era customers)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from cmis_migrate.demo.generator import DemoExistsError, seed_demo

    cfg = get_config(config)
    n = customers if customers is not None else cfg.demo.customers
    s = seed if seed is not None else cfg.demo.seed
    target = url or cfg.source.url
    try:
        make_url(target)
    except ArgumentError:
        raise fail(  # never echoed: it may hold a password
            "--url: not a valid SQLAlchemy URL (e.g. sqlite:///work/cmis_demo.sqlite)"
        ) from None

    console.print(f"Seeding a demo CMIS of {n:,} customers (seed {s}) into {_shown(target)}")
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("customers", total=n)
            summary = seed_demo(
                target, n, s, rates=cfg.demo.rates, force=force,
                progress=lambda k: bar.advance(task, k),
            )  # fmt: skip
    except DemoExistsError as exc:
        raise fail(str(exc)) from None
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise fail(f"cannot write the demo to {_shown(target)}: {detail}") from None

    console.print(
        f"[green]Done[/] in {summary.seconds:.1f} s: {summary.customers:,} customers, "
        f"{summary.ledgers:,} ledgers, {summary.stations:,} stations, "
        f"{summary.branches} branches of {cfg.rules.province}.",
        highlight=False,
    )

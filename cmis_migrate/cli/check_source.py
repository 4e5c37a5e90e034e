"""`cmis-migrate check-source`: prove the configured CMIS and its mapping before the first
night (what it checks: cmis_migrate/source/check.py). Exit 0 only when the night can run."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import DEFAULT_CONFIG_PATH, ConfigOption, console, fail, get_config

if TYPE_CHECKING:
    from cmis_migrate.config import Config
    from cmis_migrate.source.check import SourceCheck

SHOWN_BAD_DAYS = 20
NOT_READY = 1


@app.command("check-source")
def check_source_command(config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Check the CMIS source and its mapping (tables, columns, units, reading days, speed,
    read-only session) without showing any personal data. Exit 0 when the night can run."""
    from sqlalchemy.exc import SQLAlchemyError

    from cmis_migrate.config import ConfigError
    from cmis_migrate.failures import describe
    from cmis_migrate.source.check import check_source
    from cmis_migrate.source.connect import open_source

    cfg = get_config(config)
    where = _where(cfg)
    try:
        source = open_source(cfg)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None
    except (SQLAlchemyError, ImportError) as exc:  # ImportError: the oracle extra missing
        kind, message = describe(exc)
        raise fail(f"cannot open the CMIS source {where}: {kind}: {message}") from None
    try:
        result = check_source(
            source,
            as_of=datetime.now(cfg.tz).date(),
            chunk_rows=cfg.load.max_rows_per_query,
        )
    finally:
        source.engine.dispose()
    render(result, where)
    if not result.ready:
        raise typer.Exit(NOT_READY)


def _where(cfg: Config) -> str:
    from cmis_migrate.db import safe_url

    schema = cfg.source.db_schema
    return safe_url(cfg.source.url) + (f" (schema {schema})" if schema else "")


def _p(text: str) -> None:
    console.print(text, highlight=False)


def render(check: SourceCheck, where: str) -> None:
    _p(f"[bold]CMIS source[/] {escape(where)}")
    if check.read_only is not None:
        mark = "[green]yes[/]" if check.read_only else "[red]NO[/]"
        _p(f"Read-only session: {mark} ({escape(check.read_only_how)})")
    if check.columns:
        console.print(_columns_table(check))
    if check.units:
        table = Table(title="Managing units", title_justify="left")
        table.add_column("unit")
        for col in ("stations", "ledgers", "customers"):
            table.add_column(col, justify="right")
        for u in check.units:
            table.add_row(escape(u.unit), f"{u.stations:,}", f"{u.ledgers:,}", f"{u.customers:,}")
        console.print(table)
    if check.columns and not check.problems or check.bad_days:
        _render_bad_days(check)
    if check.inventory_seconds is not None:
        _p(f"Ledger inventory (one query): {check.inventory_seconds:.2f} s")
    if check.ledger_read is not None:
        r = check.ledger_read
        _p(
            f"Largest ledger {escape(r.ledger)} (station {escape(r.station)}): {r.rows:,} "
            f"customers read in {r.seconds:.2f} s, {r.queries} queries (rows dropped)"
        )
    if check.ready:
        _p("[bold green]Ready for the first night.[/]")
        return
    _p("[bold red]Not ready:[/]")
    for problem in check.problems:
        _p(f"  - {escape(problem)}")


def _columns_table(check: SourceCheck) -> Table:
    """One row per table, then its columns: CMIS's name, the source's, type and status."""
    table = Table(title="Tables and columns the nightly run reads", title_justify="left")
    table.add_column("CMIS name")
    table.add_column("in this source")
    table.add_column("type")
    table.add_column("status")
    last = None
    for c in check.columns:
        site_table, site_column = c.site.split(".", 1)
        if c.table != last:
            last = c.table
            table.add_row(f"[bold]{c.table}[/]", f"[bold]{escape(site_table)}[/]", "", "")
        table.add_row(
            f"  {c.column}",
            escape(site_column),
            escape(c.found_type or "-"),
            "[green]ok[/]" if c.ok else f"[red]{c.status}[/]",
        )
    return table


def _render_bad_days(check: SourceCheck) -> None:
    bad = check.bad_days
    if not bad:
        _p("Reading days: every ledger has a day in 1..31")
        return
    _p(
        f"[yellow]{len(bad):,} ledger(s) with an impossible reading day[/] (missing or not "
        "1..31): their stations fail until CMIS is corrected"
    )
    table = Table(show_header=True)
    for col in ("ledger", "station", "unit", "day in CMIS"):
        table.add_column(col)
    for b in bad[:SHOWN_BAD_DAYS]:
        table.add_row(
            escape(b.ledger), escape(b.station or "-"), escape(b.unit or "-"), escape(b.day or "-")
        )
    console.print(table)
    if len(bad) > SHOWN_BAD_DAYS:
        _p(f"  ... and {len(bad) - SHOWN_BAD_DAYS:,} more")

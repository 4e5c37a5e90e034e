"""`cmis-migrate demo`: a demo CMIS (seeded if missing), one run at the next off-peak window,
and a per-branch summary. What a new user runs first."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import DEFAULT_CONFIG_PATH, ConfigOption, console, fail, get_config

if TYPE_CHECKING:
    from cmis_migrate.windows import Calendar


def next_window_start(calendar: Calendar, now: datetime) -> datetime:
    """Now if the company-wide window is open, else when it next opens."""
    status = calendar.ledger_status(now)
    if status.open or status.next_open is None:
        return now
    return status.next_open


@app.command()
def demo(
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    customers: Annotated[
        int | None,
        typer.Option("--customers", min=1, help="Demo size (default: demo.customers, 20,000)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Generator seed (default: demo.seed).")
    ] = None,
) -> None:
    """Seed a demo CMIS if there is none, run the nightly flow once at the next off-peak window,
    and print what happened per branch. In a folder without config.yaml, write one first."""
    from cmis_migrate.cli.running import execute_flow
    from cmis_migrate.cli.summary import print_run_summary
    from cmis_migrate.db import safe_url
    from cmis_migrate.preflight import source_exists
    from cmis_migrate.windows import Calendar

    if not config.exists():
        from cmis_migrate.demo.site_files import write_demo_site

        try:
            written = write_demo_site(config)
        except OSError as exc:
            raise fail(f"{config}: cannot write a demo config ({exc.strerror or exc})") from None
        console.print(
            f"no {config}: wrote a demo site ({', '.join(str(p) for p in written)})",
            highlight=False,
        )
    cfg = get_config(config)
    if not source_exists(cfg):
        from cmis_migrate.demo.generator import seed_demo

        n = customers or cfg.demo.customers
        console.print(f"seeding a demo CMIS with {n:,} customers -> {safe_url(cfg.source.url)}")
        summary = seed_demo(
            cfg.source.url,
            n,
            cfg.demo.seed if seed is None else seed,
            rates=cfg.demo.rates,
            force=False,
        )
        console.print(
            f"  {summary.branches} branches, {summary.stations:,} stations, {summary.ledgers:,} ledgers, "
            f"{summary.customers:,} customers in {summary.seconds:.1f} s"
        )
    elif customers is not None:
        console.print(
            f"[yellow]a demo CMIS already exists ({safe_url(cfg.source.url)}); --customers ignored "
            "(use `cmis-migrate seed-demo --force` to regenerate)[/]"
        )
    now = datetime.now(cfg.tz)
    at = next_window_start(Calendar(cfg.windows, cfg.tz), now)
    if at == now:
        console.print(f"the off-peak window is open now ({now:%Y-%m-%d %H:%M %Z}): running now")
    else:
        console.print(
            f"running as if at [bold]{at:%Y-%m-%d %H:%M} ({cfg.schedule.timezone})[/], the start of the next "
            f"off-peak window (now it is {now:%H:%M}); ledgers in billing or other blocked days are deferred"
        )
    summary = execute_flow(cfg, at=at, kind="demo")
    print_run_summary(cfg, summary)

"""`cmis-migrate drafts export|render`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import DEFAULT_CONFIG_PATH, ConfigOption, console, fail, get_config

drafts_app = typer.Typer(
    help="Draft contracts: export them, or render one for the customer.", no_args_is_help=True
)
app.add_typer(drafts_app, name="drafts")


@drafts_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="FILE.csv or FILE.xlsx")],
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    branch: Annotated[
        str | None, typer.Option("--branch", help="Only this branch (unit code, any case).")
    ] = None,
) -> None:
    """The current draft contracts, one row per customer, customer_code first."""
    from cmis_migrate.cli.branches import resolve_branch
    from cmis_migrate.reports.drafts_export import export_drafts
    from cmis_migrate.runtime import open_store
    from cmis_migrate.store.queries import drafts_frame

    cfg = get_config(config)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise fail(f"{out}: use a .csv or .xlsx file name")
    engine = open_store(cfg)
    try:
        if branch is not None:
            branch = resolve_branch(engine, branch)
        frame = drafts_frame(engine, branch=branch)
    finally:
        engine.dispose()
    export_drafts(frame, out, cfg.tz)
    console.print(f"{len(frame):,} draft contracts -> {out}")


@drafts_app.command("render")
def render(
    customer_code: Annotated[str, typer.Argument(help="Customer code (MA_KHANG).")],
    out: Annotated[Path, typer.Option("--out", help="FILE.html")],
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """One draft contract as HTML (Vietnamese, after the household contract of Circular 16/2023/TT-BCT)."""
    from cmis_migrate.contracts.render import render_contract
    from cmis_migrate.reports.private_files import write_private
    from cmis_migrate.runtime import open_store
    from cmis_migrate.store.queries import draft_of
    from cmis_migrate.store.units import unit_name

    cfg = get_config(config)
    engine = open_store(cfg)
    try:
        draft = draft_of(engine, customer_code)
        unit = unit_name(engine, draft["branch"]) if draft else None
    finally:
        engine.dispose()
    if draft is None:
        raise fail(
            f"no draft contract for customer {customer_code!r} (see `cmis-migrate drafts export`)"
        )
    if unit is None:
        console.print(
            f"[yellow]warning:[/] branch {draft['branch']} has no name in the store yet: the "
            "seller is shown by its code (a run reads the names from CMIS D_DVIQLY)",
            highlight=False,
        )
    html = render_contract(draft, unit_name=unit, company=cfg.company)
    write_private(out, lambda p: p.write_text(html, encoding="utf-8"))
    console.print(f"draft contract {draft['contract_no']} -> {out}")

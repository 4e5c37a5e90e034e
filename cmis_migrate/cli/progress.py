"""`cmis-migrate progress`: drafted and signed against the monthly plan, per branch and month."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import (
    DEFAULT_CONFIG_PATH,
    ConfigOption,
    console,
    err_console,
    fail,
    get_config,
)

if TYPE_CHECKING:
    import pandas as pd

    from cmis_migrate.config import Config


@app.command("progress")
def progress_command(
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    month: Annotated[
        str | None,
        typer.Option(
            "--month", help="Report month YYYY-MM (default: this month, schedule.timezone)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Also write an Excel workbook (tables and charts) to this .xlsx."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead.")] = False,
) -> None:
    """Drafted and signed customers against the monthly plan, per branch, ahead or behind."""
    from cmis_migrate.errors import InputFileError
    from cmis_migrate.plan_file import read_plan
    from cmis_migrate.progress import month_of, parse_month

    cfg = get_config(config)
    now = datetime.now(cfg.tz)
    try:
        report_month = parse_month(month) if month is not None else month_of(now, cfg.tz)
    except ValueError as exc:
        raise fail(f"--month: {exc}") from None
    if out is not None and out.suffix.lower() != ".xlsx":
        raise fail(f"--out {out}: the workbook must be an .xlsx file")
    try:
        plan = read_plan(cfg.paths.plan_file)
    except InputFileError as exc:
        raise fail(f"plan file (paths.plan_file): {exc}") from None
    frame = load_progress(cfg, plan, report_month)

    if out is not None:
        from cmis_migrate.reports.progress_excel import write_progress_workbook

        try:
            written = write_progress_workbook(
                out,
                frame,
                report_month,
                timezone=cfg.schedule.timezone,
                generated_at=now,
                plan_file=str(cfg.paths.plan_file),
            )
        except OSError as exc:
            raise fail(f"--out {out}: cannot write ({exc.strerror})") from None
        (err_console if as_json else console).print(f"Wrote {written}", highlight=False)
    report = build_report(cfg, frame, report_month)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        render(report)


def load_progress(cfg: Config, plan: pd.DataFrame, month: str) -> pd.DataFrame:
    """Read the store's counts and compute the progress frame (exits 2 on store errors)."""
    from sqlalchemy.exc import SQLAlchemyError

    from cmis_migrate.db import safe_url, store_engine
    from cmis_migrate.progress import progress_frame
    from cmis_migrate.store.progress_queries import drafted_per_month, signed_per_month
    from cmis_migrate.store.schema import upgrade

    engine = store_engine(cfg.store.url)
    try:
        upgrade(engine)
        drafted = drafted_per_month(engine, cfg.tz)
        signed = signed_per_month(engine, cfg.tz)
    except SQLAlchemyError as exc:
        raise fail(
            f"migration store {safe_url(cfg.store.url)}: cannot read ({type(exc).__name__})"
        ) from None
    finally:
        engine.dispose()
    return progress_frame(plan, drafted, signed, month)


# ---- the report (plain data, shared by --json and the console) --------------------------------


def _row(rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in rec.items():
        if key == "pct_of_plan":
            out[key] = None if value is None or math.isnan(value) else round(float(value), 1)
        elif isinstance(value, str):
            out[key] = value
        else:
            out[key] = int(value)
    return out


def build_report(cfg: Config, frame: pd.DataFrame, month: str) -> dict[str, Any]:
    from cmis_migrate.progress import company_totals, month_view

    totals = company_totals(frame)
    current = month_view(totals, month)
    company = _row(current.iloc[0].to_dict()) if not current.empty else None
    return {
        "month": month,
        "timezone": cfg.schedule.timezone,
        "plan_file": str(cfg.paths.plan_file),
        "branches": [_row(r) for r in month_view(frame, month).to_dict("records")],
        "company": company,
        "history": [_row(r) for r in frame.to_dict("records")],
        "company_history": [_row(r) for r in totals.to_dict("records")],
    }


# ---- console ---------------------------------------------------------------------------------


def _cells(r: dict[str, Any]) -> list[str]:
    from cmis_migrate.progress import AHEAD, BEHIND

    pct = "-" if r["pct_of_plan"] is None else f"{r['pct_of_plan']:.1f}%"
    style = {AHEAD: "green", BEHIND: "red"}.get(r["status"])
    status = f"[{style}]{r['status']}[/]" if style else r["status"]
    return [
        r["branch"],
        f"{r['drafted']:,}",
        f"{r['drafted_cum']:,}",
        f"{r['signed']:,}",
        f"{r['signed_cum']:,}",
        f"{r['planned']:,}",
        f"{r['planned_cum']:,}",
        pct,
        f"{r['ahead_behind']:+,}",
        status,
    ]


def render(report: dict[str, Any]) -> None:
    table = Table(
        title=f"Progress against the monthly plan, {report['month']} ({report['timezone']})",
        title_justify="left",
        caption="month = in the report month; cumul. = up to its end; "
        "+/- = cumulative drafted minus cumulative plan",
        caption_justify="left",
        show_footer=report["company"] is not None,
        box=box.SIMPLE_HEAD,
        padding=(0, 0),
        pad_edge=False,
        show_edge=False,
    )
    footer = _cells(report["company"]) if report["company"] else [""] * 10
    footer[0] = "Company" if report["company"] else ""
    heads = (
        "branch",
        "drafted\nmonth",
        "drafted\ncumul.",
        "signed\nmonth",
        "signed\ncumul.",
        "plan\nmonth",
        "plan\ncumul.",
        "% of\nplan",
        "+/-",
        "status",
    )
    for i, head in enumerate(heads):
        table.add_column(
            head, footer=footer[i], justify="left" if i in (0, 9) else "right", no_wrap=True
        )
    for r in report["branches"]:
        table.add_row(*_cells(r))
    if not report["branches"]:
        table.add_row("no plan and no drafts", *[""] * 9)
    console.print(table)
    console.print(f"Plan: {report['plan_file']}", highlight=False)

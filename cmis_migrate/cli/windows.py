"""`cmis-migrate windows`: the off-peak calendar, and which ledgers are open at a given time."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import (
    DEFAULT_CONFIG_PATH,
    AtOption,
    ConfigOption,
    console,
    fail,
    get_config,
    localize,
)

if TYPE_CHECKING:
    import pandas as pd

    from cmis_migrate.config import Config
    from cmis_migrate.windows import Calendar, Interval, LedgerWindow

# without --ledger, list every ledger when there are at most this many
FEW_LEDGERS = 20


def reason_labels() -> dict[str, str]:
    from cmis_migrate.windows import INVALID_READING_DAY

    return {
        "outside_hours": "outside allowed hours",
        "billing": "invoice issuance (billing days after the reading day)",
        "debt_clearing": "debt clearing day",
        "report_aggregation": "report aggregation day",
        "blocked_date": "blocked date (holiday, month-end close)",
        INVALID_READING_DAY: "reading day missing or not 1..31",
    }


@app.command("windows")
def windows_command(
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    at: AtOption = None,
    days: Annotated[
        int, typer.Option("--days", min=1, max=366, help="How many days of windows to list.")
    ] = 7,
    ledger: Annotated[
        str | None,
        typer.Option("--ledger", help="A ledger code (MA_SOGCS): its own windows and status."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead.")] = False,
) -> None:
    """The next off-peak windows, and which ledgers are open at --at (default: now) and why not."""
    from cmis_migrate.config import ConfigError
    from cmis_migrate.source.connect import source_tables
    from cmis_migrate.source.ledgers import SourceUnavailable, list_ledgers, source_engine
    from cmis_migrate.windows import Calendar, ledger_statuses

    cfg = get_config(config)
    when = localize(at, cfg) or datetime.now(cfg.tz)
    calendar = Calendar.from_config(cfg)
    try:
        ledgers = list_ledgers(source_engine(cfg), source_tables(cfg))
    except (SourceUnavailable, ConfigError) as exc:
        raise fail(str(exc)) from None

    chosen: pd.Series | None = None
    if ledger is not None:
        code = ledger.strip()
        match = ledgers[ledgers["ledger"] == code]
        if match.empty:
            sample = ", ".join(ledgers["ledger"].head(3).tolist()) or "none"
            raise fail(
                f"unknown ledger {ledger!r}: not in D_SO_GCS of the source database "
                f"({len(ledgers)} ledgers, e.g. {sample})"
            )
        chosen = match.iloc[0]

    statuses = ledger_statuses(calendar, ledgers, when)
    report = build_report(cfg, calendar, statuses, when, days, chosen)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        render(report)


# ---- the report (plain data, shared by --json and the console) --------------------------------


def _iso(t: datetime | None) -> str | None:
    import pandas as pd

    if t is None or pd.isna(t):
        return None
    return t.isoformat(timespec="minutes")


def _windows(intervals: list[Interval]) -> list[dict[str, str | None]]:
    return [{"start": _iso(a), "end": _iso(b)} for a, b in intervals]


def _status(s: LedgerWindow) -> dict[str, Any]:
    return {
        "open": s.open,
        "reasons": list(s.reasons),
        "message": s.message,
        "open_until": _iso(s.open_until),
        "next_open": _iso(s.next_open),
    }


def _item(row: pd.Series) -> dict[str, Any]:
    import pandas as pd

    rd = row["reading_day"]
    return {
        "ledger": row["ledger"],
        "station": None if pd.isna(row["station"]) else row["station"],
        "branch": None if pd.isna(row["branch"]) else row["branch"],
        "reading_day": None if pd.isna(rd) else int(rd),
        "open": bool(row["open"]),
        "reasons": [r for r in row["reasons"].split(";") if r],
        "message": row["message"],
        "open_until": _iso(row["open_until"]),
        "next_open": _iso(row["next_open"]),
    }


def build_report(
    cfg: Config,
    calendar: Calendar,
    statuses: pd.DataFrame,
    at: datetime,
    days: int,
    chosen: pd.Series | None,
) -> dict[str, Any]:
    import pandas as pd

    from cmis_migrate.windows import INVALID_READING_DAY, REASONS

    w = cfg.windows
    counts = statuses["reasons"].str.split(";").explode().value_counts()
    by_reason = {
        code: int(counts[code]) for code in (*REASONS, INVALID_READING_DAY) if code in counts
    }
    ledger_part = None
    if chosen is not None:
        rd = chosen["reading_day"]
        valid = not pd.isna(rd) and 1 <= int(rd) <= 31
        row = statuses.loc[chosen.name]
        ledger_part = {
            **_item(row),
            "windows": _windows(calendar.open_windows(at, days, int(rd))) if valid else [],
        }
    return {
        "at": _iso(at),
        "timezone": cfg.schedule.timezone,
        "days": days,
        "rules": {
            "allowed_hours": calendar.hours_label,
            "billing_days": w.billing_days,
            "debt_clearing_days": list(w.debt_clearing_days),
            "report_aggregation_days": list(w.report_aggregation_days),
            "blocked_dates": [d.isoformat() for d in w.blocked_dates],
        },
        "company": {
            **_status(calendar.ledger_status(at)),
            "windows": _windows(calendar.open_windows(at, days)),
        },
        "ledger": ledger_part,
        "ledgers": {
            "total": len(statuses),
            "open": int(statuses["open"].sum()),
            "closed": int((~statuses["open"]).sum()),
            "by_reason": by_reason,
            "items": [_item(r) for _, r in statuses.iterrows()],
        },
    }


# ---- console ---------------------------------------------------------------------------------


def _when(iso: str | None, fmt: str = "%a %Y-%m-%d %H:%M") -> str:
    return "-" if iso is None else datetime.fromisoformat(iso).strftime(fmt)


def _short(iso: str | None) -> str:
    return _when(iso, "%m-%d %H:%M")


def _windows_table(title: str, windows: list[dict[str, str | None]]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("from")
    table.add_column("until")
    table.add_column("length", justify="right")
    for win in windows:
        a = datetime.fromisoformat(win["start"])  # type: ignore[arg-type]
        b = datetime.fromisoformat(win["end"])  # type: ignore[arg-type]
        minutes = int((b - a) / timedelta(minutes=1))
        table.add_row(_when(win["start"]), _when(win["end"]), f"{minutes // 60}h{minutes % 60:02d}")
    if not windows:
        table.add_row("no open window", "", "")
    return table


def _ledgers_table(items: list[dict[str, Any]]) -> Table:
    table = Table(title="Ledgers", title_justify="left")
    for col in ("ledger", "station", "reading day", "open", "why not / until", "next open"):
        table.add_column(col)
    for it in items:
        table.add_row(
            it["ledger"],
            it["station"] or "-",
            "-" if it["reading_day"] is None else str(it["reading_day"]),
            "[green]open[/]" if it["open"] else "[red]closed[/]",
            f"until {_short(it['open_until'])}" if it["open"] else ", ".join(it["reasons"]),
            _short(it["next_open"]),
        )
    return table


def _colored(status: dict[str, Any]) -> str:
    color = "green" if status["open"] else "red"
    return f"[{color}]{escape(status['message'])}[/]"


def render(report: dict[str, Any]) -> None:
    rules = report["rules"]
    company = report["company"]
    out = console
    out.print(
        f"[bold]Off-peak calendar[/] at {_when(report['at'])} ({report['timezone']}): "
        f"allowed hours {rules['allowed_hours']}, billing {rules['billing_days']} day(s) from "
        f"the reading day, debt clearing days {rules['debt_clearing_days']}, report aggregation "
        f"days {rules['report_aggregation_days']}, blocked dates {rules['blocked_dates'] or 'none'}",
        highlight=False,
    )
    out.print(f"Company-wide: {_colored(company)}", highlight=False)
    out.print(
        _windows_table(f"Company-wide open windows, next {report['days']} days", company["windows"])
    )

    led = report["ledger"]
    if led is not None:
        out.print(
            f"Ledger [bold]{led['ledger']}[/] (station {led['station']}, branch {led['branch']}, "
            f"reading day {led['reading_day']}): {_colored(led)}",
            highlight=False,
        )
        out.print(
            _windows_table(
                f"Open windows of ledger {led['ledger']}, next {report['days']} days",
                led["windows"],
            )
        )

    summary = report["ledgers"]
    out.print(
        f"Ledgers at {_when(report['at'])}: [bold]{summary['open']}[/] of {summary['total']} open, "
        f"{summary['closed']} closed",
        highlight=False,
    )
    if summary["by_reason"]:
        table = Table(
            title="Closed ledgers by reason (a ledger may have several)", title_justify="left"
        )
        table.add_column("reason")
        table.add_column("ledgers", justify="right")
        table.add_column("meaning")
        labels = reason_labels()
        for code, n in summary["by_reason"].items():
            table.add_row(code, str(n), labels.get(code, ""))
        out.print(table)
    if led is not None:
        out.print(_ledgers_table([led]))
    elif summary["total"] <= FEW_LEDGERS:
        out.print(_ledgers_table(summary["items"]))
    elif summary["total"]:
        out.print(f"({summary['total']} ledgers: use --ledger CODE for one, or --json for all)")

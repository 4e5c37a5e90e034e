"""`cmis-migrate signed import FILE`: mark contracts signed, list paper contracts to liquidate."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import DEFAULT_CONFIG_PATH, ConfigOption, console, fail, get_config

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    import pandas as pd

    from cmis_migrate.reports.signed_import import SignedImport

signed_app = typer.Typer(
    help="Signing results (OTP-signed e-contracts) coming back.", no_args_is_help=True
)
app.add_typer(signed_app, name="signed")

# the console lists at most this many rows of each kind (the CSV files hold all of them)
SHOWN = 50


@signed_app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV (UTF-8) or XLSX with columns customer_code, signed_at (ISO, or day-first "
            "dd/mm/yyyy [HH:MM]; without an offset read in schedule.timezone)."
        ),
    ],
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead.")] = False,
) -> None:
    """Mark contracts signed and list their paper contracts to liquidate (bad rows: why)."""
    from sqlalchemy.exc import IntegrityError, SQLAlchemyError

    from cmis_migrate.db import safe_url, store_engine
    from cmis_migrate.errors import InputFileError
    from cmis_migrate.reports.signed_import import import_signed_file
    from cmis_migrate.store.schema import upgrade

    cfg = get_config(config)
    now = datetime.now(cfg.tz)
    engine = store_engine(cfg.store.url)
    try:
        upgrade(engine)
        result = import_signed_file(engine, file, tz=cfg.tz, now=now, reports_dir=cfg.paths.reports)
    except InputFileError as exc:
        raise fail(str(exc)) from None
    except IntegrityError:
        raise fail(
            f"{file}: another import marked some of these contracts signed at the same time; "
            "nothing was changed, run the import again"
        ) from None
    except SQLAlchemyError as exc:
        raise fail(
            f"migration store {safe_url(cfg.store.url)}: cannot write ({type(exc).__name__}); "
            "nothing was changed"
        ) from None
    except OSError as exc:
        raise fail(f"{cfg.paths.reports}: cannot write the reports ({exc.strerror})") from None
    finally:
        engine.dispose()
    report = build_report(result, cfg.tz)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        render(report)


def _records(frame: pd.DataFrame, tz: ZoneInfo) -> list[dict[str, Any]]:
    import pandas as pd

    out = []
    for rec in frame.to_dict("records"):
        row = {}
        for k, v in rec.items():
            if isinstance(v, datetime | pd.Timestamp):
                v = pd.Timestamp(v).tz_convert(tz).isoformat(timespec="minutes")
            elif v is None or (not isinstance(v, str) and pd.isna(v)):
                v = None
            elif not isinstance(v, str):
                v = int(v)
            row[k] = v
        out.append(row)
    return out


def _path(p: Path | None) -> str | None:
    return None if p is None else str(p)


def _earlier(earlier: dict | None, tz: ZoneInfo) -> dict[str, Any] | None:
    if earlier is None:
        return None
    from cmis_migrate.db import as_utc

    imported_at = as_utc(earlier["imported_at"]).astimezone(tz)
    return {
        "import_id": earlier["import_id"],
        "imported_at": imported_at.isoformat(timespec="minutes"),
        "applied": earlier["applied"],
        "rejected": earlier["rejected"],
    }


def build_report(result: SignedImport, tz: ZoneInfo) -> dict[str, Any]:
    from cmis_migrate.reports.signed_import import LIQUIDATION_COLUMNS

    applied = result.applied
    if not applied.empty:
        applied = applied[list(LIQUIDATION_COLUMNS)]
    return {
        "file": result.file,
        "checksum": result.checksum,
        "import_id": result.import_id,
        "already_imported": result.earlier is not None,
        "earlier": _earlier(result.earlier, tz),
        "applied": len(result.applied),
        "unchanged": len(result.unchanged),
        "rejected": len(result.rejected),
        "liquidation_file": _path(result.liquidation_file),
        "rejected_file": _path(result.rejected_file),
        "liquidation": _records(applied, tz),
        "unchanged_rows": _records(result.unchanged, tz),
        "rejected_rows": _records(result.rejected, tz),
    }


def render(report: dict[str, Any]) -> None:
    out = console
    if report["already_imported"]:
        e = report["earlier"]
        out.print(
            f"{escape(report['file'])} was already imported as {e['import_id']} at "
            f"{e['imported_at']} ({e['applied']} applied, {e['rejected']} rejected): "
            "nothing changed.",
            highlight=False,
        )
        if report["liquidation_file"]:
            out.print(f"Its liquidation list: {report['liquidation_file']}", highlight=False)
        return
    out.print(
        f"Import {report['import_id']} of {escape(report['file'])}: "
        f"[green]{report['applied']} marked signed[/], "
        f"{report['unchanged']} already signed (unchanged), "
        f"[red]{report['rejected']} rejected[/].",
        highlight=False,
    )
    if report["rejected_rows"]:
        table = Table(title=f"Rejected rows of {escape(report['file'])}", title_justify="left")
        for col in ("row", "field", "customer", "reason"):
            table.add_column(col, no_wrap=col != "reason")
        for r in report["rejected_rows"][:SHOWN]:
            table.add_row(str(r["row"]), r["field"], r["customer_code"] or "-", escape(r["reason"]))
        out.print(table)
        _more(len(report["rejected_rows"]), report["rejected_file"])
    rows = report["liquidation"]
    if rows:
        table = Table(title="Paper contracts to liquidate", title_justify="left")
        for col in ("customer", "branch", "paper contract no.", "e-contract no.", "signed at"):
            table.add_column(col)
        for r in rows[:SHOWN]:
            table.add_row(
                r["customer_code"], r["branch"] or "-", escape(r["paper_contract_no"] or "(none on record)"),
                r["contract_no"] or "-", r["signed_at"],
            )  # fmt: skip
        out.print(table)
        _more(len(rows), report["liquidation_file"])
    else:
        out.print("No paper contracts to liquidate from this file.")
    if report["liquidation_file"]:
        out.print(f"Liquidation list: {report['liquidation_file']}", highlight=False)


def _more(total: int, file: str | None) -> None:
    if total > SHOWN and file:
        console.print(f"... and {total - SHOWN} more in {file}", highlight=False)

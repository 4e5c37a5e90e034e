"""`cmis-migrate export-sample --anonymize --out FILE`: customers from CMIS, in the raw
paper-era shape, with every personal value replaced (cmis_migrate/anonymize.py), to share a bug.

A plain export of personal data is not offered: without --anonymize the command refuses. The
file is written owner-only (0600). Without --salt a random salt is used (and never shown), so
two exports differ and nobody can test guesses against the file; with --salt the export is
repeatable for whoever knows the salt.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import DEFAULT_CONFIG_PATH, ConfigOption, console, fail, get_config

if TYPE_CHECKING:
    from cmis_migrate.source.cmis import CmisSource


def read_sample(source: CmisSource, *, customers: int, station: str | None, as_of, chunk: int):
    """The first `customers` distinct customers of CMIS (of one station), ledger by ledger."""
    import pandas as pd

    from cmis_migrate.model import ReadStats
    from cmis_migrate.source.cmis import RAW_COLUMNS

    stations = source.inventory(ReadStats())
    if station is not None:
        stations = [s for s in stations if s.station == station]
        if not stations:
            raise KeyError(station)
    parts: list[pd.DataFrame] = []
    seen = 0
    for st in stations:
        for lg in st.ledgers:
            for frame in source.read_ledger(
                st.station, lg.ledger, as_of=as_of, chunk_rows=chunk, stats=ReadStats()
            ):
                parts.append(frame)
                seen += len(frame)
                if seen >= customers:
                    break
            if seen >= customers:
                break
        if seen >= customers:
            break
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RAW_COLUMNS})
    raw = pd.concat(parts, ignore_index=True).drop_duplicates("customer_code")
    return raw.head(customers).reset_index(drop=True)


@app.command("export-sample")
def export_sample(
    out: Annotated[Path, typer.Option("--out", "-o", help="Sample file, .csv or .xlsx.")],
    anonymize: Annotated[
        bool,
        typer.Option(
            "--anonymize",
            help="Required: replace names, phones, ID numbers, birth dates, e-mails and house "
            "numbers by made-up values of the same shape and damage.",
        ),
    ] = False,
    customers: Annotated[
        int, typer.Option("--customers", min=1, max=100_000, help="How many customers.")
    ] = 200,
    station: Annotated[
        str | None, typer.Option("--station", help="Only this station (MA_TRAM).")
    ] = None,
    salt: Annotated[
        str | None,
        typer.Option(
            "--salt",
            help="Repeatable output for this secret salt (default: a random one, never shown).",
        ),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """Export an anonymized sample of CMIS customers (raw shape) to reproduce a bug elsewhere."""
    import secrets

    from cmis_migrate.anonymize import anonymize_sample
    from cmis_migrate.db import safe_url
    from cmis_migrate.errors import InputFileError, OutputFileError
    from cmis_migrate.preflight import PreflightError, check_source
    from cmis_migrate.source.cmis import RAW_COLUMNS
    from cmis_migrate.source.connect import open_source
    from cmis_migrate.tabular_files import table_kind, write_table

    if not anonymize:
        raise fail(
            "refusing to export: customers' personal data is never exported as is; "
            "add --anonymize for a sample with made-up names, phones, ID numbers and dates"
        )
    try:
        table_kind(out)
    except InputFileError as exc:
        raise fail(str(exc)) from None
    cfg = get_config(config)
    try:
        check_source(cfg)
    except PreflightError as exc:
        raise fail(str(exc)) from None
    today = datetime.now(cfg.tz).date()
    source = open_source(cfg)
    try:
        raw = read_sample(
            source,
            customers=customers,
            station=station,
            as_of=today,
            chunk=min(cfg.load.max_rows_per_query, customers),
        )
    except KeyError:
        raise fail(f"--station {station}: no such station in CMIS") from None
    finally:
        source.engine.dispose()
    key = salt.encode("utf-8") if salt is not None else secrets.token_bytes(32)
    sample, left_out = anonymize_sample(raw, salt=key, today=today, rules=cfg.rules)
    try:
        write_table(sample[list(RAW_COLUMNS)], out)
    except OutputFileError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"{len(sample):,} anonymized customers from {safe_url(cfg.source.url)} -> {out} "
        "(owner-only file)",
        highlight=False,
    )
    if len(left_out):
        console.print(
            f"{len(left_out):,} customers left out: their kind of damage could not be kept "
            "with made-up values",
            highlight=False,
        )

"""Reference lists read at the edge: the company's staff phones (optional file) and the 2025
wards of the province (from vietnamadminunits' bundled data, read locally)."""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import pandas as pd

from cmis_migrate.errors import InputFileError
from cmis_migrate.statuses import USABLE
from cmis_migrate.tabular_files import read_table


def _to_e164(values: pd.Series) -> pd.Series:
    from cmis_migrate.transforms.phone import normalize_phones

    out = normalize_phones(values.astype(object))
    return out["normalized"].where(out["status"].isin(USABLE), None)


def load_staff_phones(path: Path | None) -> frozenset[str]:
    """Staff phones (CSV or XLSX with a `phone` column) as E.164. No file configured or
    present: empty. An unreadable file: InputFileError naming file, row and field."""
    if path is None or not Path(path).exists():
        return frozenset()
    frame = read_table(path, expected=("phone",))
    column = next((c for c in frame.columns if c.strip().lower() == "phone"), None)
    if column is None:
        raise InputFileError(str(path), "the header has no `phone` column", row=1, field="phone")
    phones = _to_e164(frame[column])
    return frozenset(p for p in phones if isinstance(p, str) and p)


@lru_cache(maxsize=8)
def province_wards(province: str) -> tuple[str, ...]:
    """Official 2025 ward names ('Phường Hạc Thành', 'Xã ...') of the province."""
    db = files("vietnamadminunits").joinpath("data/dataset.db")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT ward FROM admin_units WHERE provinceShort = ? ORDER BY ward", (province,)
        ).fetchall()
    return tuple(r[0] for r in rows)

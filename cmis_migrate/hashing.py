"""Stable per-row digests (content hashes) of frames, whatever the dtypes and missing values."""

from __future__ import annotations

import hashlib

import pandas as pd

MISSING = "\x00"


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    return str(value)


def row_digests(frame: pd.DataFrame, columns: list[str] | tuple[str, ...]) -> pd.Series:
    """md5 hex of each row's cells (in `columns` order), missing values distinguished from ''."""
    cols = [frame[c].astype(object).tolist() for c in columns]
    out = []
    for cells in zip(*cols, strict=True):
        text = "\x1f".join(_cell(v) for v in cells)
        out.append(hashlib.md5(text.encode("utf-8", "surrogatepass")).hexdigest())
    return pd.Series(out, index=frame.index, dtype=object)

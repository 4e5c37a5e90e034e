"""Small helpers shared by the transform tests."""

from __future__ import annotations

from datetime import date

import pandas as pd

TODAY = date(2026, 3, 1)


def one(frame: pd.DataFrame) -> dict:
    """The single row of a one-row result as a plain dict (NaN -> None)."""
    assert len(frame) == 1
    row = frame.iloc[0].to_dict()
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}


def codes(issues: str) -> set[str]:
    return {c for c in issues.split(";") if c}

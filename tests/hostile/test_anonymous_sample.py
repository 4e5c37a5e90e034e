"""An anonymized sample of the demo points back to no real customer through the columns it
keeps: no sample row is unique on (station, contract date, households) in the source."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cmis_migrate.anonymize import anonymize_sample
from cmis_migrate.demo.generator import iter_raw_frames

TODAY = date(2026, 3, 10)
KEY = ["station", "contract_date", "households"]


@pytest.fixture(scope="module")
def demo():
    raw = next(iter_raw_frames(700, 21)).head(700).reset_index(drop=True)
    out, left = anonymize_sample(raw, salt=b"sample-key", today=TODAY)
    return raw, out, left


def keys(frame: pd.DataFrame) -> pd.Series:
    return frame[KEY].astype(object).fillna("").astype(str).agg("|".join, axis=1)


def test_no_sample_row_is_unique_on_kept_columns_in_the_source(demo):
    raw, out, _ = demo
    in_source = keys(raw).value_counts()
    assert (in_source == 1).sum() > 0  # the source does single people out on these columns
    singled_out = [k for k in keys(out) if in_source.get(k, 0) == 1]
    assert singled_out == []


def test_codes_local_counts_redrawn_rows_shuffled(demo):
    raw, out, _ = demo
    assert set(out["station"]).isdisjoint(set(raw["station"]))
    assert set(out["ledger"]).isdisjoint(set(raw["ledger"]))
    assert list(out.index) != sorted(out.index)
    original = raw.loc[out.index]
    assert (out["contract_date"].fillna("") != original["contract_date"].fillna("")).mean() > 0.9
    # re-drawn from the same distribution: the same set of counts, not the same row by row
    valid = original["households"].notna()
    assert set(out.loc[valid, "households"]) <= set(original.loc[valid, "households"])
    assert (out.loc[valid, "households"] != original.loc[valid, "households"]).any()

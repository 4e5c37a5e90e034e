"""Whatever the size, seed and (valid) rates, the generator yields well-formed raw frames."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmis_migrate.demo.generator import RAW_COLUMNS, iter_raw_frames
from cmis_migrate.demo.rates import EXCLUSIVE_GROUPS, RATE_NAMES, DemoRates

rate = st.sampled_from([0.0, 1.0]) | st.floats(0, 1)


@st.composite
def rates(draw: st.DrawFn) -> dict[str, float]:
    """Some rates at random (extremes included), scaled so that each group still fits."""
    chosen = draw(st.dictionaries(st.sampled_from(RATE_NAMES), rate, max_size=8))
    merged = {**DemoRates().model_dump(), **chosen}
    for names in EXCLUSIVE_GROUPS.values():
        total = sum(merged[n] for n in names)
        if total > 1:
            for n in names:
                merged[n] = merged[n] / total * 0.999
    return merged


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(0, 600), seed=st.integers(-(2**40), 2**40), r=rates())
def test_any_size_seed_and_rates_give_a_well_formed_frame(n: int, seed: int, r: dict) -> None:
    frames = list(iter_raw_frames(n, seed, rates=r, chunk_size=257))
    df = pd.concat(frames) if frames else pd.DataFrame(columns=list(RAW_COLUMNS))
    assert len(df) == n and tuple(df.columns) == RAW_COLUMNS
    assert df.customer_code.is_unique
    assert df.customer_code.str.fullmatch(r"PA07\d{9}").all()
    assert (df.metering_point == df.customer_code + "001").all()
    assert df.full_name.notna().all() and df.ledger.notna().all()
    if n:
        assert (df.households >= 1).all()

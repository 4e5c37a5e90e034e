"""The read-time bounds on CMIS values: no input crashes them, nothing unsafe gets through."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmis_migrate import source_values
from cmis_migrate.codes import UNIT, UnsafeCode, file_in
from cmis_migrate.errors import SourceDataError
from cmis_migrate.source_values import (
    CODE_COLUMNS,
    CONTROLS,
    TEXT_COLUMNS,
    TOO_LONG,
    bound_households,
    bound_text,
    check_codes,
)

UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
cells = st.one_of(st.none(), st.text(max_size=120))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(*[cells] * len(TEXT_COLUMNS)), min_size=0, max_size=6))
def test_any_text_comes_out_bounded_and_clean(rows):
    raw = pd.DataFrame(rows, columns=list(TEXT_COLUMNS), dtype=object)
    out = bound_text(raw, max_chars=50)
    for column in TEXT_COLUMNS:
        for before, after in zip(raw[column], out[column], strict=True):
            if before is None:
                assert after is None
                continue
            assert len(after) <= 50 and not UNSAFE.search(after)
    flagged = out[TOO_LONG].notna() | out[CONTROLS].notna()
    changed = (raw.fillna("") != out[list(TEXT_COLUMNS)].fillna("")).any(axis=1)
    assert (changed <= flagged).all()  # nothing changed without a flag


def test_limits_per_field_and_flags_name_the_cmis_column():
    raw = pd.DataFrame({"full_name": ["A" * 300, "An\u202eB"], "address": ["x" * 300, None]})
    out = bound_text(raw, max_chars=100, limits={"address": 400})
    assert out["full_name"].tolist() == ["A" * 100, "AnB"]
    assert out["address"].iloc[0] == "x" * 300
    assert out[TOO_LONG].tolist() == ["TEN_KHANG", None]
    assert out[CONTROLS].tolist() == [None, "TEN_KHANG"]


def test_households_outside_the_range_are_unknown_never_one():
    raw = pd.DataFrame({"households": pd.array([1, 3, 0, -2, 21, None], dtype="Int64")})
    out = bound_households(raw, max_households=20)
    assert out["households"].tolist()[:2] == [1, 3]
    assert out["households"].isna().tolist() == [False, False, True, True, True, True]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("customer_code", "PA0701" + "1" * 20),
        ("branch", "../x"),
        ("station", "T 1"),
        ("ledger", "L" * 21),
        ("metering_point", "=1+1"),
    ],
)
def test_a_code_the_store_cannot_take_names_its_column(column, value):
    raw = pd.DataFrame(
        [
            {
                "customer_code": "PA07010000001",
                "branch": "PA0701",
                "station": "PA0701T0001",
                "ledger": "PA0701T0001A",
                "metering_point": "PA07010000001001",
            }
        ]
    )
    check_codes(raw)
    raw[column] = value
    with pytest.raises(
        SourceDataError,
        match={
            "customer_code": "MA_KHANG",
            "branch": "MA_DVIQLY",
            "station": "MA_TRAM",
            "ledger": "MA_SOGCS",
            "metering_point": "MA_DDO",
        }[column],
    ):
        check_codes(raw)


@pytest.mark.parametrize("code", ["../../x", "/etc/x", "PA07\x00", "..", "PA07010", "pa0701"])
def test_no_file_name_from_a_bad_unit_code(tmp_path: Path, code):
    with pytest.raises(UnsafeCode):
        file_in(tmp_path, UNIT, code, prefix="review_", suffix=".xlsx")
    assert file_in(tmp_path, UNIT, "PA0701", prefix="review_", suffix=".xlsx") == (
        tmp_path.resolve() / "review_PA0701.xlsx"
    )


# text a CMIS cell may hold: control and bidi characters, long runs, nulls of every kind
dirty = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.just(pd.NA),
    st.text(alphabet=st.sampled_from("aĐ ế\x00\x07\t\n\x7f\x85\u202e\u2067Z9"), max_size=70),
    st.text(max_size=40),
)
code_like = st.one_of(
    st.none(),
    st.from_regex(r"[A-Z0-9]{1,30}", fullmatch=True),
    st.sampled_from(["PA0701", "pa0701", "../x", "T 1", "=1+1", "PA07\x00"]),
    st.text(max_size=8),
)


def _arrow_only():
    """Every frame through the Arrow pass, as a large read takes it."""
    return mock.patch.object(source_values, "SMALL_FRAME", -1)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(*[dirty] * len(TEXT_COLUMNS)), min_size=1, max_size=8))
def test_a_small_frame_is_bounded_as_a_large_one(rows):
    """A ledger read in part (a few customers) is checked value by value in Python: the same
    cuts, cleaning and flags as the Arrow pass of a large read."""
    raw = pd.DataFrame(rows, columns=list(TEXT_COLUMNS), dtype=object)
    small = bound_text(raw, max_chars=30, limits={"address": 50})
    with _arrow_only():
        large = bound_text(raw, max_chars=30, limits={"address": 50})
    pd.testing.assert_frame_equal(small, large)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(*[code_like] * len(CODE_COLUMNS)), min_size=1, max_size=6))
def test_a_small_frame_has_its_codes_checked_as_a_large_one(rows):
    raw = pd.DataFrame(rows, columns=list(CODE_COLUMNS), dtype=object)

    def verdict():
        try:
            check_codes(raw)
        except SourceDataError as exc:
            return str(exc)
        return None

    small = verdict()
    with _arrow_only():
        assert verdict() == small


@given(st.lists(st.one_of(st.none(), st.integers(-5, 30)), min_size=1, max_size=12))
def test_households_read_as_whole_numbers_are_bounded_as_any_other(values):
    whole = pd.DataFrame({"households": pd.array(values, dtype="Int64")})
    loose = pd.DataFrame({"households": pd.Series(values, dtype=object)})
    a = bound_households(whole, max_households=20)["households"]
    b = bound_households(loose, max_households=20)["households"]
    pd.testing.assert_series_equal(a, b)

"""No input may crash a transform, and no transform may change its input."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmis_migrate.transforms import FIELDS, normalize_customers, output_columns
from cmis_migrate.transforms.dates import normalize_dates
from cmis_migrate.transforms.email import normalize_emails
from cmis_migrate.transforms.identity import normalize_id_numbers
from cmis_migrate.transforms.issue_place import normalize_issue_places
from cmis_migrate.transforms.names import normalize_names
from cmis_migrate.transforms.phone import normalize_phones

from .helpers import TODAY

STATUSES = {"ok", "fixed", "ambiguous", "invalid", "missing"}

# text that looks like the real thing as well as anything at all
digits_like = st.text(alphabet="0123456789 .-+()/,;'eE", max_size=40)
viet = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạốồổỗộớờởỡợ ĐÂƯ:()-/0123456789", max_size=40
)
anything = st.text(max_size=60)  # any Unicode incl. control characters
cell = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.just(pd.NA),
    digits_like,
    viet,
    anything,
    st.sampled_from(
        ["không có", "n/a", "-", "0", "null", "\x00", "\u200b", "9.1E+8", "3.8085E+10", "44231"]
    ),
    st.text(alphabet="0123456789", min_size=100, max_size=300).map(lambda s: s * 30),  # huge
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
)
cells = st.lists(cell, min_size=0, max_size=12)

PER_FIELD = [
    lambda s: normalize_phones(s, record_dates=s),
    normalize_emails,
    normalize_names,
    lambda s: normalize_id_numbers(
        s, today=TODAY, birth_year=pd.Series(1985, index=s.index), issue_place_kind=s, issue_date=s
    ),
    normalize_issue_places,
    lambda s: normalize_dates(s, today=TODAY),
]


def _same(a: pd.Series, b: pd.Series) -> bool:
    if len(a) != len(b) or not a.index.equals(b.index):
        return False
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        if x is y:
            continue
        if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
            continue
        if x != y:
            return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells, st.sampled_from(["object", "str"]))
def test_field_transforms_never_crash_nor_mutate(values, dtype):
    if dtype == "str":
        values = [v if v is None or isinstance(v, str) else str(v) for v in values]
    s = pd.Series(values, dtype=dtype, index=pd.RangeIndex(100, 100 + len(values)))
    before = s.copy()
    for transform in PER_FIELD:
        out = transform(s)
        assert _same(s, before)
        assert out.index.equals(s.index)
        assert set(out["status"]) <= STATUSES
        assert all(isinstance(v, str) for v in out["issues"])
        # missing => no proposed value; no proposal otherwise only for a name that is a note
        # alone or has no diacritics (nothing to propose: the branch asks)
        no_value = out["normalized"].isna()
        assert not (out["status"] == "missing")[~no_value].any()
        unproposed = out.loc[no_value & (out["status"] != "missing"), "issues"]
        assert all("NAME_NO_DIACRITICS" in i or "NAME_NOTE" in i for i in unproposed)


row = st.fixed_dictionaries(
    {c: cell for c in ["customer_code", *FIELDS, "supply_address", "birth_date", "contract_date"]}
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, min_size=1, max_size=6))
def test_normalize_customers_never_crashes_nor_mutates(rows):
    raw = pd.DataFrame(rows, dtype=object)
    before = raw.copy()
    out = normalize_customers(raw, today=TODAY)
    assert list(out.columns) == output_columns(supply_address=True)
    assert out.index.equals(raw.index)
    for c in raw.columns:
        assert _same(raw[c], before[c])
    assert out["otp_ready"].dtype == bool
    ok_otp = out["otp_ready"]
    assert (out.loc[ok_otp, "phone_type"] == "mobile").all()
    assert out.loc[ok_otp, "phone_status"].isin(["ok", "fixed"]).all()

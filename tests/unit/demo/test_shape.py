"""The demo is shaped after CMIS: codes, branches, stations, ledgers, real communes; it is
deterministic for a seed and independent of chunking."""

from __future__ import annotations

import re
import sqlite3
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from cmis_migrate.demo.generator import RAW_COLUMNS, iter_raw_frames
from cmis_migrate.demo.places import BRANCHES, DONG_SON_COMMUNES, communes
from cmis_migrate.demo.plan import make_plan
from cmis_migrate.demo.rates import DEFAULT_RATES

N = 20_000


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return pd.concat(iter_raw_frames(N, 7, chunk_size=6_000))


def _legacy_pairs() -> set[tuple[str, str, str, str]]:
    """(ward type, ward, district type, district) of Thanh Hóa, read straight from the dataset."""
    path = str(files("vietnamadminunits") / "data" / "dataset.db")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT wardType, wardShort, districtType, districtShort FROM admin_units_legacy "
            "WHERE provinceShort = 'Thanh Hóa'"
        ).fetchall()
    return {tuple(r) for r in rows}


# -- determinism and chunking -----------------------------------------------------------------


def test_same_seed_same_frames() -> None:
    a = pd.concat(iter_raw_frames(3_000, 11))
    b = pd.concat(iter_raw_frames(3_000, 11))
    pd.testing.assert_frame_equal(a, b)


def test_different_seed_different_frames() -> None:
    a = pd.concat(iter_raw_frames(3_000, 11))
    b = pd.concat(iter_raw_frames(3_000, 12))
    assert (a.full_name != b.full_name).mean() > 0.5
    assert (a.phone.fillna("") != b.phone.fillna("")).mean() > 0.5
    assert not a.customer_code.equals(b.customer_code)


def test_output_does_not_depend_on_chunk_size() -> None:
    whole = pd.concat(iter_raw_frames(10_000, 3, chunk_size=50_000))
    chunks = list(iter_raw_frames(10_000, 3, chunk_size=999))
    assert all(len(c) == 999 for c in chunks[:-1]) and 0 < len(chunks[-1]) <= 999
    pd.testing.assert_frame_equal(pd.concat(chunks), whole)
    assert list(whole.index) == list(range(10_000))


def test_raw_frame_columns_and_types(sample: pd.DataFrame) -> None:
    assert tuple(sample.columns) == RAW_COLUMNS
    assert sample.households.dtype == "int64" and (sample.households >= 1).all()
    for col in RAW_COLUMNS:
        if col != "households":
            values = sample[col].dropna()
            assert values.map(type).eq(str).all(), col


def test_small_and_empty_demos() -> None:
    assert list(iter_raw_frames(0, 1)) == []
    tiny = pd.concat(iter_raw_frames(5, 1))
    assert len(tiny) == 5 and tiny.customer_code.is_unique


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        next(iter_raw_frames(10, 1, chunk_size=0))
    with pytest.raises(ValueError, match="phone_olde"):
        next(iter_raw_frames(10, 1, rates={"phone_olde": 0.1}))


# -- CMIS codes -------------------------------------------------------------------------------


def test_customer_and_metering_point_codes(sample: pd.DataFrame) -> None:
    assert sample.customer_code.str.fullmatch(r"PA07\d{2}\d{7}").all()
    assert (sample.customer_code.str.len() == 13).all()
    assert (sample.customer_code.str[:6] == sample.branch).all()
    assert (sample.metering_point == sample.customer_code + "001").all()
    assert sample.customer_code.is_unique and sample.metering_point.is_unique
    assert (sample.station.str[:6] == sample.branch).all()
    assert (sample.ledger.str[: len("PA0701T0001")] == sample.station).all()


def test_branches_are_the_27_districts_weighted_by_population(sample: pd.DataFrame) -> None:
    assert len(BRANCHES) == 27 and len({b.code for b in BRANCHES}) == 27
    assert all(re.fullmatch(r"PA07\d{2}", b.code) for b in BRANCHES)
    counts = sample.branch.value_counts()
    assert set(counts.index) == {b.code for b in BRANCHES}
    pop = pd.Series({b.code: b.population for b in BRANCHES})
    expected = pop / pop.sum() * N
    assert ((counts - expected[counts.index]).abs() <= 1).all()  # largest remainder


def test_stations_hold_100_to_400_customers_with_1_to_3_ledgers(sample: pd.DataFrame) -> None:
    per_station = sample.groupby("station").size()
    assert per_station.between(100, 400).all()
    ledgers = sample.groupby("station").ledger.nunique()
    assert ledgers.between(1, 3).all() and (ledgers > 1).any()


def test_station_plan_reading_days_and_standardized_share() -> None:
    plan = make_plan(200_000, 5, DEFAULT_RATES)
    assert ((plan.station_size >= 100) & (plan.station_size <= 400)).all()
    days = plan.ledger_day
    assert ((days >= 1) & (days <= 31)).all()
    assert not ((days > 25) & (days < 28)).any()
    late = (days >= 28).mean()
    assert abs(late - DEFAULT_RATES.ledger_late_reading_day) < 0.03
    assert abs(plan.station_standardized.mean() - DEFAULT_RATES.station_standardized) < 0.05
    assert plan.station_size.sum() == 200_000
    # the ledgers of a station split exactly its customers
    per_station = np.bincount(plan.ledger_station, weights=plan.ledger_size)
    assert (per_station == plan.station_size).all()


def test_station_plan_with_no_late_days_or_standardized_stations() -> None:
    rates = DEFAULT_RATES.model_copy(
        update={"ledger_late_reading_day": 0.0, "station_standardized": 0.0}
    )
    plan = make_plan(50_000, 5, rates)
    assert (plan.ledger_day <= 25).all() and not plan.station_standardized.any()


# -- real places ------------------------------------------------------------------------------


def test_the_commune_table_is_the_547_legacy_communes() -> None:
    table = communes()
    assert len(table) == 547
    legacy = _legacy_pairs()
    for c in table:
        if c.district == "Đông Sơn":  # merged into the city on 1/1/2025: the dataset's view
            assert c.ward in DONG_SON_COMMUNES and c.legacy_district == "Thanh Hóa"
            assert any(w == c.ward and d == "Thanh Hóa" for _, w, _, d in legacy)
        else:
            assert (c.ward_type, c.ward, c.district_type, c.district) in legacy
    served = {BRANCHES[c.branch].code for c in table}
    assert served == {b.code for b in BRANCHES}


CLEAN_ADDRESS = re.compile(
    r"(?:^|, )(xã|Xã|phường|Phường|thị trấn|Thị trấn) ([^,]+), "
    r"(huyện|Huyện|thị xã|Thị xã|thành phố|Thành phố) ([^,]+)(?:, .*)?$"
)


_OLD_TONE = re.compile(r"([oO])([áàảãạéèẻẽẹ])(?!\w)|(?<![qQ])([uU])([ýỳỷỹỵ])(?!\w)")
_TONE_OF = dict(zip("áàảãạéèẻẽẹýỳỷỹỵ", "áàảãạ" * 3, strict=True))
_ON_O = dict(zip("áàảãạ", "óòỏõọ", strict=True))
_ON_U = dict(zip("áàảãạ", "úùủũụ", strict=True))
_BASE = dict(zip("áàảãạéèẻẽẹýỳỷỹỵ", "aaaaaeeeeeyyyyy", strict=True))


def _new_tone(text: str) -> str:
    """Thanh Hoá -> Thanh Hóa, Cẩm Thuỷ -> Cẩm Thủy (put the tone back on the first vowel)."""

    def sub(m: re.Match[str]) -> str:
        lead, toned = (m[1], m[2]) if m[1] else (m[3], m[4])
        tone = _TONE_OF[toned]
        first = (_ON_O if lead in "oO" else _ON_U)[tone]
        return (first.upper() if lead.isupper() else first) + _BASE[toned]

    return _OLD_TONE.sub(sub, text)


def _parse(address: object) -> tuple[str, str, str, str] | None:
    if not isinstance(address, str):
        return None
    m = CLEAN_ADDRESS.search(_new_tone(address))
    if not m:
        return None
    return (m[1].capitalize(), m[2], m[3].capitalize(), m[4])


def test_addresses_name_real_legacy_communes_and_their_districts() -> None:
    rates = {"address_pre_reform_name": 0.0}
    df = next(iter_raw_frames(N, 8, rates=rates, chunk_size=N))
    legacy = _legacy_pairs()
    parsed = [p for p in map(_parse, pd.concat([df.address, df.supply_address])) if p]
    assert len(parsed) > N  # most written-out addresses parse
    wrong = set()
    for wt, w, dt, d in parsed:
        if d == "Đông Sơn":
            ok = w in DONG_SON_COMMUNES and dt == "Huyện"
        else:
            ok = (wt, w, dt, d) in legacy
        if not ok:
            wrong.add((wt, w, dt, d))
    assert wrong == set()
    assert len({p[1] for p in parsed}) > 150  # stations spread over many communes


def test_a_station_supplies_one_commune() -> None:
    sample = next(iter_raw_frames(N, 7, rates={"address_pre_reform_name": 0.0}, chunk_size=N))
    parsed = sample.supply_address.map(_parse)
    communes_per_station = (
        pd.DataFrame({"station": sample.station, "commune": parsed.map(lambda p: p and p[1])})
        .dropna()
        .groupby("station")
        .commune.nunique()
    )
    assert (communes_per_station == 1).all()


def test_old_names_appear_on_old_records_only() -> None:
    df = next(iter_raw_frames(N, 9, rates={"address_pre_reform_name": 1.0}, chunk_size=N))
    says_tinh_gia = df.address.fillna("").str.contains("Tĩnh Gia")
    years = df.contract_date.str[-4:].astype(float)
    assert says_tinh_gia.sum() > 100
    assert (years[says_tinh_gia].dropna() < 2020).all()
    city_2012 = df.address.fillna("").str.contains(r"[Xx]ã Quảng Tâm, [Hh]uyện Quảng Xương")
    assert (years[city_2012].dropna() < 2012).all()


def test_highland_branches_have_villages_and_their_family_names(sample: pd.DataFrame) -> None:
    highland = {b.code for b in BRANCHES if b.highland}
    hi = sample[sample.branch.isin(highland)]
    lo = sample[~sample.branch.isin(highland)]
    assert hi.supply_address.fillna("").str.contains(r"\bBản ").mean() > 0.1
    assert not lo.supply_address.fillna("").str.contains(r"\bBản ").any()
    family = lambda s: s.str.strip().str.split(" ").str[0]  # noqa: E731
    assert family(hi.full_name).isin(["Hà", "Lò", "Cầm", "Vi", "Lường"]).mean() > 0.2
    assert family(lo.full_name).isin(["Nguyễn", "Lê"]).mean() > 0.35


def test_staff_phones_are_planted_as_shared_phones() -> None:
    staff = pd.read_csv(files("cmis_migrate.site") / "staff_phones.csv", dtype=str)
    assert list(staff.columns) == ["phone", "name", "unit"]
    assert staff.phone.str.fullmatch(r"09\d{8}").all() and staff.phone.is_unique
    assert set(staff.unit) == {b.code for b in BRANCHES}
    df = next(iter_raw_frames(N, 10, rates={"phone_shared": 0.2}, chunk_size=N))
    planted = df[df.phone.isin(staff.phone)]
    assert planted.phone.nunique() >= 2
    # a staff member's phone shows up on customers of their own branch
    unit = dict(zip(staff.phone, staff.unit, strict=True))
    assert (planted.phone.map(unit) == planted.branch).all()
    assert (planted.groupby("phone").size() >= 5).all()

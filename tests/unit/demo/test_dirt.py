"""Every kind of paper-era dirt shows up at about its configured rate, and rate 0 removes it.

The detectors below read the generated text the way a reviewer would (regular expressions,
Unicode checks), independently of how the generator builds it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date

import pandas as pd
import pytest

from cmis_migrate.demo.generator import iter_raw_frames
from cmis_migrate.demo.identity import EMAIL_TYPO_DOMAINS, PLACEHOLDERS
from cmis_migrate.demo.rates import DEFAULT_RATES, RATE_NAMES

N = 20_000
SEED = 2020

OLD_PREFIXES = {
    "0162", "0163", "0164", "0165", "0166", "0167", "0168", "0169", "0120", "0121", "0122",
    "0126", "0128", "0123", "0124", "0125", "0127", "0129", "0186", "0188", "0199",
}  # fmt: skip
RELATIVE = re.compile(r"\b(vợ|chồng|con|bố|mẹ|cháu|em)\b", re.IGNORECASE)
NUMBER = re.compile(r"\d[\d .]{7,}\d")
CMND_PLACE = re.compile(r"^(CA|Công an)\b")
OLD_TONE = re.compile(r"(o[áàảãạ]|o[éèẻẽẹ]|(?<![qQ])u[ýỳỷỹỵ])(?!\w)", re.IGNORECASE)
ABBREV = re.compile(r"(^|[\s,\-])(X|x|P|Ph|TT|Tt|H|h|TX|Tx|TP|Tp)(\.|\s)")


def text(s: object) -> bool:
    return isinstance(s, str)


def year_of(s: object) -> int | None:
    if not text(s):
        return None
    return int(s[-4:])


def dmy(s: str) -> date | None:
    m = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", s)
    if not m:
        return None
    try:
        return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None


def phone_kind(s: object, contract: object) -> str:
    if not text(s):
        return "phone_missing"
    if s in PLACEHOLDERS:
        return "placeholder"
    if RELATIVE.search(s):
        return "phone_relative"
    if len(NUMBER.findall(s)) >= 2:
        return "phone_several"
    if re.fullmatch(r"01\d{2}[ .]?\d{3}[ .]?\d{4}", s) and s[:4] in OLD_PREFIXES:
        return "phone_old_mobile"
    old_record = not text(contract) or year_of(contract) < 2017
    if re.fullmatch(r"(\(037\) |037[ .]?)3\d{6}", s) and old_record:
        return "phone_landline_037"
    if re.fullmatch(r"0237[ .]?3\d{6}", s):
        return "phone_landline"
    if re.fullmatch(r"[1-9]\d{8}(\.0)?", s):
        return "phone_excel"
    if re.fullmatch(
        r"0\d{3}([ .-])\d{3}\1\d{3}|\+84 ?\d{9}|\+84 \d{3} \d{3} \d{3}|84\d{9}|\(\+84\) \d{9}", s
    ):
        return "phone_formatted"
    if re.fullmatch(r"0\d{9}", s):
        return "clean"
    return "unknown"


def id_kind(s: object) -> str:
    if not text(s):
        return "id_missing"
    if s in PLACEHOLDERS:
        return "placeholder"
    if re.fullmatch(r"17\d{7}", s):
        return "id_cmnd"
    if re.fullmatch(r"[1-9]\d{9,10}", s):
        return "id_excel_lost_zero"
    if re.fullmatch(r"\d\.\d{4}E\+\d\d", s):
        return "id_excel_scientific"
    if re.fullmatch(r"0\d{11}", s):
        return "cccd"
    return "unknown"


def cccd_inconsistent(id_number: object, birth: object) -> bool:
    if id_kind(id_number) != "cccd" or not text(birth):
        return False
    y = int(birth[-4:])
    return int(id_number[3]) // 2 != (y - 1900) // 100 or int(id_number[4:6]) != y % 100


def issue_date_kind(s: object) -> str:
    if not text(s):
        return "issue_date_missing"
    if re.fullmatch(r"\d{1,2}-\d{1,2}-\d{4}", s):
        return "issue_date_dashes"
    if re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", s):
        return "issue_date_dots"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        return "issue_date_iso"
    if re.fullmatch(r"\d{5}", s):
        return "issue_date_excel_serial"
    if re.fullmatch(r"\d{2}/\d{2}/\d{4}", s):
        d = dmy(s)
        if d is None:
            return "issue_date_impossible"
        return "issue_date_future" if d.year >= 2031 else "clean"
    return "unknown"


def name_kind(s: str) -> str:
    if s != unicodedata.normalize("NFC", s):
        return "name_nfd"
    if s.isascii():
        return "name_no_diacritics"
    if "  " in s or s != s.strip():
        return "name_bad_spacing"
    words = s.split(" ")
    if s.isupper() or s == s.lower() or words[0] == words[0].lower():
        return "name_bad_case"
    return "clean"


def address_kind(s: object) -> str:
    if not text(s):
        return "address_missing"
    if s != unicodedata.normalize("NFC", s):
        return "address_nfd"
    if s.isascii():
        return "address_no_diacritics"
    if OLD_TONE.search(s):
        return "address_old_tone"
    if ABBREV.search(s):
        return "address_abbreviated"
    return "clean"


def share(mask: pd.Series, of: pd.Series | None = None) -> float:
    if of is not None:
        mask = mask[of]
    return float(mask.mean()) if len(mask) else 0.0


def has_id(df: pd.DataFrame) -> pd.Series:
    return df.id_number.map(lambda s: id_kind(s) not in ("id_missing", "placeholder"))


def shared_phones(df: pd.DataFrame) -> pd.Series:
    real = df.phone[df.phone.notna() & ~df.phone.isin(PLACEHOLDERS)]
    counts = real.value_counts()
    return df.phone.isin(counts[counts >= 5].index)


def duplicated_people(df: pd.DataFrame) -> pd.Series:
    """Second and later records of one person: same ID number and same name."""
    ok = df.id_number.map(lambda s: id_kind(s) in ("cccd", "id_cmnd"))
    key = (df.id_number + "|" + df.full_name).where(ok)
    return key.notna() & key.duplicated(keep="first")


def pre_reform_share(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Nghi Sơn's old-dated records that still say Tĩnh Gia (its name before 2020)."""
    old = (df.branch == "PA0704") & df.contract_date.map(lambda c: not text(c) or year_of(c) < 2020)
    says = df.address.fillna("").map(lambda a: "tinh gia" in _fold(a))
    return says, old & df.address.notna()


def _fold(s: str) -> str:
    d = unicodedata.normalize("NFD", s)
    return "".join(c for c in d if not unicodedata.combining(c)).replace("đ", "d").lower()


# -- measured share per rate name: (observed, expected) ---------------------------------------

Measure = Callable[[pd.DataFrame], tuple[float, float]]


def _phone(kind: str) -> Measure:
    def m(df: pd.DataFrame) -> tuple[float, float]:
        kinds = pd.Series(
            [phone_kind(p, c) for p, c in zip(df.phone, df.contract_date, strict=True)],
            index=df.index,
        )
        not_shared = ~shared_phones(df)
        rate = DEFAULT_RATES.placeholder if kind == "placeholder" else getattr(RATES, kind)
        return share(kinds == kind, not_shared), rate

    return m


def _kind(
    column: str, classify: Callable[[object], str], kind: str, *, among_ids: bool = False
) -> Measure:
    def m(df: pd.DataFrame) -> tuple[float, float]:
        kinds = df[column].map(classify)
        of = has_id(df) if among_ids else None
        return share(kinds == kind, of), getattr(RATES, kind)

    return m


RATES = DEFAULT_RATES
MEASURES: dict[str, Measure] = {
    **{
        k: _phone(k)
        for k in (
            "phone_missing",
            "phone_old_mobile",
            "phone_landline_037",
            "phone_landline",
            "phone_several",
            "phone_relative",
            "phone_excel",
            "phone_formatted",
        )
    },  # fmt: skip
    "phone_shared": lambda df: (share(shared_phones(df)), RATES.phone_shared),
    "email_valid": lambda df: (
        share(
            df.email.fillna("").str.fullmatch(
                r"[a-z0-9._]+@(gmail\.com|yahoo\.com|yahoo\.com\.vn|hotmail\.com|outlook\.com|icloud\.com)"
            )
        ),
        RATES.email_valid,
    ),
    "email_typo": lambda df: (
        share(df.email.fillna("").map(lambda e: e.rsplit("@", 1)[-1] in EMAIL_TYPO_DOMAINS)),
        RATES.email_typo,
    ),
    **{
        k: _kind("id_number", id_kind, k)
        for k in ("id_missing", "id_cmnd", "id_excel_lost_zero", "id_excel_scientific")
    },
    "id_cccd_inconsistent": lambda df: (
        share(
            pd.Series(
                [cccd_inconsistent(i, b) for i, b in zip(df.id_number, df.birth_date, strict=True)]
            )
        ),
        RATES.id_cccd_inconsistent,
    ),
    "cccd_other_province": lambda df: (
        share(df.id_number.str[:3] != "038", df.id_number.map(id_kind) == "cccd"),
        RATES.cccd_other_province,
    ),
    **{
        k: _kind("id_issue_date", issue_date_kind, k, among_ids=True)
        for k in (
            "issue_date_missing",
            "issue_date_dashes",
            "issue_date_dots",
            "issue_date_iso",
            "issue_date_excel_serial",
            "issue_date_impossible",
            "issue_date_future",
        )
    },  # fmt: skip
    "issue_place_missing": lambda df: (
        share(df.id_issue_place.isna(), has_id(df)),
        RATES.issue_place_missing,
    ),
    "issue_place_mismatch": lambda df: (
        share(
            pd.Series(
                [
                    text(p)
                    and p not in PLACEHOLDERS
                    and (id_kind(i) == "id_cmnd") != bool(CMND_PLACE.match(p))
                    for i, p in zip(df.id_number, df.id_issue_place, strict=True)
                ],
                index=df.index,
            ),
            has_id(df),
        ),
        RATES.issue_place_mismatch,
    ),  # fmt: skip
    "placeholder": lambda df: (
        share(
            pd.concat(
                [
                    df.email.isin(PLACEHOLDERS),
                    df.id_number.isin(PLACEHOLDERS),
                    df.id_issue_place.isin(PLACEHOLDERS)[has_id(df)],
                ]
            )
        ),
        RATES.placeholder,
    ),  # fmt: skip
    **{
        k: _kind("full_name", name_kind, k)
        for k in ("name_bad_case", "name_bad_spacing", "name_nfd", "name_no_diacritics")
    },
    **{
        k: _kind("address", address_kind, k)
        for k in (
            "address_abbreviated",
            "address_no_diacritics",
            "address_nfd",
            "address_old_tone",
            "address_missing",
        )
    },  # fmt: skip
    "birth_date_missing": lambda df: (share(df.birth_date.isna()), RATES.birth_date_missing),
    "birth_year_only": lambda df: (
        share(
            df.birth_date.str.fullmatch(r"\d{4}").fillna(False).astype(bool), df.birth_date.notna()
        ),
        RATES.birth_year_only,
    ),
    "contract_undated": lambda df: (
        share(df.contract_date.isna(), df.phone.map(lambda p: not (text(p) and "037" in p[:5]))),
        RATES.contract_undated,
    ),
    "contract_no_missing": lambda df: (share(df.contract_no.isna()), RATES.contract_no_missing),
    "households_shared": lambda df: (share(df.households > 1), RATES.households_shared),
    "duplicate_customer": lambda df: (share(duplicated_people(df)), RATES.duplicate_customer),
    "pending_holder_change": lambda df: (
        share(df.pending_change == "DOI_CHU_THE"),
        RATES.pending_holder_change,
    ),
    "pending_households_change": lambda df: (
        share(df.pending_change == "DOI_SO_HO"),
        RATES.pending_households_change,
    ),
    "pending_supply_address_change": lambda df: (
        share(df.pending_change == "DOI_DC_SDD"),
        RATES.pending_supply_address_change,
    ),
    "address_pre_reform_name": lambda df: (
        share(*pre_reform_share(df)),
        # a record in another commune (address_elsewhere) cannot carry Nghi Sơn's old name
        RATES.address_pre_reform_name * (1 - RATES.address_elsewhere),
    ),
}
# rates whose effect is outside the raw frame: tested in test_shape.py / integration tests
NOT_IN_FRAME = {
    "station_standardized",
    "ledger_late_reading_day",
    "closed_request",
    "terminated_customer",
    "address_elsewhere",
}


def test_every_rate_is_measured_here_or_elsewhere() -> None:
    assert set(RATE_NAMES) == set(MEASURES) | NOT_IN_FRAME


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return next(iter_raw_frames(N, SEED, chunk_size=N))


@pytest.mark.parametrize("name", sorted(MEASURES))
def test_dirt_appears_at_its_rate(sample: pd.DataFrame, name: str) -> None:
    observed, expected = MEASURES[name](sample)
    # binomial noise on ~N rows (4 sigma), or 20 % of the rate for group effects
    sigma = math.sqrt(max(expected * (1 - expected), 1e-6) / N)
    tolerance = max(6 * sigma, 0.2 * expected)
    assert abs(observed - expected) <= tolerance, (name, observed, expected)
    assert observed > 0


@pytest.mark.parametrize("name", sorted(MEASURES))
def test_rate_zero_removes_it(name: str) -> None:
    df = next(iter_raw_frames(3_000, SEED + 1, rates={name: 0.0}, chunk_size=3_000))
    if name == "phone_landline_037":
        # the trap: an undated '0373xxxxxx' may be a new Viettel mobile, nobody can tell; a
        # record dated before 2017 can only hold the landline
        df = df[df.contract_date.notna()]
    observed, _ = MEASURES[name](df)
    assert observed == 0, name


def test_a_higher_rate_gives_more(sample: pd.DataFrame) -> None:
    df = next(
        iter_raw_frames(N, SEED, rates={"phone_old_mobile": 0.3, "id_cmnd": 0.6}, chunk_size=N)
    )
    kinds = pd.Series([phone_kind(p, c) for p, c in zip(df.phone, df.contract_date, strict=True)])
    assert abs((kinds == "phone_old_mobile").mean() - 0.3) < 0.02
    assert abs((df.id_number.map(id_kind) == "id_cmnd").mean() - 0.6) < 0.02


def test_every_phone_is_a_known_kind(sample: pd.DataFrame) -> None:
    kinds = [phone_kind(p, c) for p, c in zip(sample.phone, sample.contract_date, strict=True)]
    unknown = [p for p, k in zip(sample.phone, kinds, strict=True) if k == "unknown"]
    assert unknown == []


def test_all_21_old_prefixes_appear(sample: pd.DataFrame) -> None:
    old = sample.phone[sample.phone.fillna("").str.fullmatch(r"01\d{2}[ .]?\d{3}[ .]?\d{4}")]
    assert set(old.str[:4]) == OLD_PREFIXES


def test_037_landlines_sit_on_old_or_undated_contracts(sample: pd.DataFrame) -> None:
    is037 = sample.phone.fillna("").str.fullmatch(r"(\(037\) |037[ .]?)3\d{6}")
    years = sample.contract_date[is037].map(year_of)
    undated = years.isna().mean()
    assert 0.15 < undated < 0.5  # the trap: some undated, the rest dated before 2017
    # new 037 mobiles (0373...) only on records dated after the 2018 renumbering
    assert (years.dropna()[years.dropna() >= 2017] >= 2018).all()


def test_old_mobiles_sit_on_records_before_the_renumbering(sample: pd.DataFrame) -> None:
    old = sample.phone.fillna("").str.fullmatch(r"01\d{2}[ .]?\d{3}[ .]?\d{4}")
    contract = sample.contract_date[old].dropna().map(lambda s: dmy(s))
    assert (contract < date(2018, 9, 15)).all()


def test_ids_are_consistent_with_birth_dates_except_the_planted_ones(sample: pd.DataFrame) -> None:
    rates = dict.fromkeys(("id_cccd_inconsistent",), 0.0)
    df = next(iter_raw_frames(5_000, SEED, rates=rates, chunk_size=5_000))
    bad = [cccd_inconsistent(i, b) for i, b in zip(df.id_number, df.birth_date, strict=True)]
    assert not any(bad)

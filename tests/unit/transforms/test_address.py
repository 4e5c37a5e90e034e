"""Address normalization: pre-2025 communes -> 2025 wards of Thanh Hóa (issue 3).

Expected wards are facts of the 1/7/2025 reform as recorded in vietnamadminunits' data
(checked by hand against its converter_2025.json), written out here, not recomputed.
"""

from __future__ import annotations

import math
import socket
import subprocess
import sys
import unicodedata

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmis_migrate.transforms import address_resolve
from cmis_migrate.transforms.address import (
    ADDRESS_CODES,
    OUTPUT_COLUMNS,
    legacy_units,
    normalize_address,
    wards_2025,
)

TH = "Tỉnh Thanh Hóa"
STATUSES = {"ok", "fixed", "ambiguous", "invalid", "missing"}


def one(address: object) -> pd.Series:
    return normalize_address(pd.Series([address], dtype=object)).iloc[0]


def codes_of(row: pd.Series) -> set[str]:
    return set(filter(None, row["issues"].split(";")))


# --- merged communes -> their 2025 ward ----------------------------------------------------
MERGED = [
    ("Phường Điện Biên, Thành phố Thanh Hóa, Tỉnh Thanh Hóa", "Phường Hạc Thành"),
    ("Phường Trường Thi, Thành phố Thanh Hóa, Tỉnh Thanh Hóa", "Phường Hạc Thành"),
    ("Phường Ba Đình, Thành phố Thanh Hóa, Tỉnh Thanh Hóa", "Phường Hạc Thành"),
    ("Phường Nam Ngạn, Thành phố Thanh Hóa, Tỉnh Thanh Hóa", "Phường Hàm Rồng"),
    ("Phường Quảng Hưng, Thành phố Thanh Hóa, Tỉnh Thanh Hóa", "Phường Quảng Phú"),
    ("Xã Hoằng Phong, Huyện Hoằng Hóa, Tỉnh Thanh Hóa", "Xã Hoằng Châu"),
    ("Xã Cẩm Quý, Huyện Cẩm Thủy, Tỉnh Thanh Hóa", "Xã Cẩm Tú"),
    ("Xã Tân Khang, Huyện Nông Cống, Tỉnh Thanh Hóa", "Xã Trung Chính"),
    ("Xã Bắc Lương, Huyện Thọ Xuân, Tỉnh Thanh Hóa", "Xã Thọ Long"),
    ("Xã Hải Long, Huyện Như Thanh, Tỉnh Thanh Hóa", "Xã Như Thanh"),
    ("Xã Thái Hòa, Huyện Triệu Sơn, Tỉnh Thanh Hóa", "Xã Tân Ninh"),
    ("Phường Hải Hòa, Thị xã Nghi Sơn, Tỉnh Thanh Hóa", "Phường Tĩnh Gia"),
    # the district of Đông Sơn became part of the city in 2024 (an alias in the data)
    ("Xã Đông Hòa, Huyện Đông Sơn, Tỉnh Thanh Hóa", "Phường Đông Sơn"),
    # names merged away before 2025 are aliases (xã Hà Phong -> TT Hà Trung, split)
    ("Xã Hoằng Quý, Huyện Hoằng Hóa", "Xã Hoằng Phú"),
]


@pytest.mark.parametrize(("address", "ward"), MERGED)
def test_old_commune_maps_to_its_2025_ward(address: str, ward: str) -> None:
    row = one(address)
    assert (row["status"], row["ward"], row["province"]) == ("fixed", ward, TH)
    assert row["normalized"] == f"{ward}, {TH}"
    assert "ADDR_MAPPED_2025" in codes_of(row)


# --- every split commune of Thanh Hóa: the default ward, ambiguous --------------------------
SPLIT = [
    ("Phường Đông Thọ", "Thành phố Thanh Hóa", "Phường Hạc Thành"),
    ("Phường An Hưng", "Thành phố Thanh Hóa", "Phường Đông Quang"),
    ("Thị trấn Sơn Lư", "Huyện Quan Sơn", "Xã Quan Sơn"),
    ("Thị trấn Hà Trung", "Huyện Hà Trung", "Xã Hà Trung"),
    ("Xã Hà Bình", "Huyện Hà Trung", "Xã Hoạt Giang"),
    ("Xã Luận Khê", "Huyện Thường Xuân", "Xã Tân Thành"),
    ("Thị trấn Thiệu Hóa", "Huyện Thiệu Hóa", "Xã Thiệu Hóa"),
    ("Xã Thiệu Long", "Huyện Thiệu Hóa", "Xã Thiệu Hóa"),
    ("Xã Yên Thọ", "Huyện Như Thanh", "Xã Yên Thọ"),
    ("Xã Thanh Tân", "Huyện Như Thanh", "Xã Thanh Kỳ"),
]


@pytest.mark.parametrize(("commune", "district", "default"), SPLIT)
def test_split_commune_gets_default_ward_and_is_ambiguous(
    commune: str, district: str, default: str
) -> None:
    row = one(f"Thôn 2, {commune}, {district}, Thanh Hóa")
    assert (row["status"], row["ward"]) == ("ambiguous", default)
    assert codes_of(row) == {"ADDR_SPLIT_COMMUNE"}
    assert row["normalized"] == f"Thôn 2, {default}, {TH}"


def test_the_split_list_is_exactly_the_ten_known_communes() -> None:
    units = legacy_units("Thanh Hóa")
    split = units[units["is_split"]]
    assert sorted(zip(split["commune"], split["district"], strict=True)) == sorted(
        (c, d) for c, d, _ in SPLIT
    )
    assert len(units) == 547  # Thanh Hóa had 547 commune-level units before the reform
    assert set(units["ward_2025"]) <= set(wards_2025("Thanh Hóa"))


def test_wards_2025_lists_the_166_units_in_official_spelling() -> None:
    wards = wards_2025("Thanh Hóa")
    assert len(wards) == len(set(wards)) == 166
    assert sum(w.startswith("Phường ") for w in wards) == 19
    assert "Phường Hạc Thành" in wards and "Xã Hóa Quỳ" in wards


# --- abbreviations, each listed -------------------------------------------------------------
ABBREVIATIONS = [
    ("P. Điện Biên, TP. Thanh Hóa, T. Thanh Hóa", "Phường Hạc Thành", "fixed"),
    ("Ph. Điện Biên, Tp. Thanh Hóa", "Phường Hạc Thành", "fixed"),
    ("P.Điện Biên TP Thanh Hoá", "Phường Hạc Thành", "fixed"),
    ("X. Hoằng Phong, H. Hoằng Hóa, Tỉnh Thanh Hóa", "Xã Hoằng Châu", "fixed"),
    ("X.Cẩm Quý H.Cẩm Thủy T.Thanh Hóa", "Xã Cẩm Tú", "fixed"),
    ("TT. Quý Lộc, H. Yên Định", "Xã Quý Lộc", "fixed"),
    ("Tt Quý Lộc, Yên Định, Thanh Hóa", "Xã Quý Lộc", "fixed"),
    ("TT Quý Lộc, huyện Yên Định", "Xã Quý Lộc", "fixed"),
    ("Phường Hải Hòa, TX. Nghi Sơn, Thanh Hóa", "Phường Tĩnh Gia", "fixed"),
    ("Phường Hải Hòa, TX Nghi Sơn", "Phường Tĩnh Gia", "fixed"),
    ("Xã Hoằng Phong, Q. Hoằng Hóa", "Xã Hoằng Châu", "fixed"),
    ("Phường Nam Ngạn, TP T.Hóa", "Phường Hàm Rồng", "fixed"),
    ("Xã Tân Khang, Nông Cống, T. Thanh Hóa", "Xã Trung Chính", "fixed"),
]


@pytest.mark.parametrize(("address", "ward", "status"), ABBREVIATIONS)
def test_abbreviated_unit_types_are_understood(address: str, ward: str, status: str) -> None:
    row = one(address)
    assert (row["status"], row["ward"]) == (status, ward)
    assert row["normalized"] == f"{ward}, {TH}"


STREETS = [
    ("Thôn 3, Xã Hoằng Phong, Huyện Hoằng Hóa", "Thôn 3"),
    ("thon 3, Xã Hoằng Phong, Huyện Hoằng Hóa", "Thôn 3"),
    ("Xóm 5, Xã Hoằng Phong, Huyện Hoằng Hóa", "Xóm 5"),
    ("xom Đồng, Xã Hoằng Phong, Huyện Hoằng Hóa", "Xóm Đồng"),
    ("Bản Na Mèo, Xã Na Mèo, Huyện Quan Sơn", "Bản Na Mèo"),
    ("ban 4, Xã Na Mèo, Huyện Quan Sơn", "Bản 4"),
    ("KP 3, Phường Điện Biên, TP Thanh Hóa", "Khu phố 3"),
    ("Kp.3, Phường Điện Biên, TP Thanh Hóa", "Khu phố 3"),
    ("Khu phố 3, Phường Điện Biên, TP Thanh Hóa", "Khu phố 3"),
    ("Tổ 7, Phường Điện Biên, TP Thanh Hóa", "Tổ 7"),
    ("TDP 7, Phường Điện Biên, TP Thanh Hóa", "Tổ dân phố 7"),
    ("SN 12, Đường Lê Lợi, Phường Điện Biên, TP Thanh Hóa", "Số nhà 12, Đường Lê Lợi"),
    ("sn12 Lê Lợi, Phường Điện Biên, TP Thanh Hóa", "Số nhà 12 Lê Lợi"),
    ("Số nhà 12 Lê Lợi P. Điện Biên TP Thanh Hóa", "Số nhà 12 Lê Lợi"),
    ("Số nhà 12   Lê Lợi ,  Phường Điện Biên;TP Thanh Hóa", "Số nhà 12 Lê Lợi"),
    ("Thôn 3 - Xã Hoằng Phong - Huyện Hoằng Hóa", "Thôn 3"),
    ("12/3 Ngõ 5 Trần Phú, P. Điện Biên, TP. Thanh Hóa", "12/3 Ngõ 5 Trần Phú"),
    ("Thôn 3 Hoằng Phong, Hoằng Hóa", "Thôn 3"),
    ("Thôn Đông Sơn, Xã Đông Hòa, Huyện Đông Sơn", "Thôn Đông Sơn"),
]


@pytest.mark.parametrize(("address", "street"), STREETS)
def test_street_part_is_kept_and_cleaned(address: str, street: str) -> None:
    row = one(address)
    assert row["status"] == "fixed", row["issues"]
    assert row["normalized"] == f"{street}, {row['ward']}, {TH}"


# --- Vietnamese text: no diacritics, NFD, old tone placement ---------------------------------
TEXT_FORMS = [
    ("xa hoang phong, huyen hoang hoa, tinh thanh hoa", "Xã Hoằng Châu", "fixed"),
    ("XA CAM QUY HUYEN CAM THUY THANH HOA", "Xã Cẩm Tú", "fixed"),
    ("phuong dien bien, tp thanh hoa", "Phường Hạc Thành", "fixed"),
    ("Thôn 1, Xã Cẩm Quý, Huyện Cẩm Thuỷ, Tỉnh Thanh Hoá", "Xã Cẩm Tú", "fixed"),
    ("Xã Thiệu Hoà, Huyện Thiệu Hoá", "Xã Thiệu Toán", "fixed"),
    ("Xã Nga Thuỷ, Huyện Nga Sơn", "Xã Nga Sơn", "fixed"),
    ("Xã Thanh Thuỷ, Thị xã Nghi Sơn", "Phường Ngọc Sơn", "fixed"),
    ("Xã Hoà Lộc, Huyện Hậu Lộc", "Xã Hoa Lộc", "fixed"),
    # accents, when written, tell Thiệu Hóa (thị trấn, split) from Thiệu Hòa (xã)
    ("Thiệu Hòa, Thiệu Hóa, Thanh Hóa", "Xã Thiệu Toán", "fixed"),
    ("Thiệu Hóa, Thiệu Hóa, Thanh Hóa", "Xã Thiệu Hóa", "ambiguous"),
    # Hoằng Phụ and Hoằng Phú, same district: only the diacritics tell them apart
    ("Xã Hoằng Phụ, Huyện Hoằng Hóa", "Xã Hoằng Thanh", "fixed"),
    ("Xã Hoằng Phú, Huyện Hoằng Hóa", "Xã Hoằng Phú", "fixed"),
    # no spaces
    ("XãCẩmQuý, HuyệnCẩmThủy", "Xã Cẩm Tú", "fixed"),
]


@pytest.mark.parametrize(("address", "ward", "status"), TEXT_FORMS)
def test_diacritics_tone_placement_and_spacing(address: str, ward: str, status: str) -> None:
    row = one(address)
    assert (row["status"], row["ward"]) == (status, ward)


MERGED_AS_TRIPLES = [(a, w, "fixed") for a, w in MERGED]


@pytest.mark.parametrize(("address", "ward", "status"), TEXT_FORMS + MERGED_AS_TRIPLES)
def test_nfd_input_gives_the_same_result(address: str, ward: str, status: str) -> None:
    nfd = unicodedata.normalize("NFD", address)
    assert nfd != address or address.isascii()
    assert one(nfd).to_dict() == one(address).to_dict()
    assert unicodedata.is_normalized("NFC", one(nfd)["normalized"])


def test_no_diacritics_without_district_can_still_be_ambiguous() -> None:
    row = one("xa hoang phu, huyen hoang hoa")  # Hoằng Phú or Hoằng Phụ?
    assert row["status"] == "ambiguous"
    assert codes_of(row) == {"ADDR_COMMUNE_AMBIGUOUS"}
    assert pd.isna(row["ward"])


# --- 2025 names are already right ------------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "ward"),
    [
        ("Phường Hạc Thành, Tỉnh Thanh Hóa", "Phường Hạc Thành"),
        ("Số nhà 5, Phường Hạc Thành, Thanh Hóa", "Phường Hạc Thành"),
        ("Thôn 4, Xã Hóa Quỳ, Tỉnh Thanh Hóa", "Xã Hóa Quỳ"),
        ("Xã Thiệu Hóa, Tỉnh Thanh Hóa", "Xã Thiệu Hóa"),
        ("Phường Nam Sầm Sơn, Tỉnh Thanh Hóa", "Phường Nam Sầm Sơn"),
        ("phuong hac thanh, thanh hoa", "Phường Hạc Thành"),
    ],
)
def test_post_2025_ward_is_ok(address: str, ward: str) -> None:
    row = one(address)
    assert (row["status"], row["ward"], row["issues"]) == ("ok", ward, "")


# --- cannot be resolved: invalid with a reason, never the province alone --------------------
INVALID = [
    ("Xã Không Tồn Tại, Huyện Hà Trung, Thanh Hóa", "ADDR_COMMUNE_UNKNOWN"),
    ("Xã Foo, Thanh Hóa", "ADDR_COMMUNE_UNKNOWN"),
    ("Huyện Hà Trung, Tỉnh Thanh Hóa", "ADDR_NO_COMMUNE"),
    ("Thanh Hóa", "ADDR_NO_COMMUNE"),
    ("Đường Lê Lợi, Thanh Hóa", "ADDR_NO_COMMUNE"),
    ("Xã Nghi Phong, Huyện Nghi Lộc, Tỉnh Nghệ An", "ADDR_OUTSIDE_PROVINCE"),
    ("Phường Phúc Xá, Quận Ba Đình, Hà Nội", "ADDR_OUTSIDE_PROVINCE"),
    ("12345", "ADDR_NO_COMMUNE"),
]


@pytest.mark.parametrize(("address", "code"), INVALID)
def test_unresolvable_address_is_invalid_with_a_reason(address: str, code: str) -> None:
    row = one(address)
    assert row["status"] == "invalid"
    assert code in codes_of(row)
    assert pd.isna(row["ward"])
    # another province is named (issue 13); otherwise no province is claimed
    assert pd.isna(row["province"]) == (code != "ADDR_OUTSIDE_PROVINCE")
    assert row["normalized"] != TH


def test_commune_not_in_the_stated_district() -> None:
    # Xã Cẩm Quý is in Cẩm Thủy, not Hà Trung: a person must confirm the proposed ward
    row = one("Xã Cẩm Quý, Huyện Hà Trung, Thanh Hóa")
    assert (row["status"], row["ward"]) == ("ambiguous", "Xã Cẩm Tú")
    assert codes_of(row) == {"ADDR_COMMUNE_NOT_IN_DISTRICT"}
    # a name found in several other districts cannot be placed at all
    row = one("Phường Phú Sơn, Huyện Hà Trung, Thanh Hóa")
    assert (row["status"], codes_of(row)) == ("invalid", {"ADDR_COMMUNE_NOT_IN_DISTRICT"})


def test_commune_written_with_its_district_before_a_boundary_change() -> None:
    # Hoằng Quang moved from Hoằng Hóa into the city; old paper keeps the old district
    row = one("Xóm 4, Xã Hoằng Quang, Huyện Hoằng Hóa, Thanh Hóa")
    assert (row["status"], row["ward"]) == ("fixed", "Phường Nguyệt Viên")
    assert codes_of(row) == {"ADDR_MAPPED_2025", "ADDR_FORMER_DISTRICT"}


def test_commune_in_several_districts_without_district() -> None:
    row = one("Xã Phú Sơn, Thanh Hóa")  # Quan Hóa, Nghi Sơn (and two phường)
    assert row["status"] == "ambiguous"
    assert "ADDR_COMMUNE_AMBIGUOUS" in codes_of(row)
    assert row["province"] == TH


def test_same_name_in_several_districts_resolves_when_all_map_to_one_ward() -> None:
    # Xã Hòa Lộc and Xã Hoa Lộc (both Hậu Lộc) fold alike and both went to Xã Hoa Lộc
    row = one("xa hoa loc, hau loc")
    assert (row["status"], row["ward"]) == ("fixed", "Xã Hoa Lộc")


def test_district_name_alone_may_be_a_2025_ward() -> None:
    row = one("Thôn 1, Hoằng Hóa, Thanh Hóa")  # huyện Hoằng Hóa, or xã Hoằng Hóa (2025)?
    assert (row["status"], row["ward"]) == ("ambiguous", "Xã Hoằng Hóa")


def test_unit_type_written_wrong_is_corrected_and_flagged() -> None:
    row = one("Xã Điện Biên, TP Thanh Hóa")
    assert (row["status"], row["ward"]) == ("fixed", "Phường Hạc Thành")
    assert codes_of(row) == {"ADDR_MAPPED_2025", "ADDR_UNIT_TYPE_MISMATCH"}


def test_unknown_district_is_ignored_and_flagged() -> None:
    row = one("Xã Cẩm Quý, Huyện Không Có Thật, Thanh Hóa")
    assert (row["status"], row["ward"]) == ("fixed", "Xã Cẩm Tú")
    assert "ADDR_DISTRICT_UNKNOWN" in codes_of(row)


# --- missing ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        None,
        math.nan,
        pd.NA,
        "",
        "   ",
        "không có",
        "Không có",
        "khong co",
        "n/a",
        "N/A",
        "-",
        "--",
        "0",
        "000",
        ".",
        "null",
        "None",
        "chưa có",
        "Không có địa chỉ",
        "đang cập nhật",
        "KXĐ",
    ],
)
def test_missing_and_placeholders(value: object) -> None:
    row = one(value)
    assert (row["status"], row["issues"]) == ("missing", "ADDR_MISSING")
    assert pd.isna(row["normalized"]) and pd.isna(row["ward"]) and pd.isna(row["province"])


# --- the frame contract ----------------------------------------------------------------------
def test_output_frame_contract() -> None:
    raw = pd.Series(
        ["Xã Cẩm Quý, Huyện Cẩm Thủy", None, "Xã Cẩm Quý, Huyện Cẩm Thủy", "không có", "x y z"],
        index=[10, 7, 3, 99, 5],
        dtype="str",
    )
    before = raw.copy()
    out = normalize_address(raw)
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert list(out.index) == [10, 7, 3, 99, 5]
    assert list(out["status"]) == ["fixed", "missing", "fixed", "missing", "invalid"]
    pd.testing.assert_series_equal(raw, before)
    assert all(str(out[c].dtype) == "str" for c in out.columns)


def test_every_code_has_english_and_vietnamese_text() -> None:
    for code, (english, vietnamese) in ADDRESS_CODES.items():
        assert code.startswith("ADDR_") and english and vietnamese
        assert not vietnamese.isascii()  # written in Vietnamese, with diacritics


def test_codes_emitted_are_registered() -> None:
    split = [(f"Thôn 2, {c}, {d}",) for c, d, _ in SPLIT]
    samples = [a for a, *_ in MERGED + ABBREVIATIONS + TEXT_FORMS + INVALID + split]
    out = normalize_address(pd.Series(samples + [None, "Xã Phú Sơn"], dtype=object))
    emitted = {c for cell in out["issues"] for c in cell.split(";") if c}
    assert emitted <= set(ADDRESS_CODES)


def test_other_province_by_argument() -> None:
    out = one_in("Xã Nghi Phong, Huyện Nghi Lộc, Tỉnh Nghệ An", "Nghệ An")
    assert out["province"] == "Tỉnh Nghệ An" and out["status"] in {"fixed", "ambiguous"}
    with pytest.raises(ValueError, match="unknown 2025 province"):
        normalize_address(pd.Series(["x"]), province="Atlantis")


def one_in(address: str, province: str) -> pd.Series:
    return normalize_address(pd.Series([address]), province=province).iloc[0]


# --- resolution is cached per distinct administrative part ----------------------------------
def test_each_distinct_admin_part_is_resolved_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = address_resolve.resolve_admin

    def counting(tail, ref, province_seen=False):  # noqa: ANN001, ANN202
        calls.append(tail)
        return real(tail, ref, province_seen)

    monkeypatch.setattr(address_resolve, "resolve_admin", counting)
    rows = [
        f"Số nhà {i}, Thôn {i % 7}, Xã Hoằng Phong, Huyện Hoằng Hóa, Tỉnh Thanh Hóa"
        for i in range(400)
    ] * 3
    out = normalize_address(pd.Series(rows))
    assert (out["ward"] == "Xã Hoằng Châu").all()
    # "Tỉnh Thanh Hóa", " Huyện Hoằng Hóa", " Xã Hoằng Phong, Huyện Hoằng Hóa": once each
    assert len(calls) == len(set(calls)) == 3
    assert out["normalized"].iloc[12] == f"Số nhà 12, Thôn 5, Xã Hoằng Châu, {TH}"


# --- robustness: nothing crashes, the input is never modified --------------------------------
_PIECES = st.sampled_from(
    [
        "Xã",
        "xa",
        "P.",
        "TT",
        "H.",
        "Huyện",
        "Tỉnh",
        "T.",
        "Thanh Hóa",
        "Hà Trung",
        "Hà Bình",
        "Thôn 3",
        "SN",
        "Đông Sơn",
        "Phường",
        "Q.",
        "Thị xã",
        ",",
        "-",
        ";",
        " ",
        "Hoá",
        "\u0301",
        "không có",
        "0",
        "Việt Nam",
    ]
)
_TEXT = st.one_of(
    st.text(),
    st.text(st.characters(codec="utf-8", categories=["L", "M", "N", "P", "Z", "Cc", "S"])),
    st.lists(_PIECES, max_size=12).map(" ".join),
    st.lists(_PIECES, max_size=12).map("".join),
    st.builds(lambda s, n: (s or "x") * n, st.text(max_size=12), st.integers(800, 10_000)),
)
_VALUE = st.one_of(_TEXT, st.none(), st.just(math.nan), st.integers(), st.floats())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(_VALUE, max_size=12), as_str=st.booleans())
def test_no_input_crashes_and_input_is_untouched(values: list, as_str: bool) -> None:
    raw = pd.Series(values, dtype=object)
    if as_str:
        raw = raw.map(lambda v: v if v is None or isinstance(v, str) else str(v)).astype("str")
    before = raw.copy()
    out = normalize_address(raw)
    pd.testing.assert_series_equal(raw, before)
    assert list(out.index) == list(raw.index) and list(out.columns) == list(OUTPUT_COLUMNS)
    assert set(out["status"]) <= STATUSES
    for status, ward, norm in zip(out["status"], out["ward"], out["normalized"], strict=True):
        assert (status in {"ok", "fixed"}) == (isinstance(ward, str) and status != "ambiguous")
        if status == "missing":
            assert pd.isna(norm)
        else:
            assert isinstance(norm, str) and unicodedata.is_normalized("NFC", norm)


def test_no_network_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the address transform must not open a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    out = normalize_address(pd.Series([f"Thôn 1, {c}, {d}" for c, d, _ in SPLIT]))
    assert (out["status"] == "ambiguous").all()


def test_geocoding_library_code_is_never_imported() -> None:
    code = (
        "import sys, pandas as pd\n"
        "from cmis_migrate.transforms.address import normalize_address\n"
        "normalize_address(pd.Series(['Thôn 1, Xã Hà Bình, Huyện Hà Trung']))\n"
        "bad = [m for m in ('vietnamadminunits', 'geopy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# --- every pre-2025 commune, in the ways paper records write it -----------------------------
def _every_commune_written(style: str) -> tuple[list[str], list[str], list[str]]:
    units = legacy_units("Thanh Hóa")
    out = []
    for c, ct, d, dt in zip(
        units["commune"],
        units["commune_type"],
        units["district"],
        units["district_type"],
        strict=True,
    ):
        c_short, d_short = c[len(ct) + 1 :], d[len(dt) + 1 :]
        if style == "typed":
            out.append(f"{c}, {d}, Tỉnh Thanh Hóa")
        elif style == "untyped":
            out.append(f"Thôn 1, {c_short}, {d_short}, Thanh Hóa")
        else:
            out.append(f"Thôn 1 {c_short} {d_short} Thanh Hóa")
    status = ["ambiguous" if s else "fixed" for s in units["is_split"]]
    return out, list(units["ward_2025"]), status


@pytest.mark.parametrize("style", ["typed", "untyped", "untyped_no_commas"])
def test_every_old_commune_resolves_when_written_with_its_district(style: str) -> None:
    # Coverage of the parser over the whole legacy list: the expected ward is the data's
    # own mapping (the hand-written tables above are the independent checks).
    addresses, wards, statuses = _every_commune_written(style)
    out = normalize_address(pd.Series(addresses))
    wrong = [
        (a, s, w)
        for a, s, w, ew, es in zip(
            addresses, out["status"], out["ward"], wards, statuses, strict=True
        )
        if (s, w) != (es, ew)
    ]
    assert wrong == []


def test_remarks_in_parentheses_stay_with_the_street() -> None:
    row = one("Thôn 3, Xã Hoằng Phong, Huyện Hoằng Hóa, Thanh Hóa (gần chợ)")
    assert (row["status"], row["normalized"]) == ("fixed", f"Thôn 3 (gần chợ), Xã Hoằng Châu, {TH}")


@pytest.mark.parametrize(
    ("address", "status", "ward"),
    [
        # Quảng Hưng (a phường of the city since 2012) and Quảng Hùng (an old xã, now in Sầm
        # Sơn) fold alike; written diacritics decide, their absence cannot
        ("Xã Quảng Hưng, Huyện Quảng Xương", "fixed", "Phường Quảng Phú"),
        ("Xã Quảng Hùng, Huyện Quảng Xương", "fixed", "Phường Nam Sầm Sơn"),
        ("Xa Quang Hung, Huyen Quang Xuong", "invalid", None),
        # the district written outweighs the type: only Quảng Hưng is in the city
        ("xa quang hung, tp thanh hoa", "fixed", "Phường Quảng Phú"),
        # same first syllable but no city took it over: not a former district, a mistake
        ("Xã Thọ Phú, Huyện Thọ Xuân", "ok", "Xã Thọ Phú"),  # the 2025 xã of that name
        ("Xã Thọ Vực, Huyện Thọ Xuân", "ambiguous", "Xã Thọ Phú"),  # Thọ Vực is in Triệu Sơn
        # a wrong diacritic on the only candidate is still that commune
        ("Xã Quãng Tâm, Huyện Quảng Xương", "fixed", "Phường Quảng Phú"),
    ],
)
def test_former_districts_and_folding_collisions(address: str, status: str, ward: str) -> None:
    row = one(address)
    assert row["status"] == status
    assert (row["ward"] if isinstance(row["ward"], str) else None) == ward


# --- the fast path ("<first part>, <rest>" read once per rest) changes nothing ---------------
_UNITS = legacy_units("Thanh Hóa")
_HEADS = st.sampled_from(
    [
        "Thôn 3",
        "SN 12",
        "sn 5 Lê Lợi",
        "Xóm Đồng",
        "  Tổ 4 ",
        "Số nhà 7",
        "Xã Hà Bình",
        "Kp.2",
        "Thôn 1 Hoằng Phong",
        "P. Điện Biên",
        "0",
        "-",
        "Bản (cũ)",
        unicodedata.normalize("NFD", "Xóm Đình"),
    ]
)
_ADMIN = st.builds(
    lambda i, typed, district, province, nfd: _written(i, typed, district, province, nfd),
    st.integers(0, len(_UNITS) - 1),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", ", Thanh Hóa", ", Tỉnh Thanh Hoá", ", T. Thanh Hóa", " Thanh Hóa"]),
    st.booleans(),
)


def _written(i: int, typed: bool, district: bool, province: str, nfd: bool) -> str:
    u = _UNITS.iloc[i]
    commune = u["commune"] if typed else u["commune"][len(u["commune_type"]) + 1 :]
    text = commune + (f", {u['district']}" if district else "") + province
    return unicodedata.normalize("NFD", text) if nfd else text


@settings(max_examples=200, deadline=None)
@given(head=_HEADS, middle=st.sampled_from(["", "Thôn 2, ", "Đường Lê Lợi, "]), admin=_ADMIN)
def test_fast_path_gives_the_same_answer_as_the_full_reading(
    head: str, middle: str, admin: str
) -> None:
    from cmis_migrate.transforms.address import _Normalizer

    address = f"{head}, {middle}{admin}"
    fast = _Normalizer("Thanh Hóa")
    full = _Normalizer("Thanh Hóa")
    full.rest_entry = lambda rest: None  # type: ignore[method-assign]
    assert fast.one(address) == full.one(address)


def test_an_expansion_followed_by_a_combining_mark_is_still_nfc() -> None:
    """Found by the property test above: 'T.HOÀ' with a second grave accent (U+0300) was read
    as 'Thanh Hóa' followed by the stray mark, a text that is not NFC."""
    out = normalize_address(pd.Series(["T.HOÀ\u0300"], dtype=object))
    text = out["normalized"].iloc[0]
    assert unicodedata.is_normalized("NFC", text) and text == unicodedata.normalize("NFC", text)

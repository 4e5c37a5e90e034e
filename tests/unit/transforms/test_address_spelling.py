"""Issue 13, addresses: spelling variants of place names resolve alike (i/y after a consonant,
tone-mark placement, with or without the unit word); another province is named."""

from __future__ import annotations

import pandas as pd
import pytest

from cmis_migrate.transforms.address import normalize_address

from .helpers import codes


def resolve(text: str) -> dict:
    row = normalize_address(pd.Series([text])).iloc[0]
    return {k: (None if isinstance(v, float) else v) for k, v in row.items()}


# (variant as written, the official spelling it must resolve like)
VARIANTS = [
    ("Thôn 1, Xã Hoằng Quí, Huyện Hoằng Hóa", "Thôn 1, Xã Hoằng Quý, Huyện Hoằng Hóa"),
    ("Thôn 1, Hoằng Quí, Hoằng Hoá, Thanh Hoá", "Thôn 1, Xã Hoằng Quý, Huyện Hoằng Hóa"),
    ("Thôn 1, Xã Cẩm Quí, Huyện Cẩm Thủy", "Thôn 1, Xã Cẩm Quý, Huyện Cẩm Thủy"),
    ("Thôn 1, Xã Cẩm Quý, Huyện Cẩm Thuỷ", "Thôn 1, Xã Cẩm Quý, Huyện Cẩm Thủy"),
    ("Thôn 2, Xã Dân Lí, Huyện Triệu Sơn", "Thôn 2, Xã Dân Lý, Huyện Triệu Sơn"),
    ("Thôn 2, Xã Thanh Kì, Huyện Như Thanh", "Thôn 2, Xã Thanh Kỳ, Huyện Như Thanh"),
    ("Thôn 2, Xã Yên Mĩ, Huyện Nông Cống", "Thôn 2, Xã Yên Mỹ, Huyện Nông Cống"),
    ("Xóm 3, Xã Nga Thuỷ, Huyện Nga Sơn", "Xóm 3, Xã Nga Thủy, Huyện Nga Sơn"),
    ("Xóm 3, Xã Hoá Quỳ, Huyện Như Xuân", "Xóm 3, Xã Hóa Quỳ, Huyện Như Xuân"),
    ("Xóm 3, Xã Thiệu Hoà, Huyện Thiệu Hoá", "Xóm 3, Xã Thiệu Hòa, Huyện Thiệu Hóa"),
    ("Xóm 3, Hoằng Quý, Hoằng Hóa", "Xóm 3, Xã Hoằng Quý, Huyện Hoằng Hóa"),  # no unit words
    ("Xóm 3, Nga Thuỷ, Nga Sơn, Thanh Hoá", "Xóm 3, Xã Nga Thủy, Huyện Nga Sơn"),
]


@pytest.mark.parametrize(("variant", "official"), VARIANTS)
def test_spelling_variants_resolve_like_the_official_name(variant, official):
    got, want = resolve(variant), resolve(official)
    assert want["ward"], official  # the reference spelling itself resolves
    assert (got["ward"], got["status"]) == (want["ward"], want["status"])


# the reverse: names that differ by more than spelling stay apart
DIFFERENT = [
    ("Thôn 1, Xã Hoằng Quỳ, Huyện Hoằng Hóa", "Thôn 1, Xã Hoằng Quý, Huyện Hoằng Hóa"),
    ("Xóm 3, Xã Thiệu Hòa, Huyện Thiệu Hóa", "Xóm 3, Xã Thiệu Duy, Huyện Thiệu Hóa"),
]


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_different_names_stay_different(one, other):
    a, b = resolve(one), resolve(other)
    assert a["ward"] and b["ward"]
    assert a["issues"] == b["issues"] and "ADDR_COMMUNE_AMBIGUOUS" not in codes(a["issues"])
    # Hoằng Quỳ and Hoằng Quý went to different 2025 communes, so the wards tell them apart
    assert a["normalized"] != b["normalized"]


@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("Số 5, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
        ("Xóm 3, Xã Quảng Thọ, Huyện Quảng Xương, Tỉnh Nghệ An", "Tỉnh Nghệ An"),
    ],
)
def test_another_province_is_kept_in_address_province(text, province):
    r = resolve(text)
    assert "ADDR_OUTSIDE_PROVINCE" in codes(r["issues"])
    assert r["province"] == province
    assert r["ward"] is None


def test_our_own_province_still_reads_as_ours():
    r = resolve("Xóm 3, Xã Quảng Thọ, Huyện Quảng Xương, Tỉnh Thanh Hóa")
    assert r["province"] == "Tỉnh Thanh Hóa" and "ADDR_OUTSIDE_PROVINCE" not in codes(r["issues"])

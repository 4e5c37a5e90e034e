"""The one Vietnamese folding key (issue 12: one folding function; issue 13: spelling variants)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmis_migrate.transforms.vn_fold import fold, tone_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Thanh Hoá", "Thanh Hóa"),
        ("Thanh Hóa", "THANH  HOA"),
        ("Hoằng Quí", "Hoằng Quý"),
        ("Kì Tân", "Kỳ Tân"),
        ("Dân Lí", "Dân Lý"),
        ("Thiệu Thuỵ", "Thiệu Thụy"),
        ("Đắk Lắk", "dak-lak"),
        (unicodedata.normalize("NFD", "Nguyễn Thị Hòa"), "Nguyễn Thị Hoà"),
    ],
)
def test_variants_fold_alike(a, b):
    assert fold(a) == fold(b)
    assert fold(a, "") == fold(b, "")


@pytest.mark.parametrize(
    ("a", "b"),
    [("Huy", "Hui"), ("Thuỵ", "Thụi"), ("Tây", "Tâi"), ("Yên", "Iên")],
)
def test_y_that_is_not_a_final_after_consonant_stays(a, b):
    assert fold(a) != fold(b)


def test_spacing_and_glued_forms():
    assert fold("CA T.Hóa") == "ca t hoa"
    assert fold("Xã  Hoằng Quý", "") == "xahoangqui"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Hoá", "Hóa", True),
        ("Thuỵ", "Thụy", True),
        ("Khoẻ", "Khỏe", True),
        ("Quí", "Quý", True),
        ("Hóa", "Hòa", False),
        ("Quý", "Quỳ", False),
    ],
)
def test_tone_key_ignores_placement_only(a, b, same):
    assert (tone_key(a) == tone_key(b)) is same


@given(st.text())
def test_fold_never_crashes_and_is_ascii(text):
    out = fold(text)
    assert out.isascii() and "  " not in out and out == out.strip()

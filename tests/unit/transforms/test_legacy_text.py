"""TCVN3 / VNI legacy text: conversion by font, and recognising mojibake without a font."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmis_migrate.transforms import normalize_customers
from cmis_migrate.transforms.legacy_text import (
    convert_cell,
    font_encoding,
    looks_legacy,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)

# real legacy strings as Excel holds them (typed with a TCVN3 or VNI keyboard in that font)
TCVN3 = [
    ("NguyÔn V¨n An", "Nguyễn Văn An"),
    ("§iÖn lùc Thanh Ho¸", "Điện lực Thanh Hoá"),
    ("Th«n 3, x· Hoµng Quú, huyÖn Ho»ng Ho¸", "Thôn 3, xã Hoàng Quỳ, huyện Hoằng Hoá"),
    ("TrÇn ThÞ BÝch Ph­îng", "Trần Thị Bích Phượng"),
    ("Lª V¨n TuÊn", "Lê Văn Tuấn"),
]
VNI = [
    ("Nguyeãn Vaên An", "Nguyễn Văn An"),
    ("Ñieän löïc Thanh Hoùa", "Điện lực Thanh Hóa"),
    ("VIEÄT NAM", "VIỆT NAM"),
    ("Soá 12 ñöôøng Leâ Lôïi, phöôøng Haïc Thaønh", "Số 12 đường Lê Lợi, phường Hạc Thành"),
    ("Traàn Thò Thuyû", "Trần Thị Thuỷ"),
    ("Ngoõ 5, xoùm Ñoâng", "Ngõ 5, xóm Đông"),
]


@pytest.mark.parametrize(("legacy", "unicode"), TCVN3)
def test_tcvn3(legacy, unicode):
    assert tcvn3_to_unicode(legacy) == unicode
    assert convert_cell(legacy, ".VnTime") == unicode
    assert convert_cell(legacy, ".VnArial") == unicode
    assert looks_legacy(legacy) and not looks_legacy(unicode)


def test_tcvn3_capitals_fonts_show_every_letter_in_capitals():
    assert convert_cell("nguyÔn v¨n an", ".VnTimeH") == "NGUYỄN VĂN AN"
    assert convert_cell("nguyÔn v¨n an", ".VnTime") == "nguyễn văn an"


@pytest.mark.parametrize(("legacy", "unicode"), VNI)
def test_vni(legacy, unicode):
    assert vni_to_unicode(legacy) == unicode
    assert convert_cell(legacy, "VNI-Times") == unicode
    assert looks_legacy(legacy) and not looks_legacy(unicode)


@pytest.mark.parametrize(
    ("font", "encoding"),
    [
        (".VnTime", "tcvn3"),
        (".VnTimeH", "tcvn3"),
        (" .vnarial ", "tcvn3"),
        ("VNI-Times", "vni"),
        ("VNI-Helve", "vni"),
        ("Times New Roman", None),
        ("Calibri", None),
        (None, None),
        ("", None),
        ("VNIx", None),
    ],
)
def test_font_names(font, encoding):
    assert font_encoding(font) == encoding


def test_unicode_text_in_a_legacy_font_cell_is_left_alone():
    # someone typed real Unicode into a cell formatted .VnTime: not 8-bit, nothing to convert
    assert convert_cell("Nguyễn Văn An", ".VnTime") == "Nguyễn Văn An"
    assert convert_cell("Nguyễn Văn An", "VNI-Times") == "Nguyễn Văn An"
    assert convert_cell("NguyÔn V¨n An", "Arial") == "NguyÔn V¨n An"


LETTERS = "àảãáạăằẳẵắặâầẩẫấậèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵđ"


@given(st.text(alphabet=LETTERS + LETTERS.upper() + "abcdeghiklmnopqrstuvxy ,.0123456789"))
def test_round_trips(text):
    assert vni_to_unicode(unicode_to_vni(text)) == text
    lowered = text.lower()
    assert tcvn3_to_unicode(unicode_to_tcvn3(lowered)) == lowered


@given(st.text())
def test_conversions_never_crash(text):
    for font in (".VnTime", ".VnTimeH", "VNI-Times"):
        assert isinstance(convert_cell(text, font), str)
    looks_legacy(text)


def test_no_false_alarm_on_the_province_place_names():
    from cmis_migrate.transforms.admin_units import legacy_units, wards_2025

    names: set[str] = set(wards_2025())
    frame = legacy_units()
    for col in frame.columns:
        for v in frame[col].dropna():
            if isinstance(v, str):
                names |= set(v.split(";"))
    assert len(names) > 500
    assert [n for n in names if looks_legacy(n)] == []
    # and place names typed in either legacy encoding are recognised
    vietnamese = [n for n in names if not n.isascii()]
    missed_tcvn3 = [n for n in vietnamese if not looks_legacy(unicode_to_tcvn3(n))]
    missed_vni = [n for n in vietnamese if not looks_legacy(unicode_to_vni(n))]
    assert len(missed_tcvn3) < 0.05 * len(vietnamese)
    assert len(missed_vni) < 0.05 * len(vietnamese)


def test_transforms_flag_mojibake_in_names_addresses_and_issue_places():
    raw = pd.DataFrame(
        {
            "full_name": ["NguyÔn V¨n An", "Nguyeãn Vaên An", "Nguyễn Văn An"],
            "address": [
                "Th«n 3, x· Hµ B×nh, huyÖn Hµ Trung",
                "Thoân 3, xaõ Haø Bình, huyeän Haø Trung",
                "Thôn 3, xã Hà Bình, huyện Hà Trung",
            ],
            "supply_address": [None, "Thoân 3, xaõ Haø Bình", "Thôn 3, xã Hà Bình, huyện Hà Trung"],
            "id_issue_place": ["CA Thanh Ho¸", "CA Thanh Hoùa", "CA Thanh Hóa"],
        }
    )
    out = normalize_customers(raw, today=date(2026, 1, 1))
    for field in ("full_name", "address", "id_issue_place"):
        assert out[f"{field}_status"].tolist()[:2] == ["invalid", "invalid"], field
        assert all("TEXT_LEGACY_ENCODING" in i for i in out[f"{field}_issues"].tolist()[:2])
        assert "TEXT_LEGACY_ENCODING" not in out[f"{field}_issues"].iloc[2]
    assert out["supply_address_status"].tolist()[:2] == ["missing", "invalid"]
    assert out["supply_address_issues"].iloc[1].startswith("TEXT_LEGACY_ENCODING")

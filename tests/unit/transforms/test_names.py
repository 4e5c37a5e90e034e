from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from cmis_migrate.transforms.names import normalize_names

from .helpers import one


def name(value) -> dict:
    return one(normalize_names(pd.Series([value], dtype=object)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("đỗ đức thắng", "Đỗ Đức Thắng"),
        ("NGUYỄN  VĂN   AN", "Nguyễn Văn An"),
        ("  trần thị bích  ", "Trần Thị Bích"),
        ("lê\u00a0văn\tb", "Lê Văn B"),
        ("Lê Thị Hoà", "Lê Thị Hoà"),  # tone placement kept as written
        ("Lê Thị Hòa", "Lê Thị Hòa"),
        ("ĐẶNG THỊ THUỴ", "Đặng Thị Thuỵ"),
        (unicodedata.normalize("NFD", "nguyễn văn ánh"), "Nguyễn Văn Ánh"),
        ("ư ơ", "Ư Ơ"),
    ],
)
def test_vietnamese_title_case_nfc_and_spaces(value, expected):
    r = name(value)
    assert (r["normalized"], r["status"]) == (expected, "ok")
    assert unicodedata.is_normalized("NFC", r["normalized"])


@pytest.mark.parametrize(
    ("value", "code", "status"),
    [
        ("Nguyễn Văn A2", "NAME_HAS_DIGITS", "invalid"),
        ("Nguyễn @ Văn", "NAME_BAD_CHARS", "invalid"),
        ("NguyÔn V¨n An", "TEXT_LEGACY_ENCODING", "invalid"),
        ("Hùng", "NAME_SINGLE_WORD", "ambiguous"),
    ],
)
def test_suspect_names(value, code, status):
    r = name(value)
    assert (r["status"], r["issues"]) == (status, code)


@pytest.mark.parametrize("value", [None, "", "-", "không có", "n/a"])
def test_missing(value):
    assert name(value)["status"] == "missing"

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from cmis_migrate.transforms.issue_place import BCA, DKQL, QLHC, normalize_issue_places

from .helpers import one

TH = "Công an tỉnh Thanh Hóa"


def place(value) -> dict:
    return one(normalize_issue_places(pd.Series([value], dtype=object)))


@pytest.mark.parametrize(
    ("value", "canonical", "kind"),
    [
        ("CA Thanh Hóa", TH, "provincial"),
        ("CA tỉnh Thanh Hoá", TH, "provincial"),
        ("Công an Thanh Hóa", TH, "provincial"),
        ("CA T.Hóa", TH, "provincial"),
        ("CAT Thanh Hóa", TH, "provincial"),
        ("CA. T. Thanh Hóa", TH, "provincial"),
        ("Thanh Hóa", TH, "provincial"),
        ("cong an tinh thanh hoa", TH, "provincial"),
        ("CA Nghệ An", "Công an tỉnh Nghệ An", "provincial"),
        ("CA TP Hà Nội", "Công an thành phố Hà Nội", "provincial"),
        ("CA TP HCM", "Công an thành phố Hồ Chí Minh", "provincial"),
        ("Cục CS QLHC về TTXH", QLHC, "central"),
        ("Cục Cảnh sát QLHC về TTXH", QLHC, "central"),
        ("CỤC CS QLHC VỀ TTXH", QLHC, "central"),
        ("Cục trưởng Cục CS QLHC về TTXH", QLHC, "central"),
        ("C06", QLHC, "central"),
        ("Cục CS ĐKQL CT và DLQG về DC", DKQL, "central"),
        ("Cục Cảnh sát ĐKQL cư trú và DLQG về dân cư", DKQL, "central"),
        ("BCA", BCA, "central"),
        ("Bo Cong an", BCA, "central"),
    ],
)
def test_abbreviations_are_expanded(value, canonical, kind):
    r = place(value)
    assert (r["normalized"], r["status"], r["place_kind"]) == (canonical, "fixed", kind)
    assert r["issues"] == "PLACE_EXPANDED"


@pytest.mark.parametrize(
    "value",
    [
        TH,
        "Công an tỉnh Thanh Hoá",  # tone placement only
        "CÔNG AN TỈNH THANH HÓA",
        "Công an tỉnh  Thanh Hóa.",
        unicodedata.normalize("NFD", TH),
        QLHC,
        "Bộ Công An",
    ],
)
def test_already_canonical_spelling_is_ok(value):
    r = place(value)
    assert r["status"] == "ok" and r["issues"] == ""
    assert r["normalized"] in (TH, QLHC, BCA)


@pytest.mark.parametrize("value", ["xyz", "Công an huyện", "CA", "Phòng PC64"])
def test_unknown_authority_is_invalid(value):
    r = place(value)
    assert (r["status"], r["issues"], r["place_kind"]) == ("invalid", "PLACE_UNKNOWN", "")


@pytest.mark.parametrize("value", [None, "", "-", "không có", "kco"])
def test_missing(value):
    assert place(value)["status"] == "missing"

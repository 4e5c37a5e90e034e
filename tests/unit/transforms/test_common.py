from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cmis_migrate.transforms.common import as_text, clean_text, finish
from cmis_migrate.transforms.vn_fold import fold


def cleaned(values):
    arr, placeholder = clean_text(as_text(pd.Series(values, dtype=object)))
    return arr.to_pylist(), placeholder.tolist()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  a  b ", "a b"),
        ("a\u00a0\u00a0b", "a b"),
        ("a\tb\nc\r\nd", "a b c d"),
        ("a\u200bb\ufeff", "ab"),
        ("Nguye\u0302\u0303n", "Nguyễn"),  # NFD -> NFC
        ("x\x00y", "x y"),
        ("\u3000Hà\u2003Nội", "Hà Nội"),
    ],
)
def test_clean_text(raw, expected):
    assert cleaned([raw]) == ([expected], [False])


@pytest.mark.parametrize(
    "raw",
    [
        "không có",
        "Không Có",
        "KHÔNG CÓ",
        "khong co",
        "ko",
        "kco",
        "chưa có",
        "n/a",
        "N/A",
        "#N/A",
        "-",
        "--",
        "0",
        "000",
        "null",
        "NULL",
        "none",
        ".",
        "...",
        "?",
        "x",
        "không rõ",
    ],
)
def test_placeholders_become_missing(raw):
    assert cleaned([raw]) == ([None], [True])


@pytest.mark.parametrize("raw", [None, float("nan"), pd.NA, "", "   ", "\u200b"])
def test_empty_is_missing_but_not_a_placeholder(raw):
    assert cleaned([raw]) == ([None], [False])


def test_non_text_values_are_written_as_text():
    assert as_text(pd.Series([912345678, 912345678.0, 1.5, True], dtype=object)).to_pylist() == [
        "912345678",
        "912345678",
        "1.5",
        "True",
    ]


def test_lone_surrogates_do_not_crash():
    assert as_text(pd.Series(["a\ud800b"], dtype=object)).to_pylist() == ["a?b"]


def test_fold_removes_diacritics_case_and_tone_placement():
    assert fold("Thanh Hoá") == fold("THANH HÓA") == fold("thanh hoa") == "thanh hoa"
    assert fold("Đắk Lắk") == "dak lak"


def test_finish_status_is_most_severe_code_and_missing_wins():
    index = pd.RangeIndex(4)
    out = finish(
        index,
        as_text(pd.Series(["a", "b", "c", "d"])),
        {
            "PHONE_EXCEL_DECIMAL": np.array([True, True, False, False]),
            "PHONE_PREFIX_2018": np.array([False, True, True, False]),
            "PHONE_INVALID": np.array([False, False, True, False]),
        },
        np.array([False, False, False, True]),
    )
    assert list(out["status"]) == ["ok", "fixed", "invalid", "missing"]
    assert list(out["issues"]) == [
        "PHONE_EXCEL_DECIMAL",
        "PHONE_EXCEL_DECIMAL;PHONE_PREFIX_2018",
        "PHONE_PREFIX_2018;PHONE_INVALID",
        "",
    ]
    assert out["normalized"].isna().tolist() == [False, False, False, True]


def test_finish_rejects_unregistered_codes():
    with pytest.raises(KeyError, match="NOT_A_CODE"):
        finish(
            pd.RangeIndex(1),
            as_text(pd.Series(["a"])),
            {"NOT_A_CODE": np.array([True])},
            np.array([False]),
        )

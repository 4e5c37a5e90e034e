"""Issue 13, names: notes in the field, names without diacritics, legacy fonts."""

from __future__ import annotations

import pandas as pd
import pytest

from cmis_migrate.transforms.legacy_text import unicode_to_tcvn3, unicode_to_vni
from cmis_migrate.transforms.names import normalize_names

from .helpers import codes


def name(value) -> dict:
    r = normalize_names(pd.Series([value], dtype=object)).iloc[0]
    return {k: (None if isinstance(v, float) else v) for k, v in r.items()}


NOTES = [
    ("Nguyễn Văn An (đã chết)", "Nguyễn Văn An", "NAME_NOTE_DECEASED"),
    ("Lê Thị Hoa (đã mất)", "Lê Thị Hoa", "NAME_NOTE_DECEASED"),
    ("Lê Thị Hoa đã mất", "Lê Thị Hoa", "NAME_NOTE_DECEASED"),
    ("Trần Văn Bình (chủ cũ)", "Trần Văn Bình", "NAME_NOTE_FORMER_HOLDER"),
    ("Trần Văn Bình cũ", "Trần Văn Bình", "NAME_NOTE_FORMER_HOLDER"),
    ("Phạm Văn Cường đại diện hộ", "Phạm Văn Cường", "NAME_NOTE_REPRESENTATIVE"),
    ("Phạm Văn Cường (đại diện Lê Văn Dũng)", "Phạm Văn Cường", "NAME_NOTE_REPRESENTATIVE"),
    ("Hoàng Văn Phúc c/o Lê Giang", "Hoàng Văn Phúc", "NAME_NOTE_REPRESENTATIVE"),
    ("Đỗ Thị Dung - vợ Nguyễn Văn Em", "Đỗ Thị Dung", "NAME_NOTE_SPOUSE"),
    ("Đỗ Văn Hải, chồng Lê Thị Em", "Đỗ Văn Hải", "NAME_NOTE_SPOUSE"),
    ("Nguyễn Văn Hùng (ông nội)", "Nguyễn Văn Hùng", "NAME_NOTE"),
]


@pytest.mark.parametrize(("value", "proposed", "code"), NOTES)
def test_notes_are_never_part_of_the_holders_name(value, proposed, code):
    r = name(value)
    assert (r["normalized"], r["status"]) == (proposed, "ambiguous")
    assert code in codes(r["issues"])
    assert not codes(r["issues"]) & ({c for _, _, c in NOTES} - {code})


@pytest.mark.parametrize(
    "value", ["Nguyễn Văn An", "Lê Thị Cúc", "Trần Văn Chương", "Vũ Thị Mai", "Đỗ Đức Thắng"]
)
def test_names_without_notes_are_unchanged(value):
    r = name(value)
    assert (r["normalized"], r["status"], r["issues"]) == (value, "ok", "")


@pytest.mark.parametrize("value", ["Nguyen Van Binh", "LE THI HOA", "tran van an"])
def test_a_name_without_any_diacritic_proposes_nothing(value):
    r = name(value)
    assert (r["normalized"], r["status"], r["issues"]) == (None, "ambiguous", "NAME_NO_DIACRITICS")


@pytest.mark.parametrize("value", ["Mai Anh", "Kim Lan", "Ma Thanh Sang"])
def test_a_name_with_no_diacritics_to_lose_stays_as_written(value):
    assert (name(value)["normalized"], name(value)["status"]) == (value, "ok")


@pytest.mark.parametrize(
    "value", ["Trương Thị Ưng", "Nguyễn Văn Hưng", "Lê Văn Cường", "Phạm Thị Thư", "Đặng Hữu Phước"]
)
@pytest.mark.parametrize("encode", [unicode_to_tcvn3, unicode_to_vni])
def test_a_legacy_name_is_proposed_with_every_letter(value, encode):
    r = name(encode(value))
    assert r["status"] == "invalid" and "TEXT_LEGACY_ENCODING" in codes(r["issues"])
    assert r["normalized"] == value

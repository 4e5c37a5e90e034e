"""Identity keys for cross-customer rules: the same holder, the same person."""

from __future__ import annotations

import unicodedata

import pandas as pd


def fold(text: object) -> str:
    """Lowercase, no diacritics, single spaces: 'Đỗ  Đức Thắng' -> 'do duc thang'."""
    if not isinstance(text, str):
        return ""
    t = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    t = "".join(ch for ch in t if unicodedata.category(ch) != "Mn")
    return " ".join(t.lower().split())


def _fold_series(values: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    folded = [fold(u) for u in uniques]
    return pd.Series([folded[c] if c >= 0 else "" for c in codes], index=values.index, dtype=object)


def identity_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """holder_key (name + ID: one contract holder) and person_key (name + birth date)."""
    name = _fold_series(frame.get("full_name_normalized", pd.Series(None, index=frame.index)))
    ids = frame.get("id_number_normalized", pd.Series(None, index=frame.index)).astype(object)
    birth = frame.get("birth_date_normalized", pd.Series(None, index=frame.index)).astype(object)
    holder = name + "|" + ids.fillna("").astype(str)
    has_birth = birth.notna() & (birth.astype(str) != "") & (name != "")
    person = (name + "|" + birth.fillna("").astype(str)).where(has_birth, None)
    return pd.DataFrame({"holder_key": holder, "person_key": person}, index=frame.index)

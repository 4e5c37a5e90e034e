"""Identity keys for cross-customer rules: the same holder, the same person."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from cmis_migrate.statuses import USABLE
from cmis_migrate.transforms.vn_fold import fold

SEP = "|"


def _fold(text: object) -> str:
    """'Đỗ  Đức Thắng' -> 'do duc thang' (the one Vietnamese folding key); '' for non-text."""
    return fold(text) if isinstance(text, str) else ""


def _fold_series(values: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    folded = [_fold(u) for u in uniques]
    return pd.Series([folded[c] if c >= 0 else "" for c in codes], index=values.index, dtype=object)


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    col = frame[name].astype(object)
    return col.where(col.notna(), "").astype(str)


def identity_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """holder_key ('<folded name>|<ID number>': one contract holder) and person_key
    ('<folded name>|<birth date>', None without both). Only usable (ok/fixed) IDs count."""
    name = _fold_series(frame.get("full_name_normalized", pd.Series(None, index=frame.index)))
    ids = _text(frame, "id_number_normalized")
    if "id_number_status" in frame:
        ids = ids.where(frame["id_number_status"].astype(object).isin(USABLE), "")
    birth = _text(frame, "birth_date_normalized")
    if "birth_date_status" in frame:  # a year alone or an invalid date is no identity
        birth = birth.where(frame["birth_date_status"].astype(object).isin(USABLE), "")
    holder = name + SEP + ids
    has_birth = (birth != "") & (name != "")
    person = (name + SEP + birth).where(has_birth, None)
    return pd.DataFrame({"holder_key": holder, "person_key": person}, index=frame.index)


def count_holders(pairs: Iterable[tuple[str, str]]) -> dict[str, int]:
    """phone -> number of different contract holders, from (phone, holder_key) pairs.

    Two holder keys are the same holder when they share the folded name or the ID number
    (a holder written once with a CMND and once with a CCCD, or with a typo in the name, is
    one holder): holders are the connected groups of keys. Empty phones are ignored.
    """
    by_phone: dict[str, set[str]] = {}
    for phone, key in pairs:
        if isinstance(phone, str) and phone and isinstance(key, str) and key != SEP:
            by_phone.setdefault(phone, set()).add(key)
    return {phone: _groups(keys) for phone, keys in by_phone.items()}


def _groups(keys: set[str]) -> int:
    if len(keys) == 1:
        return 1
    parent = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    first: dict[str, str] = {}
    for k in keys:
        name, _, ident = k.rpartition(SEP)
        for part in (f"n:{name}" if name else "", f"i:{ident}" if ident else ""):
            if not part:
                continue
            if part in first:
                parent[find(k)] = find(first[part])
            else:
                first[part] = k
    return len({find(k) for k in keys})

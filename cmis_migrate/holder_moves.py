"""Whose cross-station counts a batch changes (pure).

A customer's rules count the holders of its phone, the customers of its ID number and of the
same person across all stations (cmis_migrate.evaluate). When a batch stores a customer whose
keys are new or changed, every customer elsewhere sharing one of its old or new keys may count
differently now. A full run finds them again the next night; an incremental run reads only the
ledgers it is told about, so the batch's commit marks their ledgers (store.read_history).
"""

from __future__ import annotations

import pandas as pd

# the holder_index columns the counts are made of (holder_key counts within a phone)
COUNTED = ("otp_phone", "id_number", "person_key")
KEYS = (*COUNTED, "holder_key")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].map(lambda v: v if isinstance(v, str) else "")


def moved_keys(new: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """The key values a batch moves: station, column, value, old (bool).

    `new`: holder rows of the evaluated customers (customer_code, station and KEYS, as stored);
    `old`: their stored keys (KEYS) in the same order, empty or missing where never stored.
    Every old and new value of a customer whose keys differ from the stored ones."""
    columns = ["station", "column", "value", "old"]
    if new.empty:
        return pd.DataFrame(columns=columns)
    new = new.reset_index(drop=True)
    old = old.reset_index(drop=True).reindex(new.index)
    differs = pd.Series(False, index=new.index)
    for c in KEYS:
        differs |= _text(new, c) != _text(old, c)
    parts = []
    for c in COUNTED:
        for frame, is_old in ((new, False), (old, True)):
            values = _text(frame, c)[differs]
            parts.append(
                pd.DataFrame(
                    {
                        "station": new.loc[differs, "station"],
                        "column": c,
                        "value": values,
                        "old": is_old,
                    }
                )
            )
    out = pd.concat(parts, ignore_index=True)
    return out[out["value"] != ""].drop_duplicates().reset_index(drop=True)


def touched_holders(moved: pd.DataFrame, others: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """station -> the customers outside the batch sharing a value it moved.

    `others`: per COUNTED column, holder_index rows (customer_code and that column) of the
    customers outside the batch holding the moved values."""
    out: dict[str, set[str]] = {}
    for c in COUNTED:
        mine = moved.loc[moved["column"] == c, ["station", "value"]]
        theirs = others.get(c)
        if mine.empty or theirs is None or theirs.empty:
            continue
        theirs = theirs[["customer_code", c]].rename(columns={c: "value"})
        for station, code in mine.merge(theirs, on="value")[
            ["station", "customer_code"]
        ].itertuples(index=False):
            out.setdefault(station, set()).add(code)
    return {s: sorted(codes) for s, codes in out.items()}

"""What every field transform shares: Arrow text helpers, cleaning, placeholders, and
turning per-code masks into the `normalized / status / issues` columns.

Hot paths work on pyarrow arrays (pyarrow.compute runs vectorized kernels; pandas' own `.str`
wrappers add overhead). Anything done in Python runs once per DISTINCT value (`per_distinct`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cmis_migrate.transforms.codes import CODES, INVALID, MISSING, SEVERITY, STATUSES
from cmis_migrate.transforms.legacy_text import LEGACY_PATTERN

TEXT = pa.large_string()
OUTPUT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas 3 default "str"

# ---------------------------------------------------------------- Arrow <-> pandas


def _scalar_to_text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> '?'
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return str(v)


def as_text(values: pd.Series | Sequence[Any]) -> pa.Array:
    """Any Series (or sequence) -> Arrow large_string array; missing (None/NaN/NA) -> null.
    Non-text values are written as text (912345678.0 -> '912345678')."""
    if (
        isinstance(values, pd.Series)
        and isinstance(values.dtype, pd.StringDtype)
        and values.dtype.storage == "pyarrow"
    ):
        arr = pa.array(values.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        return arr.cast(TEXT) if arr.type != TEXT else arr
    obj = (
        values.to_numpy(dtype=object)
        if isinstance(values, pd.Series)
        else np.asarray(list(values), dtype=object)
    )
    try:
        return pa.array(obj, type=TEXT, from_pandas=True)
    except (pa.ArrowException, UnicodeEncodeError, TypeError, ValueError):
        return pa.array([_scalar_to_text(v) for v in obj], type=TEXT)


def to_series(arr: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """Arrow text -> pandas 'str' Series (nulls become NaN) on `index`."""
    return pd.Series(pd.array(arr, dtype=OUTPUT_DTYPE), index=index)


def mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Arrow boolean -> numpy bool (null -> False)."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def lengths(arr: pa.Array) -> np.ndarray:
    """Length in characters (null -> 0)."""
    return np.asarray(pc.fill_null(pc.utf8_length(arr), 0).to_numpy(zero_copy_only=False))


def lit(value: str) -> pa.Scalar:
    return pa.scalar(value, type=TEXT)


def concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of text arrays and literals (null if any part is null)."""
    args = [lit(p) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, lit(""))


def where(cond: np.ndarray, a: pa.Array | str | None, b: pa.Array | str | None) -> pa.Array:
    """Arrow if_else with a numpy condition; None is a null text."""

    def scal(x):
        if x is None:
            return pa.scalar(None, type=TEXT)
        return lit(x) if isinstance(x, str) else x

    return pc.if_else(pa.array(cond, type=pa.bool_()), scal(a), scal(b))


def matches(arr: pa.Array, pattern: str) -> np.ndarray:
    """RE2 search (anchor the pattern yourself); null -> False."""
    return mask(pc.match_substring_regex(arr, pattern))


def fullmatch(arr: pa.Array, pattern: str) -> np.ndarray:
    return matches(arr, f"^(?:{pattern})$")


def on_rows(arr: pa.Array, rows: np.ndarray, test: Callable[[pa.Array], np.ndarray]) -> np.ndarray:
    """Evaluate a row test only on `rows` (False elsewhere): regex kernels cost per row, so
    running them on the few rows that need them is what keeps a transform fast."""
    out = np.zeros(len(rows), dtype=bool)
    if rows.all():
        return test(arr)
    if rows.any():
        idx = np.flatnonzero(rows)
        out[idx] = test(arr.take(pa.array(idx)))
    return out


def in_set(arr: pa.Array, values: Sequence[str]) -> np.ndarray:
    return mask(pc.is_in(arr, value_set=pa.array(list(values), type=TEXT)))


def lookup(keys: pa.Array, table: Mapping[str, str]) -> pa.Array:
    """Map text through a small dict; keys not in it -> null."""
    src = pa.array(list(table.keys()), type=TEXT)
    dst = pa.array(list(table.values()), type=TEXT)
    return pc.take(dst, pc.index_in(keys, value_set=src))


def replace_where(
    arr: pa.Array, rows: np.ndarray, func: Callable[[pa.Array], pa.Array]
) -> pa.Array:
    """Apply an Arrow function only to the rows where `rows` is True (cheap when few are)."""
    if not rows.any():
        return arr
    idx = np.flatnonzero(rows)
    sub = func(arr.take(pa.array(idx)))
    return pc.replace_with_mask(arr, pa.array(rows, type=pa.bool_()), sub.cast(arr.type))


def distinct(arr: pa.Array) -> tuple[np.ndarray, list[str | None]]:
    """(codes, uniques): codes[i] indexes uniques for row i, -1 for null."""
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    return codes, enc.dictionary.to_pylist()


def per_distinct(arr: pa.Array, func: Callable[[str], str | None]) -> pa.Array:
    """Apply a Python text -> text function once per distinct non-null value."""
    codes, uniques = distinct(arr)
    out = pa.array([func(u) for u in uniques] + [None], type=TEXT)
    return out.take(pa.array(np.where(codes < 0, len(uniques), codes)))


# ---------------------------------------------------------------- cleaning

_PLACEHOLDER_TEXT = """
không có|không|ko có|ko|k có|k|kcó|khong co|khong|chưa có|chưa|chua co|chua|không rõ|khong ro
chưa rõ|chua ro|không xác định|khong xac dinh|kxđ|kxd|chưa cập nhật|chua cap nhat|đang cập nhật
dang cap nhat|không có số|khong co so|không có sđt|khong co sdt|chưa có sđt|chua co sdt
không có email|khong co email|không có mail|khong co mail|trống|trong|n/a|na|#n/a|n.a|null|none
nil|nan|undefined|unknown|x|xx|xxx|?|??|0|00|kco|kc|k.co|k.có|k/c|kcó|ko co
"""
PLACEHOLDERS: frozenset[str] = frozenset(
    w.strip() for w in _PLACEHOLDER_TEXT.replace("\n", "|").split("|") if w.strip()
)

_PUNCT_ONLY = r"^[\-–—_.,:;/\\?*#=+~'\"` 0]*$"


# any character that is not printable ASCII or a precomposed Vietnamese letter: controls,
# odd spaces, invisible characters, combining marks (NFD), other scripts. Rows holding one go
# through the slower, exact per-distinct cleaning; the rest is NFC already.
_NOT_PLAIN = r"[^\x20-\x7e\x{c0}-\x{1b0}\x{1ea0}-\x{1ef9}]"
_SPACE_LIKE_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def _clean_one(text: str) -> str:
    text = _INVISIBLE_RE.sub("", text)
    text = _SPACE_LIKE_RE.sub(" ", text)
    return unicodedata.normalize("NFC", text)


def clean_text(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """NFC, every space-like run -> one space, invisible characters removed, trimmed.
    Returns (cleaned, placeholder): empty values and placeholders ('không có', 'n/a', '-',
    '0', 'null', '.', ...) become null; `placeholder` marks the latter."""
    arr = replace_where(arr, matches(arr, _NOT_PLAIN), lambda a: per_distinct(a, _clean_one))
    arr = replace_where(
        arr,
        mask(pc.match_substring(arr, "  ")),
        lambda a: pc.replace_substring_regex(a, " {2,}", " "),
    )
    arr = pc.utf8_trim(arr, " ")
    empty = lengths(arr) == 0
    placeholder = ~empty & (
        in_set(pc.utf8_lower(arr), tuple(PLACEHOLDERS)) | matches(arr, _PUNCT_ONLY)
    )
    gone = empty | placeholder
    if gone.any():
        arr = where(gone, None, arr)
    return arr, placeholder


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------- results


def finish(
    index: pd.Index,
    normalized: pa.Array,
    codes: Mapping[str, np.ndarray],
    missing: np.ndarray,
    *,
    prefix: str = "",
) -> pd.DataFrame:
    """Build `normalized, status, issues` from per-code boolean masks.

    status = `missing` where `missing`, else the most severe status implied by the row's codes
    (ok when none). issues = the row's codes, ';'-joined, in registry order of `codes`.
    Distinct code combinations are few, so each is formatted once.
    """
    names = list(codes)
    for name in names:
        if name not in CODES:
            raise KeyError(f"unregistered issue code {name!r}")
    n = len(index)
    if len(names) > 62:
        raise ValueError("too many codes for one field")
    bits = np.zeros(n, dtype=np.int64)
    for i, name in enumerate(names):
        m = codes[name]
        if m.any():
            bits |= m.astype(np.int64) << i
    bits |= missing.astype(np.int64) << 62
    inverse, uniq = pd.factorize(bits, sort=False)
    statuses: list[str] = []
    issues: list[str] = []
    for b in uniq.tolist():
        row_codes = [names[i] for i in range(len(names)) if b >> i & 1]
        issues.append(";".join(row_codes))
        if b >> 62 & 1:
            statuses.append(MISSING)
        else:
            sev = max((SEVERITY[CODES[c].status] for c in row_codes), default=0)
            statuses.append(STATUSES[sev])
    take = pa.array(inverse)
    out = pd.DataFrame(
        {
            f"{prefix}normalized": to_series(where(missing, None, normalized), index),
            f"{prefix}status": to_series(pa.array(statuses, type=TEXT).take(take), index),
            f"{prefix}issues": to_series(pa.array(issues, type=TEXT).take(take), index),
        },
        index=index,
    )
    return out


def legacy_encoding(arr: pa.Array) -> np.ndarray:
    """Rows whose text looks like TCVN3/VNI text read as Unicode (see transforms/legacy_text)."""
    return matches(arr, LEGACY_PATTERN)


LEGACY_CODE = "TEXT_LEGACY_ENCODING"


def flag_legacy(result: pd.DataFrame, values: pd.Series) -> pd.DataFrame:
    """A `normalized / status / issues` frame with the rows whose input looks like TCVN3/VNI
    mojibake marked: TEXT_LEGACY_ENCODING first among the issues, status invalid (a missing
    value stays missing). For transforms that decide their statuses themselves (address)."""
    legacy = legacy_encoding(as_text(values)) & (result["status"] != MISSING).to_numpy(bool)
    if not legacy.any():
        return result
    out = result.copy()
    rows = out.index[legacy]
    issues = out.loc[rows, "issues"].fillna("")
    out.loc[rows, "issues"] = [
        LEGACY_CODE if not i else f"{LEGACY_CODE};{i}" for i in issues.tolist()
    ]
    out.loc[rows, "status"] = INVALID
    return out

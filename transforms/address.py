"""Address normalization: NFC, abbreviations expanded, the 2025 ward resolved, street kept.

`normalize_address(addresses)` returns, per row, `normalized` ("<street>, <ward>, <province>"),
`status` (ok | fixed | ambiguous | invalid | missing), `issues` (codes joined by ';', see
`ADDRESS_CODES`), `ward` ("Phường Hạc Thành") and `province` ("Tỉnh Thanh Hóa").

Speed: addresses repeat heavily. Each distinct address is cleaned once; its administrative
tail is then looked up segment by segment from the right ("Tỉnh Thanh Hóa", then "Huyện Hà
Trung, Tỉnh Thanh Hóa", ...) in a per-call cache, so each distinct administrative part is
resolved once (`address_resolve.resolve_admin`), not each row. Nothing is read but the local
reference data (`admin_units`); no network, no clock; the input is never modified.
"""

from __future__ import annotations

import math
import re
import unicodedata

import numpy as np
import pandas as pd

from . import address_resolve as _resolve
from .address_codes import ADDR_MISSING, ADDRESS_CODES
from .admin_units import legacy_units, load_reference, wards_2025
from .vn_fold import fold

__all__ = ["ADDRESS_CODES", "OUTPUT_COLUMNS", "legacy_units", "normalize_address", "wards_2025"]

OUTPUT_COLUMNS = ("normalized", "status", "issues", "ward", "province")
_MAX_TAIL_SEGMENTS = 6  # an administrative tail never spans more comma-separated parts

_PLACEHOLDERS = frozenset(
    [
        "khongco",
        "kco",
        "ko",
        "khong",
        "kc",
        "khongro",
        "kxd",
        "khongxacdinh",
        "chuaco",
        "chuacapnhat",
        "na",
        "none",
        "null",
        "nan",
        "nil",
        "x",
        "xx",
    ]
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\u200b-\u200f]+")
_DASH = re.compile(r"\s*[–—]\s*|\s+-\s*|\s*-\s+|(?<=[^\W_])-(?=[^\W\d_])")
# Before a written unit type, a missing comma ("Thôn 3 Xã Hà Bình Huyện Hà Trung").
_UNIT_START = re.compile(
    r"\s+(?=(?:xã|xa|phường|phuong|thị\s+trấn|thi\s+tran|huyện|huyen|thị\s+xã|thi\s+xa|"
    r"thành\s+phố|thanh\s+pho|tỉnh(?!\s+lộ)|tinh(?!\s+lo)|quận|quan)\s|(?:p|ph|x|h|q)\.|"
    r"(?:tt|tx|tp)[.\s])",
    re.IGNORECASE,
)
_STREET_PREFIX = re.compile(
    r"^(số\s+nhà|so\s+nha|s\.?n|khu\s+phố|khu\s+pho|k\.?p|tổ\s+dân\s+phố|to\s+dan\s+pho|tdp|"
    r"thôn|thon|xóm|xom|bản|ban|tổ|to|khối|khoi)(?![^\W\d_])\.?\s*",
    re.IGNORECASE,
)
_STREET_CANON = {
    "sốnhà": "Số nhà",
    "sonha": "Số nhà",
    "sn": "Số nhà",
    "s.n": "Số nhà",
    "khuphố": "Khu phố",
    "khupho": "Khu phố",
    "kp": "Khu phố",
    "k.p": "Khu phố",
    "tổdânphố": "Tổ dân phố",
    "todanpho": "Tổ dân phố",
    "tdp": "Tổ dân phố",
    "thôn": "Thôn",
    "thon": "Thôn",
    "xóm": "Xóm",
    "xom": "Xóm",
    "bản": "Bản",
    "ban": "Bản",
    "tổ": "Tổ",
    "to": "Tổ",
    "khối": "Khối",
    "khoi": "Khối",
}
_ADMIN_ABBREVIATIONS = (
    (re.compile(r"(?<![^\W_])T\.\s*Ho[aáà]\b", re.IGNORECASE), "Thanh Hóa"),
    (re.compile(r"(?<![^\W_])(?:P|Ph)\.\s*"), "Phường "),
    (re.compile(r"(?<![^\W_])X\.\s*"), "Xã "),
    (re.compile(r"(?<![^\W_])(?:TT|Tt|tt)(?:\.\s*|\s+)"), "Thị trấn "),
    (re.compile(r"(?<![^\W_])(?:TX|Tx|tx)(?:\.\s*|\s+)"), "Thị xã "),
    (re.compile(r"(?<![^\W_])(?:TP|Tp|tp)(?:\.\s*|\s+)"), "Thành phố "),
    (re.compile(r"(?<![^\W_])H\.\s*"), "Huyện "),
    (re.compile(r"(?<![^\W_])Q\.\s*"), "Quận "),
    (re.compile(r"(?<![^\W_])T\.\s*"), "Tỉnh "),
)


def clean_text(raw: str) -> str:
    """NFC, no control characters, single spaces, parts separated by ', '."""
    text = raw if raw.isascii() else unicodedata.normalize("NFC", raw)
    if not text.isprintable():
        text = _CONTROL.sub(" ", text)
    text = text.replace(";", ",").replace("|", ",")
    if "-" in text or "–" in text or "—" in text:
        text = _DASH.sub(", ", text)
    parts = (" ".join(p.split()).strip(" .-") for p in text.split(","))
    text = ", ".join(p for p in parts if p)
    if "," not in text:
        text = _UNIT_START.sub(", ", text)
    return text


def is_placeholder(text: str) -> bool:
    """Empty, punctuation only, or a placeholder such as "không có", "n/a", "-", "0"."""
    if len(text) > 24:
        return False
    key = fold(text)
    return not key or key in _PLACEHOLDERS or not key.strip("0")


def expand_abbreviations(text: str) -> str:
    """P./X./TT/TX/TP/H./Q./T. written out, for addresses that could not be resolved."""
    for pattern, full in _ADMIN_ABBREVIATIONS:
        text = pattern.sub(full, text)
    return text


def clean_street(street: str) -> str:
    """Street part: keyword at the start of each part written out ("SN 12" -> "Số nhà 12")."""
    out = []
    for part in street.split(", "):
        m = _STREET_PREFIX.match(part)
        if m:
            canon = _STREET_CANON.get("".join(m.group(1).lower().split()))
            rest = part[m.end() :]
            if canon:
                part = f"{canon} {rest}" if rest else canon
        out.append(part)
    return ", ".join(out)


class _Normalizer:
    """Per-call state: caches keyed by distinct tails and streets (never shared globally)."""

    def __init__(self, province: str) -> None:
        self.ref = load_reference(province)
        self.tails: dict[str, _resolve.Resolution] = {}
        self.streets: dict[str, str] = {}

    def resolve_tail(self, tail: str) -> _resolve.Resolution:
        found = self.tails.get(tail)
        if found is None:
            found = _resolve.resolve_admin(tail, self.ref)
            self.tails[tail] = found
        return found

    def one(self, raw: object) -> tuple[object, str, str, object, object]:
        """(normalized, status, issues, ward, province) of one distinct input value."""
        if not isinstance(raw, str):
            if raw is None or raw is pd.NA or (isinstance(raw, float) and math.isnan(raw)):
                return None, "missing", ADDR_MISSING, None, None
            raw = str(raw)
        text = clean_text(raw)
        if is_placeholder(text):
            return None, "missing", ADDR_MISSING, None, None
        cut = len(text)
        for _ in range(_MAX_TAIL_SEGMENTS):
            cut = text.rfind(",", 0, cut)
            tail = text[cut + 1 :]
            res = self.resolve_tail(tail)
            if not res.needs_more or cut < 0:
                break
        issues = ";".join(res.issues)
        if res.ward is None:
            province = self.ref.province if res.status == "ambiguous" else None
            return expand_abbreviations(text), res.status, issues, None, province
        head = text[:cut] if cut > 0 else ""
        leftover = tail[: res.street_end].strip(" ,")
        street = f"{head}, {leftover}" if head and leftover else head or leftover
        if street:
            cleaned = self.streets.get(street)
            if cleaned is None:
                cleaned = self.streets[street] = clean_street(street)
            normalized = f"{cleaned}, {res.ward}, {self.ref.province}"
        else:
            normalized = f"{res.ward}, {self.ref.province}"
        return normalized, res.status, issues, res.ward, self.ref.province


def normalize_address(addresses: pd.Series, *, province: str = "Thanh Hóa") -> pd.DataFrame:
    """Normalize addresses to their 2025 ward (see module docstring). Same index as input."""
    worker = _Normalizer(province)
    codes, uniques = pd.factorize(addresses.to_numpy(dtype=object, na_value=None))
    results = [worker.one(value) for value in uniques]
    results.append(worker.one(None))  # code -1: missing values
    columns = {}
    for i, name in enumerate(OUTPUT_COLUMNS):
        per_unique = np.empty(len(results), dtype=object)
        per_unique[:] = [r[i] for r in results]
        columns[name] = pd.Series(per_unique[codes], index=addresses.index, dtype="str")
    return pd.DataFrame(columns, index=addresses.index)

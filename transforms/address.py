"""Address normalization: NFC, abbreviations expanded, the 2025 ward resolved, street kept.

`normalize_address(addresses)` returns, per row, `normalized` ("<street>, <ward>, <province>"),
`status` (ok | fixed | ambiguous | invalid | missing), `issues` (codes joined by ';', see
`ADDRESS_CODES`), `ward` ("Phường Hạc Thành") and `province` ("Tỉnh Thanh Hóa").

Speed: addresses repeat heavily, so nothing is done per row but a hash lookup.
1. Rows are factorized (Arrow hashing) into distinct values; results are taken back by code.
2. A distinct value "<first part>, <rest>" whose rest alone holds the commune (the usual
   "Thôn 3, Xã .., Huyện .., Tỉnh ..") is answered from a cache keyed by the rest: only the
   first part is cleaned per value.
3. Otherwise the cleaned text is read from the right one comma-part at a time ("Tỉnh Thanh
   Hóa", then "Huyện Hà Trung", then "Xã Hà Bình, Huyện Hà Trung") through a cache keyed by
   those tails, so each distinct administrative part is resolved once
   (`address_resolve.resolve_admin`); a last part that is only the province is set aside so
   its many spellings share the entries below it. Tails whose words read alike ("Xã Hà
   Bình, huyện Hà Trung", "xã Hà Bình, Huyện Hà Trung") share one reading
   (`address_resolve.resolve_alike`).
Nothing is read but the local reference data (`admin_units`); no network, no clock; the input
is never modified. Caches live for one call.
"""

from __future__ import annotations

import math
import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import address_resolve as _resolve
from .address_codes import ADDR_MISSING, ADDRESS_CODES
from .admin_units import legacy_units, load_reference, wards_2025
from .vn_fold import fold

__all__ = ["ADDRESS_CODES", "OUTPUT_COLUMNS", "legacy_units", "normalize_address", "wards_2025"]

OUTPUT_COLUMNS = ("normalized", "status", "issues", "ward", "province")
_MAX_TAIL_SEGMENTS = 6  # an administrative tail never spans more comma-separated parts

# Folded placeholders: "không có", "không rõ", "KXĐ", "chưa cập nhật", "n/a", "null" ...
_PLACEHOLDERS = frozenset(
    [
        "khongco",
        "khongcodiachi",
        "kco",
        "ko",
        "khong",
        "kc",
        "khongro",
        "kxd",
        "khongxacdinh",
        "chuaco",
        "chuacodiachi",
        "chuacapnhat",
        "dangcapnhat",
        "chuaro",
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
_PLACEHOLDER_MAX = 24
_UNSEEN = object()
_SPECIAL = re.compile(r"[;|()\-–—]")
_REMARK = re.compile(r"\s*\([^()]*\)")
_EDGE = frozenset(" .-,")
_DASH = re.compile(  # the lookahead only skips, fast, the places no alternative can start
    r"(?=[\s\-–—])(?:\s*[–—]\s*|\s+-\s*|\s*-\s+)|(?<=[^\W_])-(?=[^\W\d_])"
)
# Before a written unit type, a missing comma ("Thôn 3 Xã Hà Bình Huyện Hà Trung").
_UNIT_START = re.compile(
    r"(?<!thị)(?<!thi)\s+(?=(?:xã|xa|phường|phuong|thị\s+trấn|thi\s+tran|huyện|huyen|thị\s+xã|thi\s+xa|"
    r"thành\s+phố|thanh\s+pho|tỉnh(?!\s+lộ)|tinh(?!\s+lo)|quận)\s|(?:p|ph|x|h|q)\.|"
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
    tidy = text.isprintable()
    if not tidy:
        text = _CONTROL.sub(" ", text)
    if ";" in text or "|" in text:
        text = text.replace(";", ",").replace("|", ",")
    if "-" in text or "–" in text or "—" in text:
        text = _DASH.sub(", ", text)
    tidy = (
        tidy
        and "  " not in text
        and " ," not in text
        and ",," not in text
        and ", ," not in text
        and text.count(",") == text.count(", ")
        and text[:1] not in _EDGE
        and text[-1:] not in _EDGE
    )
    if not tidy:
        parts = [" ".join(p.split()).strip(" .-") for p in text.split(",")]
        text = ", ".join(filter(None, parts))  # the parts left empty dropped
    if "," not in text:
        text = _UNIT_START.sub(", ", text)
    return text


def is_placeholder(text: str) -> bool:
    """Empty, punctuation only, or a placeholder such as "không có", "n/a", "-", "0"."""
    if len(text) > _PLACEHOLDER_MAX:
        return False
    key = fold(text, "")
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


class _Tail:
    """A resolved tail with the pieces each row needs, built once."""

    __slots__ = ("res", "issues", "suffix")

    def __init__(self, res: _resolve.Resolution, province: str) -> None:
        self.res = res
        self.issues = ";".join(res.issues)
        self.suffix = f"{res.ward}, {province}" if res.ward else ""


class _Normalizer:
    """Per-call state: caches keyed by distinct tails and streets (never shared globally)."""

    def __init__(self, province: str) -> None:
        self.ref = load_reference(province)
        self.province = self.ref.province
        self.tails: dict[str, _Tail] = {}
        self.tails_after_province: dict[str, _Tail] = {}
        self.rests: dict[str, tuple[str, _Tail] | None] = {}
        self.streets: dict[str, str] = {}
        self.heads: dict[str, str] = {}  # first part -> _plain_part of it
        self.readings: dict = {}  # resolve_alike's memo: tails whose words read alike

    def resolve_tail(self, tail: str, province_seen: bool) -> _Tail:
        cache = self.tails_after_province if province_seen else self.tails
        found = cache.get(tail)
        if found is None:
            res = _resolve.resolve_alike(tail, self.ref, province_seen, self.readings)
            found = cache[tail] = _Tail(res, self.province)
        return found

    def one(self, raw: object) -> tuple[object, str, str, object, object]:
        """(normalized, status, issues, ward, province) of one distinct input value; the
        normalized text always NFC (an expansion may meet a combining mark left behind it:
        'T.HOÀ' + U+0300 read as 'Thanh Hóa' + U+0300)."""
        out = self._one(raw)
        text = out[0]
        if type(text) is str and not text.isascii() and not unicodedata.is_normalized("NFC", text):
            return (unicodedata.normalize("NFC", text), *out[1:])
        return out

    def _one(self, raw: object) -> tuple[object, str, str, object, object]:
        if type(raw) is not str:
            if raw is None or raw is pd.NA or (isinstance(raw, float) and math.isnan(raw)):
                return None, "missing", ADDR_MISSING, None, None
            raw = str(raw)
        # Fast path: "<first part>, <rest>" where the rest alone holds the commune (the usual
        # "Thôn 3, Xã .., Huyện .., Tỉnh .."): the rest is read once for all its first parts.
        first_comma = raw.find(",")
        if first_comma > 0:
            rest = raw[first_comma + 1 :]
            entry = self.rests.get(rest, _UNSEEN)
            if entry is _UNSEEN:
                entry = self.rests[rest] = self.rest_entry(rest)
            if entry is not None:
                first = raw[:first_comma]  # "Thôn 3", "Xóm 2": a few thousand distinct
                head = self.heads.get(first)
                if head is None:
                    head = self.heads[first] = _plain_part(first)
                if head:
                    return self.build(head, entry)
        text = clean_text(raw)
        if len(text) <= _PLACEHOLDER_MAX and is_placeholder(text):
            return None, "missing", ADDR_MISSING, None, None
        if "(" in text and ")" in text:
            return self.with_remarks(text)
        return self.resolve(text, "")

    def rest_entry(self, rest: str) -> tuple[str, _Tail] | None:
        """(street part, resolved tail) of a rest that holds the commune itself, else None."""
        if not rest.isprintable() or _SPECIAL.search(rest):
            return None
        text = clean_text(rest)
        if not text:
            return None
        found, street = self.read(text)
        if found.res.needs_more or found.res.ward is None:
            return None
        return street, found

    def build(self, head: str, entry: tuple[str, _Tail]) -> tuple[object, str, str, object, object]:
        rest_street, found = entry
        street = f"{head}, {rest_street}" if rest_street else head
        cleaned = self.streets.get(street)
        if cleaned is None:
            cleaned = self.streets[street] = clean_street(street)
        res = found.res
        return f"{cleaned}, {found.suffix}", res.status, found.issues, res.ward, self.province

    def with_remarks(self, text: str) -> tuple[object, str, str, object, object]:
        """Remarks in parentheses ("(gần chợ)", "(cũ)") are kept with the street, not read."""
        remarks = " ".join(m.strip() for m in _REMARK.findall(text))
        bare = clean_text(_REMARK.sub(" ", text))
        if not remarks or not bare:
            return self.resolve(text, "")
        result = self.resolve(bare, remarks)
        if result[3] is None:  # unresolved: show the text as written
            return (expand_abbreviations(text), *result[1:])
        return result

    def read(self, text: str) -> tuple[_Tail, str]:
        """Read the tail part by part from the right until the commune is found; a last part
        that is only the province is set aside so tails are shared across its spellings.
        Returns the resolved tail and the street text left of it (uncleaned)."""
        end = cut = len(text)
        province_seen = False
        for _ in range(_MAX_TAIL_SEGMENTS):
            cut = text.rfind(",", 0, cut)
            tail = text[cut + 1 : end]
            found = self.resolve_tail(tail, province_seen)
            res = found.res
            if res.province_only and cut >= 0:
                province_seen = True
                end = cut
                continue
            if not res.needs_more or cut < 0:
                break
        street = text[:cut] if cut > 0 else ""
        if res.street_end:
            leftover = tail[: res.street_end].strip(" ,")
            street = f"{street}, {leftover}" if street and leftover else street or leftover
        return found, street

    def resolve(self, text: str, remarks: str) -> tuple[object, str, str, object, object]:
        found, street = self.read(text)
        res = found.res
        if res.ward is None:
            province = self.province if res.status == "ambiguous" else res.other_province
            return expand_abbreviations(text), res.status, found.issues, None, province
        if remarks:
            street = f"{street} {remarks}" if street else remarks
        if not street:
            return found.suffix, res.status, found.issues, res.ward, self.province
        cleaned = self.streets.get(street)
        if cleaned is None:
            cleaned = self.streets[street] = clean_street(street)
        return f"{cleaned}, {found.suffix}", res.status, found.issues, res.ward, self.province


def _plain_part(part: str) -> str:
    """One comma-free part, cleaned as clean_text would; '' when it needs the full treatment."""
    if not part.isprintable() or _SPECIAL.search(part):
        return ""
    if not part.isascii():
        part = unicodedata.normalize("NFC", part)
    return " ".join(part.split()).strip(" .-")


def normalize_address(addresses: pd.Series, *, province: str = "Thanh Hóa") -> pd.DataFrame:
    """Normalize addresses to their 2025 ward (see module docstring). Same index as input."""
    worker = _Normalizer(province)
    codes, uniques = _distinct(addresses)
    results = [worker.one(value) for value in uniques]
    results.append(worker.one(None))  # the row of every missing value (code -1)
    indices = pa.array(np.where(codes < 0, len(results) - 1, codes))
    columns = {}
    for name, values in zip(OUTPUT_COLUMNS, zip(*results, strict=True), strict=True):
        per_distinct = pa.array(values, type=pa.large_string())
        taken = pc.take(per_distinct, indices)
        columns[name] = pd.Series(pd.array(taken, dtype="str"), index=addresses.index, copy=False)
    return pd.DataFrame(columns, index=addresses.index, copy=False)


def _distinct(addresses: pd.Series) -> tuple[np.ndarray, list]:
    """Codes into the distinct values (-1 for missing), without touching the input."""
    try:
        codes, uniques = pd.factorize(addresses, use_na_sentinel=True)
    except TypeError:  # unhashable objects in an object column: compare them as text
        as_text = [v if v is None or isinstance(v, str | float) else str(v) for v in addresses]
        codes, uniques = pd.factorize(pd.Series(as_text, dtype=object), use_na_sentinel=True)
    if isinstance(uniques.dtype, pd.StringDtype) and uniques.dtype.storage == "pyarrow":
        # Arrow text (what read_table gives): one conversion, not one Python call per value
        return np.asarray(codes), pa.array(uniques.array).to_pylist()
    return np.asarray(codes), list(uniques)

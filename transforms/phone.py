"""Phone numbers -> E.164 (+84...), phone_type, secondary numbers, otp_ready.

Rules (see docs/ARCHITECTURE.md and docs/DOMAIN.md, "Phone numbers"):
- Excel damage: a trailing '.0' is dropped, a lost leading 0 restored (9-10 digits without 0),
  scientific notation ('9.12E+8') is invalid (digits are lost).
- 2018: old 11-digit mobiles are mapped by data/mobile_prefix_2018.csv (last 7 digits kept).
- 2017: old landline area codes are mapped by data/landline_area_codes_2017.csv (old code +
  7 digits, Hanoi/HCMC old code + 8 digits).
- The clash: a number valid both as a new mobile and, read as an old landline, as a mapped
  landline. With the province's own old code (rules.local_area_codes, Thanh Hóa 037) it is the
  landline when the record is dated before `rules.mobile_renumbering_date`, the mobile when
  dated on/after it, `ambiguous` when undated; the date is the CMIS row's validity start
  (`valid_from`, NGAY_HLUC) when known, else the contract date. With another province's old
  code it is the mobile (PHONE_OTHER_PROVINCE_CODE), unless the row's validity start is before
  the renumbering (only the landline existed then); a contract date does not count there.
- A bare 7-digit number is a landline of the province: its new area code is added.
- Excel scientific notation is repaired only when it still shows every digit
  ('9.15286431E+08'); '9.12E+08' lost digits and is invalid.
- Validity and type come from phonenumbers' own metadata for VN (the very patterns
  `is_valid_number`/`number_type` use), applied vectorized: tests check the two agree.
- Several numbers in one field: the first valid mobile not annotated as someone else's is the
  primary; every other valid number goes to `phone_secondary` (E.164, ';'-joined). With two
  or more such mobiles and no note saying which is the holder's ('chủ hộ', 'chính chủ'), the
  choice is a guess: PHONE_PRIMARY_GUESSED, ambiguous.
- Annotations like '(vợ)', 'SĐT con', 'bố', 'hàng xóm' mark a number as a relative's (or
  another person's): PHONE_OF_RELATIVE / PHONE_OF_OTHER_PERSON on the field when they apply
  to the primary number, so validators can demand the holder's consent.
- otp_ready: status ok/fixed, type mobile, and not annotated as a relative's or another
  person's number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from cmis_migrate.config import RulesConfig
from cmis_migrate.transforms.codes import AMBIGUOUS, CODES, INVALID, MISSING
from cmis_migrate.transforms.common import (
    TEXT,
    as_text,
    clean_text,
    concat,
    distinct,
    finish,
    fullmatch,
    in_set,
    lengths,
    lookup,
    mask,
    matches,
    on_rows,
    per_distinct,
    replace_where,
    to_series,
    where,
)
from cmis_migrate.transforms.reference import (
    landline_codes_2017,
    landline_rows_2017,
    mobile_prefixes_2018,
)
from cmis_migrate.transforms.vn_fold import fold

MOBILE, FIXED_LINE, UNKNOWN = "mobile", "fixed", "unknown"
PHONE_TYPES = (MOBILE, FIXED_LINE, UNKNOWN)

# kinds of a national number, from phonenumbers' VN metadata
K_INVALID, K_FIXED, K_MOBILE, K_SERVICE, K_EITHER = 0, 1, 2, 3, 4

_REL_NONE, _REL_RELATIVE, _REL_OTHER, _REL_HOLDER = 0, 1, 2, 3


# ---------------------------------------------------------------- validity (phonenumbers metadata)


@dataclass(frozen=True)
class _Desc:
    pattern: str
    lengths: tuple[int, ...]


@lru_cache(maxsize=1)
def _vn_metadata() -> tuple[_Desc, list[_Desc], _Desc | None, _Desc | None, bool]:
    md = phonenumbers.PhoneMetadata.metadata_for_region("VN")

    def desc(d) -> _Desc | None:
        if d is None or not d.national_number_pattern:
            return None
        return _Desc(d.national_number_pattern, tuple(d.possible_length or ()))

    general = desc(md.general_desc)
    assert general is not None
    # the order of phonenumberutil._number_type_helper
    services = [
        d
        for d in (
            desc(md.premium_rate),
            desc(md.toll_free),
            desc(md.shared_cost),
            desc(md.voip),
            desc(md.personal_number),
            desc(md.pager),
            desc(md.uan),
            desc(md.voicemail),
        )
        if d is not None
    ]
    return (
        general,
        services,
        desc(md.fixed_line),
        desc(md.mobile),
        bool(md.same_mobile_and_fixed_line_pattern),
    )


def _matches_desc(
    nsn: pa.Array, nsn_len: np.ndarray, d: _Desc | None, rows: np.ndarray
) -> np.ndarray:
    """phonenumberutil._is_number_matching_desc on `rows` (False elsewhere)."""
    if d is None or not rows.any():
        return np.zeros(len(rows), dtype=bool)
    ok = rows & np.isin(nsn_len, d.lengths) if d.lengths else rows.copy()
    return on_rows(nsn, ok, lambda a: fullmatch(a, d.pattern))


def number_kinds(national: pa.Array) -> np.ndarray:
    """Kind of each national number written with its leading 0 ('0912345678'): K_INVALID,
    K_FIXED, K_MOBILE, K_SERVICE (toll-free, premium, VoIP, UAN...) or K_EITHER. Mirrors
    phonenumbers.number_type(parse(n, 'VN')) and is_valid_number, vectorized."""
    general, services, fixed, mobile, same = _vn_metadata()
    n = len(national)
    starts0 = mask(pc.starts_with(national, "0"))
    nsn = pc.utf8_slice_codeunits(national, 1)
    nsn_len = lengths(nsn)
    # a VN national significant number never starts with 0
    undecided = starts0 & ~mask(pc.starts_with(nsn, "0")) & (nsn_len > 0)
    undecided &= _matches_desc(nsn, nsn_len, general, undecided)
    kinds = np.zeros(n, dtype=np.int8)
    # service types, in phonenumbers' order; one combined pass first since they are rare
    any_service = _matches_desc(nsn, nsn_len, _combined(services), undecided)
    for d in services:
        hit = _matches_desc(nsn, nsn_len, d, undecided & any_service)
        kinds[hit] = K_SERVICE
        undecided &= ~hit
    is_fixed = _matches_desc(nsn, nsn_len, fixed, undecided)
    if same:
        kinds[is_fixed] = K_EITHER
    else:
        either = is_fixed & _matches_desc(nsn, nsn_len, mobile, is_fixed)
        kinds[is_fixed & ~either] = K_FIXED
        kinds[either] = K_EITHER
        undecided &= ~is_fixed
        kinds[_matches_desc(nsn, nsn_len, mobile, undecided)] = K_MOBILE
    return kinds


@lru_cache(maxsize=4)
def _combined_cached(services: tuple[_Desc, ...]) -> _Desc | None:
    if not services:
        return None
    lengths_ = (
        tuple(sorted({n for d in services for n in d.lengths}))
        if all(d.lengths for d in services)
        else ()
    )
    return _Desc("|".join(f"(?:{d.pattern})" for d in services), lengths_)


def _combined(services: list[_Desc]) -> _Desc | None:
    return _combined_cached(tuple(services))


# ---------------------------------------------------------------- splitting a messy field

_EXCEL_IN_TEXT = re.compile(r"(?<![\d.,])(\d{8,12})\.0+(?![\d.,])")
_RUN = re.compile(r"(?:\+\s?)?\d(?:[\d .()\-]*\d)?")
_GROUPS = re.compile(r"[ .()\-]+")
_SEPARATOR = re.compile(r"[,;/|&]|\s[-–—]\s|\b(?:hoặc|hoac|và|va|or)\b", re.IGNORECASE)
# words marking someone else's number; matched on the folded text (no diacritics), so only
# words that stay unambiguous without their tone marks are listed
_RELATIVE = re.compile(
    r"\b(?:vo|chong|con|con trai|con gai|con dau|con re|bo|me|cha|ma|ong noi|ba noi|ong ngoai|"
    r"ba ngoai|chau|anh trai|chi gai|em trai|em gai|nguoi nha|gia dinh)\b"
)
_OTHER_PERSON = re.compile(r"\b(?:hang xom|nguoi quen|ban|nho|nha ben canh|dong nghiep)\b")
_HOLDER = re.compile(r"\b(?:chu ho|chinh chu|chu hop dong|chu hd|ban than)\b")
# folded words that only make sense for 'no phone' ('không có số', 'chưa có')
_NO_PHONE = re.compile(r"^(?:khong|chua|ko|k co|kco|ko co|khong co)\b")


def _relation(piece: str) -> int:
    f = fold(piece)
    if not f:
        return _REL_NONE
    # "bố", "mẹ", "má", "bà" fold to "bo", "me", "ma", "ba": check the written text for these
    # short words so that "ba" (three) or "ma" do not count without their tone mark
    if _RELATIVE.search(f) and _relative_written(piece):
        return _REL_RELATIVE
    if _OTHER_PERSON.search(f):
        return _REL_OTHER
    if _HOLDER.search(f):
        return _REL_HOLDER
    return _REL_NONE


_SHORT_FOLDED = {"bo", "me", "ma", "cha", "con", "vo"}
_SHORT_WRITTEN = re.compile(r"(?<!\w)(?:bố|mẹ|má|cha|con|vợ|vo|chồng)(?!\w)", re.IGNORECASE)


def _relative_written(piece: str) -> bool:
    words = set(_RELATIVE.findall(fold(piece)))
    if words - _SHORT_FOLDED:
        return True
    return bool(_SHORT_WRITTEN.search(piece.lower()))


def _bounds(acc: str, plus: bool) -> tuple[int, int]:
    if acc.startswith("0084"):
        return 13, 14 if acc[4:5] == "0" else 13
    if plus or acc.startswith("84"):
        return 11, 13 if acc[2:3] == "0" else 12
    if acc.startswith("0"):
        return 10, 11
    return 9, 10


def _segment(run: str) -> list[tuple[str, bool]]:
    """Digits of one run of digit groups, split into numbers by plausible lengths."""
    plus = run.startswith("+")
    groups = [g for g in _GROUPS.split(run.lstrip("+ ")) if g]
    out: list[tuple[str, bool]] = []
    acc, acc_plus = "", plus
    for g in groups:
        if not acc:
            acc = g
            continue
        lo, hi = _bounds(acc, acc_plus)
        if len(acc) + len(g) > hi or (len(acc) >= lo and g[0] in "0+"):
            out.append((acc, acc_plus))
            acc, acc_plus = g, False
        else:
            acc += g
    if acc:
        out.append((acc, acc_plus))
    return out


@dataclass(frozen=True)
class _Parsed:
    numbers: tuple[tuple[str, bool, int], ...]  # (digits, had '+', relation)
    excel: bool
    placeholder: bool


def _parse_field(text: str) -> _Parsed:
    """Split a field that is not a single plain number: several numbers, annotations."""
    fixed = _EXCEL_IN_TEXT.sub(r"\1", text)
    excel = fixed != text
    found: list[list] = []  # [digits, plus, relation]
    pieces: list[tuple[str, int, int | None]] = []  # (text, previous index, next index)
    last = 0
    for m in _RUN.finditer(fixed):
        pieces.append((fixed[last : m.start()], len(found) - 1, len(found)))
        for digits, plus in _segment(m.group()):
            found.append([digits, plus, _REL_NONE])
        last = m.end()
    pieces.append((fixed[last:], len(found) - 1, None))
    if not found:
        return _Parsed((), excel, bool(_NO_PHONE.match(fold(text))))
    for piece, prev, nxt in pieces:
        _attach(piece, prev, nxt, found)
    long_enough = [f for f in found if len(f[0]) >= 7]
    kept = long_enough or found[:1]
    return _Parsed(tuple((d, p, r) for d, p, r in kept), excel, False)


def _attach(piece: str, prev: int, nxt: int | None, found: list[list]) -> None:
    if not piece.strip():
        return
    parts = _SEPARATOR.split(piece)
    if prev < 0:
        targets = [(piece, nxt)]
    elif nxt is None:
        targets = [(piece, prev)]
    elif len(parts) > 1:
        targets = [(parts[0], prev), (parts[-1], nxt)]
    else:
        targets = [(piece, nxt if piece.rstrip().endswith(":") else prev)]
    for txt, target in targets:
        if target is None:
            continue
        rel = _relation(txt)
        if rel and (found[target][2] == _REL_NONE or rel == _REL_RELATIVE):
            found[target][2] = rel


# ---------------------------------------------------------------- classifying candidates


@dataclass
class _Classified:
    national: pa.Array  # chosen reading, with leading 0
    kind: np.ndarray
    ambiguous: np.ndarray
    codes: dict[str, np.ndarray]


def _prefix_maps() -> tuple[dict[str, str], dict[int, dict[str, str]]]:
    land: dict[int, dict[str, str]] = {}
    for old, new in landline_codes_2017().items():
        land.setdefault(len(old), {})[old] = new
    return mobile_prefixes_2018(), land


@lru_cache(maxsize=8)
def local_area_codes(rules: RulesConfig) -> tuple[tuple[str, ...], str | None]:
    """(the province's old landline codes, the new code of the first): rules.local_area_codes,
    or the province's row(s) of data/landline_area_codes_2017.csv."""
    rows = landline_rows_2017()
    if rules.local_area_codes is not None:
        old = tuple(rules.local_area_codes)
    else:
        key = fold(rules.province, "")
        old = tuple(o for p, o, _ in rows if fold(p, "") == key)
    new = next((nw for _, o, nw in rows if old and o == old[0]), None)
    return old, new


@dataclass(frozen=True)
class _Dates:
    """Per candidate: the contract date and the row's validity start against the renumbering."""

    before: np.ndarray
    after: np.ndarray
    valid_before: np.ndarray
    valid_after: np.ndarray

    def take(self, rows: np.ndarray) -> _Dates:
        return _Dates(
            self.before[rows], self.after[rows], self.valid_before[rows], self.valid_after[rows]
        )


def _classify(
    digits: pa.Array, plus: np.ndarray, dates: _Dates, local: tuple[tuple[str, ...], str | None]
) -> _Classified:
    n = len(digits)
    local_codes, local_new = local
    mobile_map, land_map = _prefix_maps()
    intl00 = mask(pc.starts_with(digits, "0084"))
    d = replace_where(digits, intl00, lambda a: pc.utf8_slice_codeunits(a, 2))
    plus = plus | intl00
    dlen = lengths(d)
    starts84 = mask(pc.starts_with(d, "84"))
    intl = starts84 & (plus | (dlen >= 11))
    foreign = plus & ~starts84
    rest = pc.utf8_slice_codeunits(d, 2)
    rest = where(mask(pc.starts_with(rest, "0")), rest, concat("0", rest))
    nat = where(intl, rest, d)
    nlen = lengths(nat)
    no0 = ~intl & ~foreign & ~mask(pc.starts_with(nat, "0"))
    # service numbers (1800..., 1900...) are written without a 0: not a lost zero
    service_style = no0 & fullmatch(nat, "1[89]00[0-9]{4,6}")
    lost0 = no0 & ~service_style & np.isin(nlen, (9, 10))
    nat = where(lost0 | service_style, concat("0", nat), nat)
    # a bare 7-digit number: a landline of the province written without its area code
    bare7 = no0 & ~plus & (nlen == 7) & (local_new is not None)
    if bare7.any():
        nat = where(bare7, concat(local_new or "", nat), nat)
    nlen = lengths(nat)

    # reading A: as written, old 11-digit mobiles mapped (2018)
    p4 = pc.utf8_slice_codeunits(nat, 0, 4)
    old_mobile = (nlen == 11) & in_set(p4, tuple(mobile_map))
    reading_a = where(
        old_mobile, concat(lookup(p4, mobile_map), pc.utf8_slice_codeunits(nat, 4)), nat
    )
    # reading B: an old landline (2017): old code + 7 digits (Hanoi 04 / HCMC 08: + 8 digits)
    reading_b = pa.nulls(n, type=TEXT)
    has_b = np.zeros(n, dtype=bool)
    b_local = np.zeros(n, dtype=bool)
    for code_len, table in land_map.items():
        total = code_len + (8 if code_len == 2 else 7)
        pk = pc.utf8_slice_codeunits(nat, 0, code_len)
        hit = (nlen == total) & ~old_mobile & in_set(pk, tuple(table))
        if hit.any():
            mapped = concat(lookup(pk, table), pc.utf8_slice_codeunits(nat, code_len))
            reading_b = where(hit, mapped, reading_b)
            has_b |= hit
            if local_codes:
                b_local |= on_rows(pk, hit, lambda a: in_set(a, local_codes))
    has_b &= ~mask(pc.equal(reading_b, nat))

    kind_a = number_kinds(reading_a)
    kind_a[foreign] = K_INVALID
    kind_b = np.full(n, K_INVALID, dtype=np.int8)
    b_rows = has_b & ~foreign
    if b_rows.any():
        idx = np.flatnonzero(b_rows)
        kind_b[idx] = number_kinds(reading_b.take(pa.array(idx)))
    valid_a = kind_a != K_INVALID
    valid_b = kind_b == K_FIXED
    clash = valid_a & valid_b
    local_clash, other_clash = clash & b_local, clash & ~b_local
    # the local code: the row's validity start when known, else the contract date
    known = dates.valid_before | dates.valid_after
    before = dates.valid_before | (~known & dates.before)
    after = dates.valid_after | (~known & dates.after)
    landline_by_date = (local_clash & before) | (other_clash & dates.valid_before)
    choose_b = valid_b & (~valid_a | landline_by_date)
    ambiguous = local_clash & ~before & ~after
    national = where(choose_b, reading_b, reading_a)
    kind = np.where(choose_b, K_FIXED, kind_a).astype(np.int8)
    valid = valid_a | valid_b
    codes = {
        "PHONE_LEADING_ZERO_RESTORED": lost0 & valid,
        "PHONE_PREFIX_2018": old_mobile & valid_a & ~choose_b,
        "PHONE_AREA_CODE_2017": choose_b,
        "PHONE_LOCAL_AREA_CODE_ADDED": bare7 & valid,
        "PHONE_LANDLINE_BY_DATE": landline_by_date,
        "PHONE_MOBILE_BY_DATE": local_clash & after,
        "PHONE_OTHER_PROVINCE_CODE": other_clash & ~dates.valid_before,
        "PHONE_LANDLINE_OR_MOBILE": ambiguous,
        "PHONE_SERVICE_NUMBER": kind == K_SERVICE,
        "PHONE_FOREIGN": foreign,
        "PHONE_INVALID": ~valid & ~foreign,
    }
    return _Classified(national, kind, ambiguous, codes)


# ---------------------------------------------------------------- the field transform

_SCIENTIFIC = r"[0-9]+(?:[.,][0-9]+)?[eE]\+?[0-9]+"
_EXCEL_DECIMAL = r"\+?[0-9]+\.0+"
_PLAIN = r"\(?\+?\(?[0-9][0-9 .()\-]*"
_LIST_SEPARATOR = r"\s*(?:[,;/|&]|\s[-–]\s)\s*"
_NOT_LIST = r"[^0-9 .,;/|&()+\-–]"

OUTPUT_COLUMNS = ("normalized", "status", "issues", "phone_type", "phone_secondary", "otp_ready")


def _split_lists(text: pa.Array, rows: np.ndarray):
    """Vectorized path for fields that are only numbers and separators ('0912.345.678 /
    0987 654 321', '0912345678; 02373851234'): (rows, positions, digits, plus) of the numbers,
    for the rows where every piece is one plain number of 7-12 digits; None when none is.
    Anything else (annotations, space-separated numbers, Excel decimals) is left to
    _parse_field."""
    cand = rows & ~on_rows(text, rows, lambda a: matches(a, _NOT_LIST))
    if not cand.any():
        return None
    idx = np.flatnonzero(cand)
    lists = pc.split_pattern_regex(text.take(pa.array(idx)), _LIST_SEPARATOR)
    pieces = pc.utf8_trim(pc.list_flatten(lists), " ")
    parent = idx[np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False))]
    keep = lengths(pieces) > 0
    pieces = pieces.filter(pa.array(keep))
    parent = parent[keep]
    digits = pc.replace_substring_regex(pieces, "[^0-9]", "")
    dlen = lengths(digits)
    good = (
        fullmatch(pieces, _PLAIN) & ~fullmatch(pieces, _EXCEL_DECIMAL) & (dlen >= 7) & (dlen <= 12)
    )
    bad_rows = np.unique(parent[~good])
    ok_piece = ~np.isin(parent, bad_rows)
    if not ok_piece.any():
        return None
    parent = parent[ok_piece]
    first = np.r_[True, parent[1:] != parent[:-1]]
    starts = np.maximum.accumulate(np.where(first, np.arange(len(parent)), 0))
    pos = (np.arange(len(parent)) - starts).astype(np.int32)
    sel = pa.array(ok_piece)
    return (
        parent.astype(np.int64),
        pos,
        digits.filter(sel),
        mask(pc.match_substring(pieces.filter(sel), "+")),
    )


def _dated(record_dates: pd.Series | None, n: int, cutover: date) -> tuple[np.ndarray, np.ndarray]:
    if record_dates is None:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    iso = as_text(record_dates)
    # ISO 'YYYY-MM-DD' strings compare in date order
    ok = fullmatch(iso, r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
    cut = cutover.isoformat()
    before = ok & mask(pc.less(iso, cut))
    after = ok & ~before
    # a year alone ('2005') decides too, unless it is the cutover's own year
    year_only = fullmatch(iso, "[0-9]{4}")
    if year_only.any():
        year = np.where(
            year_only,
            pc.cast(where(year_only, iso, "0"), pa.int32()).to_numpy(zero_copy_only=False),
            0,
        )
        before |= year_only & (year < cutover.year)
        after |= year_only & (year > cutover.year)
    return before, after


_SCI_PARTS = re.compile(r"([0-9])(?:[.,]([0-9]+))?[eE]\+?([0-9]+)")


def _scientific_digits(text: str) -> str | None:
    """The digits of '9.15286431E+08' when the notation still shows every digit, else None."""
    m = _SCI_PARTS.fullmatch(text)
    if m is None:
        return None
    digits = m[1] + (m[2] or "")
    return digits if len(digits) == int(m[3]) + 1 and 7 <= len(digits) <= 12 else None


def normalize_phones(
    phones: pd.Series,
    *,
    record_dates: pd.Series | None = None,
    valid_from: pd.Series | None = None,
    rules: RulesConfig | None = None,
) -> pd.DataFrame:
    """Normalize a column of phone fields.

    `record_dates`: the contract's date as ISO text ('2016-05-02', or a year '2005'; missing
    when unknown); `valid_from`: the CMIS row's validity start (ISO, NGAY_HLUC), same index;
    they decide the landline/mobile clash. Returns, on the same index: normalized (primary number in
    E.164), status, issues, phone_type (mobile | fixed | unknown), phone_secondary (E.164,
    ';'-joined, '' when none), otp_ready (bool).
    """
    rules = rules or RulesConfig()
    index = phones.index
    n = len(phones)
    raw, placeholder = clean_text(as_text(phones))
    raw = replace_where(raw, mask(pc.starts_with(raw, "'")), lambda a: pc.utf8_ltrim(a, "'"))
    present = ~mask(pc.is_null(raw))
    only_digits = mask(pc.ascii_is_decimal(raw))  # the common case: no regex needed
    other = present & ~only_digits
    scientific = on_rows(raw, other, lambda a: fullmatch(a, _SCIENTIFIC))
    complete = np.zeros(n, dtype=bool)
    if scientific.any():
        sci = per_distinct(where(scientific, raw, None), _scientific_digits)
        complete = scientific & ~mask(pc.is_null(sci))
        raw = where(complete, sci, raw)
        scientific &= ~complete
    excel = on_rows(raw, other, lambda a: fullmatch(a, _EXCEL_DECIMAL))
    text = replace_where(raw, excel, lambda a: pc.replace_substring_regex(a, r"\.0+$", ""))
    digits = replace_where(text, other, lambda a: pc.replace_substring_regex(a, "[^0-9]", ""))
    dlen = lengths(digits)
    plain = only_digits | on_rows(text, other & ~scientific, lambda a: fullmatch(a, _PLAIN))
    simple = present & ~scientific & plain & (dlen >= 1) & (dlen <= 12)
    messy = present & ~scientific & ~simple

    # candidates: one per simple row, one per number found in a messy row
    rows_l: list[np.ndarray] = [np.flatnonzero(simple)]
    pos_l: list[np.ndarray] = [np.zeros(int(simple.sum()), dtype=np.int32)]
    dig_parts: list[pa.Array] = [digits.filter(pa.array(simple))]
    plus_l: list[np.ndarray] = [mask(pc.match_substring(text, "+"))[simple]]
    rel_l: list[np.ndarray] = [np.zeros(int(simple.sum()), dtype=np.int8)]
    no_number = np.zeros(n, dtype=bool)
    several = np.zeros(n, dtype=bool)
    listed = _split_lists(text, messy)
    if listed is not None:
        l_rows, l_pos, l_digits, l_plus = listed
        messy[l_rows] = False
        several[l_rows[l_pos > 0]] = True
        rows_l.append(l_rows)
        pos_l.append(l_pos)
        dig_parts.append(l_digits)
        plus_l.append(l_plus)
        rel_l.append(np.zeros(len(l_rows), dtype=np.int8))
    if messy.any():
        midx = np.flatnonzero(messy)
        codes, uniques = distinct(text.take(pa.array(midx)))
        parsed = [_parse_field(u) for u in uniques]
        r_, p_, d_, pl_, rl_ = [], [], [], [], []
        for row, code in zip(midx.tolist(), codes.tolist(), strict=True):
            res = parsed[code]
            if res.excel:
                excel[row] = True
            if res.placeholder:
                placeholder[row] = True
                continue
            if not res.numbers:
                no_number[row] = True
                continue
            several[row] = len(res.numbers) > 1
            for i, (dg, pl, rl) in enumerate(res.numbers):
                r_.append(row)
                p_.append(i)
                d_.append(dg)
                pl_.append(pl)
                rl_.append(rl)
        rows_l.append(np.asarray(r_, dtype=np.int64))
        pos_l.append(np.asarray(p_, dtype=np.int32))
        dig_parts.append(pa.array(d_, type=TEXT))
        plus_l.append(np.asarray(pl_, dtype=bool))
        rel_l.append(np.asarray(rl_, dtype=np.int8))
    c_row = np.concatenate(rows_l)
    c_pos = np.concatenate(pos_l)
    c_digits = pa.concat_arrays([a.cast(TEXT) for a in dig_parts])
    c_plus = np.concatenate(plus_l)
    c_rel = np.concatenate(rel_l)

    cut = rules.mobile_renumbering_date
    dates = _Dates(*_dated(record_dates, n, cut), *_dated(valid_from, n, cut))
    cls = _classify(c_digits, c_plus, dates.take(c_row), local_area_codes(rules))
    valid = cls.kind != K_INVALID
    usable = valid & (cls.kind != K_SERVICE)
    c_e164 = concat("+84", pc.utf8_slice_codeunits(cls.national, 1))

    # primary: first valid mobile not someone else's, then a relative's mobile, then an
    # ambiguous one, then a landline, then anything (in field order)
    is_mobile = (cls.kind == K_MOBILE) & ~cls.ambiguous
    prio = np.select(
        [
            is_mobile & (c_rel == _REL_HOLDER),
            is_mobile & (c_rel == _REL_NONE),
            is_mobile,
            cls.ambiguous,
            usable,
        ],
        [0, 1, 2, 3, 4],
        default=5,
    )
    # two unannotated mobiles and no note naming the holder's: the primary is a guess
    unnamed = np.bincount(c_row[is_mobile & (c_rel == _REL_NONE)], minlength=n)
    named = np.bincount(c_row[is_mobile & (c_rel == _REL_HOLDER)], minlength=n)
    guessed = (unnamed[:n] >= 2) & (named[:n] == 0)
    order = np.lexsort((c_pos, prio, c_row))
    sorted_rows = c_row[order]
    first = order[np.r_[True, sorted_rows[1:] != sorted_rows[:-1]]] if len(order) else order
    primary = np.zeros(len(c_row), dtype=bool)
    primary[first] = True
    p_row = c_row[first]

    def scatter(values: np.ndarray, fill=False) -> np.ndarray:
        out = np.full(n, fill, dtype=values.dtype)
        out[p_row] = values[first]
        return out

    row_codes: dict[str, np.ndarray] = {"VALUE_PLACEHOLDER": placeholder}
    row_codes["PHONE_EXCEL_DECIMAL"] = excel & present
    for name, m in cls.codes.items():
        row_codes[name] = scatter(m)
    row_codes["PHONE_SCIENTIFIC_NOTATION"] = scientific
    row_codes["PHONE_SCIENTIFIC_COMPLETE"] = complete
    row_codes["PHONE_NO_NUMBER"] = no_number
    kind = scatter(cls.kind, K_INVALID)
    ambiguous = scatter(cls.ambiguous)
    p_valid = scatter(usable)
    row_codes["PHONE_NOT_MOBILE"] = p_valid & (kind == K_FIXED)
    row_codes["PHONE_SEVERAL_NUMBERS"] = several
    row_codes["PHONE_PRIMARY_GUESSED"] = guessed
    others = ~primary
    bad_other = np.zeros(n, dtype=bool)
    bad_other[c_row[others & ~usable]] = True
    row_codes["PHONE_SECONDARY_INVALID"] = bad_other
    unsure_other = np.zeros(n, dtype=bool)
    unsure_other[c_row[others & cls.ambiguous]] = True
    row_codes["PHONE_SECONDARY_AMBIGUOUS"] = unsure_other
    rel = scatter(c_rel.astype(np.int8), _REL_NONE)
    row_codes["PHONE_OF_RELATIVE"] = rel == _REL_RELATIVE
    row_codes["PHONE_OF_OTHER_PERSON"] = rel == _REL_OTHER

    # normalized: the primary in E.164 when usable, else the cleaned text as written
    prim_e164 = pa.nulls(n, type=TEXT)
    if len(first):
        take = np.full(n, -1, dtype=np.int64)
        take[p_row] = first
        prim_e164 = c_e164.take(pa.array(np.where(take >= 0, take, 0)))
        prim_e164 = where(take >= 0, prim_e164, None)
    normalized = where(p_valid, prim_e164, raw)
    missing = ~present | placeholder
    out = finish(index, normalized, row_codes, missing)

    phone_type = np.where(
        ambiguous | ~p_valid,
        UNKNOWN,
        np.where(kind == K_MOBILE, MOBILE, np.where(kind == K_FIXED, FIXED_LINE, UNKNOWN)),
    )
    out["phone_type"] = pd.Series(phone_type, index=index, dtype="str")
    out["phone_secondary"] = _secondary(n, index, c_row, c_pos, others & usable, c_e164)
    # the OTP goes only to a certain mobile of the holder: ok/fixed, no note naming another person
    certain = ~missing & ~np.logical_or.reduce(
        [row_codes[c] for c in row_codes if CODES[c].status in (AMBIGUOUS, INVALID, MISSING)]
    )
    holders = (rel != _REL_RELATIVE) & (rel != _REL_OTHER)
    out["otp_ready"] = pd.Series(
        certain & p_valid & (kind == K_MOBILE) & ~ambiguous & holders, index=index, dtype=bool
    )
    return out


def _secondary(
    n: int, index: pd.Index, rows: np.ndarray, pos: np.ndarray, keep: np.ndarray, e164: pa.Array
) -> pd.Series:
    out = np.full(n, "", dtype=object)
    if keep.any():
        idx = np.flatnonzero(keep)
        idx = idx[np.lexsort((pos[idx], rows[idx]))]
        values = e164.take(pa.array(idx)).to_pylist()
        acc: dict[int, list[str]] = {}
        for r, v in zip(rows[idx].tolist(), values, strict=True):
            acc.setdefault(r, []).append(v)
        for r, vs in acc.items():
            out[r] = ";".join(dict.fromkeys(vs))
    return to_series(pa.array(out, type=TEXT), index)


def phone_kind_names(kinds: Sequence[int]) -> list[str]:
    """Human names of number kinds (for tests and debugging)."""
    names = {
        K_INVALID: "invalid",
        K_FIXED: "fixed",
        K_MOBILE: "mobile",
        K_SERVICE: "service",
        K_EITHER: "either",
    }
    return [names[int(k)] for k in kinds]

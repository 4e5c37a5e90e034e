"""Resolve the administrative tail of one address to its 2025 ward (pure, no I/O).

The tail ("Xã Hà Bình, H. Hà Trung, Thanh Hoá") is read right to left: country, province,
district, then the commune, each optional and each matched on a folded key (no case, no
diacritics, no spaces) of up to 8 words, with the unit type ("Xã", "P.", "TT", "huyện" ...)
when written. Diacritics, when written, break ties that folding creates (Thiệu Hóa/Thiệu Hòa).
Whatever lies left of the commune is street text and is handed back untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import address_codes as codes
from .admin_units import TYPE_SPELLINGS, Commune, District, Reference, Ward
from .vn_fold import fold, tone_key

_WORD = re.compile(r"[^\W_]+")
_MAX_TOKENS = 8
_COMMUNE_TYPES = frozenset({"xa", "phuong", "thitran", "dackhu"})
_DISTRICT_TYPES = frozenset({"huyen", "thixa", "thanhpho", "quan"})
_PROVINCE_TYPES = frozenset({"tinh", "thanhpho"})
_TWO_TOKEN_TYPES = {
    "thitran": "thitran",
    "thixa": "thixa",
    "thanhpho": "thanhpho",
    "dackhu": "dackhu",
}
# A name right after one of these words is a village/street name, not a unit ("Thôn Đông Sơn").
STREET_WORDS = frozenset(
    [
        "thon",
        "xom",
        "ban",
        "to",
        "tdp",
        "kp",
        "khu",
        "khupho",
        "pho",
        "duong",
        "ngo",
        "ngach",
        "hem",
        "kiet",
        "lang",
        "ap",
        "so",
        "sn",
        "khoi",
        "cum",
        "lo",
        "doi",
    ]
)
_COUNTRY = (("viet", "nam"), ("vietnam",), ("vn",))


@dataclass(frozen=True, slots=True)
class Resolution:
    """What the tail says. `street_end`: the text before this offset is street, not admin.

    `needs_more`: the whole tail was read and no commune was found yet, so text further left
    (if any) may still hold it; the other fields are the answer if there is none.
    """

    ward: str | None
    status: str  # ok | fixed | ambiguous | invalid
    issues: tuple[str, ...]
    street_end: int
    needs_more: bool


@dataclass(slots=True)
class _Tokens:
    folds: list[str]
    tones: list[str]
    accented: list[bool]
    starts: list[int]
    seg_starts: list[int]  # index of the first token of each token's segment


@dataclass(slots=True)
class _Match:
    start: int  # first token consumed (type words included)
    units: list
    written_type: str | None
    name_key: str
    tone: str | None  # tone key of the name when it carries diacritics
    glued: bool = False  # type and name written as one word ("XãHàBình"): already typed
    name_start: int = -1  # first token of the name itself (after the type words)


def _tokenize(text: str) -> _Tokens:
    folds: list[str] = []
    tones: list[str] = []
    accented: list[bool] = []
    starts: list[int] = []
    seg_starts: list[int] = []
    seg_start = 0
    last_end = 0
    for m in _WORD.finditer(text):
        start = m.start()
        if text.find(",", last_end, start) != -1:
            seg_start = len(folds)
        word = m.group()
        ascii_word = word.isascii()
        folds.append(word.lower() if ascii_word else fold(word))
        tones.append("" if ascii_word else tone_key(word))
        accented.append(not ascii_word)
        starts.append(start)
        seg_starts.append(seg_start)
        last_end = m.end()
    return _Tokens(folds, tones, accented, starts, seg_starts)


def _type_before(folds: list[str], start: int, seg_start: int) -> tuple[str | None, int]:
    if start - 2 >= seg_start:
        two = _TWO_TOKEN_TYPES.get(folds[start - 2] + folds[start - 1])
        if two:
            return two, start - 2
    if start - 1 >= seg_start:
        one = TYPE_SPELLINGS.get(folds[start - 1])
        if one:
            return one, start - 1
    return None, start


def _tone_of(tok: _Tokens, start: int, end: int) -> str | None:
    if not any(tok.accented[start:end]):
        return None
    return "".join(tok.tones[i] or tok.folds[i] for i in range(start, end))


def _match(
    tok: _Tokens, end: int, names: dict, glued: dict, level_types: frozenset[str]
) -> _Match | None:
    """The longest unit name (with its written type) ending at token `end`."""
    seg_start = tok.seg_starts[end - 1]
    folds = tok.folds
    for m in range(min(_MAX_TOKENS, end - seg_start), 0, -1):
        start = end - m
        key = "".join(folds[start:end])
        units = names.get(key)
        if units:
            written, type_start = _type_before(folds, start, seg_start)
            if written is None:
                if start > seg_start and folds[start - 1] in STREET_WORDS:
                    continue
                return _Match(start, units, None, key, _tone_of(tok, start, end), False, start)
            if written in level_types:
                tone = _tone_of(tok, start, end)
                return _Match(type_start, units, written, key, tone, False, start)
            continue
        typed = glued.get(key)
        if typed:
            skip = 0
            if end - start > 2 and _TWO_TOKEN_TYPES.get(folds[start] + folds[start + 1]):
                skip = 2
            elif end - start > 1 and folds[start] in TYPE_SPELLINGS:
                skip = 1
            return _Match(
                start,
                [u for u, _ in typed],
                typed[0][1],
                key,
                _tone_of(tok, start + skip, end) if skip else None,
                True,
                start + skip,
            )
    return None


def _filter(match: _Match) -> tuple[list, bool]:
    """Units fitting the written type (else all, flagged) and the diacritics (when written)."""
    units = match.units
    mismatch = False
    if match.written_type is not None and not match.glued:
        typed = [u for u in units if (match.written_type, match.name_key) in u.typed]
        if typed:
            units = typed
        else:
            mismatch = True
    if match.tone is not None:
        toned = [u for u in units if match.tone in u.tone_keys]
        if toned:
            units = toned
    return units, mismatch


def _wards_of(unit: Commune | Ward) -> tuple[str, ...]:
    return unit.wards if isinstance(unit, Commune) else (unit.name,)


def _decide(
    readings: list, mismatch: bool, extra: tuple[str, ...] = ()
) -> tuple[str | None, str, tuple[str, ...]]:
    """(ward, status, issues) for the candidate readings of one commune name."""
    wards = {w for u in readings for w in _wards_of(u)}
    new = [u for u in readings if isinstance(u, Ward)]
    legacy = [u for u in readings if isinstance(u, Commune)]
    issues = list(extra)
    if mismatch:
        issues.append(codes.ADDR_UNIT_TYPE_MISMATCH)
    if len(wards) == 1:
        (ward,) = wards
        if new and not mismatch and not extra:
            return ward, "ok", tuple(issues)
        if legacy and not new:
            issues.insert(0, codes.ADDR_MAPPED_2025)
        return ward, "fixed", tuple(issues)
    if len(readings) == 1 and legacy:
        return legacy[0].wards[0], "ambiguous", (codes.ADDR_SPLIT_COMMUNE, *issues)
    issues.insert(0, codes.ADDR_COMMUNE_AMBIGUOUS)
    if any(u.is_split for u in legacy):
        issues.insert(1, codes.ADDR_SPLIT_COMMUNE)
    proposal = new[0].name if len(new) == 1 else None
    if proposal is None and len(legacy) == 1:
        proposal = legacy[0].wards[0]
    return proposal, "ambiguous", tuple(issues)


def _skip_country(tok: _Tokens, pos: int) -> int:
    for words in _COUNTRY:
        n = len(words)
        if pos >= n and tuple(tok.folds[pos - n : pos]) == words:
            return pos - n
    return pos


def _province_at(tok: _Tokens, pos: int, ref: Reference) -> tuple[int, bool | None]:
    """(new pos, True: our province / False: another one / None: no province written)."""
    seg_start = tok.seg_starts[pos - 1]
    folds = tok.folds
    for m in range(min(6, pos - seg_start), 0, -1):
        start = pos - m
        key = "".join(folds[start:pos])
        entries = ref.province_names.get(key)
        if not entries:
            continue
        written, type_start = _type_before(folds, start, seg_start)
        if written is None and start > seg_start and folds[start - 1] in STREET_WORDS:
            continue
        if written is not None:
            entries = [(p, t) for p, t in entries if written in t]
            if not entries:
                continue
            start = type_start
        if any(p.is_target for p, _ in entries):
            return start, True
        if written is None and (key in ref.unit_names or key in ref.district_names):
            return pos, None
        return start, False
    return pos, None


def _segment_is_typed(tok: _Tokens, start: int, end: int, types: frozenset[str]) -> bool:
    """True when the words start..end begin with a unit type of `types` and a name."""
    if end - start < 2:
        return False
    two = _TWO_TOKEN_TYPES.get(tok.folds[start] + tok.folds[start + 1])
    if two:
        return two in types and end - start > 2
    return TYPE_SPELLINGS.get(tok.folds[start]) in types


def _looks_like_commune(tok: _Tokens, seg_start: int, end: int) -> bool:
    words = tok.folds[seg_start:end]
    if any(TYPE_SPELLINGS.get(w) in _COMMUNE_TYPES for w in words[:-1]):
        return True
    return bool(words) and words[0] not in STREET_WORDS and not any(w.isdigit() for w in words)


def resolve_admin(tail: str, ref: Reference) -> Resolution:
    """Read the administrative units at the end of `tail` (see module docstring)."""
    tok = _tokenize(tail)
    pos = _skip_country(tok, len(tok.folds))
    if pos and tok.folds:
        pos, ours = _province_at(tok, pos, ref)
        if ours is False:
            return Resolution(None, "invalid", (codes.ADDR_OUTSIDE_PROVINCE,), 0, False)

    issues: list[str] = []
    district = None
    district_match: _Match | None = None
    district_end = pos
    if pos:
        district_match = _match(tok, pos, ref.district_names, ref.district_glued, _DISTRICT_TYPES)
        if district_match:
            found, _ = _filter(district_match)
            district = found[0] if len(found) == 1 else None
            pos = district_match.start
        elif _segment_is_typed(tok, tok.seg_starts[pos - 1], pos, _DISTRICT_TYPES):
            issues.append(codes.ADDR_DISTRICT_UNKNOWN)
            pos = tok.seg_starts[pos - 1]

    commune = _match(tok, pos, ref.unit_names, ref.unit_glued, _COMMUNE_TYPES) if pos else None
    if commune:
        street_end = tok.starts[commune.start]
        units, mismatch = _filter(commune)
        if district is None:
            ward, status, found = _decide(units, mismatch, tuple(issues))
            return Resolution(ward, status, found, street_end, False)
        in_district = [
            u for u in units if isinstance(u, Commune) and u.district_key == district.key
        ]
        if in_district:
            ward, status, found = _decide(in_district, mismatch, tuple(issues))
            return Resolution(ward, status, found, street_end, False)
        new = [u for u in units if isinstance(u, Ward)]
        if new:
            ward, status, found = _decide(new, mismatch, tuple(issues))
            return Resolution(ward, status, found, street_end, False)
        stem = tok.folds[commune.name_start]
        return _not_in_district(units, mismatch, street_end, district, stem)

    needs_more = pos == 0
    if district_match is not None and district_match.written_type is None:
        # "Thôn 1, Hoằng Hóa, Thanh Hóa": the district name may as well be a 2025 ward.
        retry = _match(tok, district_end, ref.unit_names, ref.unit_glued, _COMMUNE_TYPES)
        if retry is not None and retry.start == district_match.start:
            units, mismatch = _filter(retry)
            ward, _, found = _decide(units, mismatch)
            found = tuple(dict.fromkeys((codes.ADDR_COMMUNE_AMBIGUOUS, *found)))
            return Resolution(ward, "ambiguous", found, tok.starts[retry.start], needs_more)
    if pos and _looks_like_commune(tok, tok.seg_starts[pos - 1], pos):
        reason = codes.ADDR_COMMUNE_UNKNOWN
    else:
        reason = codes.ADDR_NO_COMMUNE
    return Resolution(None, "invalid", (*issues, reason), 0, needs_more)


def _not_in_district(
    units: list, mismatch: bool, street_end: int, district: District, stem: str
) -> Resolution:
    """The name exists, but not in the district written.

    Thanh Hóa communes carry their district's first syllable (Hoằng Quang in Hoằng Hóa,
    Quảng Tâm in Quảng Xương); one such commune moved to a city before 2025 is the same place
    (fixed). Any other single reading is a proposal for a person to confirm; several are
    unusable.
    """
    wards = {w for u in units for w in _wards_of(u)}
    if len(wards) != 1:
        return Resolution(None, "invalid", (codes.ADDR_COMMUNE_NOT_IN_DISTRICT,), 0, False)
    (ward,) = wards
    if len(units) == 1 and stem == fold(district.short.split()[0]):
        found = (codes.ADDR_MAPPED_2025, codes.ADDR_FORMER_DISTRICT)
        if mismatch:
            found += (codes.ADDR_UNIT_TYPE_MISMATCH,)
        return Resolution(ward, "fixed", found, street_end, False)
    return Resolution(ward, "ambiguous", (codes.ADDR_COMMUNE_NOT_IN_DISTRICT,), street_end, False)

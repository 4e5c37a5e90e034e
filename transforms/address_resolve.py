"""Resolve the administrative tail of one address to its 2025 ward (pure, no I/O).

The tail ("Xã Hà Bình, H. Hà Trung, Thanh Hoá") is read right to left: country, province,
district, then the commune, each optional and each matched on a folded key (no case, no
diacritics, no spaces) of up to 8 words, with the unit type ("Xã", "P.", "TT", "huyện" ...)
when written. Diacritics, when written, break ties that folding creates (Thiệu Hóa/Thiệu Hòa).
Whatever lies left of the commune is street text and is handed back untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

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
# Written with diacritics they are unmistakable; without, several read as names too ("duong"
# is Đường or Dương, "ngo" Ngõ or Ngô), so those count only at the start of a part.
# ("Kiệt", a central-Vietnam alley, is left out: Thanh Hóa has a commune Hiền Kiệt.)
_STREET_ACCENTED = frozenset(
    map(
        tone_key,
        ("thôn", "xóm", "bản", "tổ", "khu", "phố", "đường", "ngõ", "ngách", "hẻm", "làng")
        + ("ấp", "số", "khối", "cụm", "lô", "đội"),
    )
)
_STREET_ASCII = frozenset(["thon", "xom", "tdp", "kp", "khupho", "ngach", "hem", "sn", "khu"])
_STREET_ASCII_AT_START = frozenset(
    ["ban", "to", "pho", "duong", "ngo", "kiet", "lang", "ap", "so", "khoi", "cum", "lo", "doi"]
)
# Unit-type words written with diacritics must be these ("Quán Lào" is no "Quận").
_TYPE_ACCENTED = frozenset(
    tone_key(w)
    for w in ["xã", "phường", "thị", "trấn", "huyện", "thành", "phố", "quận", "tỉnh", "đặc", "khu"]
)
_COUNTRY = (("viet", "nam"), ("vietnam",), ("vn",))


@dataclass(frozen=True, slots=True)
class Resolution:
    """What the tail says. `street_end`: the text before this offset is street, not admin.

    `needs_more`: the whole tail was read and no commune was found yet, so text further left
    (if any) may still hold it; the other fields are the answer if there is none.
    `province_only`: the caller may read further left with `province_seen=True`.
    """

    ward: str | None
    status: str  # ok | fixed | ambiguous | invalid
    issues: tuple[str, ...]
    street_end: int
    needs_more: bool
    province_only: bool = False  # the tail is nothing but our province (and the country)
    other_province: str | None = (
        None  # the other province the address names (ADDR_OUTSIDE_PROVINCE)
    )


@dataclass(slots=True)
class _Tokens:
    folds: list[str]
    types: list[str]  # the folded word when it can be (part of) a unit type, else ""
    street: list[bool]  # a street/village keyword (Thôn, Xóm, Đường ...)
    tones: list[str]
    starts: list[int]
    seg_starts: list[int]  # index of the first token of each token's segment
    any_accent: bool = False  # the writer uses diacritics: "Thanh" then is not "Thành"


@dataclass(slots=True)
class _Match:
    start: int  # first token consumed (type words included)
    units: list
    written_type: str | None
    name_key: str
    tone: str | None  # tone key of the name when it carries diacritics
    glued: bool = False  # type and name written as one word ("XãHàBình"): already typed
    name_start: int = -1  # first token of the name itself (after the type words)


@lru_cache(maxsize=65536)
def _word(word: str) -> tuple[str, str, bool, bool, str]:
    """(fold, type, street keyword anywhere, street keyword at a part's start, tone key) of
    one word: what _tokenize needs of it, worked out once per distinct word."""
    if word.isascii():
        low = word.lower()
        street = low in _STREET_ASCII
        return (
            fold(low, "") if low[-1] == "y" else low,
            "" if low == "quan" else low,  # Quan/Quán more often than Quận
            street,
            street or low in _STREET_ASCII_AT_START,
            "",
        )
    folded = fold(word, "")
    tone = tone_key(word)
    street = tone in _STREET_ACCENTED
    return folded, folded if tone in _TYPE_ACCENTED else "", street, street, tone


@lru_cache(maxsize=65536)
def _part_words(part: str) -> tuple[tuple[tuple, tuple, tuple, tuple], tuple[int, ...], bool]:
    """((folds, types, street keywords, tones), offsets, any accent) of the words of one
    comma-free part, worked out once per distinct part (tails share their parts)."""
    words = [(m.start(), _word(m.group())) for m in _WORD.finditer(part)]
    reading = (
        tuple(w[0] for _, w in words),
        tuple(w[1] for _, w in words),
        tuple(w[3] if i == 0 else w[2] for i, (_, w) in enumerate(words)),  # at the start?
        tuple(w[4] for _, w in words),
    )
    return reading, tuple(start for start, _ in words), any(w[4] for _, w in words)


def _tokenize(text: str) -> _Tokens:
    tok = _Tokens([], [], [], [], [], [])
    offset = 0
    for part in text.split(","):
        (folds, types, street, tones), starts, accent = _part_words(part)
        if folds:
            tok.seg_starts.extend([len(tok.folds)] * len(folds))
            tok.folds.extend(folds)
            tok.types.extend(types)
            tok.street.extend(street)
            tok.tones.extend(tones)
            tok.starts.extend([offset + s for s in starts] if offset else starts)
            if accent:
                tok.any_accent = True
        offset += len(part) + 1
    return tok


def _type_before(types: list[str], start: int, seg_start: int) -> tuple[str | None, int]:
    if start - 2 >= seg_start:
        two = _TWO_TOKEN_TYPES.get(types[start - 2] + types[start - 1])
        if two and types[start - 2] and types[start - 1]:
            return two, start - 2
    if start - 1 >= seg_start:
        one = TYPE_SPELLINGS.get(types[start - 1])
        if one:
            return one, start - 1
    return None, start


def _tone_of(tok: _Tokens, start: int, end: int) -> str | None:
    if not tok.any_accent:
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
            written, type_start = _type_before(tok.types, start, seg_start)
            if written is None:
                if start > seg_start and tok.street[start - 1]:
                    continue
                return _Match(start, units, None, key, _tone_of(tok, start, end), False, start)
            if written in level_types:
                tone = _tone_of(tok, start, end)
                return _Match(type_start, units, written, key, tone, False, start)
            continue
        typed = glued.get(key)
        # only a type glued into a word ("XãHàBình", "TTHàTrung"); a separate type word is
        # read with the name one step shorter, where diacritics can still decide
        if typed and tok.types[start] not in TYPE_SPELLINGS:
            return _Match(start, [u for u, _ in typed], typed[0][1], key, None, True, start)
    return None


def _by_tone(match: _Match) -> list:
    """Units whose official name has the diacritics written; failing that, drop the units
    whose official name the diacritics contradict (Hưng for Hùng) and keep old aliases."""
    units = match.units
    if match.tone is None:
        return units
    toned = [u for u in units if match.tone in u.tone_keys]
    if toned:
        return toned
    return [u for u in units if fold(u.short, "") != match.name_key] or units


def _filter(match: _Match) -> tuple[list, bool]:
    """Units fitting the diacritics (when written), then the written type (else all, flagged).

    Diacritics go first: an official name written exactly ("Xã Quảng Hưng", a phường since
    2012) beats an alias that only folds alike (Quảng Hùng, now in Sầm Sơn).
    """
    return _by_type(match, _by_tone(match))


def _by_type(match: _Match, units: list) -> tuple[list, bool]:
    mismatch = False
    if match.written_type is not None and not match.glued:
        typed = [u for u in units if (match.written_type, match.name_key) in u.typed]
        if typed:
            units = typed
        else:
            mismatch = True
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


def _province_at(tok: _Tokens, pos: int, ref: Reference) -> tuple[int, bool | None, str | None]:
    """(new pos, True: our province / False: another one / None: no province written, the
    other province's name when it is one)."""
    seg_start = tok.seg_starts[pos - 1]
    folds = tok.folds
    for m in range(min(6, pos - seg_start), 0, -1):
        start = pos - m
        key = "".join(folds[start:pos])
        entries = ref.province_names.get(key)
        if not entries:
            continue
        written, type_start = _type_before(tok.types, start, seg_start)
        if written is None and start > seg_start and tok.street[start - 1]:
            continue
        if written is not None:
            entries = [(p, t) for p, t in entries if written in t]
            if not entries:
                continue
            start = type_start
        if any(p.is_target for p, _ in entries):
            return start, True, None
        if written is None and (key in ref.unit_names or key in ref.district_names):
            return pos, None, None
        others = {p.name for p, _ in entries}
        return start, False, others.pop() if len(others) == 1 else None
    return pos, None, None


def _segment_is_typed(tok: _Tokens, start: int, end: int, types: frozenset[str]) -> bool:
    """True when the words start..end begin with a unit type of `types` and a name."""
    if end - start < 2:
        return False
    two = _TWO_TOKEN_TYPES.get(tok.types[start] + tok.types[start + 1])
    if two and tok.types[start] and tok.types[start + 1]:
        return two in types and end - start > 2
    return TYPE_SPELLINGS.get(tok.types[start]) in types


def _looks_like_commune(tok: _Tokens, seg_start: int, end: int) -> bool:
    if any(TYPE_SPELLINGS.get(w) in _COMMUNE_TYPES for w in tok.types[seg_start : end - 1]):
        return True
    words = tok.folds[seg_start:end]
    return bool(words) and not tok.street[seg_start] and not any(w.isdigit() for w in words)


def resolve_alike(tail: str, ref: Reference, province_seen: bool, memo: dict) -> Resolution:
    """`resolve_admin(tail, ref, province_seen)`, read once for all the tails whose words
    read alike ("Xã Hà Bình, huyện Hà Trung" and "xã Hà Bình, Huyện Hà Trung"): a reading
    depends on nothing but the words (their folds, types, street keywords, tones and comma
    parts) and gives `street_end` as the start of one of them. `memo`: a dict the caller
    keeps for one `ref`."""
    pieces = tail.split(",")
    parts = [_part_words(piece) for piece in pieces]
    first = parts[0][1]
    key = (
        province_seen,
        bool(first) and first[0] == 0,  # then a street_end of 0 is word 0's start too
        tuple(reading for reading, starts, _ in parts if starts),
    )
    found = memo.get(key)
    if found is None:
        res = resolve_admin(tail, ref, province_seen)
        starts = _tokenize(tail).starts
        if res.street_end and res.street_end not in starts:
            return res  # not at a word's start (never seen): this reading is not shared
        memo[key] = res, starts.index(res.street_end) if res.street_end else -1
        return res
    res, word = found
    if word < 0:
        return res
    offset = 0
    for piece, (_, starts, _) in zip(pieces, parts, strict=True):
        if word < len(starts):
            end = offset + starts[word]
            break
        word -= len(starts)
        offset += len(piece) + 1
    return res if end == res.street_end else replace(res, street_end=end)


def resolve_admin(tail: str, ref: Reference, province_seen: bool = False) -> Resolution:
    """Read the administrative units at the end of `tail` (see module docstring).

    `province_seen`: the province was already read right of `tail`, so a province name here
    is the district of the same name ("Thanh Hóa, Thanh Hóa").
    """
    tok = _tokenize(tail)
    pos = _skip_country(tok, len(tok.folds))
    if pos and not province_seen:
        pos, ours, other = _province_at(tok, pos, ref)
        if ours is False:
            outside = (codes.ADDR_OUTSIDE_PROVINCE,)
            return Resolution(None, "invalid", outside, 0, False, other_province=other)
        if ours and pos == 0:
            reason = (codes.ADDR_NO_COMMUNE,)
            return Resolution(None, "invalid", reason, 0, True, province_only=True)

    issues: list[str] = []
    district = None
    district_match: _Match | None = None
    district_end = pos
    if pos:
        district_match = _match(tok, pos, ref.district_names, ref.district_glued, _DISTRICT_TYPES)
        if district_match:
            # "Phường Nam Sầm Sơn": a longer commune name wins over the district inside it.
            longer = _match(tok, pos, ref.unit_names, ref.unit_glued, _COMMUNE_TYPES)
            if longer is not None and longer.start < district_match.start:
                district_match = None
        if district_match:
            found, _ = _filter(district_match)
            district = found[0] if len(found) == 1 else None
            pos = district_match.start
        elif _segment_is_typed(tok, tok.seg_starts[pos - 1], pos, _DISTRICT_TYPES) and not _match(
            tok, pos, ref.unit_names, ref.unit_glued, _COMMUNE_TYPES
        ):
            issues.append(codes.ADDR_DISTRICT_UNKNOWN)
            pos = tok.seg_starts[pos - 1]

    commune = _match(tok, pos, ref.unit_names, ref.unit_glued, _COMMUNE_TYPES) if pos else None
    if commune:
        return _commune_reading(tok, commune, district, tuple(issues))

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


def _commune_reading(
    tok: _Tokens, commune: _Match, district: District | None, issues: tuple[str, ...]
) -> Resolution:
    """The ward(s) a commune name found at the end of the tail stands for."""
    street_end = tok.starts[commune.start]
    toned = _by_tone(commune)
    units, mismatch = _by_type(commune, toned)
    if district is None:
        ward, status, found = _decide(units, mismatch, issues)
        return Resolution(ward, status, found, street_end, False)
    in_district = [u for u in units if isinstance(u, Commune) and u.district_key == district.key]
    if not in_district:  # the district outweighs the unit type written
        in_district = [
            u for u in toned if isinstance(u, Commune) and u.district_key == district.key
        ]
        mismatch = mismatch or bool(in_district)
    if in_district:
        ward, status, found = _decide(in_district, mismatch, issues)
        return Resolution(ward, status, found, street_end, False)
    new = [u for u in units if isinstance(u, Ward)]
    if new:
        ward, status, found = _decide(new, mismatch, issues)
        return Resolution(ward, status, found, street_end, False)
    # elsewhere: judged on every unit of that name (the type written is weak evidence)
    return _not_in_district(toned, street_end, district, tok.folds[commune.name_start])


def _not_in_district(units: list, street_end: int, district: District, stem: str) -> Resolution:
    """The name exists, but not in the district written.

    Thanh Hóa communes carry their district's first syllable (Hoằng Quang in Hoằng Hóa,
    Quảng Tâm in Quảng Xương). Such a commune of a huyện that a city or town absorbed before
    2025 (TP Thanh Hóa, Sầm Sơn, Bỉm Sơn) is the same place written the old way: fixed. Any
    other single reading is a proposal for a person to confirm; several are unusable.
    """
    wards = {w for u in units for w in _wards_of(u)}
    if len(wards) != 1:
        return Resolution(None, "invalid", (codes.ADDR_COMMUNE_NOT_IN_DISTRICT,), 0, False)
    (ward,) = wards
    moved_to_town = (
        len(units) == 1
        and isinstance(units[0], Commune)
        and units[0].district_key.startswith(("thanhpho", "thixa"))
        and district.type_key == "huyen"
    )
    if moved_to_town and stem == fold(district.short.split()[0], ""):
        found = (codes.ADDR_MAPPED_2025, codes.ADDR_FORMER_DISTRICT)
        return Resolution(ward, "fixed", found, street_end, False)
    return Resolution(ward, "ambiguous", (codes.ADDR_COMMUNE_NOT_IN_DISTRICT,), street_end, False)

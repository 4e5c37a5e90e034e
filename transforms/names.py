"""A person's name -> NFC, single spaces, each word capitalized ("đỗ đức thắng" -> "Đỗ Đức Thắng").

Tone placement is kept as written (Hoà stays Hoà): a person's name is theirs. Case, spacing
and Unicode form are formatting (status ok). Digits or symbols make the name invalid; a single
word is ambiguous (surname or given name missing).
- Notes clerks wrote into the field ("(đã chết)", "(đã mất)", "(chủ cũ)", "cũ", "đại diện ...",
  "chồng/vợ ...", "c/o ...", anything in parentheses) are never part of the holder's name: they
  are removed from the proposal and the name is ambiguous with a code naming the note.
- A name with no Vietnamese diacritic at all though one of its words is always written with
  them ("Nguyen Van Binh": Nguyễn, Văn) cannot be matched to the ID card: ambiguous, and nothing
  is proposed. ("Mai Anh" has no diacritics to lose: it stays as written.)
- Text that looks like TCVN3/VNI mojibake is invalid (TEXT_LEGACY_ENCODING); the proposal is
  its Unicode reading when one encoding fits, read from the text before cleaning (the TCVN3
  code of 'ư' is a soft hyphen).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cmis_migrate.transforms.common import (
    as_text,
    clean_text,
    finish,
    legacy_encoding,
    mask,
    matches,
    on_rows,
    per_distinct,
    where,
)
from cmis_migrate.transforms.legacy_text import guess_unicode
from cmis_migrate.transforms.vn_fold import fold

_BAD_CHARS = r"[^\pL\pM .'\-(),]"
# cheap filter for the rows that may hold a note (checked exactly in Python)
_MAY_HAVE_NOTE = r"(?i)[(/]|đại diện|dai dien|chết|mất|cũ|chồng|vợ"

NOTE_CODES = (
    "NAME_NOTE_DECEASED",
    "NAME_NOTE_FORMER_HOLDER",
    "NAME_NOTE_REPRESENTATIVE",
    "NAME_NOTE_SPOUSE",
    "NAME_NOTE",
)
_KINDS = (
    ("NAME_NOTE_DECEASED", re.compile(r"\b(?:đã\s+)?(?:chết|mất|qua đời)\b", re.I)),
    ("NAME_NOTE_FORMER_HOLDER", re.compile(r"\b(?:chủ\s+)?cũ\b", re.I)),
    ("NAME_NOTE_REPRESENTATIVE", re.compile(r"\b(?:người\s+)?đại\s+diện\b|\bc/o\b|\bđd\b", re.I)),
    ("NAME_NOTE_SPOUSE", re.compile(r"\b(?:chồng|vợ)\b", re.I)),
)
_PARENS = re.compile(r"\(([^()]*)\)?")
# an unbracketed note runs from its first word to the end of the field
_TAIL = re.compile(
    r"[\s,;:\-–]*(?:\b(?:đã\s+)?(?:chết|mất)\b|\b(?:chủ\s+)?cũ\b|\b(?:người\s+)?đại\s+diện\b"
    r"|\bc/o\b|\b(?:chồng|vợ)\b).*$",
    re.I | re.S,
)
_SEP = "\x1f"
# folded words a Vietnamese name never writes without diacritics (surnames, Văn/Thị, ...)
_ALWAYS_ACCENTED = frozenset(
    [
        "nguyen",
        "tran",
        "le",
        "pham",
        "hoang",
        "huynh",
        "vu",
        "vo",
        "dang",
        "bui",
        "do",
        "duong",
        "dinh",
        "doan",
        "trinh",
        "truong",
        "luong",
        "trieu",
        "phung",
        "quach",
        "lam",
        "van",
        "thi",
        "duc",
        "huu",
        "quoc",
        "xuan",
        "trong",
        "tien",
        "hung",
        "dung",
        "tuan",
        "thang",
        "cuong",
        "phuong",
        "huong",
        "thao",
        "ngoc",
        "hang",
        "hue",
        "hien",
    ]
)


@lru_cache(maxsize=16384)
def split_note(name: str) -> tuple[str, tuple[str, ...]]:
    """(the name without notes, the note codes found, in NOTE_CODES order)."""
    found: set[str] = set()

    def kind(note: str) -> str:
        return next((code for code, rx in _KINDS if rx.search(note)), "NAME_NOTE")

    def drop(m: re.Match) -> str:
        found.add(kind(m[1] or ""))
        return " "

    bare = _PARENS.sub(drop, name)
    m = _TAIL.search(bare)
    if m and m.start() > 0:
        found.add(kind(m[0]))
        bare = bare[: m.start()]
    bare = " ".join(bare.split()).strip(" ,;:-–")
    return bare, tuple(c for c in NOTE_CODES if c in found)


def _note_key(name: str) -> str:
    bare, notes = split_note(name)
    return ",".join(notes) + _SEP + bare


def normalize_names(values: pd.Series) -> pd.DataFrame:
    """normalized, status, issues (same index)."""
    raw = as_text(values)
    cleaned, placeholder = clean_text(raw)
    present = ~mask(pc.is_null(cleaned))
    legacy = present & legacy_encoding(cleaned)
    # TCVN3's ư is the soft hyphen cleaning drops: such text is legacy even if nothing else shows
    soft = mask(pc.match_substring(raw, "\u00ad"))
    legacy |= present & on_rows(raw, soft, legacy_encoding)
    note_codes = {c: np.zeros(len(cleaned), dtype=bool) for c in NOTE_CODES}
    noted = on_rows(cleaned, present & ~legacy, lambda a: matches(a, _MAY_HAVE_NOTE))
    if noted.any():
        keyed = per_distinct(where(noted, cleaned, None), _note_key)
        parts = pc.split_pattern(keyed, _SEP, max_splits=1)
        found = pc.list_element(parts, 0)
        bare = pc.list_element(parts, 1)
        for code in NOTE_CODES:
            note_codes[code] = noted & matches(found, f"(?:^|,){code}(?:,|$)")
        has_note = np.logical_or.reduce(list(note_codes.values()))
        cleaned = where(has_note, bare, cleaned)
        emptied = has_note & (mask(pc.equal(cleaned, "")))
        cleaned = where(emptied, None, cleaned)
    text = where(present, cleaned, None)
    named = ~mask(pc.is_null(text))
    digits = named & ~legacy & matches(text, "[0-9]")
    bad = named & ~legacy & ~digits & matches(text, _BAD_CHARS)
    single = named & ~mask(pc.match_substring(text, " "))
    # no diacritic at all: only ASCII, and at least one letter
    bare_ascii = named & ~legacy & ~digits & ~bad & mask(pc.string_is_ascii(text))
    bare_ascii = on_rows(text, bare_ascii, _lost_diacritics)
    titled = pc.utf8_title(text)
    normalized = where(digits | bad, text, titled)
    if legacy.any():
        converted = per_distinct(where(legacy, raw, None), _converted_name)
        normalized = where(legacy, pc.coalesce(converted, cleaned), normalized)
    normalized = where(bare_ascii, None, normalized)
    codes = {
        "VALUE_PLACEHOLDER": placeholder,
        "TEXT_LEGACY_ENCODING": legacy,
        **note_codes,
        "NAME_HAS_DIGITS": digits,
        "NAME_BAD_CHARS": bad,
        "NAME_NO_DIACRITICS": bare_ascii,
        "NAME_SINGLE_WORD": single & ~legacy & ~digits & ~bad,
    }
    return finish(values.index, normalized, codes, ~present | placeholder)


def _lost_diacritics(text: pa.Array) -> np.ndarray:
    lost = per_distinct(text, lambda t: "1" if _ALWAYS_ACCENTED & set(fold(t).split()) else None)
    return ~mask(pc.is_null(lost))


def _converted_name(text: str) -> str | None:
    guess = guess_unicode(text)
    if guess is None:
        return None
    return " ".join(guess.split()).title()


__all__ = ["NOTE_CODES", "normalize_names", "split_note"]

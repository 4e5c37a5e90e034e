"""Keys for matching Vietnamese place names: diacritics-free and tone-placement-insensitive.

`fold("Thanh Hoá")` == `fold("thanh hoa")` == "thanhhoa": lowercase, no diacritics, no spaces
or punctuation (đ -> d). `tone_key` keeps the diacritics but not where the tone mark sits,
so "Hoá"/"Hóa" and "Thuỵ"/"Thụy" compare equal while "Hóa" and "Hòa" stay different.
"""

from __future__ import annotations

import unicodedata

# The five Vietnamese tone marks as combining characters (grave, acute, tilde, hook, dot below).
_TONES = {"\u0300": "1", "\u0301": "2", "\u0303": "3", "\u0309": "4", "\u0323": "5"}


def _build_tables() -> tuple[dict[int, str], dict[int, str], dict[str, str]]:
    fold_table: dict[int, str] = {}
    strip_tone: dict[int, str] = {}
    tone_of: dict[str, str] = {}
    for code in range(0x00C0, 0x1EFF + 1):
        ch = chr(code)
        low = ch.lower()
        decomposed = unicodedata.normalize("NFD", low)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        if base.isascii() and base.isalpha():
            fold_table[code] = base
        tones = [c for c in decomposed if c in _TONES]
        if tones:
            kept = "".join(c for c in decomposed if c not in _TONES)
            strip_tone[code] = unicodedata.normalize("NFC", kept)
            tone_of[ch] = _TONES[tones[0]]
    for ch in "đĐ":
        fold_table[ord(ch)] = "d"
    return fold_table, strip_tone, tone_of


_FOLD, _STRIP_TONE, _TONE_OF = _build_tables()


def fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: the diacritics-, case- and space-free key."""
    low = text.lower().translate(_FOLD)
    if low.isalnum() and low.isascii():
        return low
    return "".join(c for c in low if c.isascii() and c.isalnum())


def tone_key(word: str) -> str:
    """Lowercase word (NFC) with its tone mark moved to the end: placement-insensitive."""
    low = word.lower()
    tone = ""
    for ch in low:
        t = _TONE_OF.get(ch)
        if t:
            tone = t
            break
    if not tone:
        return low
    return low.translate(_STRIP_TONE) + tone


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese diacritic (so accents can disambiguate)."""
    return not text.isascii()

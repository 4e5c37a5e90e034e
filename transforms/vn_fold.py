"""The one Vietnamese folding key, and a tone-placement-insensitive word key.

`fold("Thanh Hoá")` == `fold("thanh  hoa")` == "thanh hoa": lowercase ASCII words (đ -> d, no
diacritics, NFC or NFD alike), any other character a word break; `sep=""` glues the words
("thanhhoa"). A syllable-final `y` after a consonant folds to `i` (Quý/Quí, Kỳ/Kì, Lý/Lí are
one word in two spellings; "Thuỵ", "Huy" keep theirs). `tone_key` keeps the diacritics but not
where the tone mark sits, so "Hoá"/"Hóa" and "Thuỵ"/"Thụy" compare equal, "Hóa"/"Hòa" do not.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The five Vietnamese tone marks as combining characters (grave, acute, tilde, hook, dot below).
_TONES = {"\u0300": "1", "\u0301": "2", "\u0303": "3", "\u0309": "4", "\u0323": "5"}
_COMBINING = re.compile("[\u0300-\u036f]+")  # NFD marks: part of the word they sit in
_BREAK = re.compile("[^a-z0-9]+")
# syllable-final y after a consonant (qu counts as one): i and y are spelling variants there
_FINAL_Y = re.compile(r"\b(qu|[bcdfghklmnprstvx]+)y\b")
_FINAL_Y_ONE = re.compile(r"(qu|[bcdfghklmnprstvx]+)y")


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


@lru_cache(maxsize=65536)
def fold(text: str, sep: str = " ") -> str:
    """Matching key: lowercase ASCII letters and digits, words joined by `sep`."""
    low = text.lower().translate(_FOLD)
    if low.isascii() and low.isalnum():  # one plain word: the common case
        if low[-1:] == "y" and _FINAL_Y_ONE.fullmatch(low):
            return low[:-1] + "i"
        return low
    words = " ".join(w for w in _BREAK.split(_COMBINING.sub("", low)) if w)
    if "y" in words:
        words = _FINAL_Y.sub(r"\1i", words)
    return words if sep == " " else words.replace(" ", sep)


def tone_key(word: str) -> str:
    """Lowercase word (NFC) with its tone mark moved to the end: placement-insensitive; a
    syllable-final y after a consonant is written i, as in `fold`."""
    low = word.lower()
    tone = ""
    for ch in low:
        t = _TONE_OF.get(ch)
        if t:
            tone = t
            break
    if tone:
        low = low.translate(_STRIP_TONE)
    if "y" in low and _FINAL_Y.search(low):
        low = _FINAL_Y.sub(r"\1i", low)
    return low + tone

"""Ways Vietnamese text gets damaged on its way through keyboards and spreadsheets."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NEW_FIRST = "óòỏõọúùủũụ"  # tone on the first vowel of oa / oe / uy (new style)
_OLD_SECOND = {"a": "áàảãạ", "e": "éèẻẽẹ", "y": "ýỳỷỹỵ"}  # same tone on the second (old)
_OLD_TONE_RE = re.compile(r"([óòỏõọ])([ae])(?!\w)|([úùủũụ])(y)(?!\w)", re.IGNORECASE)


def _old_tone_sub(m: re.Match[str]) -> str:
    first, second = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    idx = _NEW_FIRST.index(first.lower()) % 5
    bare = "o" if m.group(1) else "u"
    target = _OLD_SECOND[second.lower()][idx]
    return (bare.upper() if first.isupper() else bare) + (
        target.upper() if second.isupper() else target
    )


@lru_cache(maxsize=4096)
def old_tone(text: str) -> str:
    """Hóa -> Hoá, Hòa -> Hoà, Thụy -> Thuỵ, Khỏe -> Khoẻ (old tone placement)."""
    return _OLD_TONE_RE.sub(_old_tone_sub, text)


@lru_cache(maxsize=4096)
def strip_diacritics(text: str) -> str:
    """Nguyễn Văn Đức -> Nguyen Van Duc."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def bad_case(text: str, how: int) -> str:
    """0: ALL CAPS, 1: all lower, 2: first word lower, rest as is."""
    if how == 0:
        return text.upper()
    if how == 1:
        return text.lower()
    first, _, rest = text.partition(" ")
    return f"{first.lower()} {rest}" if rest else first.lower()


def bad_spacing(text: str, how: int) -> str:
    """0: doubled inner space, 1: trailing space, 2: leading space, 3: both ends + double."""
    if how == 0:
        return text.replace(" ", "  ", 1)
    if how == 1:
        return text + " "
    if how == 2:
        return " " + text
    return "  " + text.replace(" ", "  ") + " "

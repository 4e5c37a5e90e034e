"""Legacy 8-bit Vietnamese text (TCVN3 / VNI) -> Unicode, and a test for text that looks like it.

Before Unicode, Vietnamese spreadsheets were typed in 8-bit fonts: TCVN3 (ABC) fonts named
`.VnTime`, `.VnArial`... (`.VnTimeH` & co. show every letter in capitals) and VNI fonts named
`VNI-Times`, `VNI-Helve`... Excel stored the typed BYTES as Windows-1252 characters, so a cell
in such a font holds "NguyÔn V¨n An" (TCVN3) or "Nguyeãn Vaên An" (VNI) for "Nguyễn Văn An".
The cell's font tells which encoding it is; without the font (CSV, CMIS) the text can only be
recognised as suspect (`looks_legacy`) and sent back to be re-typed.

Tables (data, no I/O):
- TCVN3: TCVN 5712:1993 (VN3, the `.Vn` fonts: lower-case letters and the seven base capitals
  Ă Â Ê Ô Ơ Ư Đ in 0xA1..0xFE), plus the capitals that full TCVN 5712 (VN1) puts in the gaps
  of 0x80..0xFF. Checked byte by byte against glibc's iconv `TCVN5712-1` decoder.
- VNI for Windows (VNI Software's fonts): a base letter followed by a mark byte (a + 0xF9 = á,
  e + 0xE3 = ễ, o + 0xE0 = ồ); i, ơ (0xF4), ư (0xF6), đ (0xF1) and ỵ (0xEE) are single bytes.
  From the published VNI code chart, checked against the VNI table of the xvnkb keyboard
  driver (lamdao/xvnkb, vni.h) and the usual samples ("Vieät Nam", "Thanh Hoùa").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

Encoding = Literal["tcvn3", "vni"]

# ---------------------------------------------------------------- fonts

_TCVN3_FONT = re.compile(r"^\.vn", re.IGNORECASE)
_VNI_FONT = re.compile(r"^vni[-_ ]", re.IGNORECASE)


def font_encoding(font_name: str | None) -> Encoding | None:
    """'tcvn3' for a `.Vn…` font, 'vni' for a `VNI-…` font, else None."""
    if not font_name:
        return None
    name = font_name.strip()
    if _TCVN3_FONT.match(name):
        return "tcvn3"
    if _VNI_FONT.match(name):
        return "vni"
    return None


def capitals_font(font_name: str | None) -> bool:
    """`.VnTimeH`, `.VnArialH`...: TCVN3 fonts that draw every letter as a capital."""
    name = (font_name or "").strip()
    return font_encoding(name) == "tcvn3" and name.endswith("H")


# ---------------------------------------------------------------- bytes of a cell

# Excel shows the bytes 0x80..0x9F of an 8-bit font as the Windows-1252 characters there
_CP1252_HIGH = {ch: b for b in range(0x80, 0xA0) if (ch := bytes([b]).decode("cp1252", "ignore"))}


def _byte_of(ch: str) -> int | None:
    o = ord(ch)
    if o < 0x100:
        return o
    return _CP1252_HIGH.get(ch)


def eight_bit(text: str) -> bool:
    """True when every character is one byte of an 8-bit font as Excel stores it (Latin-1 or
    Windows-1252): only such text can be legacy text. Real Unicode Vietnamese (ễ, ơ, ư, ạ...)
    is not."""
    return all(_byte_of(ch) is not None for ch in text)


# ---------------------------------------------------------------- TCVN3

# byte -> character, as (first byte, characters) runs; bytes not listed are ASCII/unchanged
_TCVN3_RUNS = (
    (0x80, "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"),
    (0xA1, "ĂÂÊÔƠƯĐăâêôơưđẰ"),
    (0xB5, "àảãáạẲằẳẵắẴẮẦẨẪẤỀặầẩẫấậèỂẻẽéẹềểễếệìỉỄẾỒĩíịòỔỏõóọồổỗốộờởỡớợùỖủũúụừửữứựỳỷỹýỵỐ"),
)
TCVN3_TO_UNICODE: dict[int, str] = {
    start + i: ch for start, chars in _TCVN3_RUNS for i, ch in enumerate(chars)
}


def tcvn3_to_unicode(text: str, *, capitals: bool = False) -> str:
    """TCVN3 text as Excel holds it ("NguyÔn V¨n An") -> Unicode NFC ("Nguyễn Văn An").

    `capitals`: the cell's font is a `.Vn…H` font (every letter shown as a capital).
    Text that is not 8-bit (already Unicode) is returned unchanged."""
    if not eight_bit(text):
        return text
    out = "".join(TCVN3_TO_UNICODE.get(_byte_of(ch), ch) for ch in text)  # type: ignore[arg-type]
    if capitals:
        out = out.upper()
    return unicodedata.normalize("NFC", out)


# ---------------------------------------------------------------- VNI

# marks after a vowel, lower-case byte (the capital form is the byte - 0x20)
_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_CIRCUMFLEX = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_BREVE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
# single bytes standing for a whole letter
_VNI_LETTERS = {
    "ô": "ơ",
    "ö": "ư",
    "ñ": "đ",
    "í": "í",
    "ì": "ì",
    "æ": "ỉ",
    "ó": "ĩ",
    "ò": "ị",
    "î": "ỵ",
}


def _vni_table() -> dict[str, str]:
    """Every VNI sequence (base + mark, or a single byte) -> its Unicode letter. The base's
    case decides the letter's case; the mark byte may come in either case (Excel's UPPER())."""
    table: dict[str, str] = {}

    def add(bases: str, marks: dict[str, str], letter: str) -> None:
        for base in (bases, bases.upper()):
            for mark, combining in marks.items():
                out = unicodedata.normalize("NFC", letter + combining)
                out = out.upper() if base.isupper() else out
                for m in (mark, mark.upper()):
                    table.setdefault(base + m, out)

    for vowel in "aeouy":
        add(vowel, _TONES, vowel)
    for vowel in "aeo":
        add(vowel, _CIRCUMFLEX, vowel + "\u0302")
    add("a", _BREVE, "a\u0306")
    add("ô", _TONES, "ơ")  # ơ (ô) and ư (ö) take a tone byte too: "ôø" = ờ
    add("ö", _TONES, "ư")
    for single, letter in _VNI_LETTERS.items():
        table.setdefault(single, letter)
        table.setdefault(single.upper(), letter.upper())
    return table


VNI_TO_UNICODE: dict[str, str] = _vni_table()
_VNI_PATTERN = re.compile(
    "|".join(re.escape(k) for k in sorted(VNI_TO_UNICODE, key=len, reverse=True))
)


def vni_to_unicode(text: str) -> str:
    """VNI text as Excel holds it ("Nguyeãn Vaên An") -> Unicode NFC ("Nguyễn Văn An").
    Text that is not 8-bit (already Unicode) is returned unchanged."""
    if not eight_bit(text):
        return text
    return unicodedata.normalize("NFC", _VNI_PATTERN.sub(lambda m: VNI_TO_UNICODE[m[0]], text))


def legacy_to_unicode(text: str, encoding: Encoding, *, capitals: bool = False) -> str:
    return (
        tcvn3_to_unicode(text, capitals=capitals) if encoding == "tcvn3" else vni_to_unicode(text)
    )


def convert_cell(text: str, font_name: str | None) -> str:
    """A cell's text converted from its legacy font (unchanged when the font is not legacy)."""
    encoding = font_encoding(font_name)
    if encoding is None:
        return text
    return legacy_to_unicode(text, encoding, capitals=capitals_font(font_name))


# ---------------------------------------------------------------- Unicode -> legacy (tests, samples)


@lru_cache(maxsize=1)
def _reverse_tables() -> tuple[dict[str, str], dict[str, str]]:
    tcvn = {}
    for b, ch in TCVN3_TO_UNICODE.items():
        if 0xA1 <= b <= 0xFE and (ch.islower() or ch in "ĂÂÊÔƠƯĐ"):  # what .VnTime fonts hold
            tcvn.setdefault(ch, bytes([b]).decode("latin-1"))
    vni: dict[str, str] = {}
    for seq, ch in sorted(VNI_TO_UNICODE.items(), key=lambda kv: len(kv[0])):  # î before yï
        if seq == seq.lower() or seq == seq.upper():
            vni.setdefault(ch, seq)
    return tcvn, vni


def unicode_to_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 as Excel holds it (capitals without a .VnTime code are lowered)."""
    tcvn, _ = _reverse_tables()
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in tcvn:
            out.append(tcvn[ch])
        elif ch.lower() in tcvn and not ch.isascii():
            out.append(tcvn[ch.lower()])
        else:
            out.append(ch)
    return "".join(out)


def unicode_to_vni(text: str) -> str:
    _, vni = _reverse_tables()
    return "".join(vni.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


# ---------------------------------------------------------------- recognising legacy text

# Latin-1 characters Vietnamese never uses: TCVN3 text holds them ("NguyÔn V¨n", "Ho¸"), and
# VNI text its mark bytes (ø û ï ä å ë ü ñ ö...). Written for RE2 (pyarrow) and Python re.
LEGACY_CHARS = (
    r"[\x{a1}-\x{bf}\x{c4}-\x{c7}\x{cb}\x{ce}\x{cf}\x{d0}\x{d1}\x{d6}-\x{d8}\x{db}\x{dc}"
    r"\x{de}\x{df}\x{e4}-\x{e7}\x{eb}\x{ee}\x{ef}\x{f0}\x{f1}\x{f6}-\x{f8}\x{fb}\x{fc}\x{fe}\x{ff}]"
)
# VNI marks that ARE Vietnamese letters in Latin-1 (ã ê ù â á à...) give themselves away by
# where they stand: Vietnamese never writes a or e followed by an accented vowel ("Nguyeãn",
# "Vaên", "Hoaøng"), nor o before â/ù/õ/ú ("Hoùa", "Ñoâng"), nor u/y before ù/õ.
_ACCENTED = r"\x{c0}-\x{c3}\x{c8}-\x{ca}\x{cc}\x{cd}\x{d2}-\x{d5}\x{d9}\x{da}\x{dd}\x{e0}-\x{e3}\x{e8}-\x{ea}\x{ec}\x{ed}\x{f2}-\x{f5}\x{f9}\x{fa}\x{fd}"
VNI_PAIRS = (
    rf"[aAeE][{_ACCENTED}]|[oO][\x{{c2}}\x{{e2}}\x{{d9}}\x{{f9}}\x{{d5}}\x{{f5}}\x{{da}}\x{{fa}}]"
    r"|[uUyY][\x{d9}\x{f9}\x{d5}\x{f5}]"
)
# TCVN3 lower-case letters at 0xC0..0xDE read as Latin-1 CAPITALS inside a word ("BÝch", "TuÊn")
TCVN3_PAIRS = r"[a-z][\x{c0}-\x{c3}\x{c8}-\x{ca}\x{cc}\x{cd}\x{d2}-\x{d5}\x{d9}\x{da}\x{dd}]"
LEGACY_PATTERN = f"{LEGACY_CHARS}|{VNI_PAIRS}|{TCVN3_PAIRS}"
_PY_LEGACY = re.compile(re.sub(r"\\x\{([0-9a-f]+)\}", r"\\u00\1", LEGACY_PATTERN))


def looks_legacy(text: str) -> bool:
    """True when the text looks like TCVN3/VNI text read as Unicode (mojibake)."""
    return bool(_PY_LEGACY.search(text))


_VIETNAMESE_ONLY = re.compile("[\x20-\x7e\u00c0-\u01b0\u1ea0-\u1ef9]*")


def guess_unicode(text: str) -> str | None:
    """Text without its font (CSV, CMIS) that looks legacy: its Unicode reading when exactly
    one of TCVN3 and VNI gives plain Vietnamese, else None. Call it on the text as read: the
    TCVN3 code of 'ư' is the soft hyphen, which text cleaning would drop."""
    found = set()
    for encoding in ("tcvn3", "vni"):
        out = legacy_to_unicode(text, encoding)  # type: ignore[arg-type]
        if out != text and _VIETNAMESE_ONLY.fullmatch(out) and _syllables(out):
            found.add(out)
    return found.pop() if len(found) == 1 else None


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _syllables(text: str) -> bool:
    """Plausible Vietnamese: not legacy-looking, and at most one tone mark per word."""
    if looks_legacy(text):
        return False
    for word in unicodedata.normalize("NFD", text).split():
        if sum(ch in _TONE_MARKS for ch in word) > 1:
            return False
    return True


__all__ = [
    "LEGACY_PATTERN",
    "convert_cell",
    "font_encoding",
    "guess_unicode",
    "looks_legacy",
    "tcvn3_to_unicode",
    "unicode_to_tcvn3",
    "unicode_to_vni",
    "vni_to_unicode",
]

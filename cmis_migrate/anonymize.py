"""Realistic but unidentifiable samples of the raw customer frame, for sharing bugs.

Pure: frames in, frames out, no I/O, no clock (`today` is passed in). Every personal value is
replaced by a made-up one of the SAME SHAPE and the same kind of damage, so a bug seen on the
real rows shows on the sample too:
- names: Vietnamese names drawn from the demo's name tables, word for word, keeping case,
  spacing, digits/symbols (replaced by others) and TCVN3/VNI mojibake (re-encoded the same way);
- phones and ID numbers: the digits that say what kind of number it is are kept (mobile or
  landline prefix, old 11-digit prefix, CCCD province and century digit, CMND province), all
  others replaced; separators, a lost leading zero, Excel's '.0' and '3.8085E+10' stay as they
  are; a CCCD's birth-year digits move with the birth date;
- birth and ID issue dates: moved by the same number of days (per customer), written as before
  (separators, zero padding, two-digit years, Excel serials, impossible dates stay impossible);
- e-mails: the part before '@' replaced letter by letter, the domain (and its typo) kept;
- addresses: the commune/district/province part kept, house numbers and hamlet names replaced;
- customer code, metering point, meter and contract numbers: same shape, other digits.
A value is replaced the same way wherever it appears (a phone shared by several holders stays
shared). Replacements are keyed by HMAC-SHA256(salt, value): deterministic for one salt, not
reversible without it. `anonymize_sample` re-draws a row until normalizing it gives the same
statuses and issue codes as the original; a row that cannot be matched is left out.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd

from cmis_migrate.config import RulesConfig
from cmis_migrate.demo.names import (
    FAMILY_LOWLAND,
    GIVEN_FEMALE,
    GIVEN_MALE,
    MIDDLE_FEMALE,
    MIDDLE_MALE,
)
from cmis_migrate.fields import FIELD_SPECS
from cmis_migrate.transforms import FIELDS, normalize_customers
from cmis_migrate.transforms.common import PLACEHOLDERS
from cmis_migrate.transforms.legacy_text import (
    looks_legacy,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
)

COMPARED = tuple(f"{f}_{part}" for f in FIELDS for part in ("status", "issues")) + (
    "supply_address_status",
    "supply_address_issues",
)
MAX_ROUNDS = 12
_HAMLET_WORDS = (
    "Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Yên", "Phú", "Hòa", "An", "Tân",
    "Minh", "Quang", "Hưng", "Lộc", "Thọ", "Xuân", "Vinh", "Phúc", "Thịnh", "Bình", "Mỹ", "Đình",
)  # fmt: skip
_HAMLET_KEYWORDS = re.compile(
    r"(?i)(?<![^\W\d_])(thôn|thon|xóm|xom|bản|khu phố|khu pho|kp|tổ dân phố|tdp|tổ|đội|làng|ấp|"
    r"khối|khoi|tiểu khu)(?![^\W\d_])\.?\s*"
)
_ADMIN_START = re.compile(
    r"(?i)(?:^|[\s,;\-])(xã|xa|phường|phuong|thị trấn|thi tran|huyện|huyen|thị xã|thi xa|"
    r"thành phố|thanh pho|tỉnh|tinh|quận|quan|tp\.?|tx\.?|tt\.?|x\.|p\.|h\.|q\.)(?=[\s.]|$)"
)
_NUMBER = re.compile(r"\d+(?:[ .\-]\d+)*")
_SCIENTIFIC = re.compile(r"^(\s*)(\d)(?:\.(\d+))?([eE][+\-]?\d+)(\s*)$")
_DAY_FIRST = re.compile(r"(?<!\d)(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_SERIAL = re.compile(r"^\s*(\d{5})(\.0+)?\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_IDENTIFYING = re.compile(r"[1-9]|[^\W\d_]")  # a non-zero digit or a letter
_EMAIL_LOCAL = re.compile(r"([^\s@,;<>()]+)@")


class _Draw:
    """A deterministic stream of choices keyed by (salt, kind, value, attempt)."""

    def __init__(self, salt: bytes, *key: object) -> None:
        self._seed = hmac.new(salt, repr(key).encode("utf-8", "replace"), hashlib.sha256).digest()
        self._block = b""
        self._counter = 0

    def _byte(self) -> int:
        if not self._block:
            self._counter += 1
            self._block = hashlib.sha256(self._seed + self._counter.to_bytes(4, "big")).digest()
        b, self._block = self._block[0], self._block[1:]
        return b

    def below(self, n: int) -> int:
        value = int.from_bytes(bytes(self._byte() for _ in range(4)), "big")
        return value % n

    def digit(self) -> str:
        return str(self.below(10))

    def choice(self, items):
        return items[self.below(len(items))]


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _mapped(func: Callable[[str, _Draw], str], kind: str) -> Callable[..., object]:
    """func applied to a present value, on NFC text; NFD input (some keyboards) stays NFD."""

    def apply(value: object, salt: bytes, attempt: int, **extra) -> object:
        if _missing(value):
            return value
        text = str(value)
        draw = _Draw(salt, kind, text, attempt, *sorted(extra.items()))
        nfc = unicodedata.normalize("NFC", text)
        if nfc.strip().lower() in PLACEHOLDERS or not _IDENTIFYING.search(nfc):
            return value  # 'không có', '0', '-', '...': nothing personal, and kept as dirt
        for _ in range(8):  # never the value itself (a one-digit house number, a common name)
            out = func(nfc, draw, **extra)
            if out != nfc:
                break
        return out if nfc == text else unicodedata.normalize("NFD", out)

    return apply


# ---------------------------------------------------------------- digits


def _replace_digits(
    number: str, keep: int, draw: _Draw, fixed: dict[int, str] | None = None
) -> str:
    """Digits after the first `keep` replaced (separators stay where they were); `fixed`
    gives digits by position (0-based among the digits)."""
    out, i = [], 0
    for ch in number:
        if ch.isdigit():
            if fixed and i in fixed:
                out.append(fixed[i])
            else:
                out.append(ch if i < keep else draw.digit())
            i += 1
        else:
            out.append(ch)
    return "".join(out)


def _numbers(text: str, draw: _Draw, keep: Callable[[str], int], fixed=None) -> str:
    """Each number in the text (digits with single separators) re-drawn after its kind digits;
    Excel's trailing '.0' and the exponent of '3.8085E+10' are kept as they are."""
    m = _SCIENTIFIC.match(text)
    if m:
        lead, first, decimals, exponent, trail = m.groups()
        if decimals is None:
            return text
        kept = max(0, min(len(decimals), keep(first + decimals) - 1))
        new = decimals[:kept] + "".join(draw.digit() for _ in decimals[kept:])
        return f"{lead}{first}.{new}{exponent}{trail}"
    suffix = ""
    m = re.search(r"\.0+\s*$", text)
    if m:
        text, suffix = text[: m.start()], text[m.start() :]
    pieces, last = [], 0
    for m in _NUMBER.finditer(text):
        digits = re.sub(r"\D", "", m[0])
        pieces.append(text[last : m.start()])
        pieces.append(_replace_digits(m[0], keep(digits), draw, fixed(digits) if fixed else None))
        last = m.end()
    pieces.append(text[last:])
    return "".join(pieces) + suffix


def _phone_keep(digits: str) -> int:
    """A whole number keeps its 4 kind digits (0912, 0168, 0237, 8491); a part of at most 4
    digits ('(+84)', '(037)') says only the country or area: kept; 5-8 digits: the first."""
    if len(digits) >= 9:
        return 4
    return len(digits) if len(digits) <= 4 else 1


def fake_phone(text: str, draw: _Draw) -> str:
    return _numbers(text, draw, _phone_keep)


def _id_fixed(year_delta: int) -> Callable[[str], dict[int, str]]:
    def fixed(digits: str) -> dict[int, str]:
        # CCCD: 3-digit province (2 when Excel dropped the leading 0), century digit, 2-digit year
        start = {12: 4, 11: 3}.get(len(digits))
        if start is None or not year_delta:
            return {}
        year = (int(digits[start : start + 2]) + year_delta) % 100
        return {start: f"{year:02d}"[0], start + 1: f"{year:02d}"[1]}

    return fixed


def _id_keep(digits: str) -> int:
    """CCCD: province, century and year (6; 5 when Excel dropped the 0); otherwise the first
    two digits (the CMND's issuing province)."""
    return {12: 6, 11: 5}.get(len(digits), min(2, len(digits) - 1))


def fake_id(text: str, draw: _Draw, year_delta: int = 0) -> str:
    return _numbers(text, draw, _id_keep, _id_fixed(year_delta))


def fake_code_digits(text: str, draw: _Draw) -> str:
    """Contract and meter numbers: every digit re-drawn, letters and separators kept."""
    return _numbers(text, draw, lambda digits: 0)


# ---------------------------------------------------------------- dates


def _fmt_like(original: str, value: int) -> str:
    return (
        f"{value:0{len(original)}d}"
        if original.startswith("0") or len(original) == 2
        else str(value)
    )


def shift_date(text: str, days: int) -> str:
    """The date(s) in the text moved by `days`, written as before; a date that does not exist
    (31/02) keeps its day and month and moves by whole years."""
    years = round(days / 365.25) or (1 if days > 0 else -1)  # a year alone must change too

    def day_first(m: re.Match) -> str:
        d, sep, mo, y = m.groups()
        year = int(y) if len(y) == 4 else 1900 + int(y)
        try:
            new = date(year, int(mo), int(d)) + timedelta(days=days)
        except (ValueError, OverflowError):
            new_year = year + years
            return (
                f"{d}{sep}{mo}{sep}{new_year:04d}"
                if len(y) == 4
                else f"{d}{sep}{mo}{sep}{new_year % 100:02d}"
            )
        yy = f"{new.year:04d}" if len(y) == 4 else f"{new.year % 100:02d}"
        return f"{_fmt_like(d, new.day)}{sep}{_fmt_like(mo, new.month)}{sep}{yy}"

    def iso(m: re.Match) -> str:
        y, mo, d = m.groups()
        try:
            new = date(int(y), int(mo), int(d)) + timedelta(days=days)
        except (ValueError, OverflowError):
            return f"{int(y) + years:04d}-{mo}-{d}"
        return f"{new.year:04d}-{_fmt_like(mo, new.month)}-{_fmt_like(d, new.day)}"

    m = _SERIAL.match(text)
    if m:
        return text.replace(m[1], str(int(m[1]) + days), 1)
    m = _YEAR.match(text)
    if m:
        return text.replace(m[1], str(int(m[1]) + years), 1)
    out = _DAY_FIRST.sub(day_first, text)
    return _ISO.sub(iso, out) if out == text else out


def birth_year(text: object) -> int | None:
    if _missing(text):
        return None
    s = str(text)
    m = _DAY_FIRST.search(s)
    if m:
        y = m[4]
        return int(y) if len(y) == 4 else 1900 + int(y)
    m = _ISO.search(s) or _YEAR.match(s)
    return int(m[1]) if m else None


# ---------------------------------------------------------------- names


def _case_like(word: str, new: str) -> str:
    if word.isupper() and len(word) > 1:
        return new.upper()
    if word.islower():
        return new.lower()
    return new


def fold_letters(word: str) -> str:
    """The word without diacritics, case kept ('Đức' -> 'Duc')."""
    bare = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in bare if not unicodedata.combining(ch))


def fake_name(text: str, draw: _Draw) -> str:
    stripped = text.strip()
    if not stripped or stripped.lower() in PLACEHOLDERS:
        return text
    if looks_legacy(text):  # made-up name, typed in the same legacy encoding
        tcvn = tcvn3_to_unicode(text)
        encode = unicode_to_tcvn3 if tcvn != text and not looks_legacy(tcvn) else unicode_to_vni
        shape = " ".join(["Nguyễn Văn"] * (len(text.split()) > 1) + ["An"])
        for _ in range(16):
            out = encode(fake_name(shape, draw))
            if looks_legacy(out):
                break
        return out
    words = re.findall(r"[^\W\d_]+", text)
    male = not any(w.lower() == "thị" for w in words)  # Thị: a woman's middle name
    pools = []
    for i in range(len(words)):
        if len(words) == 1 or i == len(words) - 1:
            pools.append((GIVEN_MALE if male else GIVEN_FEMALE)[0])
        elif i == 0:
            pools.append(FAMILY_LOWLAND[0])
        else:
            pools.append((MIDDLE_MALE if male else MIDDLE_FEMALE)[0])
    it = iter(pools)
    bare = text.isascii()

    def word(m: re.Match) -> str:
        new = _case_like(m[0], draw.choice(next(it)))
        return fold_letters(new) if bare else new  # a name written without diacritics stays so

    out = re.sub(r"[^\W\d_]+", word, text)
    return re.sub(r"\d", lambda _: draw.digit(), out)


# ---------------------------------------------------------------- e-mail


def _letters_like(part: str, draw: _Draw) -> str:
    out = []
    for ch in part:
        if ch.isdigit():
            out.append(draw.digit())
        elif ch.isascii() and ch.isalpha():
            new = chr(ord("a") + draw.below(26))
            out.append(new.upper() if ch.isupper() else new)
        else:
            out.append(ch)
    return "".join(out)


def fake_email(text: str, draw: _Draw) -> str:
    if text.strip().lower() in PLACEHOLDERS:
        return text
    if "@" in text:
        return _EMAIL_LOCAL.sub(lambda m: _letters_like(m[1], draw) + "@", text)
    head, *rest = re.split(r"([.\s])", text, maxsplit=1)  # "nguyenvanan.gmail.com"
    return _letters_like(head, draw) + "".join(rest)


# ---------------------------------------------------------------- addresses


def fake_address(text: str, draw: _Draw) -> str:
    """House numbers and hamlet names before the commune/district part re-drawn."""
    m = _ADMIN_START.search(text)
    cut = m.start(1) if m else len(text)
    street, admin = text[:cut], text[cut:]
    street = re.sub(r"\d", lambda _: draw.digit(), street)

    parts = []
    last = 0
    for km in _HAMLET_KEYWORDS.finditer(street):
        parts.append(street[last : km.end()])
        rest = street[km.end() :]
        wm = re.match(r"[^\W\d_]+(?: [^\W\d_]+)*", rest)
        if wm and wm[0].split()[0].lower() not in {"số", "so"}:
            new = " ".join(_case_like(w, draw.choice(_HAMLET_WORDS)) for w in wm[0].split())
            parts.append(new)
            last = km.end() + wm.end()
        else:
            last = km.end()
    parts.append(street[last:])
    return "".join(parts) + admin


# ---------------------------------------------------------------- the frame

_PHONE = _mapped(fake_phone, "phone")
_EMAIL = _mapped(fake_email, "email")
_NAME = _mapped(fake_name, "name")
_ADDRESS = _mapped(fake_address, "address")
_DIGITS = _mapped(fake_code_digits, "digits")
_ID = _mapped(fake_id, "id")
# the kinds a field spec's `anonymizer` may name
_BY_KIND: dict[str, Callable[..., object]] = {
    "name": _NAME,
    "address": _ADDRESS,
    "phone": _PHONE,
    "email": _EMAIL,
    "digits": _DIGITS,
}
KINDS = (*_BY_KIND, "id", "date")


def _fake(kind: str, value: object, salt: bytes, attempt: int, days: int, delta: int) -> object:
    """One value of a reviewed field faked the way its spec says."""
    if kind == "id":  # a CCCD's year digits move with the birth date
        return _ID(value, salt, attempt, year_delta=delta)
    if kind == "date":
        return value if _missing(value) else shift_date(str(value), days)
    return _BY_KIND[kind](value, salt, attempt)


def _days(salt: bytes, code: object, attempt: int) -> int:
    draw = _Draw(salt, "days", str(code), attempt)
    days = 30 + draw.below(700)
    return days if draw.below(2) else -days


def anonymize_rows(
    raw: pd.DataFrame, *, salt: bytes, attempts: pd.Series | None = None
) -> pd.DataFrame:
    """Every personal value of a raw customer frame replaced (see module docstring). Same index;
    the input is not modified. `attempts` (per row) re-draws a row another way."""
    if attempts is None:
        attempts = pd.Series(0, index=raw.index)
    out = raw.copy()
    codes: dict[str, str] = {}
    for idx in raw.index:
        row = raw.loc[idx]
        a = int(attempts.loc[idx])
        code = row.get("customer_code")
        days = _days(salt, code, a)
        old_year = birth_year(row.get("birth_date"))
        new_birth = row.get("birth_date")
        if not _missing(new_birth):
            new_birth = shift_date(str(new_birth), days)
        new_year = birth_year(new_birth)
        if old_year is not None and new_year is not None:
            delta = new_year - old_year  # a CCCD's year digits move with the birth date
        else:  # no birth date to agree with: the year digits still must not stay the real ones
            delta = round(days / 365.25) or (1 if days > 0 else -1)
        values = {
            s.name: _fake(s.anonymizer, row.get(s.name), salt, a, days, delta)
            for s in FIELD_SPECS
            if s.anonymizer
        }
        values |= {
            "supply_address": _ADDRESS(row.get("supply_address"), salt, a),
            "birth_date": new_birth,
            "meter_no": _DIGITS(row.get("meter_no"), salt, 0),
            "contract_no": _DIGITS(row.get("contract_no"), salt, 0),
        }
        if not _missing(code):
            text = str(code)
            draw = _Draw(salt, "code", text, 0)
            new = text[:6] + "".join(draw.digit() if c.isdigit() else c for c in text[6:])
            codes[text] = new
            values["customer_code"] = new
            point = row.get("metering_point")
            if not _missing(point) and str(point).startswith(text):
                values["metering_point"] = new + str(point)[len(text) :]
            elif not _missing(point):
                values["metering_point"] = _DIGITS(point, salt, 0)
        for column, value in values.items():
            if column in out.columns:
                out.at[idx, column] = value
    return out


def _signature(normalized: pd.DataFrame) -> pd.Series:
    cols = [c for c in COMPARED if c in normalized.columns]
    return normalized[cols].astype(object).fillna("").astype(str).agg("|".join, axis=1)


def anonymize_sample(
    raw: pd.DataFrame,
    *,
    salt: bytes,
    today: date,
    rules: RulesConfig | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> tuple[pd.DataFrame, pd.Index]:
    """(anonymized rows whose normalization matches the original's, index of rows left out).

    A row is re-drawn (up to `max_rounds` times) until its fields get the same statuses and
    issue codes as the original row's."""
    wanted = _signature(normalize_customers(raw, rules=rules, today=today))
    attempts = pd.Series(0, index=raw.index)
    result = anonymize_rows(raw, salt=salt, attempts=attempts)
    pending = raw.index
    for _ in range(max_rounds):
        got = _signature(normalize_customers(result.loc[pending], rules=rules, today=today))
        pending = got.index[got != wanted.loc[got.index]]
        if pending.empty:
            break
        attempts.loc[pending] += 1
        redrawn = anonymize_rows(raw.loc[pending], salt=salt, attempts=attempts.loc[pending])
        result.loc[pending] = redrawn
    else:
        got = _signature(normalize_customers(result.loc[pending], rules=rules, today=today))
        pending = got.index[got != wanted.loc[got.index]]
    return result.drop(index=pending), pending

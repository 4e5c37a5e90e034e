"""ID number (CMND / CCCD) -> digits, id_type CMND9 | CMND12 | CCCD | unknown.

- Cleaning: labels ('CMND:', 'CCCD số') and separators (spaces, dots, dashes) go; a trailing
  '.0' from Excel goes (ok); scientific notation ('3.8085E+10') is invalid: digits are lost,
  never repaired.
- 9 digits: CMND9. 11 digits: Excel dropped a leading 0 when '0' + digits is a valid CCCD
  (known province code, plausible birth year agreeing with the birth date): fixed; else invalid.
- 12 digits: a 12-digit CMND (issued by a provincial police 2012-2021) and a CCCD share the
  same shape. Rule: issued by a provincial police ('Công an tỉnh ...') -> CMND12; by a central
  authority (Cục Cảnh sát ..., Bộ Công an) -> CCCD; no usable issue place: issued before
  2016-01-01 (CCCD cards exist from then) -> CMND12, otherwise CCCD with ID_TYPE_ASSUMED_CCCD.
- CCCD checks: province code (data/cccd_province_codes.csv); century/sex digit + 2-digit year
  give the birth year (0/1 -> 19xx, 2/3 -> 20xx, 4/5 -> 21xx ...): it must not be in the
  future and must equal the birth date's year when that is known.
- A CMND (9 or 12) gets ID_CMND_EXPIRED once `today` is after rules.cmnd_valid_until
  (31/12/2024): the value stays, the branch asks for the current card.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cmis_migrate.config import RulesConfig
from cmis_migrate.transforms.common import (
    as_text,
    clean_text,
    concat,
    finish,
    fullmatch,
    in_set,
    lengths,
    mask,
    replace_where,
    where,
)
from cmis_migrate.transforms.issue_place import CENTRAL, PROVINCIAL
from cmis_migrate.transforms.reference import cccd_provinces

CMND9, CMND12, CCCD, UNKNOWN_ID = "CMND9", "CMND12", "CCCD", "unknown"
ID_TYPES = (CMND9, CMND12, CCCD, UNKNOWN_ID)
CCCD_START = date(2016, 1, 1)

_SCIENTIFIC = r"[0-9]+(?:[.,][0-9]+)?[eE]\+?[0-9]+"
_LABEL = r"(?i)^(?:số\s*)?(?:cmnd|cmtnd|cmt|cccd|cc|căn cước|can cuoc)\s*(?:số|so)?\s*[:.#]?\s*"


def _int_slice(arr: pa.Array, start: int, stop: int, rows: np.ndarray) -> np.ndarray:
    part = pc.utf8_slice_codeunits(where(rows, arr, "000000000000"), start, stop)
    return np.asarray(pc.cast(part, pa.int64()).to_numpy(zero_copy_only=False))


def _cccd_checks(
    digits: pa.Array, rows: np.ndarray, birth_year: np.ndarray, today: date
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bad province, impossible year, year mismatch) for 12-digit `digits` on `rows`."""
    province_ok = in_set(pc.utf8_slice_codeunits(digits, 0, 3), tuple(cccd_provinces()))
    century = _int_slice(digits, 3, 4, rows)
    yy = _int_slice(digits, 4, 6, rows)
    year = 1900 + 100 * (century // 2) + yy
    impossible = rows & (year > today.year)
    mismatch = rows & ~impossible & (birth_year > 0) & (birth_year != year)
    return rows & ~province_ok, impossible, mismatch


def normalize_id_numbers(
    values: pd.Series,
    *,
    today: date,
    birth_year: pd.Series | None = None,
    issue_place_kind: pd.Series | None = None,
    issue_date: pd.Series | None = None,
    rules: RulesConfig | None = None,
) -> pd.DataFrame:
    """normalized (digits; the cleaned text when invalid), status, issues, id_type.

    Optional companions on the same index: `birth_year` (int, 0/NA unknown), `issue_place_kind`
    ('provincial' | 'central' | '', see issue_place.py), `issue_date` (ISO text or missing).
    """
    rules = rules or RulesConfig()
    index = values.index
    n = len(values)
    cleaned, placeholder = clean_text(as_text(values))
    present = ~mask(pc.is_null(cleaned))
    text = replace_where(
        cleaned, mask(pc.starts_with(cleaned, "'")), lambda a: pc.utf8_ltrim(a, "'")
    )
    scientific = present & fullmatch(text, _SCIENTIFIC)
    excel = present & fullmatch(text, r"[0-9]+\.0+")
    text = replace_where(text, excel, lambda a: pc.replace_substring_regex(a, r"\.0+$", ""))
    text = pc.replace_substring_regex(text, _LABEL, "")
    digits = pc.replace_substring_regex(text, r"[ .\-]", "")
    numeric = present & ~scientific & fullmatch(digits, "[0-9]+")
    not_digits = present & ~scientific & ~numeric
    dlen = lengths(digits)

    by = np.zeros(n, dtype=np.int64)
    if birth_year is not None:
        by = np.asarray(pd.to_numeric(birth_year, errors="coerce").fillna(0), dtype=np.int64)
    kind = np.full(n, "", dtype=object)
    if issue_place_kind is not None:
        kind = np.asarray(issue_place_kind.fillna("").astype(str), dtype=object)
    issued_before_cccd = np.zeros(n, dtype=bool)
    dated = np.zeros(n, dtype=bool)
    if issue_date is not None:
        iso = as_text(issue_date)
        dated = fullmatch(iso, r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
        issued_before_cccd = dated & mask(pc.less(iso, CCCD_START.isoformat()))

    # 11 digits: restore the leading zero when that gives a valid CCCD
    eleven = numeric & (dlen == 11)
    restored = where(eleven, concat("0", digits), digits)
    bad_p, impossible, mismatch = _cccd_checks(restored, eleven, by, today)
    zero_fixed = eleven & ~bad_p & ~impossible & ~mismatch
    digits = where(zero_fixed, restored, digits)
    dlen = np.where(zero_fixed, 12, dlen)

    twelve = numeric & (dlen == 12)
    provincial = kind == PROVINCIAL
    central = kind == CENTRAL
    cmnd12 = twelve & ~zero_fixed & ~central & (provincial | issued_before_cccd)
    cccd = twelve & ~cmnd12
    assumed = cccd & ~zero_fixed & ~central
    cmnd9 = numeric & (dlen == 9)
    bad_p, impossible, mismatch = _cccd_checks(digits, cccd, by, today)
    bad_length = numeric & ~cmnd9 & ~twelve

    codes = {
        "VALUE_PLACEHOLDER": placeholder,
        "ID_EXCEL_DECIMAL": excel,
        "ID_LEADING_ZERO_RESTORED": zero_fixed,
        "ID_SCIENTIFIC_NOTATION": scientific,
        "ID_NOT_DIGITS": not_digits,
        "ID_BAD_LENGTH": bad_length,
        "ID_CCCD_PROVINCE_UNKNOWN": bad_p,
        "ID_CCCD_BIRTH_YEAR_IMPOSSIBLE": impossible,
        "ID_BIRTH_YEAR_MISMATCH": mismatch,
        "ID_TYPE_ASSUMED_CCCD": assumed,
        "ID_CMND_EXPIRED": (cmnd9 | cmnd12) & (today > rules.cmnd_valid_until),
    }
    usable = cmnd9 | twelve
    normalized = where(usable, digits, cleaned)
    out = finish(index, normalized, codes, ~present | placeholder)
    id_type = np.select([cmnd9, cmnd12, cccd], [CMND9, CMND12, CCCD], default=UNKNOWN_ID)
    out["id_type"] = pd.Series(id_type, index=index, dtype="str")
    return out

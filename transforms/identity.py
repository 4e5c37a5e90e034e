"""ID number (CMND / CCCD) -> digits, id_type CMND9 | CMND12 | CCCD | unknown.

- Cleaning: labels ('CMND:', 'CCCD số') and separators (spaces, dots, dashes) go; a trailing
  '.0' from Excel goes (ok); scientific notation ('3.8085E+10') is invalid: digits are lost,
  never repaired. Placeholders ('000000000', '123456789', '0123456789', one digit repeated)
  are missing values.
- 9 digits: CMND9. 11 digits: Excel dropped a leading 0 when '0' + digits is a valid CCCD
  (known province code, plausible birth year agreeing with the birth date): fixed; else invalid.
- 12 digits: number, issuer and issue date decide together. A national issuer (Cục Cảnh sát
  ..., Bộ Công an) -> CCCD; a provincial police -> CMND12 when issued in the 12-digit CMND
  years (rules.cmnd12_first_year..cmnd12_last_year), otherwise the combination is ambiguous;
  no usable issuer: issued before rules.cccd_first_issue_date -> CMND12, else CCCD with
  ID_TYPE_ASSUMED_CCCD.
- Issuer vs date vs type (ambiguous, a person checks the card): a 9-digit CMND from a national
  issuer; a national issuer before its first issue date (rules.cccd_first_issue_date for the
  ĐKQL department, qlhc_first_issue_date for QLHC, bca_first_issue_date for Bộ Công an) or a
  national department on/after bca_first_issue_date.
- CCCD checks: province code (data/cccd_province_codes.csv); century/sex digit + 2-digit year
  give the birth year (0/1 -> 19xx, 2/3 -> 20xx, 4/5 -> 21xx ...): it must not be in the
  future and must equal the birth date's year when that is known.
- The CMND cut-off (`cmnd_expired`, the one home of rules.cmnd_valid_until): after it a CMND
  (9 or 12) is ambiguous with ID_CMND_EXPIRED (the document was valid, the branch must get the
  current card); the nightly validation blocks on that code.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cmis_migrate.config import RulesConfig
from cmis_migrate.transforms.common import (
    TEXT,
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
from cmis_migrate.transforms.issue_place import BCA, CENTRAL, DKQL, PROVINCIAL, QLHC
from cmis_migrate.transforms.reference import cccd_provinces

CMND9, CMND12, CCCD, UNKNOWN_ID = "CMND9", "CMND12", "CCCD", "unknown"
ID_TYPES = (CMND9, CMND12, CCCD, UNKNOWN_ID)

# a repeated digit or a counting run: typed to fill a mandatory field, not a number
PLACEHOLDER_IDS = frozenset(
    [d * n for d in "0123456789" for n in range(6, 14)]
    + ["123456789", "0123456789", "1234567890", "012345678", "123456789012", "987654321"]
)


def cmnd_expired(today: date, rules: RulesConfig) -> bool:
    """The CMND cut-off, decided here only: a CMND is no longer valid after
    rules.cmnd_valid_until (the Law on Identification 2023: 31/12/2024)."""
    return today > rules.cmnd_valid_until


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
    issue_place: pd.Series | None = None,
    rules: RulesConfig | None = None,
) -> pd.DataFrame:
    """normalized (digits; the cleaned text when invalid), status, issues, id_type.

    Optional companions on the same index: `birth_year` (int, 0/NA unknown), `issue_place_kind`
    ('provincial' | 'central' | '', see issue_place.py), `issue_date` (ISO text or missing),
    `issue_place` (the canonical issuer name issue_place.py proposes).
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
    provincial, central = kind == PROVINCIAL, kind == CENTRAL
    iso = as_text(issue_date) if issue_date is not None else pa.nulls(n, type=TEXT)
    dated = fullmatch(iso, r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

    def before(day: date) -> np.ndarray:
        return dated & mask(pc.less(iso, day.isoformat()))

    year = np.where(dated, _int_slice(iso, 0, 4, dated), 0)
    in_cmnd12_years = dated & (year >= rules.cmnd12_first_year) & (year <= rules.cmnd12_last_year)
    place = as_text(issue_place) if issue_place is not None else pa.nulls(n, type=TEXT)
    qlhc, dkql, bca = (central & mask(pc.equal(place, name)) for name in (QLHC, DKQL, BCA))

    placeholder = placeholder | (numeric & in_set(digits, tuple(PLACEHOLDER_IDS)))
    numeric &= ~placeholder
    present &= ~placeholder

    # 11 digits: restore the leading zero when that gives a valid CCCD
    eleven = numeric & (dlen == 11)
    restored = where(eleven, concat("0", digits), digits)
    bad_p, impossible, mismatch = _cccd_checks(restored, eleven, by, today)
    zero_fixed = eleven & ~bad_p & ~impossible & ~mismatch
    digits = where(zero_fixed, restored, digits)
    dlen = np.where(zero_fixed, 12, dlen)

    twelve = numeric & (dlen == 12)
    cmnd12 = (
        twelve
        & ~zero_fixed
        & (
            (provincial & in_cmnd12_years)
            | (~provincial & ~central & before(rules.cccd_first_issue_date))
        )
    )
    cccd = twelve & ~cmnd12
    assumed = cccd & ~zero_fixed & ~central & ~provincial
    cmnd9 = numeric & (dlen == 9)
    bad_p, impossible, mismatch = _cccd_checks(digits, cccd, by, today)
    bad_length = numeric & ~cmnd9 & ~twelve
    usable_number = cmnd9 | twelve
    too_early = (
        (qlhc & before(rules.qlhc_first_issue_date))
        | (dkql & before(rules.cccd_first_issue_date))
        | (bca & before(rules.bca_first_issue_date))
    )
    too_late = (qlhc | dkql) & dated & ~before(rules.bca_first_issue_date)

    codes = {
        "VALUE_PLACEHOLDER": placeholder,
        "ID_EXCEL_DECIMAL": excel & ~placeholder,
        "ID_LEADING_ZERO_RESTORED": zero_fixed,
        "ID_SCIENTIFIC_NOTATION": scientific,
        "ID_NOT_DIGITS": not_digits,
        "ID_BAD_LENGTH": bad_length,
        "ID_CCCD_PROVINCE_UNKNOWN": bad_p,
        "ID_CCCD_BIRTH_YEAR_IMPOSSIBLE": impossible,
        "ID_BIRTH_YEAR_MISMATCH": mismatch,
        "ID_TYPE_ASSUMED_CCCD": assumed,
        "ID_CMND_NATIONAL_ISSUER": cmnd9 & central,
        "ID_PROVINCIAL_ISSUER_CONFLICT": twelve & provincial & ~cmnd12,
        "ID_ISSUER_NOT_YET_ISSUING": usable_number & too_early,
        "ID_ISSUER_NO_LONGER_ISSUING": usable_number & too_late,
        "ID_CMND_EXPIRED": (cmnd9 | cmnd12) & cmnd_expired(today, rules),
    }
    normalized = where(usable_number, digits, cleaned)
    out = finish(index, normalized, codes, ~present | placeholder)
    id_type = np.select([cmnd9, cmnd12, cccd], [CMND9, CMND12, CCCD], default=UNKNOWN_ID)
    out["id_type"] = pd.Series(id_type, index=index, dtype="str")
    return out

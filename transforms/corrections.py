"""Branch corrections on top of CMIS values (pure): the corrected value is what gets normalized,
while the CMIS value stays the `original`. The rule code says a person changed it.

A corrected phone number was written by the branch when it made the correction, long after
the 2018 mobile renumbering: the record date the phone transform uses to tell an old landline
`037 xxxxxxx` from a new mobile `037xxxxxxx` is then the correction's date, not the paper
contract's (otherwise a new Viettel mobile typed today would be read as a 1990s landline).
"""

from __future__ import annotations

import pandas as pd

from cmis_migrate.fields import FIELD_SPECS

CORRECTION_CODE = "BRANCH_CORRECTION"
EDITABLE_FIELDS = tuple(s.name for s in FIELD_SPECS if s.editable)
# the raw column that dates a phone number for the phone transform ahead of the contract date
# (the CMIS row's validity start NGAY_HLUC; a branch's correction, by when it was recorded).
# Not the contract date: that is a reviewed field of its own, checked as a date.
PHONE_DATE_COLUMN = "record_date"


def _day_first(value: object) -> object:
    """A datetime/date -> 'dd/mm/yyyy' (how CMIS writes dates); anything else unchanged."""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return value


def apply_corrections(
    raw: pd.DataFrame, corrections: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (inputs to normalize, bool frame of which fields were corrected). Input untouched.

    corrections: customer_code, field, new_value (the newest per customer and field), and
    optionally applied_at (when the branch's correction was recorded).
    """
    inputs = raw.copy()
    corrected = pd.DataFrame(False, index=raw.index, columns=list(EDITABLE_FIELDS))
    if corrections is None or corrections.empty:
        return inputs, corrected
    position = pd.Series(raw.index, index=raw["customer_code"].astype(str))
    position = position[~position.index.duplicated()]
    for field, part in corrections.groupby("field"):
        if field not in EDITABLE_FIELDS or field not in inputs:
            continue
        rows = position.reindex(part["customer_code"].astype(str))
        ok = rows.notna().to_numpy()
        idx = rows[ok].to_numpy()
        values = part["new_value"].to_numpy()[ok]
        inputs[field] = inputs[field].astype(object)
        inputs.loc[idx, field] = values
        corrected.loc[idx, field] = True
        if field == "phone" and "applied_at" in part:  # dated by the correction now
            if PHONE_DATE_COLUMN not in inputs:
                inputs[PHONE_DATE_COLUMN] = None
            inputs[PHONE_DATE_COLUMN] = inputs[PHONE_DATE_COLUMN].astype(object)
            dates = [_day_first(v) for v in part["applied_at"].to_numpy()[ok]]
            inputs.loc[idx, PHONE_DATE_COLUMN] = dates
    return inputs, corrected


def mark_corrected(normalized: pd.DataFrame, corrected: pd.DataFrame) -> pd.DataFrame:
    """Add CORRECTION_CODE to F_issues of corrected fields (returns a new frame)."""
    out = normalized.copy()
    for field in corrected.columns:
        col = f"{field}_issues"
        mask = corrected[field].reindex(out.index).fillna(False).astype(bool)
        if col not in out or not mask.any():
            continue
        out[col] = out[col].astype(object)
        old = out.loc[mask, col].astype(object).fillna("")
        out.loc[mask, col] = [f"{o};{CORRECTION_CODE}" if o else CORRECTION_CODE for o in old]
    return out

"""normalize_customers: every field of the raw customer frame, composed.

The one entry point the pipeline and `normalize-file` call. Pure: no I/O, no clock (`today`
is passed in), the input frame is never modified. Cross-field rules live here: the CMIS row's
validity start (`record_date`, NGAY_HLUC) and the contract date decide the landline/mobile
clash, the birth date's year checks the CCCD, the issue place and date tell a 12-digit CMND
from a CCCD, and an issue date before the birth date is invalid.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache

import pandas as pd
import pyarrow.compute as pc

from cmis_migrate.config import RulesConfig
from cmis_migrate.fields import FIELD_SPECS, REVIEWED_FIELDS, FieldSpec
from cmis_migrate.transforms.address import normalize_address
from cmis_migrate.transforms.common import finish, flag_legacy, mask, to_series, where
from cmis_migrate.transforms.dates import parse_dates
from cmis_migrate.transforms.identity import normalize_id_numbers
from cmis_migrate.transforms.issue_place import normalize_issue_places
from cmis_migrate.transforms.phone import normalize_phones

FIELDS: tuple[str, ...] = REVIEWED_FIELDS
EXTRA_COLUMNS: tuple[str, ...] = (
    "phone_type",
    "phone_secondary",
    "id_type",
    "address_ward",
    "address_province",
    "otp_ready",
)
SUPPLY_COLUMNS: tuple[str, ...] = (
    "supply_address_normalized",
    "supply_address_status",
    "supply_address_issues",
    "supply_address_ward",
)
# raw columns read by normalize_customers besides FIELDS (all optional)
CONTEXT_COLUMNS: tuple[str, ...] = ("record_date", "supply_address")


def output_columns(*, supply_address: bool = False) -> list[str]:
    cols = [f"{f}_{part}" for f in FIELDS for part in ("normalized", "status", "issues")]
    cols += EXTRA_COLUMNS
    return cols + (list(SUPPLY_COLUMNS) if supply_address else [])


@cache
def _standalone() -> tuple[tuple[FieldSpec, Callable[[pd.Series], pd.DataFrame]], ...]:
    """The fields normalized on their own (a `normalizer` in their spec)."""
    return tuple((s, s.load_normalizer()) for s in FIELD_SPECS if s.normalizer)


def _column(raw: pd.DataFrame, name: str) -> pd.Series:
    if name in raw.columns:
        return raw[name]
    return pd.Series([None] * len(raw), index=raw.index, dtype=object)


def _prefixed(frame: pd.DataFrame, field: str) -> dict[str, pd.Series]:
    return {f"{field}_{part}": frame[part] for part in ("normalized", "status", "issues")}


def _addresses(
    raw: pd.DataFrame, supply: bool, province: str
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The address and, when present, the supply address in ONE call: the supply address
    usually repeats the address, and normalize_address resolves each distinct text once."""
    address = _column(raw, "address")
    if not supply:
        return flag_legacy(normalize_address(address, province=province), address), None
    n = len(raw)
    both = pd.concat([address, raw["supply_address"]], ignore_index=True)
    result = flag_legacy(normalize_address(both, province=province), both)
    first = result.iloc[:n].set_axis(raw.index)
    second = result.iloc[n:].set_axis(raw.index)
    return first, second


def normalize_customers(
    raw: pd.DataFrame, *, rules: RulesConfig | None = None, today: date
) -> pd.DataFrame:
    """Normalize a raw customer frame (docs/ARCHITECTURE.md, "transforms/ contract").

    Missing input columns count as empty. Returns a new frame on the same index with exactly
    `output_columns(supply_address='supply_address' in raw)`.
    """
    rules = rules or RulesConfig()
    index = raw.index
    contract = parse_dates(_column(raw, "contract_date"), today=today)
    birth = parse_dates(_column(raw, "birth_date"), today=today)
    issued = parse_dates(_column(raw, "id_issue_date"), today=today)

    before_birth = mask(pc.less(issued.iso, birth.iso))
    issued.codes["ID_ISSUE_BEFORE_BIRTH"] = before_birth
    issue_date = finish(
        index, pc.coalesce(issued.iso, issued.cleaned), issued.codes, issued.missing
    )
    issue_iso = to_series(issued.iso, index)
    # the birth and contract dates are reviewed fields too, checked like the issue date
    # (the record date below is read before the contract date's own check)
    birth_date = finish(index, pc.coalesce(birth.iso, birth.cleaned), birth.codes, birth.missing)
    contract_codes = {
        **contract.codes,
        "CONTRACT_BEFORE_BIRTH": mask(pc.less(contract.iso, birth.iso)),
    }
    contract_date = finish(
        index, pc.coalesce(contract.iso, contract.cleaned), contract_codes, contract.missing
    )

    place = normalize_issue_places(_column(raw, "id_issue_place"))
    ident = normalize_id_numbers(
        _column(raw, "id_number"),
        today=today,
        birth_year=pd.Series(birth.year, index=index),
        issue_place_kind=place["place_kind"],
        issue_date=issue_iso,
        issue_place=place["normalized"],  # the canonical name whenever it was recognised
        rules=rules,
    )
    # the record's date: the contract date, or its year when only the year was written
    year_only = contract.codes["DATE_YEAR_ONLY"]
    record_date = pc.coalesce(contract.iso, where(year_only, contract.cleaned, None))
    valid_from = None
    if "record_date" in raw.columns:
        valid_from = to_series(parse_dates(raw["record_date"], today=today).iso, index)
    phone = normalize_phones(
        _column(raw, "phone"),
        record_dates=to_series(record_date, index),
        valid_from=valid_from,
        rules=rules,
    )
    supply = "supply_address" in raw.columns
    address, supply_address = _addresses(raw, supply, rules.province)
    parts: dict[str, pd.Series] = {}
    for spec, normalize in _standalone():  # full_name, email, ...: see cmis_migrate/fields.py
        parts.update(_prefixed(normalize(_column(raw, spec.name)), spec.name))
    parts.update(_prefixed(address, "address"))
    parts.update(_prefixed(phone, "phone"))
    parts.update(_prefixed(ident, "id_number"))
    parts.update(_prefixed(issue_date, "id_issue_date"))
    parts.update(_prefixed(place, "id_issue_place"))
    parts.update(_prefixed(birth_date, "birth_date"))
    parts.update(_prefixed(contract_date, "contract_date"))
    parts["phone_type"] = phone["phone_type"]
    parts["phone_secondary"] = phone["phone_secondary"]
    parts["id_type"] = ident["id_type"]
    parts["address_ward"] = address["ward"]
    parts["address_province"] = address["province"]
    parts["otp_ready"] = phone["otp_ready"].astype(bool)
    if supply_address is not None:
        parts.update(_prefixed(supply_address, "supply_address"))
        parts["supply_address_ward"] = supply_address["ward"]
    out = pd.DataFrame(parts, index=index)
    return out[output_columns(supply_address=supply)]


__all__ = ["FIELDS", "EXTRA_COLUMNS", "SUPPLY_COLUMNS", "normalize_customers", "output_columns"]

"""The named rates of paper-era damage the demo generator plants, with defaults (the damage
itself: docs/DOMAIN.md, "Phone numbers", "Identity documents", "Addresses and the 2025 reform").

Every rate is a share between 0 and 1. Unless a description says otherwise it is the share of
customers whose field shows that kind of damage. Kinds listed in one group of EXCLUSIVE_GROUPS
are alternatives for the same field (a phone is either an old 11-digit mobile or a landline,
never both), so their rates must not add up to more than 1; the rest of the field is clean.

This module only imports pydantic: config.py uses DemoRates as the type of `demo.rates`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Rate = Annotated[float, Field(ge=0, le=1)]


class DemoRates(BaseModel):
    """Rates of each kind of dirt in the demo CMIS (config.yaml `demo.rates`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # -- stations and ledgers (not dirt: shape)
    station_standardized: Rate = Field(0.30, description="stations with CHUAN_HOA_TTKH = 1")
    ledger_late_reading_day: Rate = Field(0.10, description="ledgers read on day 28..31")

    # -- holder name (one of)
    name_bad_case: Rate = Field(0.05, description="NGUYỄN VĂN AN / nguyễn văn an")
    name_bad_spacing: Rate = Field(0.05, description="double, leading or trailing spaces")
    name_nfd: Rate = Field(0.03, description="decomposed (NFD) Unicode")
    name_no_diacritics: Rate = Field(0.02, description="Nguyen Van An")

    # -- address and supply address: how the text is written (one of; drawn per field)
    address_abbreviated: Rate = Field(0.35, description="X. / P. / TT. / H. / TP. abbreviations")
    address_no_diacritics: Rate = Field(0.05, description="no Vietnamese diacritics")
    address_nfd: Rate = Field(0.03, description="decomposed (NFD) Unicode")
    address_old_tone: Rate = Field(0.08, description="old tone placement (Thanh Hoá, Thuỵ)")
    address_missing: Rate = Field(0.02, description="field left empty")
    # share of the customers of renamed or moved communes (2012 city extension, Tĩnh Gia ->
    # Nghi Sơn 2020, Sầm Sơn town -> city 2017) whose old-dated record still uses the old name
    address_pre_reform_name: Rate = Field(0.60, description="old commune/district names (eligible)")
    address_elsewhere: Rate = Field(0.05, description="holder lives in another commune")

    # -- phone (one of)
    phone_missing: Rate = Field(0.08, description="no phone")
    phone_old_mobile: Rate = Field(0.12, description="pre-2018 11-digit mobile (01xx)")
    phone_landline_037: Rate = Field(0.05, description="pre-2017 Thanh Hóa landline 037 3xxxxxx")
    phone_landline: Rate = Field(0.02, description="current landline 0237 3xxxxxx")
    phone_several: Rate = Field(0.05, description="several numbers in one field")
    phone_relative: Rate = Field(0.03, description="annotated as a relative's number (vợ, con)")
    phone_excel: Rate = Field(0.03, description="Excel-damaged: 912345678 / 912345678.0")
    phone_formatted: Rate = Field(0.05, description="valid mobile with spaces/dots/+84")
    # a valid mobile written on 5..40 contracts of one station (a staff member's or a shop's)
    phone_shared: Rate = Field(0.01, description="phone shared by many unrelated holders")

    # -- e-mail (one of; the rest is missing)
    email_valid: Rate = Field(0.10, description="a valid address")
    email_typo: Rate = Field(0.02, description="domain typo: gmail.con, gmai.com, yaho.com")

    # -- ID number (one of; the rest is a clean CCCD)
    id_missing: Rate = Field(0.06, description="no ID number")
    id_cmnd: Rate = Field(0.30, description="old 9-digit CMND (Thanh Hóa 17x)")
    id_excel_lost_zero: Rate = Field(0.03, description="CCCD without its leading zero (11 digits)")
    id_excel_scientific: Rate = Field(0.01, description="CCCD as 3.8085E+10 (digits lost)")
    id_cccd_inconsistent: Rate = Field(0.01, description="CCCD sex/century/year != birth date")
    cccd_other_province: Rate = Field(0.08, description="share of CCCDs born outside 038")

    # -- ID issue date (one of; share of customers that have an ID number)
    issue_date_missing: Rate = Field(0.08, description="no issue date")
    issue_date_dashes: Rate = Field(0.08, description="12-3-2021")
    issue_date_dots: Rate = Field(0.05, description="12.03.2021")
    issue_date_iso: Rate = Field(0.05, description="2021-03-12")
    issue_date_excel_serial: Rate = Field(0.03, description="Excel serial day number 44267")
    issue_date_impossible: Rate = Field(0.01, description="31/02/2019")
    issue_date_future: Rate = Field(0.005, description="a date after 2030")

    # -- ID issue place (one of; share of customers that have an ID number)
    issue_place_missing: Rate = Field(0.08, description="no issue place")
    issue_place_mismatch: Rate = Field(0.01, description="CMND place on a CCCD or vice versa")

    # -- placeholders typed instead of leaving a field empty ('không có', 'n/a', '-', '0')
    placeholder: Rate = Field(0.02, description="per field: phone, e-mail, ID, issue place")

    # -- birth date
    birth_date_missing: Rate = Field(0.50, description="birth date unknown")
    birth_year_only: Rate = Field(0.05, description="share of known birth dates given as a year")

    # -- paper contract
    contract_undated: Rate = Field(0.05, description="contract date missing (6x on 037 landlines)")
    contract_no_missing: Rate = Field(0.02, description="contract number missing")

    # -- customers and requests
    households_shared: Rate = Field(0.06, description="2..4 households share the meter")
    duplicate_customer: Rate = Field(0.01, description="same person and ID under another code")
    pending_holder_change: Rate = Field(0.008, description="open DOI_CHU_THE request")
    pending_households_change: Rate = Field(0.004, description="open DOI_SO_HO request")
    pending_supply_address_change: Rate = Field(0.004, description="open DOI_DC_SDD request")
    closed_request: Rate = Field(0.02, description="a finished (XONG) request in HDG_YEU_CAU")
    # extra HDG_KHACH_HANG rows with NGAY_HHLUC set and no metering point; not in the raw frame
    terminated_customer: Rate = Field(0.01, description="terminated contracts (extra rows)")

    @model_validator(mode="after")
    def _groups_fit(self) -> DemoRates:
        for group, names in EXCLUSIVE_GROUPS.items():
            total = sum(getattr(self, name) for name in names)
            if total > 1 + 1e-9:
                raise ValueError(
                    f"the {group} rates ({', '.join(names)}) add up to {total:.3f}; "
                    "they are alternatives for one field and must not exceed 1"
                )
        return self


EXCLUSIVE_GROUPS: dict[str, tuple[str, ...]] = {
    "name": ("name_bad_case", "name_bad_spacing", "name_nfd", "name_no_diacritics"),
    "address": (
        "address_abbreviated",
        "address_no_diacritics",
        "address_nfd",
        "address_old_tone",
        "address_missing",
    ),
    "phone": (
        "phone_missing",
        "phone_old_mobile",
        "phone_landline_037",
        "phone_landline",
        "phone_several",
        "phone_relative",
        "phone_excel",
        "phone_formatted",
        "placeholder",
    ),
    "email": ("email_valid", "email_typo", "placeholder"),
    "id_number": (
        "id_missing",
        "id_cmnd",
        "id_excel_lost_zero",
        "id_excel_scientific",
        "id_cccd_inconsistent",
        "placeholder",
    ),
    "id_issue_date": (
        "issue_date_missing",
        "issue_date_dashes",
        "issue_date_dots",
        "issue_date_iso",
        "issue_date_excel_serial",
        "issue_date_impossible",
        "issue_date_future",
    ),
    "id_issue_place": ("issue_place_missing", "issue_place_mismatch", "placeholder"),
    "pending_change": (
        "pending_holder_change",
        "pending_households_change",
        "pending_supply_address_change",
    ),
}

DEFAULT_RATES = DemoRates()
RATE_NAMES: tuple[str, ...] = tuple(DemoRates.model_fields)


def resolve_rates(rates: Mapping[str, float] | DemoRates | None = None) -> DemoRates:
    """Defaults overridden by `rates` (a DemoRates, or a mapping of some rate names).

    Raises ValueError naming an unknown rate or a value outside 0..1.
    """
    if rates is None:
        return DEFAULT_RATES
    if isinstance(rates, DemoRates):
        return rates
    unknown = sorted(set(rates) - set(RATE_NAMES))
    if unknown:
        raise ValueError(
            f"unknown demo rate(s): {', '.join(unknown)} (known: {', '.join(RATE_NAMES)})"
        )
    try:
        return DemoRates.model_validate({**DEFAULT_RATES.model_dump(), **dict(rates)})
    except ValidationError as exc:
        msgs = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'rates'}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(f"invalid demo rates: {msgs}") from None

"""The customer fields a branch reviews, each declared once, in report order.

A FieldSpec says everything the pipeline needs to know about a field; the store columns, the
GX suite, the review workbook, corrections import, `normalize-file`, the anonymizer and the
draft contract read it from here (docs/ARCHITECTURE.md, "Adding a field"). Pure data: this
module imports nothing of the pipeline, so every layer may import it; a normalizer or a code
table is named as "module:attribute" and loaded when first used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from cmis_migrate.statuses import Severity, Status

# formats a usable (ok/fixed) proposal must match: checked by the GX suite
E164_VN = r"^\+84[0-9]{9,10}$"
ID_DIGITS = r"^(?:[0-9]{9}|[0-9]{12})$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


@dataclass(frozen=True)
class FieldRule:
    """A business rule on one field's status alone: hits the customers whose status is one of
    `statuses`. Rules that look at several fields or at the store live in validators/rules.py."""

    code: str
    severity: Severity
    statuses: tuple[Status, ...]
    message: str  # Vietnamese, for a branch clerk


@dataclass(frozen=True)
class FieldSpec:
    name: str  # raw column; the pipeline adds <name>_normalized, _status and _issues
    cmis_column: str  # the HDG_KHACH_HANG column CMIS keeps it in
    label: str  # Vietnamese, as a clerk or a customer reads it (workbook, contract)
    # "module:function", Series -> frame (normalized, status, issues). None: composed in
    # transforms/customer.py because it reads other fields (record date, birth year, ...)
    normalizer: str | None = None
    # "module:attribute" holding the field's IssueCode tuple; None: in transforms/codes.py
    codes: str | None = None
    rules: tuple[FieldRule, ...] = ()
    gx_format: str | None = None  # regex for usable proposals (GX suite)
    personal: bool = False  # masked in stored GX results and Data Docs
    masked_in_workbook: bool = False  # digits masked on review rows not about its value
    # how the anonymizer fakes it (a kind anonymize.py knows); None: kept as it is
    anonymizer: str | None = None
    editable: bool = True  # a branch may correct it in the review workbook
    contract_column: str | None = None  # the drafts column (and contract line) it fills

    def load_normalizer(self) -> Callable | None:
        return _load(self.normalizer) if self.normalizer else None

    def load_codes(self) -> tuple:
        return tuple(_load(self.codes)) if self.codes else ()


@cache
def _load(ref: str):
    module, _, attribute = ref.partition(":")
    return getattr(importlib.import_module(module), attribute)


FIELD_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "full_name",
        "TEN_KHANG",
        "Họ và tên",
        normalizer="cmis_migrate.transforms.names:normalize_names",
        anonymizer="name",
        contract_column="holder_name",
    ),
    FieldSpec("address", "DIA_CHI", "Địa chỉ", anonymizer="address", contract_column="address"),
    FieldSpec(
        "phone",
        "DTHOAI",
        "Số điện thoại",
        gx_format=E164_VN,
        personal=True,
        masked_in_workbook=True,
        anonymizer="phone",
        contract_column="otp_phone",
    ),
    FieldSpec(
        "email",
        "EMAIL",
        "Email",
        normalizer="cmis_migrate.transforms.email:normalize_emails",
        gx_format=EMAIL,
        personal=True,
        anonymizer="email",
        contract_column="email",
    ),
    FieldSpec(
        "id_number",
        "SO_CMND",
        "Số CMND/CCCD",
        gx_format=ID_DIGITS,
        personal=True,
        masked_in_workbook=True,
        anonymizer="id",
        contract_column="id_number",
    ),
    FieldSpec(
        "id_issue_date",
        "NGAY_CAP",
        "Ngày cấp",
        gx_format=ISO_DATE,
        anonymizer="date",
        contract_column="id_issue_date",
    ),
    FieldSpec("id_issue_place", "NOI_CAP", "Nơi cấp", contract_column="id_issue_place"),
    # checked like the ID issue date (composed in transforms/customer.py: the contract date
    # must not be before the birth date; the contract date also dates the phone number). A
    # year alone is normal on paper-era records and raises no rule (validators/rules.py).
    FieldSpec("birth_date", "NGAY_SINH", "Ngày sinh", gx_format=ISO_DATE, personal=True),
    FieldSpec("contract_date", "NGAY_HDONG", "Ngày ký hợp đồng cũ", gx_format=ISO_DATE),
)

REVIEWED_FIELDS: tuple[str, ...] = tuple(s.name for s in FIELD_SPECS)


def field_spec(name: str) -> FieldSpec:
    """The spec of a reviewed field (KeyError names an unknown one)."""
    for spec in FIELD_SPECS:
        if spec.name == name:
            return spec
    raise KeyError(f"not a reviewed field: {name!r}")


__all__ = [
    "FIELD_SPECS",
    "REVIEWED_FIELDS",
    "FieldRule",
    "FieldSpec",
    "field_spec",
]

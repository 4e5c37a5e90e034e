"""The customer fields a branch reviews, in report order: one definition for transforms,
validators, the store, the review workbook and normalize-file."""

from __future__ import annotations

REVIEWED_FIELDS: tuple[str, ...] = (
    "full_name",
    "address",
    "phone",
    "email",
    "id_number",
    "id_issue_date",
    "id_issue_place",
)
STATUSES: tuple[str, ...] = ("ok", "fixed", "ambiguous", "invalid", "missing")

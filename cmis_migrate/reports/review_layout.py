"""The branch review workbook's contract, shared by the writer (`report`) and the reader
(`corrections import`): sheet names, columns, what a branch may edit, how personal values are
shown, and the checksum that ties a returned file to the report we issued. Pure."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from cmis_migrate.fields import FIELD_SPECS, REVIEWED_FIELDS
from cmis_migrate.statuses import TO_FIX
from cmis_migrate.validators.rules import RULES

TEMPLATE_VERSION = "cmis-migrate-review-1"
SUMMARY_SHEET = "Summary"
ISSUES_SHEET = "Issues"
IDENTITY_SHEET = "_report"  # veryHidden and protected: identifies the report

ISSUE_COLUMNS = (
    "customer_code",
    "station",
    "ledger",
    "field",
    "original_value",
    "proposed_value",
    "rule",
    "severity",
    "message",
    "corrected_value",
    "confirmed",
)
EDITABLE_COLUMNS = ("corrected_value", "confirmed")
FIXED_COLUMNS = tuple(c for c in ISSUE_COLUMNS if c not in EDITABLE_COLUMNS)
REJECTED_COLUMN = "rejected_reason"
# `field` names a branch can correct (those of `normalize-file`); `customer` rows only confirm
EDITABLE_FIELDS = tuple(s.name for s in FIELD_SPECS if s.editable)
YES, NO = "yes", "no"
YES_WORDS = {"yes", "y", "có", "co", "x", "1", "true"}
NO_WORDS = {"no", "n", "không", "khong", "0", "false"}
IDENTITY_KEYS = (
    "template_version",
    "report_id",
    "branch",
    "run_id",
    "generated_at",
    "issues_rows",
    "checksum",
)

# personal values shown masked when they are fine and the issue is not about their correctness
MASKED_SUBJECTS = tuple(s.name for s in FIELD_SPECS if s.masked_in_workbook)
SHOWN_STATUSES_IN_FULL = TO_FIX
_NUMBER = re.compile(r"\+?\d(?:[ .\-]?\d)*")


def mask_digits(text: object) -> str:
    """Mask the middle digits of every phone/ID-like number in a text, keeping 3 digits at each
    end: '0912 345 678 (vợ)' -> '091* *** 678 (vợ)', '038085001234' -> '038******234'."""
    if text is None:
        return ""
    s = str(text)

    def one(m: re.Match) -> str:
        chunk = m.group(0)
        n_digits = sum(ch.isdigit() for ch in chunk)
        if n_digits < 7:
            return chunk
        seen, out = 0, []
        for ch in chunk:
            if ch.isdigit():
                seen += 1
                out.append(ch if seen <= 3 or seen > n_digits - 3 else "*")
            else:
                out.append(ch)
        return "".join(out)

    return _NUMBER.sub(one, s)


def text(value: object) -> str:
    """A stored or cell value as the text the workbook shows ('' for nothing)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def subject_of(rule: str, field: str) -> str | None:
    """The stored field whose value a row of the Issues sheet shows."""
    known = RULES.get(rule)
    if known is not None:
        return known.subject
    return field if field in REVIEWED_FIELDS else None


def display_values(rule: str, field: str, customer: Mapping[str, object]) -> tuple[str, str]:
    """(original_value, proposed_value) as the Issues sheet shows them for this customer.

    Only the value the issue is about appears on its row. Phones and ID numbers are shown in
    full when they are what must be fixed (ambiguous, invalid, missing); a valid one whose
    issue is about something else (shared, a relative's, staff, an expired CMND, the same ID on
    two customers) is shown masked, 3 digits at each end: enough to talk about it with the
    customer, not a usable number in a file that travels by e-mail.
    """
    subject = subject_of(rule, field)
    if subject is None:
        if rule == "CHANGE_OUT_OF_BULK":
            return text(customer.get("pending_change")), ""
        return "", ""
    original = text(customer.get(f"{subject}_original"))
    proposed = text(customer.get(f"{subject}_proposed"))
    status = text(customer.get(f"{subject}_status"))
    if subject in MASKED_SUBJECTS and status not in SHOWN_STATUSES_IN_FULL:
        return mask_digits(original), mask_digits(proposed)
    return original, proposed


def parse_confirmed(value: str) -> bool | None:
    """'yes' -> True, 'no' -> False, '' -> None; anything else raises ValueError."""
    v = value.strip().lower()
    if not v:
        return None
    if v in YES_WORDS:
        return True
    if v in NO_WORDS:
        return False
    raise ValueError(value)


def _row_hash(cells: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(cells).encode("utf-8")).hexdigest()


def issues_checksum(
    *,
    template_version: str,
    report_id: str,
    branch: str,
    run_id: str,
    rows: Iterable[Sequence[str]],
) -> str:
    """sha256 over the identity and the non-editable cells of every Issues row.

    Row order does not count (a branch may sort or filter the sheet); every cell does.
    """
    head = "\x1e".join((template_version, report_id, branch, run_id))
    body = sorted(_row_hash([text(c) for c in row]) for row in rows)
    return hashlib.sha256("\n".join([head, *body]).encode("utf-8")).hexdigest()

"""The three vocabularies every stage shares: a field's status, a rule's severity and a
customer's outcome. StrEnum, so each member equals (and is stored as) its plain string."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A field's status, in order of severity (a field takes its most severe code's)."""

    OK = "ok"
    FIXED = "fixed"
    AMBIGUOUS = "ambiguous"
    INVALID = "invalid"
    MISSING = "missing"


class Severity(StrEnum):
    """A business rule's weight: blocking stops the draft, warning sends it to review."""

    BLOCKING = "blocking"
    WARNING = "warning"


class Outcome(StrEnum):
    READY = "ready"
    NEEDS_REVIEW = "needs_review"
    BLOCKED = "blocked"


STATUSES: tuple[Status, ...] = tuple(Status)
OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)
# a proposal the pipeline would use as it is
USABLE: tuple[Status, ...] = (Status.OK, Status.FIXED)
# what a branch must fix: shown in full in the review workbook
TO_FIX: tuple[Status, ...] = (Status.AMBIGUOUS, Status.INVALID, Status.MISSING)

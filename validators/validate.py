"""validate_customers: the business rules and the outcome of every customer of a batch."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cmis_migrate.validators.context import ValidationContext
from cmis_migrate.validators.rules import evaluate_rules, outcomes


@dataclass(frozen=True)
class Validation:
    outcomes: pd.Series  # index customer_code -> ready | needs_review | blocked
    issues: pd.DataFrame  # customer_code, field, rule, severity, message


def validate_customers(frame: pd.DataFrame, ctx: ValidationContext) -> Validation:
    """frame: raw columns + normalized columns (+ person_key). Never mutates it."""
    issues = evaluate_rules(frame, ctx)
    return Validation(outcomes=outcomes(frame["customer_code"], issues), issues=issues)

"""Per-field expectations with Great Expectations 1.x, run on each station batch's normalized frame.

The suite checks what the transforms promise: required columns present and non-null, statuses
and types from their allowed sets, formats of proposed values, wards from the 2025 list of the
province. It runs in an in-memory (ephemeral) GX context: no files, no network. SUMMARY is used
to pass/fail a batch; COMPLETE with the customer code column only where rows must be listed.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache

import pandas as pd

STATUSES = ("ok", "fixed", "ambiguous", "invalid", "missing")
STATUS_FIELDS = (
    "full_name",
    "address",
    "phone",
    "email",
    "id_number",
    "id_issue_date",
    "id_issue_place",
)
PHONE_TYPES = ("mobile", "fixed", "unknown")
ID_TYPES = ("CMND9", "CMND12", "CCCD", "unknown")
OUTCOMES = ("ready", "needs_review", "blocked")
E164_VN = r"^\+84[0-9]{9,10}$"
ID_DIGITS = r"^(?:[0-9]{9}|[0-9]{12})$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

_lock = threading.Lock()  # GX contexts are not thread safe; batches may run in threads


def _gx():
    import great_expectations as gx  # slow import (~3 s): only when validation runs

    return gx


def expectation_specs(wards: Sequence[str]) -> list[tuple[str, dict]]:
    """(expectation class name, kwargs) of the suite: data, so tests and docs can read it."""
    specs: list[tuple[str, dict]] = [
        ("ExpectColumnValuesToNotBeNull", {"column": "customer_code"}),
        ("ExpectColumnValuesToBeUnique", {"column": "customer_code"}),
    ]
    for f in STATUS_FIELDS:
        specs.append(("ExpectColumnValuesToNotBeNull", {"column": f"{f}_status"}))
        specs.append(
            ("ExpectColumnValuesToBeInSet", {"column": f"{f}_status", "value_set": list(STATUSES)})
        )
    specs += [
        ("ExpectColumnValuesToBeInSet", {"column": "phone_type", "value_set": list(PHONE_TYPES)}),
        ("ExpectColumnValuesToBeInSet", {"column": "id_type", "value_set": list(ID_TYPES)}),
        ("ExpectColumnValuesToMatchRegex", {"column": "phone_normalized", "regex": E164_VN}),
        ("ExpectColumnValuesToMatchRegex", {"column": "id_number_normalized", "regex": ID_DIGITS}),
        (
            "ExpectColumnValuesToMatchRegex",
            {"column": "id_issue_date_normalized", "regex": ISO_DATE},
        ),
        (
            "ExpectColumnValuesToMatchRegex",
            {"column": "email_normalized", "regex": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"},
        ),
        ("ExpectColumnValuesToBeInSet", {"column": "outcome", "value_set": list(OUTCOMES)}),
        ("ExpectColumnValuesToNotBeNull", {"column": "outcome"}),
    ]
    if wards:
        specs.append(
            ("ExpectColumnValuesToBeInSet", {"column": "address_ward", "value_set": sorted(wards)})
        )
    return specs


class _Suite:
    def __init__(self, wards: tuple[str, ...]):
        gx = _gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.context.config.analytics_enabled = False
        asset = self.context.data_sources.add_pandas("batch").add_dataframe_asset("customers")
        batch_definition = asset.add_batch_definition_whole_dataframe("station")
        suite = self.context.suites.add(gx.ExpectationSuite(name="normalized_customers"))
        for cls_name, kwargs in expectation_specs(wards):
            suite.add_expectation(getattr(gx.expectations, cls_name)(**kwargs))
        self.suite = suite
        self.definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name="station_batch", data=batch_definition, suite=suite)
        )

    def run(self, frame: pd.DataFrame, result_format: dict | str):
        with _lock:
            return self.definition.run(
                batch_parameters={"dataframe": frame}, result_format=result_format
            )


@lru_cache(maxsize=4)
def _suite(wards: tuple[str, ...]) -> _Suite:
    return _Suite(wards)


def _frame_for_gx(frame: pd.DataFrame, wards: Sequence[str]) -> pd.DataFrame:
    cols = [kw["column"] for _, kw in expectation_specs(wards)]
    out = pd.DataFrame(index=frame.index)
    for c in dict.fromkeys(cols):
        out[c] = frame[c].astype(object) if c in frame else None
    return out.reset_index(drop=True)


def run_expectations(frame: pd.DataFrame, wards: Sequence[str] = ()) -> dict:
    """Validate a batch; returns a JSON-able summary for the store (success, counts, per expectation)."""
    suite = _suite(tuple(sorted(wards)))
    result = suite.run(_frame_for_gx(frame, wards), "SUMMARY")
    per = []
    for r in result.results:
        cfg = r.expectation_config
        res = r.result or {}
        per.append(
            {
                "expectation": cfg.type,
                "column": cfg.kwargs.get("column"),
                "success": bool(r.success),
                "unexpected_count": int(res.get("unexpected_count") or 0),
                "unexpected_percent": float(res.get("unexpected_percent") or 0.0),
                "partial_unexpected_list": [
                    str(v) for v in (res.get("partial_unexpected_list") or [])
                ][:5],
            }
        )
    failed = sum(1 for p in per if not p["success"])
    return {
        "success": bool(result.success),
        "evaluated": len(per),
        "failed": failed,
        "result": {"expectations": per, "rows": int(len(frame))},
    }


def failing_rows(frame: pd.DataFrame, wards: Sequence[str] = ()) -> dict[str, list[str]]:
    """expectation/column -> customer codes of the rows that fail it (COMPLETE, IDs only)."""
    suite = _suite(tuple(sorted(wards)))
    data = _frame_for_gx(frame, wards)
    fmt = {"result_format": "COMPLETE", "unexpected_index_column_names": ["customer_code"]}
    result = suite.run(data, fmt)
    out: dict[str, list[str]] = {}
    for r in result.results:
        if r.success:
            continue
        cfg = r.expectation_config
        key = f"{cfg.type}:{cfg.kwargs.get('column')}"
        idx = (r.result or {}).get("unexpected_index_list") or []
        out[key] = sorted({str(i["customer_code"]) if isinstance(i, dict) else str(i) for i in idx})
    return out

"""Per-field expectations with Great Expectations 1.x, run on each station batch's normalized frame.

The suite checks what the transforms and the rules promise: customer codes present and unique,
every status, phone type, ID type and outcome from its allowed set, the usable (ok/fixed)
proposed values in their formats, wards from the 2025 list of the province. It runs in an
in-memory (ephemeral) GX context: no files, no network.

Cost: GX spends ~5-10 ms per expectation and grows faster than linearly with the suite, so the
suite is kept small (17 expectations) and sees only the columns it checks. A missing status or
outcome is mapped to a sentinel so that one in-set expectation per column also catches nulls.
The nightly run uses it through station_expectations.py (one COMPLETE run per task group, split
per station). run_expectations (BOOLEAN_ONLY, then SUMMARY on failure) and failing_rows (COMPLETE
with customer codes) are for tests, the benchmark and investigating a batch.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache

import pandas as pd

from cmis_migrate.fields import FIELD_SPECS, REVIEWED_FIELDS
from cmis_migrate.statuses import OUTCOMES, STATUSES, USABLE

SUITE_NAME = "normalized_customers"
STATUS_FIELDS = REVIEWED_FIELDS
PHONE_TYPES = ("mobile", "fixed", "unknown")
ID_TYPES = ("CMND9", "CMND12", "CCCD", "unknown")
NULL = "<null>"  # what a missing status/type/outcome becomes: outside every value set
# proposed value column -> its format (the field specs); checked only where the field's
# status is ok or fixed
FORMATS = {f"{s.name}_normalized": s.gx_format for s in FIELD_SPECS if s.gx_format}
# columns whose values are personal data: never shown in full in stored results or Data Docs
PERSONAL_COLUMNS = tuple(f"{s.name}_normalized" for s in FIELD_SPECS if s.personal)

_lock = threading.Lock()  # GX contexts are not thread safe; batches may run in threads


def _gx():
    import great_expectations as gx  # slow import (~3 s): only when validation runs

    return gx


def _plain(members) -> list[str]:
    return [m.value for m in members]  # GX stores kwargs as JSON: plain strings


def expectation_specs(wards: Sequence[str]) -> list[tuple[str, dict]]:
    """(expectation class name, kwargs) of the suite: data, so tests and docs can read it."""
    specs: list[tuple[str, dict]] = [
        ("ExpectColumnValuesToNotBeNull", {"column": "customer_code"}),
        ("ExpectColumnValuesToBeUnique", {"column": "customer_code"}),
    ]
    for f in STATUS_FIELDS:
        specs.append(
            (
                "ExpectColumnValuesToBeInSet",
                {"column": f"{f}_status", "value_set": _plain(STATUSES)},
            )
        )
    specs += [
        ("ExpectColumnValuesToBeInSet", {"column": "phone_type", "value_set": list(PHONE_TYPES)}),
        ("ExpectColumnValuesToBeInSet", {"column": "id_type", "value_set": list(ID_TYPES)}),
        ("ExpectColumnValuesToBeInSet", {"column": "outcome", "value_set": _plain(OUTCOMES)}),
    ]
    specs += [
        ("ExpectColumnValuesToMatchRegex", {"column": col, "regex": rx})
        for col, rx in FORMATS.items()
    ]
    if wards:
        specs.append(
            ("ExpectColumnValuesToBeInSet", {"column": "address_ward", "value_set": sorted(wards)})
        )
    return specs


def gx_frame(frame: pd.DataFrame, wards: Sequence[str] = ()) -> pd.DataFrame:
    """The columns the suite checks, prepared (a new frame; the input is untouched).

    Sets (statuses, types, outcome): a missing value becomes NULL so the in-set check fails it.
    Formats and the ward: only values the pipeline would use (status ok or fixed) are checked;
    an invalid or ambiguous value is the rules' business, not a broken promise.
    """
    out = pd.DataFrame(index=frame.index)
    out["customer_code"] = _column(frame, "customer_code")
    for col in (*(f"{f}_status" for f in STATUS_FIELDS), "phone_type", "id_type", "outcome"):
        out[col] = _column(frame, col).fillna(NULL)
    for col in FORMATS:
        field = col.removesuffix("_normalized")
        out[col] = _column(frame, col).where(_usable(frame, field), None)
    if wards:
        out["address_ward"] = _column(frame, "address_ward").where(_usable(frame, "address"), None)
    return out.reset_index(drop=True)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name].astype(object).where(frame[name].notna(), None)
    return pd.Series(None, index=frame.index, dtype=object)


def _usable(frame: pd.DataFrame, field: str) -> pd.Series:
    return _column(frame, f"{field}_status").isin(USABLE)


class _Suite:
    def __init__(self, wards: tuple[str, ...]):
        gx = _gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.context.config.analytics_enabled = False
        asset = self.context.data_sources.add_pandas("batch").add_dataframe_asset("customers")
        batch_definition = asset.add_batch_definition_whole_dataframe("station")
        suite = self.context.suites.add(gx.ExpectationSuite(name=SUITE_NAME))
        for cls_name, kwargs in expectation_specs(wards):
            suite.add_expectation(getattr(gx.expectations, cls_name)(**kwargs))
        self.suite = suite
        self.batch_definition = batch_definition

    def run(self, frame: pd.DataFrame, result_format: dict | str):
        # GX's own Validator, not ValidationDefinition.run: that one re-checks its stores on
        # every call and stamps results with the wall clock; neither is needed here
        from great_expectations.validator.v1_validator import Validator

        with _lock:
            validator = Validator(
                batch_definition=self.batch_definition,
                batch_parameters={"dataframe": frame},
                result_format=result_format,
            )
            return validator.validate_expectation_suite(self.suite)


_building = threading.Lock()  # one thread builds a suite; the others wait for it


def _suite(wards: tuple[str, ...]) -> _Suite:
    """The suite for these wards, built once per process: two task threads asking at once used
    to build it (and import GX, ~3 s) each."""
    with _building:
        return _built(wards)


def prepare_suite(wards: Sequence[str]) -> None:
    """Build the suite for these wards now (GX's import with it), as validation will ask for it."""
    _suite(tuple(sorted(wards)))


@lru_cache(maxsize=4)
def _built(wards: tuple[str, ...]) -> _Suite:
    return _Suite(wards)


def mask_value(value: object) -> str:
    """'0912345678' -> '091****678': enough to recognise, not enough to use."""
    text = str(value)
    if len(text) <= 6:
        return "*" * len(text)
    keep = 3 if len(text) >= 9 else 2
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


def _summary_of(result, rows: int) -> list[dict]:
    per = []
    for r in result.results:
        cfg = r.expectation_config
        res = r.result or {}
        column = cfg.kwargs.get("column")
        examples = [str(v) for v in (res.get("partial_unexpected_list") or [])][:5]
        if column in PERSONAL_COLUMNS:
            examples = [mask_value(v) for v in examples]
        per.append(
            {
                "expectation": cfg.type,
                "kwargs": {k: v for k, v in cfg.kwargs.items() if k != "batch_id"},
                "column": column,
                "success": bool(r.success),
                "element_count": int(res.get("element_count") or rows),
                "unexpected_count": int(res.get("unexpected_count") or 0),
                "unexpected_percent": float(res.get("unexpected_percent") or 0.0),
                "missing_count": res.get("missing_count"),
                "partial_unexpected_list": examples,
            }
        )
    return per


def run_expectations(frame: pd.DataFrame, wards: Sequence[str] = ()) -> dict:
    """Validate a batch; returns a JSON-able summary for the store (success, counts, per expectation).

    BOOLEAN_ONLY first; a failing batch is run again with SUMMARY for its counts and (masked)
    examples, so the stored result of a failing expectation says how many rows and which values.
    """
    suite = _suite(tuple(sorted(wards)))
    data = gx_frame(frame, wards)
    result = suite.run(data, "BOOLEAN_ONLY")
    fmt = "BOOLEAN_ONLY"
    if not result.success:
        result = suite.run(data, "SUMMARY")
        fmt = "SUMMARY"
    per = _summary_of(result, len(data))
    failed = sum(1 for p in per if not p["success"])
    return {
        "success": bool(result.success),
        "evaluated": len(per),
        "failed": failed,
        "result": {"expectations": per, "rows": int(len(frame)), "result_format": fmt},
    }


def failing_rows(frame: pd.DataFrame, wards: Sequence[str] = ()) -> dict[str, list[str]]:
    """'<expectation type>:<column>' -> customer codes of the rows that fail it (COMPLETE, IDs only).

    Not for the nightly path (COMPLETE is the expensive format): tests and investigations.
    """
    suite = _suite(tuple(sorted(wards)))
    data = gx_frame(frame, wards)
    fmt = {"result_format": "COMPLETE", "unexpected_index_column_names": ["customer_code"]}
    result = suite.run(data, fmt)
    out: dict[str, list[str]] = {}
    for r in result.results:
        if r.success:
            continue
        cfg = r.expectation_config
        key = f"{cfg.type}:{cfg.kwargs.get('column')}"
        idx = (r.result or {}).get("unexpected_index_list") or []
        codes = {str(i["customer_code"]) if isinstance(i, dict) else str(i) for i in idx}
        out[key] = sorted(codes)
    return out

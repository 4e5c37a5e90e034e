"""Frames of a processed batch -> rows of the store's tables (pure)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from cmis_migrate.hashing import row_digests
from cmis_migrate.source.cmis import RAW_COLUMNS
from cmis_migrate.statuses import USABLE, Status
from cmis_migrate.store.tables import STORED_FIELDS, customers

# everything read from CMIS, where it is read too (a customer moved to another station or
# ledger, or a ledger with a new reading day, is evaluated again: its rows and draft change)
HASHED_RAW = [*RAW_COLUMNS, "reading_day"]


def content_hashes(raw: pd.DataFrame, extra: pd.Series | None = None) -> pd.Series:
    """md5 per row of everything CMIS says about the customer (+ corrections/confirmations)."""
    frame = raw[HASHED_RAW]
    columns = list(HASHED_RAW)
    if extra is not None:
        frame = frame.assign(_review=extra.reindex(raw.index))
        columns.append("_review")
    return row_digests(frame, columns)


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name].astype(object)
    return pd.Series(None, index=frame.index, dtype=object)


def customer_rows(frame: pd.DataFrame, *, run_id: str, now: datetime) -> pd.DataFrame:
    """frame: raw (original) + normalized columns + outcome + content_hash + reading_day."""
    out = pd.DataFrame(
        {
            "customer_code": frame["customer_code"],
            "branch": frame["branch"],
            "station": frame["station"],
            "ledger": frame["ledger"],
            "reading_day": _col(frame, "reading_day"),
            "metering_point": _col(frame, "metering_point"),
            "meter_no": _col(frame, "meter_no"),
            "households": _col(frame, "households"),
            "contract_no_original": _col(frame, "contract_no"),
            "pending_change": _col(frame, "pending_change"),
            "content_hash": frame["content_hash"],
            "context_counts": _col(frame, "context_counts"),
            "outcome": frame["outcome"],
            "otp_ready": _col(frame, "otp_ready").fillna(False).astype(bool),
            "phone_type": _col(frame, "phone_type"),
            "phone_secondary": _col(frame, "phone_secondary"),
            "id_type": _col(frame, "id_type"),
            "address_ward": _col(frame, "address_ward"),
            "address_province": _col(frame, "address_province"),
            "supply_address_ward": _col(frame, "supply_address_ward"),
        }
    )
    for f in STORED_FIELDS:
        out[f"{f}_original"] = _col(frame, f)
        out[f"{f}_proposed"] = _col(frame, f"{f}_normalized")
        out[f"{f}_status"] = _col(frame, f"{f}_status")
        out[f"{f}_rules"] = _col(frame, f"{f}_issues")
    out["run_id"] = run_id
    out["changed_at"] = now
    missing = [c.name for c in customers.columns if c.name not in out]
    assert not missing, f"customer rows lack {missing}"
    return out.reset_index(drop=True)


def _readable(frame: pd.DataFrame, field: str, width: int) -> pd.Series:
    """The proposed value where it was read as a value (not the text of an invalid one)."""
    value = _col(frame, f"{field}_normalized")
    status = _col(frame, f"{field}_status")
    fits = value.map(lambda v: isinstance(v, str) and 0 < len(v) <= width)
    return value.where(status.isin([*USABLE, Status.AMBIGUOUS]) & fits, None)


def holder_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_code": frame["customer_code"],
            "station": frame["station"],
            "otp_phone": _readable(frame, "phone", 16),
            "id_number": _readable(frame, "id_number", 12),
            "holder_key": _col(frame, "holder_key"),
            "person_key": _col(frame, "person_key"),
        }
    ).reset_index(drop=True)


def issue_rows(issues: pd.DataFrame, frame: pd.DataFrame, *, run_id: str) -> pd.DataFrame:
    station = dict(zip(frame["customer_code"], frame["station"], strict=False))
    out = issues.copy()
    out["station"] = out["customer_code"].map(station)
    out["run_id"] = run_id
    return out[["customer_code", "station", "field", "rule", "severity", "message", "run_id"]]

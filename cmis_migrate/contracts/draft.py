"""Draft contracts for `ready` customers (pure): the buyer fields of a household contract
(Circular 16/2023/TT-BCT) from the proposed values, never from the raw ones."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from cmis_migrate.fields import FIELD_SPECS
from cmis_migrate.hashing import row_digests
from cmis_migrate.statuses import USABLE, Outcome

BUYER_COLUMNS = (
    "customer_code",
    "contract_no",
    "branch",
    "station",
    "ledger",
    "holder_name",
    "households",
    "id_number",
    "id_type",
    "id_issue_date",
    "id_issue_place",
    "address",
    "supply_address",
    "metering_point",
    "meter_no",
    "reading_day",
    "otp_phone",
    "email",
    "paper_contract_no",
)
# reviewed fields whose spec names a contract column not above: their usable proposal
EXTRA_FIELDS = tuple(
    s for s in FIELD_SPECS if s.contract_column and s.contract_column not in BUYER_COLUMNS
)
DRAFT_COLUMNS = (*BUYER_COLUMNS, *(s.contract_column for s in EXTRA_FIELDS))

HASHED = DRAFT_COLUMNS[2:]


def contract_number(customer_code: str) -> str:
    """Deterministic per customer, so a redo replaces the same draft."""
    return f"DT-{customer_code}"


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


def build_drafts(frame: pd.DataFrame, *, run_id: str, now: datetime) -> pd.DataFrame:
    """frame: one row per customer with raw + proposed columns, `outcome` and `reading_day`.

    Returns one draft row per `ready` customer (columns of the store's drafts table).
    """
    ready = frame.loc[frame["outcome"] == Outcome.READY]
    if ready.empty:
        return pd.DataFrame(columns=[*DRAFT_COLUMNS, "draft_hash", "run_id", "drafted_at"])
    supply = ready.get("supply_address_normalized")
    if supply is None:
        supply = ready["address_normalized"]
    supply = supply.where(supply.notna(), ready["address_normalized"])
    email = ready["email_normalized"].where(ready["email_status"].isin(USABLE), None)
    households = (
        pd.to_numeric(ready["households"], errors="coerce").fillna(1).astype(int).clip(lower=1)
    )
    out = pd.DataFrame(
        {
            "customer_code": ready["customer_code"].astype(str),
            "contract_no": ready["customer_code"].map(contract_number),
            "branch": ready["branch"],
            "station": ready["station"],
            "ledger": ready["ledger"],
            "holder_name": ready["full_name_normalized"],
            "households": households,
            "id_number": ready["id_number_normalized"],
            "id_type": ready["id_type"],
            "id_issue_date": _text(ready["id_issue_date_normalized"]),
            "id_issue_place": _text(ready["id_issue_place_normalized"]),
            "address": ready["address_normalized"],
            "supply_address": supply,
            "metering_point": ready["metering_point"],
            "meter_no": _text(ready["meter_no"]),
            "reading_day": pd.to_numeric(ready["reading_day"], errors="coerce")
            .fillna(1)
            .astype(int),
            "otp_phone": ready["phone_normalized"],
            "email": _text(email),
            "paper_contract_no": _text(ready["contract_no"]),
        }
    )
    for s in EXTRA_FIELDS:
        usable = ready[f"{s.name}_status"].isin(USABLE)
        out[s.contract_column] = _text(ready[f"{s.name}_normalized"].where(usable, None))
    out["draft_hash"] = row_digests(out, HASHED)
    out["run_id"] = run_id
    out["drafted_at"] = now
    return out.reset_index(drop=True)

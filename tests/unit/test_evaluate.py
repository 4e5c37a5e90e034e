"""The pure core of a station batch (cmis_migrate.evaluate) on plain frames: no database, no
files, no clock. Store facts are built by hand the way store.facts would read them."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from cmis_migrate.config import RulesConfig
from cmis_migrate.evaluate import (
    CONTEXT_KEYS,
    HolderFacts,
    Policy,
    StoreFacts,
    evaluate,
    normalize_batch,
)
from cmis_migrate.source.cmis import RAW_COLUMNS
from cmis_migrate.store.lookups import STORED_STATE
from cmis_migrate.store.rows import holder_rows

NOW = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
POLICY = Policy(RulesConfig())
GOOD = {
    "branch": "PA0701",
    "station": "PA0701T0001",
    "ledger": "PA0701T0001A",
    "full_name": "Nguyễn Văn An",
    "address": "Xóm 2, xã Định Tân, huyện Yên Định, tỉnh Thanh Hóa",
    "phone": "0912345678",
    "email": "an@gmail.com",
    "id_number": "038085001234",
    "id_issue_date": "12/03/2021",
    "id_issue_place": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "birth_date": "01/02/1985",
    "households": 1,
    "contract_no": "HD-001",
    "contract_date": "02/05/2016",
}


def raw_frame(rows: list[dict]) -> pd.DataFrame:
    out = []
    for i, row in enumerate(rows):
        code = f"PA0701{1000000 + i}"
        full = {c: None for c in RAW_COLUMNS}
        full.update(GOOD, customer_code=code, metering_point=f"{code}001", **row)
        out.append(full)
    frame = pd.DataFrame(out, columns=list(RAW_COLUMNS))
    frame["households"] = frame["households"].astype("Int64")
    return frame.assign(reading_day=5)


def no_facts(raw: pd.DataFrame) -> StoreFacts:
    stored = pd.DataFrame(index=raw.index, columns=list(STORED_STATE[1:]), dtype=object)
    return StoreFacts(
        corrections=pd.DataFrame(columns=["customer_code", "field", "new_value", "applied_at"]),
        confirmations={},
        stored=stored,
        fingerprint="fp-1",
    )


def stored_after(raw: pd.DataFrame, facts: StoreFacts, result) -> StoreFacts:
    """The facts the store would hold after committing `result`."""
    frame = result.frame.set_index("customer_code")
    keys = holder_rows(result.frame).set_index("customer_code")
    stored = pd.DataFrame(
        {
            "content_hash": frame["content_hash"],
            "context_counts": frame["context_counts"],
            "outcome": frame["outcome"],
            **{col: keys[col] for col in CONTEXT_KEYS.values()},
        }
    )
    stored = stored.reindex(raw["customer_code"]).set_axis(raw.index).astype(object)
    return StoreFacts(facts.corrections, facts.confirmations, stored, facts.fingerprint)


def run(raw, facts, holders=None, policy=POLICY):
    batch = normalize_batch(raw, facts, policy, NOW)
    return evaluate(batch, facts, holders or HolderFacts.none(), policy, run_id="r1", now=NOW)


def test_a_new_batch_is_evaluated_whole_and_the_good_customer_is_drafted() -> None:
    raw = raw_frame(
        [{}, {"phone": None, "full_name": "Trần Thị Bình", "id_number": "038185002345"}]
    )
    result = run(raw, no_facts(raw))
    outcome = dict(zip(result.frame["customer_code"], result.frame["outcome"], strict=True))
    good, no_phone = raw["customer_code"]
    assert outcome[good] == "ready"
    assert outcome[no_phone] == "blocked"
    assert result.drafts["customer_code"].tolist() == [good]
    assert result.unchanged.empty
    assert set(result.issues["customer_code"]) == {no_phone}
    assert set(result.validation) == {"PA0701T0001"}  # GX ran per station
    assert raw["phone"].iloc[0] == "0912345678"  # the input frame is untouched


def test_an_unchanged_batch_is_skipped_with_its_stored_outcomes() -> None:
    raw = raw_frame(
        [{}, {"phone": None, "full_name": "Trần Thị Bình", "id_number": "038185002345"}]
    )
    facts = no_facts(raw)
    first = run(raw, facts)
    again = run(raw, stored_after(raw, facts, first))
    assert again.frame.empty and again.drafts.empty
    assert again.unchanged.set_index("customer_code")["outcome"].to_dict() == dict(
        zip(first.frame["customer_code"], first.frame["outcome"], strict=True)
    )


@pytest.mark.parametrize(
    "change",
    [
        {"fingerprint": "fp-2"},  # code, reference data or rules changed
        {"corrections": True},  # a branch corrected a field
        {"confirmations": True},  # a branch confirmed a rule
    ],
)
def test_what_changes_the_content_hash_makes_the_customer_evaluated_again(change) -> None:
    raw = raw_frame([{}])
    facts = stored_after(raw, no_facts(raw), run(raw, no_facts(raw)))
    code = raw["customer_code"].iloc[0]
    corrections, confirmations = facts.corrections, facts.confirmations
    if "corrections" in change:
        corrections = pd.DataFrame(
            [
                {
                    "customer_code": code,
                    "field": "email",
                    "new_value": "an2@gmail.com",
                    "applied_at": NOW,
                }
            ]
        )
    if "confirmations" in change:
        confirmations = {(code, "PHONE_OF_RELATIVE"): None}
    facts = StoreFacts(
        corrections, confirmations, facts.stored, change.get("fingerprint", facts.fingerprint)
    )
    result = run(raw, facts)
    assert result.frame["customer_code"].tolist() == [code]
    if "corrections" in change:
        assert result.frame["email_normalized"].iloc[0] == "an2@gmail.com"


def test_other_stations_sharing_the_phone_make_an_unchanged_customer_evaluated_again() -> None:
    raw = raw_frame([{}])
    facts = stored_after(raw, no_facts(raw), run(raw, no_facts(raw)))
    phone = facts.stored["otp_phone"].iloc[0]
    others = pd.DataFrame(
        {
            "customer_code": [f"PA0702{n}" for n in range(3)],
            "otp_phone": [phone] * 3,
            "holder_key": [f"nguoi khac {n}|0380850099{n:02d}" for n in range(3)],
        }
    )
    holders = HolderFacts(others, HolderFacts.none().ids, HolderFacts.none().persons)
    result = run(raw, facts, holders)
    assert result.unchanged.empty
    assert result.frame["context_counts"].iloc[0].startswith("4/")
    assert result.frame["outcome"].iloc[0] != "ready"
    assert "PHONE_SHARED" in set(result.issues["rule"])
    assert result.drafts.empty

"""The pure core of a station batch: raw CMIS rows and what the store knows about them in,
outcomes, issues, drafts and data-quality results out. No database, no files, no clock.

A batch runs in three steps (cmis_migrate.station_group does them):
    facts = store.facts.gather_facts(...)          # what the store knows: read once
    normalized = normalize_batch(raw, facts, policy, now)
    holders = store.facts.gather_holders(...)      # other stations' holders of the new keys
    result = evaluate(normalized, facts, holders, policy, run_id=..., now=...)
The holders are read after normalizing because they are looked up by the keys normalizing
makes (the phone, ID number and name as proposed); reading them first would mean normalizing
every changed customer twice.

The unchanged rule: a customer is skipped (not normalized, validated, drafted or written;
counted with its stored outcome) when both
- its content hash is the stored one: every CMIS field read (station, ledger and the ledger's
  reading day included), the branch's corrections and confirmations, and the pipeline
  fingerprint (code of the pure stages, reference tables, rules config, staff phones, year;
  cmis_migrate/fingerprint.py), and
- its cross-station counts are the stored ones: the holders of its phone, the customers of its
  ID number and of the same person, counted now over the store and this batch.
So a phone that another station's customer starts using (or stops using) changes the count of
every customer on that phone, and they are evaluated again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from cmis_migrate.config import RulesConfig
from cmis_migrate.contracts.draft import build_drafts
from cmis_migrate.store.rows import content_hashes, holder_rows, issue_rows
from cmis_migrate.transforms import normalize_customers
from cmis_migrate.transforms.corrections import apply_corrections, mark_corrected
from cmis_migrate.validators.context import ValidationContext
from cmis_migrate.validators.keys import count_holders, identity_keys
from cmis_migrate.validators.station_expectations import run_expectations_by_station
from cmis_migrate.validators.validate import validate_customers

# the keys the cross-station counts are made of, and the holder_index columns they are stored in
CONTEXT_KEYS = {
    "phone_normalized": "otp_phone",
    "id_number_normalized": "id_number",
    "holder_key": "holder_key",
    "person_key": "person_key",
}


@dataclass(frozen=True)
class Policy:
    """Everything besides the customer's record and the store that decides its outcome."""

    rules: RulesConfig
    staff_phones: frozenset[str] = frozenset()
    wards: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoreFacts:
    """What the store knows about the customers of a batch, read before evaluating it.

    corrections: the newest branch correction per (customer_code, field); confirmations:
    (customer_code, rule) -> confirmed value; stored: per raw row (same index) the stored
    content_hash, context_counts, outcome and keys (empty for a customer never stored);
    fingerprint: pipeline_fingerprint of the code, reference data and rules in force."""

    corrections: pd.DataFrame
    confirmations: dict[tuple[str, str], str | None]
    stored: pd.DataFrame
    fingerprint: str


@dataclass(frozen=True)
class HolderFacts:
    """Other stations' customers sharing a key with this batch (holder_index rows)."""

    phones: pd.DataFrame  # customer_code, otp_phone, holder_key
    ids: pd.DataFrame  # customer_code, id_number, holder_key
    persons: pd.DataFrame  # customer_code, person_key, holder_key

    @classmethod
    def none(cls) -> HolderFacts:
        return cls(
            pd.DataFrame(columns=["customer_code", "otp_phone", "holder_key"]),
            pd.DataFrame(columns=["customer_code", "id_number", "holder_key"]),
            pd.DataFrame(columns=["customer_code", "person_key", "holder_key"]),
        )


@dataclass
class Normalized:
    """The batch after normalizing: who changed, their proposed values, everyone's keys."""

    raw: pd.DataFrame
    hashes: pd.Series  # content hash per raw row
    same: pd.Series  # bool per raw row: the stored content hash is this one
    changed: pd.DataFrame  # raw + normalized + keys + content_hash of the changed rows
    keys: pd.DataFrame  # customer_code + CONTEXT_KEYS per raw row (stored ones where same)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class BatchResult:
    frame: pd.DataFrame  # the evaluated customers: raw + normalized + keys + outcome + hashes
    issues: pd.DataFrame
    drafts: pd.DataFrame
    unchanged: pd.DataFrame  # customer_code, station, outcome: skipped, counted as stored
    validation: dict[str, dict]  # station -> GX summary of its evaluated rows
    seconds: dict[str, float] = field(default_factory=dict)  # normalize, validate, gx, draft


def review_marks(
    codes: pd.Series, corrections: pd.DataFrame, confirmations: dict[tuple[str, str], str | None]
) -> pd.Series:
    """Per customer, the branch's corrections and confirmations as text (part of the content hash)."""
    marks: dict[str, list[str]] = {}
    for code, fld, value in corrections[["customer_code", "field", "new_value"]].itertuples(
        index=False
    ):
        marks.setdefault(code, []).append(f"{fld}={value}")
    for (code, rule), value in confirmations.items():
        marks.setdefault(code, []).append(f"+{rule}={value}")
    return pd.Series(
        ["|".join(sorted(marks.get(c, []))) for c in codes], index=codes.index, dtype=object
    )


def normalize_rows(
    raw: pd.DataFrame, corrections: pd.DataFrame, rules: RulesConfig, now: datetime
) -> pd.DataFrame:
    """Raw rows (+ branch corrections) -> raw + normalized columns + identity keys."""
    inputs, corrected = apply_corrections(raw, corrections)
    normalized = normalize_customers(inputs, rules=rules, today=now.date())
    normalized = mark_corrected(normalized, corrected)
    frame = pd.concat([raw, normalized], axis=1)
    return frame.join(identity_keys(frame))


def batch_hashes(raw: pd.DataFrame, facts: StoreFacts) -> pd.Series:
    """Per raw row, the content hash the store keeps: everything CMIS says about the customer,
    the branch's corrections and confirmations, and the pipeline fingerprint."""
    marks = review_marks(raw["customer_code"], facts.corrections, facts.confirmations)
    return content_hashes(raw, marks + "\x1e" + facts.fingerprint)


def normalize_batch(
    raw: pd.DataFrame, facts: StoreFacts, policy: Policy, now: datetime
) -> Normalized:
    """Content hashes, then normalize (with the branch's corrections) every customer whose
    hash is not the stored one; the others keep their stored keys."""
    t = time.perf_counter()
    hashes = batch_hashes(raw, facts)
    same = pd.Series(facts.stored["content_hash"].to_numpy() == hashes.to_numpy(), index=raw.index)
    changed = normalize_rows(raw.loc[~same], facts.corrections, policy.rules, now)
    changed["content_hash"] = hashes.loc[~same]
    kept = facts.stored.loc[same, list(CONTEXT_KEYS.values())]
    kept = kept.rename(columns={v: k for k, v in CONTEXT_KEYS.items()})
    keys = pd.concat([changed[list(CONTEXT_KEYS)], kept]).sort_index()
    keys.insert(0, "customer_code", raw["customer_code"])
    seconds = {"normalize": time.perf_counter() - t}
    return Normalized(raw, hashes, same, changed, keys, seconds)


def _count_distinct(frame: pd.DataFrame, key: str, member: str) -> dict[str, int]:
    f = frame[[key, member]].dropna()
    f = f[(f[key].astype(str) != "") & (f[member].astype(str) != "")]
    if f.empty:
        return {}
    return f.drop_duplicates().groupby(key)[member].nunique().to_dict()


def cross_record_context(
    keys: pd.DataFrame, holders: HolderFacts, facts: StoreFacts, policy: Policy
) -> ValidationContext:
    """Cross-station facts for the rules: this batch's keys together with the other holders."""
    own = pd.DataFrame(
        {
            "customer_code": keys["customer_code"],
            "otp_phone": keys["phone_normalized"],
            "id_number": keys["id_number_normalized"],
            "holder_key": keys["holder_key"],
            "person_key": keys["person_key"],
        }
    )
    phones = pd.concat([own, holders.phones])
    return ValidationContext(
        max_holders_per_phone=policy.rules.max_holders_per_phone,
        rules=policy.rules,
        staff_phones=policy.staff_phones,
        wards=frozenset(policy.wards),
        phone_holders=count_holders(zip(phones["otp_phone"], phones["holder_key"], strict=True)),
        id_customers=_count_distinct(pd.concat([own, holders.ids]), "id_number", "customer_code"),
        person_customers=_count_distinct(
            pd.concat([own, holders.persons]), "person_key", "customer_code"
        ),
        confirmations=facts.confirmations,
    )


def context_counts(stored_keys: pd.DataFrame, ctx: ValidationContext) -> pd.Series:
    """Per customer, the cross-station counts its rules see: '<holders of its phone>/<customers
    of its ID number>/<customers of the same person>' (keys as holder_index stores them)."""

    def count(values: pd.Series, table: dict[str, int]) -> list[int]:
        return [table.get(v, 0) if isinstance(v, str) and v else 0 for v in values]

    parts = zip(
        count(stored_keys["otp_phone"], ctx.phone_holders),
        count(stored_keys["id_number"], ctx.id_customers),
        count(stored_keys["person_key"], ctx.person_customers),
        strict=True,
    )
    return pd.Series([f"{p}/{i}/{n}" for p, i, n in parts], index=stored_keys.index, dtype=object)


def evaluate(
    batch: Normalized,
    facts: StoreFacts,
    holders: HolderFacts,
    policy: Policy,
    *,
    run_id: str,
    now: datetime,
) -> BatchResult:
    """Cross-record checks -> skip the unchanged -> rules -> GX -> drafts (no I/O)."""
    raw, same, stored = batch.raw, batch.same, facts.stored
    seconds = {"normalize": batch.seconds.get("normalize", 0.0)}

    t = time.perf_counter()
    ctx = cross_record_context(batch.keys, holders, facts, policy)
    stored_keys = pd.concat(
        [holder_rows(batch.changed).set_axis(batch.changed.index), stored.loc[same]]
    )
    counts = context_counts(stored_keys, ctx).reindex(raw.index)
    skip = same & (stored["context_counts"] == counts).fillna(False).astype(bool)
    seconds["validate"] = time.perf_counter() - t

    frame = batch.changed
    again = same & ~skip
    if again.any():  # same record, changed cross-station counts: evaluate it again
        t = time.perf_counter()
        redo = normalize_rows(raw.loc[again], facts.corrections, policy.rules, now)
        redo["content_hash"] = batch.hashes.loc[again]
        frame = pd.concat([frame, redo]).sort_index()
        seconds["normalize"] += time.perf_counter() - t
    frame["context_counts"] = counts.reindex(frame.index)

    t = time.perf_counter()
    checked = validate_customers(frame, ctx)
    frame["outcome"] = checked.outcomes.reindex(frame["customer_code"]).to_numpy()
    issues = issue_rows(checked.issues, frame, run_id=run_id)
    seconds["validate"] += time.perf_counter() - t

    t = time.perf_counter()  # GX checks the outcome too: after the rules
    validation = run_expectations_by_station(frame, policy.wards)
    seconds["gx"] = time.perf_counter() - t

    t = time.perf_counter()
    drafts = build_drafts(frame, run_id=run_id, now=now)
    seconds["draft"] = time.perf_counter() - t

    unchanged = pd.DataFrame(
        {
            "customer_code": raw.loc[skip, "customer_code"],
            "station": raw.loc[skip, "station"],
            "outcome": stored.loc[skip, "outcome"],
        }
    )
    return BatchResult(frame, issues, drafts, unchanged, validation, seconds)

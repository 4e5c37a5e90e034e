"""One station batch, end to end: read its open ledgers from CMIS (one slot per ledger), apply
branch corrections, normalize, validate, draft, and commit everything in one transaction.

This is the service layer the flow calls; it holds no Prefect code, so it is tested directly.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import pandas as pd

from cmis_migrate.clock import Clock
from cmis_migrate.contracts.draft import build_drafts
from cmis_migrate.runtime import Runtime
from cmis_migrate.source.cmis import RAW_COLUMNS, Ledger, ReadStats
from cmis_migrate.store import lookups, runs
from cmis_migrate.store.rows import content_hashes, customer_rows, holder_rows, issue_rows
from cmis_migrate.store.slots import ledger_slot
from cmis_migrate.store.unit_of_work import StationResult, commit_station
from cmis_migrate.transforms import normalize_customers
from cmis_migrate.transforms.corrections import apply_corrections, mark_corrected
from cmis_migrate.transforms.dates import normalize_dates
from cmis_migrate.validators.context import ValidationContext
from cmis_migrate.validators.expectations import run_expectations
from cmis_migrate.validators.keys import count_holders, identity_keys
from cmis_migrate.validators.validate import validate_customers


@dataclass(frozen=True)
class StationJob:
    run_id: str
    station: str
    branch: str
    standardized: bool
    ledgers: tuple[Ledger, ...]

    @property
    def customers(self) -> int:
        return sum(lg.customers for lg in self.ledgers)


@dataclass(frozen=True)
class BatchSummary:
    station: str
    branch: str
    state: str
    customers: int = 0
    ready: int = 0
    needs_review: int = 0
    blocked: int = 0
    drafted: int = 0
    deferred: int = 0
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def read_open_ledgers(
    job: StationJob, rt: Runtime, clock: Clock, stats: ReadStats
) -> tuple[pd.DataFrame, list[Ledger], list[tuple[Ledger, object]]]:
    """Read every ledger of the station whose window is open now; defer the others unread."""
    cfg = rt.cfg
    parts: list[pd.DataFrame] = []
    done: list[Ledger] = []
    deferred: list[tuple[Ledger, object]] = []
    for i, lg in enumerate(job.ledgers):
        window = rt.calendar.ledger_status(clock.now(), lg.reading_day)
        if not window.open:
            deferred.append((lg, window))
            continue
        with ledger_slot(
            rt.store,
            cfg.load.max_ledgers_at_once,
            lg.ledger,
            lease_seconds=cfg.load.lease_seconds,
            owner=job.run_id,
        ):
            for chunk in rt.source.read_ledger(
                job.station,
                lg.ledger,
                as_of=clock.now().date(),
                chunk_rows=cfg.load.max_rows_per_query,
                stats=stats,
            ):
                parts.append(chunk.assign(reading_day=lg.reading_day))
        done.append(lg)
        runs.heartbeat_batch(
            rt.store, job.run_id, job.station, lease_seconds=cfg.load.lease_seconds
        )
        if cfg.load.pause_between_ledgers_seconds and i < len(job.ledgers) - 1:
            time.sleep(cfg.load.pause_between_ledgers_seconds)
    if parts:
        raw = pd.concat(parts, ignore_index=True)
    else:
        raw = pd.DataFrame({c: pd.Series(dtype=object) for c in (*RAW_COLUMNS, "reading_day")})
    # a customer listed twice (bad CMIS data) is processed once
    raw = raw.drop_duplicates(subset="customer_code", keep="first").reset_index(drop=True)
    return raw, done, deferred


def _count_distinct(frame: pd.DataFrame, key: str, member: str) -> dict[str, int]:
    f = frame[[key, member]].dropna()
    f = f[(f[key].astype(str) != "") & (f[member].astype(str) != "")]
    if f.empty:
        return {}
    return f.drop_duplicates().groupby(key)[member].nunique().to_dict()


def build_context(frame: pd.DataFrame, rt: Runtime) -> ValidationContext:
    """Cross-station facts for this batch: its rows together with what the store already knows."""
    codes = frame["customer_code"].tolist()
    own = pd.DataFrame(
        {
            "customer_code": frame["customer_code"],
            "otp_phone": frame.get("phone_normalized"),
            "id_number": frame.get("id_number_normalized"),
            "holder_key": frame["holder_key"],
            "person_key": frame["person_key"],
        }
    )
    phones = lookups.other_holders(rt.store, "otp_phone", own["otp_phone"], codes)
    ids = lookups.other_holders(rt.store, "id_number", own["id_number"], codes)
    persons = lookups.other_holders(rt.store, "person_key", own["person_key"], codes)
    both = pd.concat([own, phones])
    return ValidationContext(
        max_holders_per_phone=rt.cfg.rules.max_holders_per_phone,
        staff_phones=rt.staff_phones,
        wards=frozenset(rt.wards),
        phone_holders=count_holders(zip(both["otp_phone"], both["holder_key"], strict=True)),
        id_customers=_count_distinct(pd.concat([own, ids]), "id_number", "customer_code"),
        person_customers=_count_distinct(pd.concat([own, persons]), "person_key", "customer_code"),
        confirmations=lookups.confirmations_for(rt.store, codes),
    )


def review_marks(
    codes: pd.Series, corrections: pd.DataFrame, confirmations: dict[tuple[str, str], str | None]
) -> pd.Series:
    """Per customer, the branch's corrections and confirmations as text (part of the content hash)."""
    marks: dict[str, list[str]] = {}
    for code, field, value in corrections[["customer_code", "field", "new_value"]].itertuples(
        index=False
    ):
        marks.setdefault(code, []).append(f"{field}={value}")
    for (code, rule), value in confirmations.items():
        marks.setdefault(code, []).append(f"+{rule}={value}")
    return pd.Series(
        ["|".join(sorted(marks.get(c, []))) for c in codes], index=codes.index, dtype=object
    )


def birth_dates(raw: pd.DataFrame, now: datetime) -> pd.Series:
    """ISO birth dates where readable (for the same-person key), else missing."""
    if "birth_date" not in raw:
        return pd.Series(None, index=raw.index, dtype=object)
    parsed = normalize_dates(raw["birth_date"], today=now.date())
    usable = parsed["status"].isin(["ok", "fixed"])
    return parsed["normalized"].astype(object).where(usable, None)


def evaluate(raw: pd.DataFrame, rt: Runtime, *, run_id: str, now: datetime) -> dict:
    """Corrections -> normalize -> validate -> drafts, for the customers read (no writes)."""
    codes = raw["customer_code"].tolist()
    corrections = lookups.latest_corrections(rt.store, codes)
    inputs, corrected = apply_corrections(raw, corrections)
    normalized = normalize_customers(inputs, rules=rt.cfg.rules, today=now.date())
    normalized = mark_corrected(normalized, corrected)
    birth = normalize_dates(inputs["birth_date"], today=now.date())
    normalized["birth_date_normalized"] = birth["normalized"].where(
        birth["status"].isin(["ok", "fixed"]), None
    )
    frame = pd.concat([raw, normalized], axis=1)
    frame["birth_date_normalized"] = birth_dates(raw, now)
    frame = frame.join(identity_keys(frame))
    ctx = build_context(frame, rt)
    validation = validate_customers(frame, ctx)
    frame["outcome"] = validation.outcomes.reindex(frame["customer_code"]).to_numpy()
    marks = review_marks(frame["customer_code"], corrections, ctx.confirmations)
    frame["content_hash"] = content_hashes(raw, marks)
    gx = run_expectations(frame, rt.wards) if len(frame) else None
    drafts = build_drafts(frame, run_id=run_id, now=now)
    return {
        "frame": frame,
        "issues": issue_rows(validation.issues, frame, run_id=run_id),
        "drafts": drafts,
        "validation": gx,
    }


def process_station(
    job: StationJob, rt: Runtime, clock: Clock, *, task_run_id: str | None = None
) -> BatchSummary:
    """Run one station batch and commit it atomically. Raises on errors (the caller decides)."""
    cfg = rt.cfg
    t0 = time.perf_counter()
    runs.start_batch(
        rt.store,
        job.run_id,
        job.station,
        lease_seconds=cfg.load.lease_seconds,
        task_run_id=task_run_id,
    )
    stats = ReadStats()
    raw, done, deferred = read_open_ledgers(job, rt, clock, stats)
    now = clock.now()
    result = evaluate(raw, rt, run_id=job.run_id, now=now)
    frame = result["frame"]
    outcome_counts = frame["outcome"].value_counts().to_dict() if len(frame) else {}
    deferred_customers = sum(lg.customers for lg, _ in deferred)
    next_open = min((w.next_open for _, w in deferred if w.next_open is not None), default=None)
    reasons = sorted({r for _, w in deferred for r in w.reasons})
    state = "deferred" if deferred else "succeeded"
    batch = {
        "state": state,
        "ledgers": len(job.ledgers),
        "ledgers_done": len(done),
        "customers": len(frame) + deferred_customers,
        "ready": int(outcome_counts.get("ready", 0)),
        "needs_review": int(outcome_counts.get("needs_review", 0)),
        "blocked": int(outcome_counts.get("blocked", 0)),
        "drafted": len(result["drafts"]),
        "deferred": deferred_customers,
        "unchanged": 0,
        "queries": stats.queries,
        "rows_read": stats.rows,
        "cmis_seconds": round(stats.seconds, 4),
        "seconds": round(time.perf_counter() - t0, 4),
        "deferred_reason": "; ".join(f"{lg.ledger}: {w.message}" for lg, w in deferred)[:2000]
        or None,
        # stored as UTC: SQLite keeps no offset and the store reads every time back as UTC
        "next_open_at": next_open.astimezone(UTC) if next_open is not None else None,
    }
    commit_station(
        rt.store,
        StationResult(
            run_id=job.run_id,
            station=job.station,
            customers=customer_rows(frame, run_id=job.run_id, now=now),
            issues=result["issues"],
            drafts=result["drafts"],
            holders=holder_rows(frame),
            batch=batch,
            validation=result["validation"],
        ),
    )
    return BatchSummary(
        station=job.station,
        branch=job.branch,
        state=state,
        customers=batch["customers"],
        ready=batch["ready"],
        needs_review=batch["needs_review"],
        blocked=batch["blocked"],
        drafted=batch["drafted"],  # set by commit_station: the station's current drafts
        deferred=deferred_customers,
        error=", ".join(reasons) or None,
    )

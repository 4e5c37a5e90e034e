"""A station batch's work, short of writing it: read its open ledgers from CMIS (one slot per
ledger), apply branch corrections, normalize, validate and draft, skipping the customers that
are unchanged since they were last stored (the rule is in `evaluate`).

Holds no Prefect code and writes nothing but the run ledger; cmis_migrate.station_group runs
the stations of one task through it and commits each station in its own transaction.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from datetime import datetime

import pandas as pd

from cmis_migrate.clock import Clock
from cmis_migrate.contracts.draft import build_drafts
from cmis_migrate.fingerprint import pipeline_fingerprint
from cmis_migrate.runtime import Runtime
from cmis_migrate.source.cmis import RAW_COLUMNS, Ledger, ReadStats
from cmis_migrate.store import lookups, runs
from cmis_migrate.store.rows import content_hashes, holder_rows, issue_rows
from cmis_migrate.store.slots import ledger_slot
from cmis_migrate.transforms import normalize_customers
from cmis_migrate.transforms.corrections import apply_corrections, mark_corrected
from cmis_migrate.transforms.dates import normalize_dates
from cmis_migrate.validators.context import ValidationContext
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
    unchanged: int = 0
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class LedgerAccess:
    """How the ledger reads of one task take CMIS capacity. Without a configured pause, one
    ledger slot is held for all of them: the holder reads one ledger at a time, so no more than
    load.max_ledgers_at_once ledgers are read at once, as with a slot per ledger, for 2 store
    transactions per task instead of 2 per ledger (~5,600 ledgers in the province). With
    load.pause_between_ledgers_seconds, each ledger takes its own slot and the task pauses
    between two reads (the pause leaves the slot to others)."""

    def __init__(self, rt: Runtime, owner: str | None = None):
        self.rt = rt
        self.owner = owner  # the run id: a dead run's slots are freed as soon as it is found dead
        self.pause = rt.cfg.load.pause_between_ledgers_seconds
        self._stack = ExitStack()
        self._held = False
        self._reads = 0

    def _slot(self, ledger: str):
        load = self.rt.cfg.load
        return ledger_slot(
            self.rt.store,
            load.max_ledgers_at_once,
            ledger,
            lease_seconds=load.lease_seconds,
            owner=self.owner,
        )

    @contextmanager
    def reading(self, ledger: str) -> Iterator[None]:
        if self._reads and self.pause:
            time.sleep(self.pause)
        self._reads += 1
        if self.pause:
            with self._slot(ledger):
                yield
            return
        if not self._held:  # taken at the first ledger actually read
            self._stack.enter_context(self._slot(ledger))
            self._held = True
        yield

    def __enter__(self) -> LedgerAccess:
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()


def read_open_ledgers(
    job: StationJob,
    rt: Runtime,
    clock: Clock,
    stats: ReadStats,
    access: LedgerAccess | None = None,
) -> tuple[pd.DataFrame, list[Ledger], list[tuple[Ledger, object]]]:
    """Read every ledger of the station whose window is open now; defer the others unread.

    `access`: the task's LedgerAccess when several stations are read in a row."""
    if access is None:
        with LedgerAccess(rt, owner=job.run_id) as own:
            return read_open_ledgers(job, rt, clock, stats, own)
    cfg = rt.cfg
    parts: list[pd.DataFrame] = []
    done: list[Ledger] = []
    deferred: list[tuple[Ledger, object]] = []
    last_beat = time.monotonic()  # the batch was started (its lease set) just before
    for lg in job.ledgers:
        window = rt.calendar.ledger_status(clock.now(), lg.reading_day)
        if not window.open:
            deferred.append((lg, window))
            continue
        with access.reading(lg.ledger):
            for chunk in rt.source.read_ledger(
                job.station,
                lg.ledger,
                as_of=clock.now().date(),
                chunk_rows=cfg.load.max_rows_per_query,
                stats=stats,
            ):
                parts.append(chunk.assign(reading_day=lg.reading_day))
        done.append(lg)
        if time.monotonic() - last_beat > cfg.load.lease_seconds / 4:  # renew well in time
            runs.heartbeat_batch(
                rt.store, job.run_id, job.station, lease_seconds=cfg.load.lease_seconds
            )
            last_beat = time.monotonic()
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


def build_context(
    frame: pd.DataFrame,
    rt: Runtime,
    *,
    confirmations: dict[tuple[str, str], str | None] | None = None,
) -> ValidationContext:
    """Cross-station facts for this batch: its rows together with what the store already knows.

    frame: customer_code, phone_normalized, id_number_normalized, holder_key, person_key."""
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
        rules=rt.cfg.rules,
        staff_phones=rt.staff_phones,
        wards=frozenset(rt.wards),
        phone_holders=count_holders(zip(both["otp_phone"], both["holder_key"], strict=True)),
        id_customers=_count_distinct(pd.concat([own, ids]), "id_number", "customer_code"),
        person_customers=_count_distinct(pd.concat([own, persons]), "person_key", "customer_code"),
        confirmations=lookups.confirmations_for(rt.store, codes)
        if confirmations is None
        else confirmations,
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


def normalize_frame(
    raw: pd.DataFrame, corrections: pd.DataFrame, rt: Runtime, now: datetime
) -> pd.DataFrame:
    """Raw rows (+ branch corrections) -> raw + normalized columns + identity keys."""
    inputs, corrected = apply_corrections(raw, corrections)
    normalized = normalize_customers(inputs, rules=rt.cfg.rules, today=now.date())
    normalized = mark_corrected(normalized, corrected)
    birth = normalize_dates(inputs["birth_date"], today=now.date())
    normalized["birth_date_normalized"] = birth["normalized"].where(
        birth["status"].isin(["ok", "fixed"]), None
    )
    frame = pd.concat([raw, normalized], axis=1)
    return frame.join(identity_keys(frame))


# the keys build_context reads, and the holder_index columns they are stored in
CONTEXT_KEYS = {
    "phone_normalized": "otp_phone",
    "id_number_normalized": "id_number",
    "holder_key": "holder_key",
    "person_key": "person_key",
}


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


@dataclass
class Evaluation:
    frame: pd.DataFrame  # the evaluated customers: raw + normalized + keys + outcome + hashes
    issues: pd.DataFrame
    drafts: pd.DataFrame
    unchanged: pd.DataFrame  # customer_code, station, outcome: skipped, counted as stored
    seconds: dict[str, float] = dc_field(default_factory=dict)  # normalize, validate, draft


def evaluate(raw: pd.DataFrame, rt: Runtime, *, run_id: str, now: datetime) -> Evaluation:
    """Corrections -> normalize -> validate -> drafts for the customers read (no writes).

    The unchanged rule: a customer is skipped (not normalized, validated, drafted or written;
    counted with its stored outcome) when both
    - its content hash is the stored one: every CMIS field read (station, ledger and the
      ledger's reading day included), the branch's corrections and confirmations, and the
      pipeline fingerprint (code of the pure stages, reference tables, rules config, staff
      phones, year; cmis_migrate/fingerprint.py), and
    - its cross-station counts are the stored ones: the holders of its phone, the customers of
      its ID number and of the same person, counted now over the store and this group.
    So a phone that another station's customer starts using (or stops using) changes the count
    of every customer on that phone, and they are evaluated again. The counts are those the
    store knows when the group runs: a station processed later in the same run is seen by the
    next run (as before the skip existed: a first run sees only the stations stored before).
    """
    seconds = {"normalize": 0.0, "validate": 0.0, "draft": 0.0}
    t = time.perf_counter()
    codes = raw["customer_code"].tolist()
    corrections = lookups.latest_corrections(rt.store, codes)
    confirmations = lookups.confirmations_for(rt.store, codes)
    marks = review_marks(raw["customer_code"], corrections, confirmations)
    fingerprint = pipeline_fingerprint(rt.cfg.rules, rt.staff_phones, now.date())
    hashes = content_hashes(raw, marks + "\x1e" + fingerprint)
    stored = lookups.stored_state(rt.store, codes).drop_duplicates("customer_code")
    stored = stored.set_index("customer_code").reindex(raw["customer_code"]).set_axis(raw.index)
    same = pd.Series(stored["content_hash"].to_numpy() == hashes.to_numpy(), index=raw.index)

    def normalized(rows: pd.Series) -> pd.DataFrame:
        out = normalize_frame(raw.loc[rows], corrections, rt, now)
        out["content_hash"] = hashes.loc[rows]
        return out

    changed = normalized(~same)
    seconds["normalize"] += time.perf_counter() - t
    t = time.perf_counter()
    # every customer's keys: new ones where normalized, the stored ones where the record is same
    kept = stored.loc[same, list(CONTEXT_KEYS.values())]
    kept = kept.rename(columns={v: k for k, v in CONTEXT_KEYS.items()})
    keys = pd.concat([changed[list(CONTEXT_KEYS)], kept]).sort_index()
    keys.insert(0, "customer_code", raw["customer_code"])
    ctx = build_context(keys, rt, confirmations=confirmations)
    stored_keys = pd.concat([holder_rows(changed).set_axis(changed.index), stored.loc[same]])
    counts = context_counts(stored_keys, ctx).reindex(raw.index)
    skip = same & (stored["context_counts"] == counts).fillna(False).astype(bool)
    seconds["validate"] += time.perf_counter() - t
    again = same & ~skip
    if again.any():  # same record, changed cross-station counts: evaluate it again
        t = time.perf_counter()
        changed = pd.concat([changed, normalized(again)]).sort_index()
        seconds["normalize"] += time.perf_counter() - t
    t = time.perf_counter()
    frame = changed
    frame["context_counts"] = counts.reindex(frame.index)
    validation = validate_customers(frame, ctx)
    frame["outcome"] = validation.outcomes.reindex(frame["customer_code"]).to_numpy()
    issues = issue_rows(validation.issues, frame, run_id=run_id)
    seconds["validate"] += time.perf_counter() - t
    t = time.perf_counter()
    drafts = build_drafts(frame, run_id=run_id, now=now)
    seconds["draft"] += time.perf_counter() - t
    unchanged = pd.DataFrame(
        {
            "customer_code": raw.loc[skip, "customer_code"],
            "station": raw.loc[skip, "station"],
            "outcome": stored.loc[skip, "outcome"],
        }
    )
    return Evaluation(frame, issues, drafts, unchanged, seconds)

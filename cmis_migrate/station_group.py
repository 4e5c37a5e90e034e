"""The station batches of one task: read each station's open ledgers, evaluate the group's
customers together (one normalization, one validation, one GX run), then commit each station
in its own transaction with its own batch row and validation result.

Why groups: the fixed cost of a pass (GX ~0.2 s a run, pandas set-up, store lookups) is paid
once per group instead of once per station (~3,300 stations of ~240 customers in the province).
A station stays the unit of state: it is read, committed, counted, failed and redone alone.
A data error in a group's evaluation makes each of its stations be evaluated alone, so only
the bad one fails; a transient error (database locked, connection lost) is raised for the
caller to retry, and stations committed before it are then returned from the store, not redone.
A full disk is raised too, and stops the run (failures.not_the_stations).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from cmis_migrate.clock import Clock
from cmis_migrate.db import utcnow
from cmis_migrate.evaluate import BatchResult, evaluate, normalize_batch
from cmis_migrate.failures import describe, is_disk_full, not_the_stations
from cmis_migrate.fingerprint import pipeline_fingerprint
from cmis_migrate.holder_moves import KEYS, moved_keys
from cmis_migrate.ledger_reads import LedgerAccess, read_open_ledgers
from cmis_migrate.memory import release_free_memory
from cmis_migrate.model import BatchSummary, Ledger, LedgerDone, ReadStats, StationJob
from cmis_migrate.part_reads import outcome_counts, read_touched_in_parts, unread_of_parts
from cmis_migrate.runtime import Runtime
from cmis_migrate.store import runs
from cmis_migrate.store.batch_group import SUMMARY_FIELDS, finished_batches, start_batches
from cmis_migrate.store.facts import gather_facts, gather_holders, gather_touched
from cmis_migrate.store.read_history import read_rows
from cmis_migrate.store.rows import customer_rows, holder_rows
from cmis_migrate.store.statistics import refresh_statistics
from cmis_migrate.store.tables import STAGES
from cmis_migrate.store.unit_of_work import (
    StationResult,
    commit_batch_rows,
    commit_station,
    records,
)

log = logging.getLogger(__name__)
# stages done once for a whole group, apportioned to its stations by customers read
SHARED_STAGES = ("normalize", "validate", "gx", "draft", "write")


@dataclass
class StationRead:
    job: StationJob
    raw: pd.DataFrame
    done: list[LedgerDone]
    deferred: list[tuple[Ledger, object]]
    stats: ReadStats
    seconds: float
    read_at: datetime  # when the read began (UTC): the store facts evaluated are newer


@dataclass
class GroupResult:
    evaluation: BatchResult
    seconds: dict[str, float]  # SHARED_STAGES, for the whole group
    rows: int  # customers read by the group
    stations: int
    run_id: str
    now: datetime
    fingerprint: str = ""  # the pipeline fingerprint the group was evaluated under
    # station -> customers outside the group whose cross-station counts it changed
    touched: dict[str, list[str]] = field(default_factory=dict)
    # customer -> its stored outcome, for the customers of ledgers read in part
    before: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # the store's rows for the whole group at once, then split by station: per-station
        # pandas work cost more than the rows themselves
        t = time.perf_counter()
        ev = self.evaluation
        if ev is NOTHING:  # nothing read: nothing to write but the batch rows
            self.parts = dict.fromkeys(PARTS, [])
            self.split = {name: {} for name in PARTS}
            return
        self.parts = {
            "customers": customer_rows(ev.frame, run_id=self.run_id, now=self.now),
            "holders": holder_rows(ev.frame),
            "issues": ev.issues,
            "drafts": ev.drafts,
            "unchanged": ev.unchanged[["station", "ledger", "outcome"]],
        }
        self.split = {name: _by_station(records(rows)) for name, rows in self.parts.items()}
        self.seconds["write"] = time.perf_counter() - t  # making rows; each commit adds its own

    def part(self, name: str, station: str) -> list[dict]:
        return self.split[name].get(station, [])


PARTS = ("customers", "holders", "issues", "drafts", "unchanged")
# the evaluation of a group that read no row (a quiet incremental night: ~40 such groups in the
# province, each paying ~0.4 s of store look-ups and pandas on empty frames for nothing)
NOTHING = BatchResult(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), validation={})


def read_station(
    job: StationJob, rt: Runtime, clock: Clock, access: LedgerAccess | None = None
) -> StationRead:
    t, began = time.perf_counter(), utcnow()
    stats = ReadStats()
    raw, done, deferred = read_open_ledgers(job, rt, clock, stats, access)
    return StationRead(job, raw, done, deferred, stats, time.perf_counter() - t, began)


def read_stations(
    jobs: list[StationJob], rt: Runtime, clock: Clock, task_run_id: str | None
) -> tuple[list[StationRead], dict[str, BatchSummary]]:
    """Start the stations' batches (one transaction), then read them one after another
    (batch.LedgerAccess: one ledger slot for the task, or a slot and a pause per ledger)."""
    start_batches(
        rt.store,
        jobs[0].run_id,
        [j.station for j in jobs],
        lease_seconds=rt.cfg.load.lease_seconds,
        task_run_id=task_run_id,
    )
    runs.begin_batches(rt.store, jobs[0].run_id, [j.station for j in jobs if j.reads_nothing])
    reads: list[StationRead] = []
    failed: dict[str, BatchSummary] = {}
    with LedgerAccess(rt, owner=jobs[0].run_id) as access:
        for job in jobs:
            try:
                reads.append(read_station(job, rt, clock, access))
            except Exception as exc:  # bad CMIS data of one station fails that station only
                if not_the_stations(exc):
                    raise
                failed[job.station] = fail_station(rt, job, exc)
    return reads, failed


def evaluate_group(reads: list[StationRead], rt: Runtime, *, run_id: str, now) -> GroupResult:
    """The stations' customers together, in the three steps of a batch: read the store's
    facts, evaluate (pure: cmis_migrate.evaluate), and (the caller) commit."""
    raws = [r.raw for r in reads if len(r.raw)]
    raw = pd.concat(raws, ignore_index=True) if raws else reads[0].raw
    # a customer listed in two stations (bad CMIS data) is processed once, in the first
    raw = raw.drop_duplicates(subset="customer_code", keep="first").reset_index(drop=True)
    policy = rt.policy
    if raw.empty:
        fingerprint = pipeline_fingerprint(policy.rules, policy.staff_phones, now.date())
        return GroupResult(NOTHING, {}, 0, len(reads), run_id, now, fingerprint)
    t = time.perf_counter()
    facts = gather_facts(rt.store, raw, policy, now.date())
    lookup = time.perf_counter() - t
    normalized = normalize_batch(raw, facts, policy, now)
    t = time.perf_counter()
    holders = gather_holders(rt.store, normalized.keys, raw["customer_code"])
    lookup += time.perf_counter() - t
    result = evaluate(normalized, facts, holders, policy, run_id=run_id, now=now)
    result.unchanged["ledger"] = raw.loc[result.unchanged.index, "ledger"]
    seconds = dict(result.seconds)
    group = GroupResult(result, seconds, len(raw), len(reads), run_id, now, facts.fingerprint)
    part = raw["customer_code"].isin(
        {c for r in reads for d in r.done if d.part for c in d.part.codes}
    )
    if part.any():
        group.before = dict(
            zip(raw.loc[part, "customer_code"], facts.stored.loc[part, "outcome"], strict=True)
        )
    # whose counts the group's new or changed keys change elsewhere: their ledgers are marked
    t = time.perf_counter()
    moved = moved_keys(group.parts["holders"], facts.stored.loc[result.frame.index, list(KEYS)])
    group.touched = gather_touched(rt.store, moved, holders, raw["customer_code"])
    lookup += time.perf_counter() - t
    seconds["validate"] = seconds.get("validate", 0.0) + lookup  # store look-ups, as before
    return group


def _by_station(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        out.setdefault(row["station"], []).append(row)
    return out


def station_result(read: StationRead, group: GroupResult) -> StationResult:
    """One station's share of the group's evaluation, with its batch row."""
    job = read.job
    station = job.station
    customers = group.part("customers", station)
    drafts, unchanged = group.part("drafts", station), group.part("unchanged", station)
    kept = job.kept  # ledgers left unread: counted as their last read counted them
    unread = unread_of_parts(read.done, group.before)  # the customers a part read left
    outcomes = outcome_counts((*customers, *unchanged), kept, unread)
    kept_customers = sum(k.customers for k in kept) + sum(unread.values())
    deferred_customers = sum(lg.customers for lg, _ in read.deferred)
    next_open = min(
        (w.next_open for _, w in read.deferred if w.next_open is not None), default=None
    )
    share = len(read.raw) / group.rows if group.rows else 1.0 / group.stations
    stage_seconds = {f"{s}_seconds": 0.0 for s in STAGES}
    stage_seconds["extract_seconds"] = round(read.seconds, 4)
    for s in SHARED_STAGES:
        stage_seconds[f"{s}_seconds"] = round(group.seconds.get(s, 0.0) * share, 4)
    batch = {
        "state": "deferred" if read.deferred else "succeeded",
        "ledgers": len(job.ledgers),
        "ledgers_done": len(read.done),
        "ledgers_unchanged": len(kept),
        "customers": len(customers) + len(unchanged) + deferred_customers + kept_customers,
        "ready": int(outcomes.get("ready", 0)),
        "needs_review": int(outcomes.get("needs_review", 0)),
        "blocked": int(outcomes.get("blocked", 0)),
        "drafted": len(drafts),
        "deferred": deferred_customers,
        "unchanged": len(unchanged) + kept_customers,
        "queries": read.stats.queries,
        "rows_read": read.stats.rows,
        "cmis_seconds": round(read.stats.seconds, 4),
        "seconds": round(sum(stage_seconds.values()), 4),
        "deferred_reason": "; ".join(f"{lg.ledger}: {w.message}" for lg, w in read.deferred)[:2000]
        or None,
        "next_open_at": next_open,
        **stage_seconds,
    }
    return StationResult(
        run_id=job.run_id,
        station=station,
        customers=customers,
        issues=group.part("issues", station),
        drafts=drafts,
        holders=group.part("holders", station),
        batch=batch,
        validation=group.evaluation.validation.get(station),
        ledger_reads=read_rows(
            job,
            read.done,
            read_at=read.read_at,
            fingerprint=group.fingerprint,
            outcomes=Counter((r["ledger"], r["outcome"]) for r in (*customers, *unchanged))
            + unread,
        ),
        marked=group.touched.get(station, []),
    )


def summary_of(read: StationRead, result: StationResult) -> BatchSummary:
    batch = result.batch  # its "drafted" was set at the commit: the station's current drafts
    reasons = sorted({r for _, w in read.deferred for r in w.reasons})
    return BatchSummary(
        station=read.job.station,
        branch=read.job.branch,
        state=batch["state"],
        customers=batch["customers"],
        ready=batch["ready"],
        needs_review=batch["needs_review"],
        blocked=batch["blocked"],
        drafted=batch["drafted"],
        deferred=batch["deferred"],
        unchanged=batch["unchanged"],
        error=", ".join(reasons) or None,
    )


def fail_station(rt: Runtime, job: StationJob, exc: BaseException) -> BatchSummary:
    kind, message = describe(exc)
    runs.fail_batch(rt.store, job.run_id, job.station, kind, message)
    log.error("station %s failed: %s: %s", job.station, kind, message)
    return BatchSummary(job.station, job.branch, "failed", customers=job.customers, error=message)


def _stored_summary(row: dict) -> BatchSummary:
    values = {k: row[k] for k in SUMMARY_FIELDS}
    return BatchSummary(**values, error=row.get("deferred_reason"))


def _commit_each(
    reads: list[StationRead], group: GroupResult, rt: Runtime
) -> dict[str, BatchSummary]:
    """Each station in its own transaction; the stations with nothing but their batch row to
    write (every customer unchanged, or nothing read) together in one: on a night over
    unchanged data that is one commit per task instead of one per station."""
    out = {}
    results = [(read, station_result(read, group)) for read in reads]
    quiet = [(read, r) for read, r in results if r.nothing_but_batch]
    try:
        commit_batch_rows(rt.store, [r for _, r in quiet])
        out.update({read.job.station: summary_of(read, r) for read, r in quiet})
    except Exception as exc:
        if not_the_stations(exc):
            raise
        log.warning("batch rows of %d stations: %s; committing each alone", len(quiet), exc)
    for read, r in results:
        if read.job.station in out:
            continue
        try:
            r.extra["write_started"] = time.perf_counter()
            commit_station(rt.store, r)
            out[read.job.station] = summary_of(read, r)
        except Exception as exc:
            if not_the_stations(exc):
                raise
            out[read.job.station] = fail_station(rt, read.job, exc)
    return out


def process_group(
    jobs: list[StationJob], rt: Runtime, clock: Clock, *, task_run_id: str | None = None
) -> list[BatchSummary]:
    """Run the station batches of one task; one summary per job, in the jobs' order.

    Raises only transient errors (the caller retries); any other error fails its station."""
    if not jobs:
        return []
    run_id = jobs[0].run_id
    refresh_statistics(rt.store)  # PostgreSQL: the lookups below need fresh statistics
    done = {
        s: _stored_summary(row)
        for s, row in finished_batches(rt.store, run_id, [j.station for j in jobs]).items()
    }
    todo = [j for j in jobs if j.station not in done]
    reads: list[StationRead] = []
    if todo:
        reads, failed = read_stations(todo, rt, clock, task_run_id)
        done.update(failed)
    if reads:
        now = clock.now()
        try:
            group = evaluate_group(reads, rt, run_id=run_id, now=now)
            if read_touched_in_parts(reads, group, rt):
                group = evaluate_group(reads, rt, run_id=run_id, now=now)
        except Exception as exc:
            if not_the_stations(exc):
                raise
            group = None
            log.warning("group of %d stations: %s; evaluating each alone", len(reads), exc)
        if group is not None:
            done.update(_commit_each(reads, group, rt))
        else:
            for read in reads:
                try:
                    alone = evaluate_group([read], rt, run_id=run_id, now=now)
                except Exception as exc:
                    if not_the_stations(exc):
                        raise
                    done[read.job.station] = fail_station(rt, read.job, exc)
                    continue
                done.update(_commit_each([read], alone, rt))
    del reads
    release_free_memory()  # the group's frames, before the next group builds its own
    return [done[j.station] for j in jobs]


def process_station(
    job: StationJob, rt: Runtime, clock: Clock, *, task_run_id: str | None = None
) -> BatchSummary:
    """One station batch alone (a group of one)."""
    return process_group([job], rt, clock, task_run_id=task_run_id)[0]


def summaries_after_error(
    rt: Runtime, jobs: list[StationJob], exc: BaseException
) -> list[BatchSummary]:
    """A task gave up (retries exhausted): its committed stations stand, the others fail.
    A full disk stops the whole run instead (raised): every other station would fail on it."""
    if is_disk_full(exc):
        raise exc
    done = finished_batches(rt.store, jobs[0].run_id, [j.station for j in jobs]) if jobs else {}
    return [
        _stored_summary(done[j.station]) if j.station in done else fail_station(rt, j, exc)
        for j in jobs
    ]

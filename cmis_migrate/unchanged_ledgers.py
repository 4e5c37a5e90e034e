"""Which ledgers an incremental run leaves unread (load.incremental): the planner's one call.

The store is asked first (each ledger's last committed read, the newest branch correction or
confirmation per ledger, the stale-holder marks); what it cannot settle is asked of CMIS in two
aggregate queries for the whole run, covering the days since the oldest of those ledgers' last
reads (cmis_migrate.source.changes); ledgers whose changes all lie on their last read's day are
settled by reading only those customers (cmis_migrate.read_day_rows); a ledger with rows dated
since its read is read in part where it can be: a third query finds its dated customers, the
store says where it holds them (incremental.read_in_part). The decision itself is pure:
cmis_migrate.incremental.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import SQLAlchemyError

from cmis_migrate.failures import describe
from cmis_migrate.fingerprint import pipeline_fingerprint
from cmis_migrate.incremental import (
    PART_REASON,
    LastRead,
    StoreSide,
    cmis_since,
    decide,
    first_reasons,
    on_read_day_only,
    read_in_part,
)
from cmis_migrate.model import ReadStats, StationJob
from cmis_migrate.read_day_rows import ledgers_as_read
from cmis_migrate.runtime import Runtime
from cmis_migrate.source.changes import LedgerActivity, dated_since, ledger_activity
from cmis_migrate.store import lookups, read_history

log = logging.getLogger(__name__)
NO_ACTIVITY = LedgerActivity()


@dataclass
class KeptSummary:
    """What the planner decided: ledgers kept unread, ledgers read by reason, CMIS's cost."""

    kept: int = 0
    read: Counter = field(default_factory=Counter)
    stats: ReadStats = field(default_factory=ReadStats)
    as_read: int = 0  # of the kept: their customers dated on the read's day were compared
    parts: int = 0  # ledgers read in part
    part_customers: int = 0  # their customers to read

    def line(self) -> str:
        why = ", ".join(f"{n} {r}" for r, n in self.read.most_common()) or "none"
        return (
            f"incremental: {self.kept} ledger(s) unchanged since their last read, not read "
            f"({self.as_read} after comparing their rows dated on that read's day); "
            f"{sum(self.read.values())} read ({why}; {self.parts} in part: "
            f"{self.part_customers} customer(s) dated or marked since the read); CMIS asked "
            f"in {self.stats.queries} queries, {self.stats.rows} rows, "
            f"{self.stats.seconds:.1f} s"
        )


def keep_unchanged(
    rt: Runtime, jobs: list[StationJob], today: date, *, named: list[str] | None = None
) -> tuple[list[StationJob], KeptSummary]:
    """The jobs with their unchanged ledgers kept unread (and why each other one is read).
    `named`: stations the user named, read whole."""
    last = read_history.last_reads(rt.store)
    oldest = min((r.read_at for r in last.values()), default=None)
    side = StoreSide(
        today=today,
        fingerprint=pipeline_fingerprint(rt.cfg.rules, rt.staff_phones, today),
        full_sweep_days=rt.cfg.load.full_sweep_days,
        reviewed=read_history.reviewed_since(rt.store, oldest) if oldest else {},
        marked=read_history.marked(rt.store),
    )
    reasons = first_reasons(jobs, last, side, named or ())
    summary = KeptSummary()
    since = cmis_since(reasons, last)
    found: dict | None = {}
    if since is not None:
        try:
            found = ledger_activity(rt.source, since, today, summary.stats)
        except SQLAlchemyError as exc:  # e.g. a site without NGAY_YCAU: read as before
            kind, message = describe(exc)
            log.warning("incremental: cannot ask CMIS what changed (%s: %s)", kind, message)
            found = None

    def activity(lg):
        return None if found is None else found.get((lg.station, lg.ledger), NO_ACTIVITY)

    read_days = {
        (lg.station, lg.ledger): last[lg.ledger].as_of
        for job in jobs
        for lg in job.ledgers
        if reasons[lg.ledger] is None and on_read_day_only(last[lg.ledger], activity(lg))
    }
    as_read = ledgers_as_read(rt, jobs, read_days, today, summary.stats)
    decided = decide(jobs, reasons, last, activity, as_read)
    decided = in_part(rt, decided, last, activity, today, summary)
    for job in decided:
        summary.kept += len(job.kept)
        summary.as_read += len(job.kept_ledgers & as_read)
        summary.read.update(why for _, why in job.reasons)
        summary.parts += len(job.parts)
        summary.part_customers += sum(len(p.codes) for p in job.parts)
    return decided, summary


def in_part(
    rt: Runtime,
    jobs: list[StationJob],
    last: dict[str, LastRead],
    activity,
    today: date,
    summary: KeptSummary,
) -> list[StationJob]:
    """The jobs with the ledgers read for their dated rows or their marked holders read in
    part where they can be (incremental.read_in_part); if CMIS or the store cannot say, those
    ledgers are read whole."""
    ledgers = [lg for j in jobs for lg, why in j.reasons if why in PART_REASON]
    if not ledgers:
        return jobs
    since = min(last[lg].as_of for lg in ledgers)
    try:
        dated = dated_since(rt.source, since, today, summary.stats)
        marks = read_history.marked_customers(rt.store)
        codes = {row[2] for row in dated} | {code for _, code, _ in marks if code}
        stored = lookups.stored_ledgers(rt.store, sorted(codes))
    except SQLAlchemyError as exc:
        kind, message = describe(exc)
        log.warning("incremental: cannot find the dated customers (%s: %s)", kind, message)
        return jobs
    return read_in_part(jobs, last, activity, dated, stored, marks)

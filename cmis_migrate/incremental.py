"""Whether an incremental run reads a ledger tonight (load.incremental), decided from what the
ledger's last committed read saw and what changed since. Pure: no database, no clock.

A ledger is read, with the first reason that holds, when
- it was never read (or not by a committed station batch): `first`;
- its station was named (`run --station`, `rerun --station`): `named`;
- CMIS now files it under another station: `station`;
- its last read is `full_sweep_days` old or older: `sweep` (every read reads the whole ledger,
  so any read restarts the count);
- what decides a customer's result changed: the pipeline fingerprint (code, reference tables,
  rules, staff phones, the year): `pipeline`;
- its reading day (NGAY_GCS) changed: `reading_day`; its metering points in the inventory
  (HDG_DIEM_DO rows: added or removed) changed in number: `metering_points`;
- a branch correction or confirmation of one of its customers was applied after the read
  began: `review`;
- a customer of another ledger sharing a phone, ID number or person with its customers changed
  those keys after the read began (its cross-station counts are stale): `holders`; read in
  part when it can be (`read_in_part`: `marked_customers`): only the customers marked, and
  those with rows dated since the read;
- CMIS has rows of it whose validity start or end (NGAY_HLUC, NGAY_HHLUC) lies between the
  last read's day and today, both included: `cmis_rows`. When they all lie on the read's day
  itself, they may have been written before the read or after it: the run then reads only
  those customers (cmis_migrate.read_day_rows) and the ledger is kept when each is as the read
  stored it (`as_read`). Otherwise the ledger is read in part when it can be (`read_in_part`:
  `dated_customers`): only its customers with such rows, each stored in the ledger;
- its customers with an open change request changed in number, or one was filed (NGAY_YCAU)
  in those days: `change_requests`;
- CMIS could not say what changed (the queries failed): `cmis_unknown`.
Otherwise it is kept: not read, its customers keep their stored state and are counted as that
read counted them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from cmis_migrate.model import FULL_READ, KeptLedger, Ledger, PartRead, StationJob
from cmis_migrate.source.changes import LedgerActivity, on_or_after

FIRST, NAMED, SWEEP = "first", "named", "sweep"
CMIS_UNKNOWN = "cmis_unknown"
CMIS_ROWS, HOLDERS = "cmis_rows", "holders"
# read in part: only its customers with rows dated since its read; or those and its customers
# marked since it (their cross-station counts moved)
DATED, MARKED = "dated_customers", "marked_customers"
PART_REASON = {CMIS_ROWS: DATED, HOLDERS: MARKED}
WHOLE_REASON = {part: whole for whole, part in PART_REASON.items()}
# reads asked for by no change: the ledger is read whatever changed
FULL_SWEEPS = frozenset({FULL_READ, FIRST, NAMED, SWEEP})


@dataclass(frozen=True)
class LastRead:
    """A ledger's last committed read (a row of store table ledger_reads)."""

    ledger: str
    station: str
    as_of: date  # the day its CMIS rows were read valid on
    read_at: datetime  # when its station's read began (UTC)
    metering_points: int
    reading_day: int | None
    open_requests: int
    fingerprint: str
    customers: int = 0
    ready: int = 0
    needs_review: int = 0
    blocked: int = 0
    swept_on: date | None = None  # the day of its last whole read (None: as_of)

    @property
    def sweep_day(self) -> date:
        return self.swept_on or self.as_of

    def kept(self) -> KeptLedger:
        return KeptLedger(self.ledger, self.customers, self.ready, self.needs_review, self.blocked)


@dataclass(frozen=True)
class StoreSide:
    """Tonight's facts that need no CMIS query: the pipeline fingerprint, the newest branch
    correction or confirmation per ledger, the newest stale-holder mark per ledger."""

    today: date
    fingerprint: str
    full_sweep_days: int
    reviewed: Mapping[str, datetime]
    marked: Mapping[str, datetime]


def store_reason(ledger: Ledger, last: LastRead | None, side: StoreSide) -> str | None:
    """Why the ledger is read, from the store and the inventory alone (None: ask CMIS)."""
    if last is None:
        return FIRST
    if last.station != ledger.station:
        return "station"
    if (side.today - last.sweep_day).days >= side.full_sweep_days:
        return SWEEP
    if last.fingerprint != side.fingerprint:
        return "pipeline"
    if last.reading_day != ledger.reading_day:
        return "reading_day"
    if last.metering_points != ledger.customers:
        return "metering_points"
    reviewed = side.reviewed.get(ledger.ledger)
    if reviewed is not None and reviewed > last.read_at:
        return "review"
    marked = side.marked.get(ledger.ledger)
    if marked is not None and marked > last.read_at:
        return HOLDERS
    return None


def cmis_reason(
    last: LastRead, activity: LedgerActivity | None, *, as_read: bool = False
) -> str | None:
    """Why the ledger is read, from CMIS's activity since its last read (None: kept).
    `activity` None: CMIS could not be asked. `as_read`: its customers with rows dated on the
    read's day are as that read stored them (rows_as_read)."""
    if activity is None:
        return CMIS_UNKNOWN
    since = last.as_of
    dated = on_or_after(activity.valid_from, since) or on_or_after(activity.valid_until, since)
    if dated and not (as_read and on_read_day_only(last, activity)):
        return CMIS_ROWS
    if activity.open_requests != last.open_requests or on_or_after(activity.requested, since):
        return "change_requests"
    return None


def on_read_day_only(last: LastRead, activity: LedgerActivity | None) -> bool:
    """Whether the ledger's dated rows since its last read all lie on the read's day (and
    there is one): written before the read or after it, only their content can tell."""
    if activity is None:
        return False
    dated = [v for v in (activity.valid_from, activity.valid_until) if v is not None]
    after = last.as_of + timedelta(days=1)
    return any(on_or_after(v, last.as_of) for v in dated) and not any(
        on_or_after(v, after) for v in dated
    )


def rows_as_read(
    dated: Iterable[tuple[str, str, str]],
    tonight: Iterable[tuple[str, str, str, str]],
    stored: Mapping[str, tuple[str, str]],
) -> set[str]:
    """The ledgers whose customers dated on their last read's day are as that read stored them.

    dated: (station, ledger, customer) with a row valid from or until that day; tonight:
    (station, ledger, customer, content hash) of those customers' rows a read would take
    tonight; stored: customer -> (ledger, content hash) as the store holds it. A dated customer
    is as read when it has one row in the ledger tonight whose hash is the stored one (the hash
    covers the station and the ledger), or none there tonight and none stored there. A ledger
    is as read when every one of its dated customers is; a ledger none is dated in is not."""
    hashes: dict[tuple[str, str, str], list[str]] = {}
    for station, ledger, code, digest in tonight:
        hashes.setdefault((station, ledger, code), []).append(digest)
    seen: set[str] = set()
    changed: set[str] = set()
    for station, ledger, code in dated:
        seen.add(ledger)
        now, place = hashes.get((station, ledger, code), []), stored.get(code)
        if len(now) == 1:
            same = place == (ledger, now[0])
        else:
            same = not now and (place is None or place[0] != ledger)
        if not same:
            changed.add(ledger)
    return seen - changed


def first_reasons(
    jobs: Iterable[StationJob],
    last: Mapping[str, LastRead],
    side: StoreSide,
    named: Iterable[str] = (),
) -> dict[str, str | None]:
    """ledger -> why it is read as far as the store tells (None: CMIS decides)."""
    named = set(named)
    out: dict[str, str | None] = {}
    for job in jobs:
        for lg in job.ledgers:
            if job.station in named:
                out[lg.ledger] = NAMED
            else:
                out[lg.ledger] = store_reason(lg, last.get(lg.ledger), side)
    return out


def cmis_since(reasons: Mapping[str, str | None], last: Mapping[str, LastRead]) -> date | None:
    """The first day CMIS is asked about: the oldest last read of the undecided ledgers and of
    those read for their marked holders (which may be read in part: read_in_part)."""
    days = [last[lg].as_of for lg, why in reasons.items() if why in (None, HOLDERS)]
    return min(days, default=None)


def decide(
    jobs: Iterable[StationJob],
    reasons: Mapping[str, str | None],
    last: Mapping[str, LastRead],
    activity: Callable[[Ledger], LedgerActivity | None],
    as_read: Collection[str] = (),
) -> list[StationJob]:
    """The jobs with their kept ledgers and the reason each other ledger is read. `as_read`:
    the ledgers whose customers dated on their last read's day are as that read stored them."""
    out = []
    for job in jobs:
        kept: list[KeptLedger] = []
        why: list[tuple[str, str]] = []
        for lg in job.ledgers:
            reason = reasons[lg.ledger]
            if reason is None:
                reason = cmis_reason(last[lg.ledger], activity(lg), as_read=lg.ledger in as_read)
            if reason is None:
                kept.append(last[lg.ledger].kept())
            else:
                why.append((lg.ledger, reason))
        out.append(replace(job, kept=tuple(kept), reasons=tuple(why)))
    return out


def read_in_part(
    jobs: Iterable[StationJob],
    last: Mapping[str, LastRead],
    activity: Callable[[Ledger], LedgerActivity | None],
    dated: Iterable[tuple[str, str, str, object, object]],
    stored: Mapping[str, str],
    marks: Iterable[tuple[str, str | None, datetime]] = (),
) -> list[StationJob]:
    """The jobs with each ledger read for its dated rows (`cmis_rows`) or its marked holders
    (`holders`) read in part instead, where it can be: only its customers with a row dated on
    or after its last read's day, and those marked after that read began.

    dated: (station, ledger, customer, NGAY_HLUC, NGAY_HHLUC) of the rows dated in the days
    asked; stored: customer -> the ledger the store holds it in; marks: (ledger, customer,
    marked_at) of the stale-holder marks (customer None: a mark that names none). A ledger is
    read in part when each of those customers is stored in it (a customer new to it or moved
    in from another ledger makes it read whole), no mark of it since its read lacks a customer,
    and its open change requests are as its last read saw them."""
    codes: dict[str, set[str]] = {}
    places: dict[str, str] = {}
    for station, ledger, code, valid_from, valid_until in dated:
        read = last.get(ledger)
        if read is not None and (
            on_or_after(valid_from, read.as_of) or on_or_after(valid_until, read.as_of)
        ):
            codes.setdefault(ledger, set()).add(code)
            places.setdefault(ledger, station)
    unnamed: set[str] = set()
    for ledger, code, at in marks:
        read = last.get(ledger)
        if read is None or at <= read.read_at:
            continue
        if code is None:
            unnamed.add(ledger)
        else:
            codes.setdefault(ledger, set()).add(code)
    out = []
    for job in jobs:
        parts: list[PartRead] = []
        for lg in job.ledgers:
            if job.reason(lg.ledger) not in PART_REASON or lg.ledger in unnamed:
                continue
            mine = codes.get(lg.ledger)
            read, now = last[lg.ledger], activity(lg)
            if not mine or now is None or any(stored.get(c) != lg.ledger for c in mine):
                continue
            if places.get(lg.ledger, lg.station) != lg.station:
                continue
            if now.open_requests != read.open_requests or on_or_after(now.requested, read.as_of):
                continue
            parts.append(
                PartRead(
                    lg.ledger, tuple(sorted(mine)), read.kept(), read.sweep_day, read.open_requests
                )
            )
        if parts:
            part = {p.ledger for p in parts}
            reasons = tuple(
                (lg, PART_REASON[why] if lg in part else why) for lg, why in job.reasons
            )
            job = replace(job, parts=tuple(parts), reasons=reasons)
        out.append(job)
    return out

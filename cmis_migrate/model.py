"""The domain types of a run, with no I/O: what CMIS holds (stations and their ledgers), what a
run plans (station jobs) and what a station batch reports. The planner, the flow and the
station-batch core import these without pulling in a database or Prefect."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

READING_DAYS = range(1, 32)  # a ledger's reading day (NGAY_GCS) is a day of the month


@dataclass
class ReadStats:
    """How hard a batch leaned on CMIS: queries, rows and seconds inside them."""

    queries: int = 0
    rows: int = 0
    seconds: float = 0.0

    def add(self, other: ReadStats) -> None:
        self.queries += other.queries
        self.rows += other.rows
        self.seconds += other.seconds


@dataclass(frozen=True)
class Ledger:
    """A meter-reading ledger (sổ GCS). `reading_day` is None when CMIS holds no usable day
    (missing, not a whole number, outside 1..31): the windows cannot be judged for it, so its
    station batch fails with that reason instead of guessing a day."""

    ledger: str
    station: str
    branch: str
    reading_day: int | None
    customers: int

    @property
    def reading_day_problem(self) -> str | None:
        if self.reading_day is None:
            return f"ledger {self.ledger}: CMIS has no valid reading day (NGAY_GCS not in 1..31)"
        return None


def reading_day(value: object) -> int | None:
    """NGAY_GCS as a day of the month, or None when it is not one (the one rule for every
    reader of ledgers: the planner, the nightly run and `windows`)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not f.is_integer() or int(f) not in READING_DAYS:
        return None
    return int(f)


@dataclass(frozen=True)
class Station:
    station: str
    branch: str
    standardized: bool
    ledgers: tuple[Ledger, ...] = field(default_factory=tuple)
    name: str | None = None  # D_TRAM.TEN_TRAM, as a clerk knows the station

    @property
    def customers(self) -> int:
        return sum(lg.customers for lg in self.ledgers)


@dataclass(frozen=True)
class KeptLedger:
    """A ledger a run leaves unread (load.incremental: nothing changed since its last committed
    read), with what that read counted: its customers keep their stored state."""

    ledger: str
    customers: int = 0
    ready: int = 0
    needs_review: int = 0
    blocked: int = 0


FULL_READ = "all"  # why a ledger is read when the run is not incremental


@dataclass(frozen=True)
class PartRead:
    """A ledger an incremental run reads in part: only its customers with a CMIS row dated
    since its last read (`codes`); the others keep their stored state and are counted as that
    read counted them (`last`), less what these customers counted then. `swept_on`: the day of
    its last whole read (a part read does not restart the sweep count); `open_requests`: its
    customers with an open change request, unchanged since that read."""

    ledger: str
    codes: tuple[str, ...]
    last: KeptLedger
    swept_on: date
    open_requests: int = 0


@dataclass(frozen=True)
class StationJob:
    """One station batch of a run: the unit that is read, committed, failed and redone alone.

    `kept`: its ledgers the run does not read (incremental mode); `parts`: its ledgers read in
    part (only their customers dated since their last read); `reasons`: (ledger, why it is
    read) for the others when the run is incremental (else every ledger is read: FULL_READ)."""

    run_id: str
    station: str
    branch: str
    standardized: bool
    ledgers: tuple[Ledger, ...]
    kept: tuple[KeptLedger, ...] = ()
    reasons: tuple[tuple[str, str], ...] = ()
    parts: tuple[PartRead, ...] = ()

    @property
    def customers(self) -> int:
        return sum(lg.customers for lg in self.ledgers)

    @property
    def to_read(self) -> int:
        """The customers the batch reads from CMIS: its ledgers read whole, plus the customers
        of those read in part (a kept ledger reads none)."""
        kept = self.kept_ledgers
        parts = {p.ledger: len(p.codes) for p in self.parts}
        return sum(
            parts.get(lg.ledger, lg.customers) for lg in self.ledgers if lg.ledger not in kept
        )

    @property
    def kept_ledgers(self) -> frozenset[str]:
        return frozenset(k.ledger for k in self.kept)

    @property
    def reads_nothing(self) -> bool:
        """Every ledger is kept: the batch reads no CMIS row (incremental mode)."""
        return len(self.kept) == len(self.ledgers)

    def reason(self, ledger: str) -> str:
        return dict(self.reasons).get(ledger, FULL_READ)

    def part(self, ledger: str) -> PartRead | None:
        return next((p for p in self.parts if p.ledger == ledger), None)


@dataclass(frozen=True)
class LedgerDone:
    """A ledger read by a station batch: the day its CMIS rows were valid on, and its
    customers with an open change request as read (compared by the next incremental run)."""

    ledger: Ledger
    as_of: date
    open_requests: int = 0
    part: PartRead | None = None  # read in part: only part.codes were read


@dataclass(frozen=True)
class BatchSummary:
    """What a station batch reports back to the flow (small: counts, never frames)."""

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

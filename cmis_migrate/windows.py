"""Off-peak calendar: when may cmis-migrate read a CMIS ledger and draft its contracts?

The company's rule: keep away from CMIS while it bills. Every rule comes from
`config.windows` (PC Thanh Hoa's real calendar is unknown), read in `schedule.timezone`:

- allowed hours `[start, end)` of wall-clock time: `start > end` crosses midnight
  (22:00-05:00), `start < end` is a same-day window (01:00-04:00), `start == end` is all day;
- invoice issuance, per ledger: blocked from its reading day for `billing_days` days (the
  reading day, then the next `billing_days - 1` days, running on into the next month or year).
  A reading day past the end of a shorter month is that month's last day (31 in April = 30
  April, 30 in February = 28/29 February); `billing_days = 0` blocks nothing;
- debt clearing and report aggregation, company-wide: days of the month; a negative day
  counts from the end (-1 the last day, -2 the one before). A day past the end of the month
  is its last day (31 in April = 30 April); a negative day before its start is its first day;
- explicit blocked dates (holidays, month-end close).

**How a night window meets a blocked date.** A moment `t` is open for a ledger iff `t` is
inside the allowed hours AND the local calendar date of `t` is blocked by no rule for that
ledger. So a date rule blocks the whole local calendar day, midnight to midnight: if
10 March is a billing day, the night 9->10 March is open 22:00-24:00 on the 9th only, and
the night 10->11 March opens at 00:00 on the 11th. A date's protection never leaks into the
neighbouring dates.

**Time.** Every function takes the time `at`: there is no clock here and no I/O. `at` must be
timezone-aware (a naive datetime raises ValueError: the CLI reads an --at without offset in
`schedule.timezone` before it gets here); any zone is accepted and converted, so 15:00Z is
22:00 in Asia/Ho_Chi_Minh. Results are aware datetimes in the calendar's zone; intervals are
half-open `[start, end)`. Internally every boundary is a UTC instant made from a wall-clock
time with `fold=0`, so all comparisons are absolute (in a zone with daylight saving, a
boundary inside the skipped hour moves by the shift; Vietnam has none).

Thousands of ledgers are cheap: day rules and status are cached per (date, reading day)
and per (instant, reading day), and there are at most 31 reading days.
"""

from __future__ import annotations

import calendar as _monthcal
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import pandas as pd

from cmis_migrate.config import Config, WindowsConfig

OUTSIDE_HOURS = "outside_hours"
BILLING = "billing"
DEBT_CLEARING = "debt_clearing"
REPORT_AGGREGATION = "report_aggregation"
BLOCKED_DATE = "blocked_date"
# every reason code the calendar gives, in the order they are reported
REASONS: tuple[str, ...] = (OUTSIDE_HOURS, BILLING, DEBT_CLEARING, REPORT_AGGREGATION, BLOCKED_DATE)
# given by ledger_statuses (not the calendar) to a ledger whose reading day is missing or not
# 1..31: its billing days are unknown, so it is never open
INVALID_READING_DAY = "invalid_reading_day"

DEFAULT_HORIZON_DAYS = 62

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class DayBlock:
    """One date rule that blocks a local calendar date (reason code + short English detail)."""

    reason: str
    detail: str


@dataclass(frozen=True)
class LedgerWindow:
    """The calendar's answer for one ledger (or company-wide) at one moment.

    `open_until`: when open, the moment the current window closes (None: it does not close
    within the search horizon). `next_open`: the start of the next open window strictly
    after `at` (when open: the one after the current window closes; None: none within the
    horizon). `reasons` is empty iff `open`.
    """

    at: datetime
    reading_day: int | None
    open: bool
    reasons: tuple[str, ...]
    message: str
    open_until: datetime | None
    next_open: datetime | None


def month_day(year: int, month: int, day: int) -> date:
    """The date for a day-of-month rule: `day` 1..31 (past the end = last day) or -1..-31."""
    if day == 0 or not -31 <= day <= 31:
        raise ValueError(f"day of month must be 1..31 or -1..-31, got {day}")
    last = _monthcal.monthrange(year, month)[1]
    n = min(day, last) if day > 0 else max(last + day + 1, 1)
    return date(year, month, n)


def _shift_month(year: int, month: int, k: int) -> tuple[int, int]:
    y, m0 = divmod(year * 12 + month - 1 + k, 12)
    return y, m0 + 1


def _check_reading_day(reading_day: int | None) -> None:
    if reading_day is None:
        return
    if (
        isinstance(reading_day, bool)
        or not isinstance(reading_day, int)
        or not 1 <= reading_day <= 31
    ):
        raise ValueError(f"reading day must be an int 1..31 (31 = last day), got {reading_day!r}")


def _stamp(t: datetime) -> str:
    return t.isoformat(sep=" ", timespec="minutes")


class Calendar:
    """The off-peak calendar built from `WindowsConfig` in one time zone. Pure and cached."""

    def __init__(
        self, windows: WindowsConfig, tz: ZoneInfo, *, horizon_days: int = DEFAULT_HORIZON_DAYS
    ) -> None:
        hours = windows.allowed_hours
        if hours.start.tzinfo is not None or hours.end.tzinfo is not None:
            raise ValueError(
                "windows.allowed_hours: give wall-clock times without offset "
                "(they are read in schedule.timezone)"
            )
        if horizon_days < 1:
            raise ValueError(f"horizon_days must be >= 1, got {horizon_days}")
        self.windows = windows
        self.tz = tz
        self.horizon_days = horizon_days
        self._start: time = hours.start
        self._end: time = hours.end
        self._blocked_dates = frozenset(windows.blocked_dates)
        # bound caches (not lru_cache on methods: that would keep every Calendar alive)
        self._hours = lru_cache(maxsize=4096)(self._compute_hours)
        self._blocks = lru_cache(maxsize=65536)(self._compute_blocks)
        self._open_segments = lru_cache(maxsize=65536)(self._compute_open_segments)
        self._status = lru_cache(maxsize=8192)(self._compute_status)

    @classmethod
    def from_config(cls, cfg: Config, *, horizon_days: int = DEFAULT_HORIZON_DAYS) -> Calendar:
        return cls(cfg.windows, cfg.tz, horizon_days=horizon_days)

    # ---- public API -------------------------------------------------------------------------

    @property
    def hours_label(self) -> str:
        """The allowed hours as text, e.g. '22:00-05:00' or 'all day'."""
        if self._start == self._end:
            return "all day"
        return f"{self._start:%H:%M}-{self._end:%H:%M}"

    def blocks(self, day: date, reading_day: int | None = None) -> tuple[DayBlock, ...]:
        """The date rules blocking local date `day` (company-wide, plus billing for a ledger)."""
        _check_reading_day(reading_day)
        return self._blocks(day, reading_day)

    def blocked_reasons(self, day: date, reading_day: int | None = None) -> tuple[str, ...]:
        return tuple(b.reason for b in self.blocks(day, reading_day))

    def ledger_status(self, at: datetime, reading_day: int | None = None) -> LedgerWindow:
        """Is a ledger with this reading day (None: company-wide rules only) open at `at`?"""
        _check_reading_day(reading_day)
        return self._status(self._utc(at), reading_day)

    def is_open(self, at: datetime, reading_day: int | None = None) -> bool:
        return self.ledger_status(at, reading_day).open

    def open_windows(
        self, start: datetime, days: float, reading_day: int | None = None
    ) -> list[Interval]:
        """The open intervals `[s, e)` inside `[start, start + days)` (absolute duration), merged
        across midnight and clipped to the range; reading_day None = company-wide rules only."""
        _check_reading_day(reading_day)
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        lo = self._utc(start)
        hi = lo + timedelta(days=days)
        return [
            (s.astimezone(self.tz), e.astimezone(self.tz))
            for s, e in self._windows(lo, hi, reading_day)
        ]

    # ---- internals (UTC instants) -------------------------------------------------------------

    def _utc(self, at: datetime) -> datetime:
        if not isinstance(at, datetime):
            raise TypeError(f"expected a datetime, got {type(at).__name__}")
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(
                f"naive datetime {at.isoformat()}: give a timezone-aware time "
                f"(e.g. {at.replace(tzinfo=self.tz).isoformat()})"
            )
        return at.astimezone(UTC)

    def _instant(self, day: date, t: time) -> datetime:
        return datetime.combine(day, t, tzinfo=self.tz).astimezone(UTC)

    def _compute_hours(self, day: date) -> tuple[Interval, ...]:
        """The allowed-hours pieces whose local date is `day` (UTC, half-open, non-empty)."""
        midnight, next_midnight = (
            self._instant(day, time(0)),
            self._instant(day + timedelta(days=1), time(0)),
        )
        s, e = self._start, self._end
        if s == e:
            pieces = [(midnight, next_midnight)]
        elif s < e:
            pieces = [(self._instant(day, s), self._instant(day, e))]
        else:
            pieces = [(midnight, self._instant(day, e)), (self._instant(day, s), next_midnight)]
        return tuple((a, b) for a, b in pieces if a < b)

    def _compute_blocks(self, day: date, reading_day: int | None) -> tuple[DayBlock, ...]:
        w = self.windows
        out: list[DayBlock] = []
        if reading_day is not None and w.billing_days > 0:
            # this month's period, else last month's: a period two months back that reaches
            # `day` (31 January + 30 days) is always inside last month's, which starts later
            for k in (0, -1):
                y, m = _shift_month(day.year, day.month, k)
                first = month_day(y, m, reading_day)
                last = first + timedelta(days=w.billing_days - 1)
                if first <= day <= last:
                    span = f"{first}" if first == last else f"{first} to {last}"
                    out.append(
                        DayBlock(
                            BILLING, f"invoice issuance after reading day {reading_day} ({span})"
                        )
                    )
                    break
        if any(month_day(day.year, day.month, n) == day for n in w.debt_clearing_days):
            out.append(DayBlock(DEBT_CLEARING, f"debt clearing on {day}"))
        if any(month_day(day.year, day.month, n) == day for n in w.report_aggregation_days):
            out.append(DayBlock(REPORT_AGGREGATION, f"report aggregation on {day}"))
        if day in self._blocked_dates:
            out.append(DayBlock(BLOCKED_DATE, f"blocked date {day}"))
        return tuple(out)

    def _compute_open_segments(self, day: date, reading_day: int | None) -> tuple[Interval, ...]:
        return () if self._blocks(day, reading_day) else self._hours(day)

    def _windows(self, lo: datetime, hi: datetime, reading_day: int | None) -> list[Interval]:
        if hi <= lo:
            return []
        day = lo.astimezone(self.tz).date() - timedelta(days=1)
        last_day = hi.astimezone(self.tz).date() + timedelta(days=1)
        merged: list[list[datetime]] = []
        while day <= last_day:
            for a, b in self._open_segments(day, reading_day):
                if merged and a <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
            day += timedelta(days=1)
        out = []
        for a, b in merged:
            a, b = max(a, lo), min(b, hi)
            if a < b:
                out.append((a, b))
        return out

    def _compute_status(self, at: datetime, reading_day: int | None) -> LedgerWindow:
        tz = self.tz
        local_day = at.astimezone(tz).date()
        days = (local_day - timedelta(days=1), local_day, local_day + timedelta(days=1))
        hours_days = [d for d in days if any(a <= at < b for a, b in self._hours(d))]
        open_now = any(not self._blocks(d, reading_day) for d in hours_days)
        blocks: list[DayBlock] = []
        reasons: list[str] = []
        if not open_now:
            if not hours_days:
                reasons.append(OUTSIDE_HOURS)
            for d in hours_days or [local_day]:
                for b in self._blocks(d, reading_day):
                    if b not in blocks:
                        blocks.append(b)
            reasons.extend(r for r in REASONS[1:] if any(b.reason == r for b in blocks))

        horizon_end = at + timedelta(days=self.horizon_days)
        windows = self._windows(at - timedelta(days=1), horizon_end, reading_day)
        open_until = next_open = None
        for a, b in windows:
            if a <= at < b:
                open_until = None if b >= horizon_end else b
            elif a > at:
                next_open = a
                break

        at_local = at.astimezone(tz)
        open_until_l = open_until.astimezone(tz) if open_until else None
        next_open_l = next_open.astimezone(tz) if next_open else None
        later = (
            f"next open {_stamp(next_open_l)}"
            if next_open_l
            else f"no open window within {self.horizon_days} days"
        )
        if open_now:
            until = (
                f"open until {_stamp(open_until_l)}"
                if open_until_l
                else f"open, no close within {self.horizon_days} days"
            )
            message = until
        else:
            why = [f"outside allowed hours {self.hours_label}"] if OUTSIDE_HOURS in reasons else []
            why += [b.detail for b in blocks]
            message = f"closed: {'; '.join(why)}; {later}"
        return LedgerWindow(
            at=at_local,
            reading_day=reading_day,
            open=open_now,
            reasons=tuple(reasons),
            message=message,
            open_until=open_until_l,
            next_open=next_open_l,
        )


def ledger_statuses(calendar: Calendar, ledgers: pd.DataFrame, at: datetime) -> pd.DataFrame:
    """Each ledger's status at `at`: a new frame (same index, input untouched) with the
    ledgers' columns plus `open` (bool), `reasons` (codes joined by ';', empty when open),
    `message`, `open_until` and `next_open` (aware, NaT when none).

    `ledgers` needs a `reading_day` column (Int64: missing or outside 1..31 gives the reason
    INVALID_READING_DAY). The calendar is asked once per distinct reading day.
    """
    out = ledgers.copy()
    by_day: dict[object, LedgerWindow | None] = {}
    for rd in pd.unique(ledgers["reading_day"]):
        valid = not pd.isna(rd) and float(rd).is_integer() and 1 <= int(rd) <= 31
        by_day[rd] = calendar.ledger_status(at, int(rd)) if valid else None
    rows = [by_day[rd] for rd in ledgers["reading_day"]]
    out["open"] = pd.array([r is not None and r.open for r in rows], dtype="bool")
    out["reasons"] = pd.array(
        [";".join(r.reasons) if r else INVALID_READING_DAY for r in rows], dtype="str"
    )
    out["message"] = pd.array(
        [
            r.message if r else _invalid_message(rd)
            for r, rd in zip(rows, ledgers["reading_day"], strict=True)
        ],
        dtype="str",
    )
    for col in ("open_until", "next_open"):
        values = pd.Series(
            [getattr(r, col) if r else None for r in rows], index=ledgers.index, dtype="object"
        )
        out[col] = pd.to_datetime(values, utc=True).dt.tz_convert(calendar.tz)
    return out


def _invalid_message(rd: object) -> str:
    shown = "missing" if rd is None or rd is pd.NA else f"{rd}, not a day of the month (1..31)"
    return f"closed: the reading day (NGAY_GCS) is {shown}, so its billing days are unknown"

"""What changed in CMIS since a day, per ledger: two aggregate queries a run asks once when
load.incremental is on (never a customer row), and how to read the dates they return.

- validity_query: per (station, ledger), the newest NGAY_HLUC and NGAY_HHLUC lying in
  [since, today]: a row that became valid or invalid on one of those days, whether it was
  written then or dated ahead and reached now. The first day is included: a row dated the day
  of a ledger's read may have been written after that read (a ledger read at 01:00, a clerk's
  edit at 08:00 the same day), so a change is seen by the night of its day and the next one.
- requests_query: per (station, ledger), its customers valid today with an open change request
  (the next run compares the count with the one its last read saw: a closed request changes
  it) and the newest NGAY_YCAU of those requests in [since, today].

- dated_query: the customers of each ledger with a row valid from or until one day (any time
  of it): the rows of a ledger's read day, which the next night compares with what that read
  stored instead of reading the whole ledger again (cmis_migrate.read_day_rows).

- dated_since_query: the rows dated in [since, today] with their customers and dates: the
  customers an incremental run reads of a ledger it reads in part (incremental.read_in_part).

Dates come back as CMIS holds them: date or datetime (Oracle DATE), or text (the demo: ISO).
`on_or_after` compares them with a day the way the queries did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import and_, case, distinct, func, or_, select

from cmis_migrate.model import ReadStats
from cmis_migrate.source.cmis import CmisSource, open_request


@dataclass(frozen=True)
class LedgerActivity:
    """CMIS activity of one ledger in [since, today] (None: none in those days)."""

    valid_from: object = None  # the newest NGAY_HLUC in the days
    valid_until: object = None  # the newest NGAY_HHLUC in the days
    requested: object = None  # the newest NGAY_YCAU of an open change request in the days
    open_requests: int = 0  # its customers valid today with an open change request


def _dated_within(source: CmisSource, since: date, today: date):
    """column -> the condition that it lies in [since, today] (validity dates as CMIS holds
    them: source.day_literal)."""
    lo, hi = source.day_literal(since), source.day_literal(today)
    return lambda column: and_(column >= lo, column <= hi)


def validity_query(source: CmisSource, since: date, today: date):
    d, k = source.tables.HDG_DIEM_DO, source.tables.HDG_KHACH_HANG
    within = _dated_within(source, since, today)
    return (
        select(
            d.c.MA_TRAM,
            d.c.MA_SOGCS,
            func.max(case((within(k.c.NGAY_HLUC), k.c.NGAY_HLUC))),
            func.max(case((within(k.c.NGAY_HHLUC), k.c.NGAY_HHLUC))),
        )
        .select_from(d)
        .join(k, k.c.MA_KHANG == d.c.MA_KHANG)
        .where(or_(within(k.c.NGAY_HLUC), within(k.c.NGAY_HHLUC)))
        .group_by(d.c.MA_TRAM, d.c.MA_SOGCS)
    )


def requests_query(source: CmisSource, since: date, today: date):
    d, k, y = source.tables.HDG_DIEM_DO, source.tables.HDG_KHACH_HANG, source.tables.HDG_YEU_CAU
    lo = source.date_literal("HDG_YEU_CAU", "NGAY_YCAU", since)
    hi = source.date_literal("HDG_YEU_CAU", "NGAY_YCAU", today)
    within = and_(lo <= y.c.NGAY_YCAU, hi >= y.c.NGAY_YCAU)
    return (
        select(
            d.c.MA_TRAM,
            d.c.MA_SOGCS,
            func.count(distinct(d.c.MA_KHANG)),
            func.max(case((within, y.c.NGAY_YCAU))),
        )
        .select_from(d)
        .join(k, k.c.MA_KHANG == d.c.MA_KHANG)
        .join(y, y.c.MA_KHANG == d.c.MA_KHANG)
        .where(open_request(y), source.valid_on(today))
        .group_by(d.c.MA_TRAM, d.c.MA_SOGCS)
    )


def dated_query(source: CmisSource, day: date):
    d, k = source.tables.HDG_DIEM_DO, source.tables.HDG_KHACH_HANG
    lo, hi = source.day_literal(day), source.day_literal(day + timedelta(days=1))

    def on(column):  # a date, a datetime of the day, or ISO text starting with it
        return and_(column >= lo, column < hi)

    return (
        select(d.c.MA_TRAM, d.c.MA_SOGCS, d.c.MA_KHANG)
        .select_from(d)
        .join(k, k.c.MA_KHANG == d.c.MA_KHANG)
        .where(or_(on(k.c.NGAY_HLUC), on(k.c.NGAY_HHLUC)))
        .distinct()
    )


def dated_since_query(source: CmisSource, since: date, today: date):
    d, k = source.tables.HDG_DIEM_DO, source.tables.HDG_KHACH_HANG
    within = _dated_within(source, since, today)
    return (
        select(d.c.MA_TRAM, d.c.MA_SOGCS, d.c.MA_KHANG, k.c.NGAY_HLUC, k.c.NGAY_HHLUC)
        .select_from(d)
        .join(k, k.c.MA_KHANG == d.c.MA_KHANG)
        .where(or_(within(k.c.NGAY_HLUC), within(k.c.NGAY_HHLUC)))
    )


def dated_since(
    source: CmisSource, since: date, today: date, stats: ReadStats
) -> list[tuple[str, str, str, object, object]]:
    """(station, ledger, customer, NGAY_HLUC, NGAY_HHLUC) of the rows dated in [since, today]
    (the dates as CMIS holds them: compare with on_or_after)."""
    rows = source.fetch(dated_since_query(source, since, today), stats)
    return [(str(s), str(lg), str(c), f, u) for s, lg, c, f, u in rows]


def dated_customers(source: CmisSource, day: date, stats: ReadStats) -> set[tuple[str, str, str]]:
    """(station, ledger, customer) of the customers with a row valid from or until `day`."""
    rows = source.fetch(dated_query(source, day), stats)
    return {(str(s), str(lg), str(c)) for s, lg, c in rows}


def ledger_activity(
    source: CmisSource, since: date, today: date, stats: ReadStats
) -> dict[tuple[str, str], LedgerActivity]:
    """(station, ledger) -> its activity in [since, today]; a ledger absent had none."""
    found: dict[tuple[str, str], dict] = {}
    for query, names in (
        (validity_query(source, since, today), ("valid_from", "valid_until")),
        (requests_query(source, since, today), ("open_requests", "requested")),
    ):
        for station, ledger, *values in source.fetch(query, stats):
            found.setdefault((str(station), str(ledger)), {}).update(
                zip(names, values, strict=True)
            )
    return {
        key: LedgerActivity(**{**v, "open_requests": int(v.get("open_requests") or 0)})
        for key, v in found.items()
    }


def on_or_after(value: object, day: date) -> bool:
    """Whether a CMIS date (date, datetime or text as the column holds it) is on `day` or
    later, as the queries compared it. Text is compared with ISO text, like SQL does; a value
    of any other kind counts as later (never miss a change)."""
    if value is None:
        return False
    if isinstance(value, datetime):
        return value >= datetime.combine(day, clock_time.min, tzinfo=value.tzinfo)
    if isinstance(value, date):
        return value >= day
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, str):
        return value >= day.isoformat()
    return True

"""The incremental decision (cmis_migrate.incremental), how CMIS dates compare with a day
(source.changes.on_or_after), and whose cross-station counts a batch moves (holder_moves):
pure, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from cmis_migrate.config import ConfigError, build_config
from cmis_migrate.holder_moves import moved_keys, touched_holders
from cmis_migrate.incremental import (
    LastRead,
    StoreSide,
    cmis_reason,
    cmis_since,
    decide,
    first_reasons,
    on_read_day_only,
    read_in_part,
    rows_as_read,
    store_reason,
)
from cmis_migrate.model import KeptLedger, Ledger, PartRead, StationJob
from cmis_migrate.source.changes import LedgerActivity, on_or_after

TODAY = date(2026, 3, 12)
READ_AT = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
LEDGER = Ledger("PA0701T0001A", "PA0701T0001", "PA0701", 5, 120)
LAST = LastRead(
    ledger="PA0701T0001A",
    station="PA0701T0001",
    as_of=date(2026, 3, 10),
    read_at=READ_AT,
    metering_points=120,
    reading_day=5,
    open_requests=2,
    fingerprint="fp",
    customers=118,
    ready=100,
    needs_review=10,
    blocked=8,
)


def side(**changes) -> StoreSide:
    values = {
        "today": TODAY,
        "fingerprint": "fp",
        "full_sweep_days": 7,
        "reviewed": {},
        "marked": {},
    }
    return StoreSide(**(values | changes))


def test_the_mode_is_off_by_default_and_sweeps_weekly(tmp_path) -> None:
    cfg = build_config({}, tmp_path, env={})
    assert cfg.load.incremental is False and cfg.load.full_sweep_days == 7
    on = build_config({"load": {"incremental": True, "full_sweep_days": 14}}, tmp_path, env={})
    assert on.load.incremental and on.load.full_sweep_days == 14
    with pytest.raises(ConfigError, match="load.full_sweep_days"):
        build_config({"load": {"full_sweep_days": 0}}, tmp_path, env={})


def test_an_unchanged_ledger_is_kept() -> None:
    assert store_reason(LEDGER, LAST, side()) is None
    assert cmis_reason(LAST, LedgerActivity(open_requests=2)) is None


@pytest.mark.parametrize(
    ("ledger", "last", "store", "reason"),
    [
        (LEDGER, None, side(), "first"),
        (LEDGER, LastRead(**{**LAST.__dict__, "station": "PA0701T0002"}), side(), "station"),
        (LEDGER, LAST, side(today=date(2026, 3, 17)), "sweep"),  # 7 days: a weekly sweep
        (LEDGER, LAST, side(full_sweep_days=2), "sweep"),
        (LEDGER, LAST, side(fingerprint="new rules"), "pipeline"),
        (Ledger("PA0701T0001A", "PA0701T0001", "PA0701", 6, 120), LAST, side(), "reading_day"),
        (Ledger("PA0701T0001A", "PA0701T0001", "PA0701", 5, 121), LAST, side(), "metering_points"),
        (LEDGER, LAST, side(reviewed={LEDGER.ledger: READ_AT + timedelta(seconds=1)}), "review"),
        (LEDGER, LAST, side(marked={LEDGER.ledger: READ_AT + timedelta(seconds=1)}), "holders"),
    ],
)
def test_what_the_store_and_the_inventory_say_makes_a_ledger_read(
    ledger, last, store, reason
) -> None:
    assert store_reason(ledger, last, store) == reason


def test_what_happened_before_the_read_began_does_not() -> None:
    before = {LEDGER.ledger: READ_AT - timedelta(seconds=1)}
    assert store_reason(LEDGER, LAST, side(reviewed=before, marked=before)) is None
    assert store_reason(LEDGER, LAST, side(today=date(2026, 3, 16))) is None  # 6 days old
    other = {"PA0701T0002A": READ_AT + timedelta(days=1)}  # another ledger's correction
    assert store_reason(LEDGER, LAST, side(reviewed=other, marked=other)) is None


@pytest.mark.parametrize(
    ("activity", "reason"),
    [
        (LedgerActivity(valid_from="2026-03-11", open_requests=2), "cmis_rows"),
        # the day of the last read counts: a row may have been written after the read
        (LedgerActivity(valid_from="2026-03-10", open_requests=2), "cmis_rows"),
        (LedgerActivity(valid_until=datetime(2026, 3, 12, 9, 30), open_requests=2), "cmis_rows"),
        (LedgerActivity(valid_until=date(2026, 3, 11), open_requests=2), "cmis_rows"),
        (LedgerActivity(open_requests=1), "change_requests"),  # one was closed
        (LedgerActivity(open_requests=2, requested="2026-03-11"), "change_requests"),
        (None, "cmis_unknown"),
    ],
)
def test_cmis_activity_since_the_read_day_makes_a_ledger_read(activity, reason) -> None:
    assert cmis_reason(LAST, activity) == reason


def test_activity_before_the_read_day_does_not() -> None:
    # the run asked from an older ledger's read: dates before this one's day are not its news
    old = LedgerActivity(valid_from="2026-03-09", valid_until=date(2026, 3, 1), open_requests=2)
    assert cmis_reason(LAST, old) is None


@pytest.mark.parametrize(
    ("activity", "only"),
    [
        (LedgerActivity(valid_from="2026-03-10"), True),
        (
            LedgerActivity(valid_from=datetime(2026, 3, 10, 17, 5), valid_until=date(2026, 3, 10)),
            True,
        ),
        (LedgerActivity(valid_from="2026-03-10", valid_until="2026-03-11"), False),
        (LedgerActivity(valid_from="2026-03-11"), False),
        (LedgerActivity(valid_from="2026-03-09"), False),  # before the read: not its news
        (LedgerActivity(), False),
        (None, False),
    ],
)
def test_activity_on_the_read_day_alone_is_told_apart(activity, only) -> None:
    assert on_read_day_only(LAST, activity) is only


def test_rows_of_the_read_day_as_the_read_stored_them_keep_the_ledger() -> None:
    activity = LedgerActivity(valid_from="2026-03-10", open_requests=2)
    assert cmis_reason(LAST, activity) == "cmis_rows"
    assert cmis_reason(LAST, activity, as_read=True) is None
    later = LedgerActivity(valid_from="2026-03-10", valid_until="2026-03-11", open_requests=2)
    assert cmis_reason(LAST, later, as_read=True) == "cmis_rows"  # a later day: read
    closed = LedgerActivity(valid_from="2026-03-10", open_requests=1)
    assert cmis_reason(LAST, closed, as_read=True) == "change_requests"


def test_a_ledger_is_as_read_only_when_each_dated_customer_is() -> None:
    s = "PA0701T0001"
    dated = {
        (s, "A", "k1"),  # the same row as stored
        (s, "B", "k2"),  # edited after the read: another hash
        (s, "C", "k3"),  # gone from C tonight, still stored in C
        (s, "D", "k4"),  # gone from D tonight, stored in E now
        (s, "F", "k5"),  # new in F: not stored
        (s, "G", "k6"),  # twice in G tonight
        (s, "H", "k7"),  # the same hash, stored under another ledger
    }
    tonight = [
        (s, "A", "k1", "h1"),
        (s, "B", "k2", "h2-new"),
        (s, "E", "k4", "h4"),
        (s, "F", "k5", "h5"),
        (s, "G", "k6", "h6"),
        (s, "G", "k6", "h6"),
        (s, "H", "k7", "h7"),
    ]
    stored = {
        "k1": ("A", "h1"),
        "k2": ("B", "h2"),
        "k3": ("C", "h3"),
        "k4": ("E", "h4"),
        "k6": ("G", "h6"),
        "k7": ("X", "h7"),
    }
    assert rows_as_read(dated, tonight, stored) == {"A", "D"}
    gone = {**stored, "k8": ("A", "h8")}  # a customer of A with no row valid tonight
    assert rows_as_read(dated | {(s, "A", "k8")}, tonight, gone) == {"D"}
    assert rows_as_read(set(), tonight, stored) == set()  # no dated customer: nothing settled


@pytest.mark.parametrize(
    ("value", "after"),
    [
        (None, False),
        ("2026-03-10", True),
        ("2026-03-09", False),
        ("2026-03-10 08:00:00", True),
        (b"2026-03-11", True),
        (date(2026, 3, 9), False),
        (datetime(2026, 3, 10, 0, 0), True),
        (datetime(2026, 3, 9, 23, 59), False),
        (datetime(2026, 3, 10, 1, 0, tzinfo=UTC), True),
        (12345, True),  # a kind of value no date column should hold: read, never miss
    ],
)
def test_cmis_dates_compare_with_a_day_as_the_queries_do(value, after) -> None:
    assert on_or_after(value, date(2026, 3, 10)) is after


def job(station: str, *ledgers: Ledger) -> StationJob:
    return StationJob("run", station, "PA0701", False, ledgers)


def test_decide_keeps_the_unchanged_ledgers_with_their_last_counts() -> None:
    changed = Ledger("PA0701T0001B", "PA0701T0001", "PA0701", 5, 40)
    new = Ledger("PA0701T0002A", "PA0701T0002", "PA0701", 9, 10)
    last = {
        LEDGER.ledger: LAST,
        changed.ledger: LastRead(
            **{**LAST.__dict__, "ledger": changed.ledger, "as_of": TODAY, "metering_points": 40}
        ),
    }
    jobs = [job("PA0701T0001", LEDGER, changed), job("PA0701T0002", new)]
    reasons = first_reasons(jobs, last, side(), named=())
    assert reasons == {LEDGER.ledger: None, changed.ledger: None, new.ledger: "first"}
    assert cmis_since(reasons, last) == LAST.as_of  # the oldest undecided read
    activity = {changed.ledger: LedgerActivity(valid_from=TODAY.isoformat(), open_requests=2)}
    out = decide(
        jobs, reasons, last, lambda lg: activity.get(lg.ledger, LedgerActivity(open_requests=2))
    )
    assert out[0].kept == (KeptLedger(LEDGER.ledger, 118, 100, 10, 8),)
    assert out[0].reasons == ((changed.ledger, "cmis_rows"),)
    assert out[0].reason(changed.ledger) == "cmis_rows"
    assert out[1].kept == () and out[1].reasons == ((new.ledger, "first"),)
    assert out[0].ledgers == jobs[0].ledgers  # the plan is the same; only what is read differs


def dated_job() -> StationJob:
    """LEDGER read for its dated rows (`cmis_rows`)."""
    return replace(job("PA0701T0001", LEDGER), reasons=((LEDGER.ledger, "cmis_rows"),))


TWO_REQUESTS = LedgerActivity(open_requests=2)  # as LAST saw them


def in_part(dated, stored, activity=TWO_REQUESTS, last=LAST):
    return read_in_part([dated_job()], {LEDGER.ledger: last}, lambda lg: activity, dated, stored)[0]


def dated_row(code: str, valid_from=None, valid_until=None):
    return (LEDGER.station, LEDGER.ledger, code, valid_from, valid_until)


def test_a_ledger_with_dated_rows_is_read_for_those_customers_only() -> None:
    dated = [
        dated_row("C1", valid_from="2026-03-11"),
        dated_row("C2", valid_until=date(2026, 3, 10)),  # the read's day: may be after it
        dated_row("C3", valid_from="2026-03-09"),  # before the read's day: the read saw it
        ("PA0701T0002", "PA0701T0002A", "C4", "2026-03-11", None),  # another ledger's
    ]
    out = in_part(dated, {"C1": LEDGER.ledger, "C2": LEDGER.ledger, "C3": LEDGER.ledger})
    assert out.reasons == ((LEDGER.ledger, "dated_customers"),)
    assert out.parts == (
        PartRead(LEDGER.ledger, ("C1", "C2"), LAST.kept(), LAST.as_of, LAST.open_requests),
    )
    assert out.part(LEDGER.ledger) is out.parts[0]
    # a read in part keeps the day of the last whole read, from which the sweep counts
    swept = replace(LAST, swept_on=date(2026, 3, 6))
    assert in_part(dated, {"C1": LEDGER.ledger, "C2": LEDGER.ledger}, last=swept).parts[
        0
    ].swept_on == date(2026, 3, 6)
    assert store_reason(LEDGER, swept, side(today=date(2026, 3, 13))) == "sweep"
    assert store_reason(LEDGER, swept, side(today=date(2026, 3, 12))) is None


@pytest.mark.parametrize(
    "stored, activity",
    [
        ({"C1": "PA0701T0009A"}, LedgerActivity(open_requests=2)),  # moved in from elsewhere
        ({}, LedgerActivity(open_requests=2)),  # new to the store
        ({"C1": LEDGER.ledger}, LedgerActivity(open_requests=3)),  # a request closed or filed
        ({"C1": LEDGER.ledger}, LedgerActivity(requested="2026-03-11", open_requests=2)),
        ({"C1": LEDGER.ledger}, None),  # CMIS could not say
    ],
)
def test_a_ledger_is_read_whole_when_a_part_cannot_tell(stored, activity) -> None:
    out = in_part([dated_row("C1", valid_from="2026-03-11")], stored, activity)
    assert out.parts == () and out.reasons == ((LEDGER.ledger, "cmis_rows"),)


def test_a_ledger_read_for_its_marked_holders_is_read_for_them_and_its_dated_customers() -> None:
    holders = replace(dated_job(), reasons=((LEDGER.ledger, "holders"),))
    after, before = READ_AT + timedelta(hours=1), READ_AT - timedelta(hours=1)
    marks = [
        (LEDGER.ledger, "C5", after),
        (LEDGER.ledger, "C6", before),  # marked before the read began: the read saw it
        ("PA0701T0009A", "C7", after),  # another ledger's
    ]
    stored = {"C1": LEDGER.ledger, "C5": LEDGER.ledger, "C6": LEDGER.ledger}
    dated = [dated_row("C1", valid_from="2026-03-11")]
    out = read_in_part(
        [holders], {LEDGER.ledger: LAST}, lambda lg: TWO_REQUESTS, dated, stored, marks
    )[0]
    assert out.reasons == ((LEDGER.ledger, "marked_customers"),)
    assert out.parts[0].codes == ("C1", "C5")
    # a mark that names no customer (made before marks named them): the ledger is read whole
    unnamed = [*marks, (LEDGER.ledger, None, after)]
    out = read_in_part(
        [holders], {LEDGER.ledger: LAST}, lambda lg: TWO_REQUESTS, dated, stored, unnamed
    )[0]
    assert out == holders


def test_only_ledgers_read_for_their_dated_rows_are_read_in_part() -> None:
    whole = replace(dated_job(), reasons=((LEDGER.ledger, "review"),))
    out = read_in_part(
        [whole],
        {LEDGER.ledger: LAST},
        lambda lg: LedgerActivity(open_requests=2),
        [dated_row("C1", valid_from="2026-03-11")],
        {"C1": LEDGER.ledger},
    )
    assert out == [whole]


def test_a_named_station_is_read_whole() -> None:
    reasons = first_reasons(
        [job("PA0701T0001", LEDGER)], {LEDGER.ledger: LAST}, side(), ["PA0701T0001"]
    )
    assert reasons == {LEDGER.ledger: "named"}
    assert cmis_since(reasons, {LEDGER.ledger: LAST}) is None  # nothing to ask CMIS


def keys(*rows) -> pd.DataFrame:
    cols = ["customer_code", "station", "otp_phone", "id_number", "holder_key", "person_key"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], columns=cols)


def stored(*rows) -> pd.DataFrame:
    cols = ["otp_phone", "id_number", "holder_key", "person_key"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], columns=cols)


def test_a_customer_whose_keys_changed_moves_its_old_and_new_values() -> None:
    new = keys(
        ("K1", "S1", "+84912000111", "038085001234", "an|038085001234", "an|1985"),  # same
        ("K2", "S1", "+84912000222", None, "binh|", "binh|1990"),  # new phone
        ("K3", "S2", "+84912000333", None, "chi|", "chi|1970"),  # never stored
    )
    old = stored(
        ("+84912000111", "038085001234", "an|038085001234", "an|1985"),
        ("+84912000999", None, "binh|", "binh|1990"),
        (None, None, None, None),
    )
    moved = moved_keys(new, old)
    got = {(r.station, r.column, r.value, r.old) for r in moved.itertuples()}
    assert ("S1", "otp_phone", "+84912000222", False) in got
    assert ("S1", "otp_phone", "+84912000999", True) in got
    assert ("S2", "otp_phone", "+84912000333", False) in got
    assert ("S1", "person_key", "binh|1990", False) in got  # its counts may move with the name
    assert not any(v in {"+84912000111", "038085001234", "an|1985"} for _, _, v, _ in got)

    others = {
        "otp_phone": pd.DataFrame(
            {
                "customer_code": ["X1", "X2", "X3"],
                "otp_phone": ["+84912000999", "+84912000333", "+84912000111"],
            }
        ),
        "person_key": pd.DataFrame({"customer_code": ["X4"], "person_key": ["binh|1990"]}),
    }
    assert touched_holders(moved, others) == {"S1": ["X1", "X4"], "S2": ["X2"]}


def test_nothing_moves_when_no_key_changed() -> None:
    new = keys(("K1", "S1", "+84912000111", None, "an|", "an|1985"))
    old = stored(("+84912000111", None, "an|", "an|1985"))
    assert moved_keys(new, old).empty
    assert touched_holders(moved_keys(new, old), {"otp_phone": keys()}) == {}

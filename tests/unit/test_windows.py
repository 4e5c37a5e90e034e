"""The off-peak calendar at its edges: hours across midnight, month ends, reading days near the
end of a month, time zones, blocked dates; plus properties over random times and configs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmis_migrate.config import Config, HoursConfig, WindowsConfig
from cmis_migrate.windows import (
    BILLING,
    BLOCKED_DATE,
    DEBT_CLEARING,
    INVALID_READING_DAY,
    OUTSIDE_HOURS,
    REPORT_AGGREGATION,
    Calendar,
    ledger_statuses,
    month_day,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def cal(
    *,
    start: str = "22:00",
    end: str = "05:00",
    billing_days: int = 3,
    debt: list[int] | None = None,
    report: list[int] | None = None,
    blocked: list[date] | None = None,
    tz: ZoneInfo = VN,
) -> Calendar:
    w = WindowsConfig(
        allowed_hours=HoursConfig(start=time.fromisoformat(start), end=time.fromisoformat(end)),
        billing_days=billing_days,
        debt_clearing_days=[] if debt is None else debt,
        report_aggregation_days=[] if report is None else report,
        blocked_dates=blocked or [],
    )
    return Calendar(w, tz)


def vn(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=VN)


def billing_dates(c: Calendar, reading_day: int, first: date, last: date) -> list[date]:
    out, d = [], first
    while d <= last:
        if BILLING in c.blocked_reasons(d, reading_day):
            out.append(d)
        d += timedelta(days=1)
    return out


# ---- allowed hours ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        ("2026-03-16T21:59:59", False),
        ("2026-03-16T22:00", True),
        ("2026-03-16T23:59:59", True),
        ("2026-03-17T00:00", True),
        ("2026-03-17T04:59:59", True),
        ("2026-03-17T05:00", False),
        ("2026-03-17T12:00", False),
    ],
)
def test_night_window_crossing_midnight(at: str, is_open: bool) -> None:
    st_ = cal().ledger_status(vn(at))
    assert st_.open is is_open
    assert st_.reasons == (() if is_open else (OUTSIDE_HOURS,))


def test_same_day_window() -> None:
    c = cal(start="01:00", end="04:00")
    assert not c.is_open(vn("2026-03-16T00:59"))
    assert c.is_open(vn("2026-03-16T01:00"))
    assert c.is_open(vn("2026-03-16T03:59"))
    assert not c.is_open(vn("2026-03-16T04:00"))
    assert not c.is_open(vn("2026-03-16T23:00"))
    assert c.open_windows(vn("2026-03-16T00:00"), 2) == [
        (vn("2026-03-16T01:00"), vn("2026-03-16T04:00")),
        (vn("2026-03-17T01:00"), vn("2026-03-17T04:00")),
    ]


def test_start_equals_end_is_all_day_and_days_merge() -> None:
    c = cal(start="00:00", end="00:00", blocked=[date(2026, 3, 18)])
    assert c.hours_label == "all day"
    for h in ("2026-03-16T00:00", "2026-03-16T12:00", "2026-03-17T23:59"):
        assert c.is_open(vn(h))
    st_ = c.ledger_status(vn("2026-03-16T12:00"))
    assert st_.open_until == vn("2026-03-18T00:00")
    assert st_.next_open == vn("2026-03-19T00:00")
    assert c.open_windows(vn("2026-03-16T00:00"), 4) == [
        (vn("2026-03-16T00:00"), vn("2026-03-18T00:00")),
        (vn("2026-03-19T00:00"), vn("2026-03-20T00:00")),
    ]


def test_all_day_without_rules_never_closes_within_horizon() -> None:
    st_ = cal(start="07:00", end="07:00", billing_days=0).ledger_status(vn("2026-03-16T12:00"), 5)
    assert st_.open and st_.open_until is None and st_.next_open is None
    assert "no close within" in st_.message


def test_window_ending_at_midnight() -> None:
    c = cal(start="22:00", end="00:00")
    assert c.is_open(vn("2026-03-16T23:59"))
    assert not c.is_open(vn("2026-03-17T00:00"))
    assert c.ledger_status(vn("2026-03-16T23:00")).open_until == vn("2026-03-17T00:00")


# ---- time zone -------------------------------------------------------------------------------


def test_utc_time_maps_to_local_time() -> None:
    c = cal()
    assert not c.is_open(datetime(2026, 3, 16, 14, 59, tzinfo=UTC))
    st_ = c.ledger_status(datetime(2026, 3, 16, 15, 0, tzinfo=UTC))  # 22:00 +07
    assert st_.open
    assert st_.at == vn("2026-03-16T22:00")
    assert st_.at.tzinfo == VN
    assert st_.open_until == datetime(2026, 3, 16, 22, 0, tzinfo=UTC)  # 05:00 +07
    assert not c.is_open(datetime(2026, 3, 16, 22, 0, tzinfo=UTC))


def test_local_date_of_a_utc_time_decides_the_date_rules() -> None:
    # 2026-03-09T17:30Z is 00:30 on 10 March in Vietnam: a billing day for reading day 10
    st_ = cal().ledger_status(datetime(2026, 3, 9, 17, 30, tzinfo=UTC), 10)
    assert not st_.open and st_.reasons == (BILLING,)


def test_naive_datetime_is_rejected() -> None:
    c = cal()
    with pytest.raises(ValueError, match="naive"):
        c.ledger_status(datetime(2026, 3, 16, 22, 0))
    with pytest.raises(ValueError, match="naive"):
        c.open_windows(datetime(2026, 3, 16, 22, 0), 1)


def test_other_zone_from_config() -> None:
    cfg = Config.model_validate({"schedule": {"timezone": "UTC"}})
    c = Calendar.from_config(cfg)
    assert c.is_open(datetime(2026, 3, 16, 22, 0, tzinfo=UTC))
    assert not c.is_open(vn("2026-03-16T22:00"))  # 15:00 UTC


def test_bad_reading_day_is_rejected() -> None:
    c = cal()
    for bad in (0, 32, -1):
        with pytest.raises(ValueError, match="reading day"):
            c.ledger_status(vn("2026-03-16T22:00"), bad)


# ---- day-of-month rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "day", "expected"),
    [
        (2026, 2, -1, date(2026, 2, 28)),
        (2028, 2, -1, date(2028, 2, 29)),
        (2026, 4, -1, date(2026, 4, 30)),
        (2026, 3, -1, date(2026, 3, 31)),
        (2026, 3, -2, date(2026, 3, 30)),
        (2026, 4, 31, date(2026, 4, 30)),
        (2026, 2, 30, date(2026, 2, 28)),
        (2028, 2, 31, date(2028, 2, 29)),
        (2026, 2, -31, date(2026, 2, 1)),
        (2026, 3, 15, date(2026, 3, 15)),
    ],
)
def test_month_day(year: int, month: int, day: int, expected: date) -> None:
    assert month_day(year, month, day) == expected


def test_debt_clearing_last_day_of_february_and_30_day_months() -> None:
    c = cal(debt=[-1])
    assert c.blocked_reasons(date(2026, 2, 28)) == (DEBT_CLEARING,)
    assert c.blocked_reasons(date(2028, 2, 28)) == ()
    assert c.blocked_reasons(date(2028, 2, 29)) == (DEBT_CLEARING,)
    assert c.blocked_reasons(date(2026, 4, 30)) == (DEBT_CLEARING,)
    assert c.blocked_reasons(date(2026, 3, 30)) == ()
    assert c.blocked_reasons(date(2026, 3, 31)) == (DEBT_CLEARING,)
    # the night of the last day is closed until midnight, open again on the 1st
    assert not c.is_open(vn("2026-02-28T23:00"))
    assert c.is_open(vn("2026-03-01T00:00"))
    assert c.is_open(vn("2026-02-27T23:59"))


def test_report_aggregation_days_at_month_start_and_end() -> None:
    c = cal(report=[1, 2, -2])
    assert c.blocked_reasons(date(2026, 3, 1)) == (REPORT_AGGREGATION,)
    assert c.blocked_reasons(date(2026, 3, 2)) == (REPORT_AGGREGATION,)
    assert c.blocked_reasons(date(2026, 3, 3)) == ()
    assert c.blocked_reasons(date(2026, 3, 30)) == (REPORT_AGGREGATION,)
    assert c.blocked_reasons(date(2026, 2, 27)) == (REPORT_AGGREGATION,)
    st_ = c.ledger_status(vn("2026-03-01T23:00"))
    assert st_.reasons == (REPORT_AGGREGATION,)
    assert st_.next_open == vn("2026-03-03T00:00")


def test_blocked_dates_block_the_whole_local_day() -> None:
    c = cal(blocked=[date(2026, 4, 30), date(2026, 5, 1)])
    assert c.is_open(vn("2026-04-29T23:59"))
    assert not c.is_open(vn("2026-04-30T00:00"))
    st_ = c.ledger_status(vn("2026-04-30T03:00"))
    assert st_.reasons == (BLOCKED_DATE,)
    assert "blocked date 2026-04-30" in st_.message
    assert st_.next_open == vn("2026-05-02T00:00")
    assert c.open_windows(vn("2026-04-29T12:00"), 3) == [
        (vn("2026-04-29T22:00"), vn("2026-04-30T00:00")),
        (vn("2026-05-02T00:00"), vn("2026-05-02T05:00")),
    ]


def test_several_reasons_are_all_reported() -> None:
    c = cal(debt=[-1], blocked=[date(2026, 3, 31)])
    st_ = c.ledger_status(vn("2026-03-31T12:00"), 30)
    assert st_.reasons == (OUTSIDE_HOURS, BILLING, DEBT_CLEARING, BLOCKED_DATE)
    assert "outside allowed hours 22:00-05:00" in st_.message
    assert "2026-03-30 to 2026-04-01" in st_.message


# ---- billing (per ledger) --------------------------------------------------------------------


def test_billing_blocks_reading_day_and_following_days() -> None:
    c = cal(billing_days=3)
    got = billing_dates(c, 10, date(2026, 3, 1), date(2026, 3, 31))
    assert got == [date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)]
    assert not c.is_open(vn("2026-03-10T00:00"), 10)
    assert c.is_open(vn("2026-03-10T00:00"), 11)  # another ledger, not billing yet
    assert c.is_open(vn("2026-03-10T00:00"))  # company-wide: billing is per ledger


@pytest.mark.parametrize(
    ("reading_day", "year", "expected"),
    [
        (30, 2026, [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]),
        (31, 2026, [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]),
        (29, 2026, [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]),
        (31, 2028, [date(2028, 2, 29), date(2028, 3, 1), date(2028, 3, 2)]),
        (29, 2028, [date(2028, 2, 29), date(2028, 3, 1), date(2028, 3, 2)]),
        (28, 2026, [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]),
    ],
)
def test_reading_day_past_end_of_february(
    reading_day: int, year: int, expected: list[date]
) -> None:
    c = cal(billing_days=3)
    assert billing_dates(c, reading_day, date(year, 2, 15), date(year, 3, 20)) == expected


def test_reading_day_31_in_a_30_day_month_and_into_next_month() -> None:
    c = cal(billing_days=3)
    got = billing_dates(c, 31, date(2026, 3, 25), date(2026, 5, 31))
    assert got == [
        date(2026, 3, 31),
        date(2026, 4, 1),
        date(2026, 4, 2),
        date(2026, 4, 30),  # April has no 31st: its last day
        date(2026, 5, 1),
        date(2026, 5, 2),
        date(2026, 5, 31),
    ]


def test_billing_crosses_the_new_year() -> None:
    c = cal(billing_days=3)
    got = billing_dates(c, 30, date(2026, 12, 20), date(2027, 1, 10))
    assert got == [date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1)]
    st_ = c.ledger_status(vn("2027-01-01T01:00"), 30)
    assert st_.reasons == (BILLING,)
    assert "2026-12-30 to 2027-01-01" in st_.message
    assert st_.next_open == vn("2027-01-02T00:00")


def test_billing_longer_than_a_month_runs_into_the_month_after_next() -> None:
    c = cal(billing_days=31)
    # 31 January + 30 days = 2 March 2026; with 31 days every day of the year is blocked
    assert "2026-01-31 to 2026-03-02" in c.ledger_status(vn("2026-02-10T23:00"), 31).message
    for rd in (1, 15, 31):
        assert len(billing_dates(c, rd, date(2026, 1, 1), date(2026, 12, 31))) == 365


def test_billing_days_zero_blocks_nothing() -> None:
    c = cal(billing_days=0)
    for rd in (1, 15, 31):
        assert billing_dates(c, rd, date(2026, 1, 1), date(2026, 12, 31)) == []
    assert c.is_open(vn("2026-03-10T23:00"), 10)


def test_billing_one_day() -> None:
    c = cal(billing_days=1)
    assert billing_dates(c, 10, date(2026, 3, 1), date(2026, 3, 31)) == [date(2026, 3, 10)]
    assert "(2026-03-10)" in c.ledger_status(vn("2026-03-10T23:00"), 10).message


# ---- open_until / next_open --------------------------------------------------------------------


def test_open_until_and_next_open_when_open() -> None:
    c = cal(billing_days=3)
    st_ = c.ledger_status(vn("2026-03-09T23:00"), 10)
    assert st_.open
    assert st_.open_until == vn("2026-03-10T00:00")  # the billing day starts at midnight
    assert st_.next_open == vn("2026-03-13T00:00")  # the night 12->13 opens at midnight
    assert st_.message == "open until 2026-03-10 00:00+07:00"


def test_open_until_across_midnight_on_a_free_night() -> None:
    st_ = cal().ledger_status(vn("2026-03-16T23:00"), 20)
    assert st_.open_until == vn("2026-03-17T05:00")
    assert st_.next_open == vn("2026-03-17T22:00")


def test_next_open_when_closed_in_the_afternoon() -> None:
    st_ = cal().ledger_status(vn("2026-03-16T14:00"), 20)
    assert not st_.open and st_.open_until is None
    assert st_.next_open == vn("2026-03-16T22:00")
    assert st_.message.endswith("next open 2026-03-16 22:00+07:00")


def test_no_open_window_within_horizon() -> None:
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(120)]
    w = WindowsConfig(blocked_dates=days, debt_clearing_days=[], report_aggregation_days=[])
    c = Calendar(w, VN, horizon_days=30)
    st_ = c.ledger_status(vn("2026-03-05T23:00"))
    assert not st_.open and st_.next_open is None
    assert "no open window within 30 days" in st_.message


def test_open_windows_over_a_range_is_clipped_and_merged() -> None:
    c = cal(billing_days=3, debt=[-1], report=[1])
    got = c.open_windows(vn("2026-03-29T23:00"), 5, reading_day=10)
    assert got == [
        (vn("2026-03-29T23:00"), vn("2026-03-30T05:00")),  # clipped at the start
        (vn("2026-03-30T22:00"), vn("2026-03-31T00:00")),  # 31st: debt clearing
        # 1 April: report aggregation
        (vn("2026-04-02T00:00"), vn("2026-04-02T05:00")),
        (vn("2026-04-02T22:00"), vn("2026-04-03T05:00")),
        (vn("2026-04-03T22:00"), vn("2026-04-03T23:00")),  # clipped at the end
    ]
    assert c.open_windows(vn("2026-03-29T23:00"), 0) == []
    with pytest.raises(ValueError):
        c.open_windows(vn("2026-03-29T23:00"), -1)


def test_results_are_in_the_calendar_zone() -> None:
    c = cal()
    for a, b in c.open_windows(datetime(2026, 3, 16, tzinfo=UTC), 3):
        assert a.tzinfo == VN and b.tzinfo == VN


# ---- properties --------------------------------------------------------------------------------

times = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
hour_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 59]))
month_days = st.integers(1, 31) | st.integers(-31, -1)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    blocked_start = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
    w = WindowsConfig(
        allowed_hours=HoursConfig(start=draw(hour_times), end=draw(hour_times)),
        billing_days=draw(st.integers(0, 31)),
        debt_clearing_days=draw(st.lists(month_days, max_size=3)),
        report_aggregation_days=draw(st.lists(month_days, max_size=3)),
        blocked_dates=[
            blocked_start + timedelta(days=k)
            for k in draw(st.lists(st.integers(0, 10), max_size=4))
        ],
    )
    return Calendar(w, draw(st.sampled_from([VN, ZoneInfo("UTC"), ZoneInfo("Asia/Kolkata")])))


reading_days = st.none() | st.integers(1, 31)
prop = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@prop
@given(c=calendars(), at=times, rd=reading_days)
def test_open_iff_inside_an_open_window(c: Calendar, at: datetime, rd: int | None) -> None:
    st_ = c.ledger_status(at, rd)
    windows = c.open_windows(at - timedelta(days=2), 4, rd)
    assert st_.open == any(a <= at < b for a, b in windows)
    assert st_.open == (st_.reasons == ())


@prop
@given(c=calendars(), at=times, rd=reading_days)
def test_next_open_is_open_and_after_at(c: Calendar, at: datetime, rd: int | None) -> None:
    st_ = c.ledger_status(at, rd)
    if st_.next_open is not None:
        assert st_.next_open > at
        assert c.ledger_status(st_.next_open, rd).open
        # just before it, the ledger is closed (it really *opens* then)
        assert not c.ledger_status(st_.next_open - timedelta(microseconds=1), rd).open
        if not st_.open:
            # and nothing opens between at and next_open
            gap = (st_.next_open - at).total_seconds() / 86400
            assert c.open_windows(at, gap, rd) == []


@prop
@given(c=calendars(), at=times, rd=reading_days)
def test_open_until_is_the_first_closed_moment(c: Calendar, at: datetime, rd: int | None) -> None:
    st_ = c.ledger_status(at, rd)
    if st_.open and st_.open_until is not None:
        assert st_.open_until > at
        assert not c.ledger_status(st_.open_until, rd).open
        assert c.ledger_status(st_.open_until - timedelta(microseconds=1), rd).open
        assert st_.next_open is None or st_.next_open > st_.open_until
    if not st_.open:
        assert st_.open_until is None


@prop
@given(c=calendars(), at=times, rd=reading_days, days=st.integers(0, 10))
def test_open_windows_are_sorted_disjoint_and_inside_the_range(
    c: Calendar, at: datetime, rd: int | None, days: int
) -> None:
    ws = c.open_windows(at, days, rd)
    end = at + timedelta(days=days)
    for a, b in ws:
        assert at <= a < b <= end
        assert c.ledger_status(a, rd).open
    for (_, b1), (a2, _) in zip(ws, ws[1:], strict=False):
        assert b1 < a2  # merged: touching windows would have been joined


@prop
@given(
    c=calendars(),
    d=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    rd=st.integers(1, 31),
)
def test_ledger_rules_only_add_to_company_rules(c: Calendar, d: date, rd: int) -> None:
    company = set(c.blocked_reasons(d))
    ledger = set(c.blocked_reasons(d, rd))
    assert company <= ledger
    assert ledger - company <= {BILLING}


@prop
@given(
    rd=st.integers(1, 31), bd=st.integers(1, 31), y=st.integers(2024, 2030), m=st.integers(1, 12)
)
def test_each_month_blocks_billing_days_consecutive_days(rd: int, bd: int, y: int, m: int) -> None:
    c = cal(billing_days=bd)
    first = month_day(y, m, rd)
    for k in range(bd):
        assert BILLING in c.blocked_reasons(first + timedelta(days=k), rd)


# ---- ledger_statuses (a frame of ledgers) ------------------------------------------------------


def test_ledger_statuses_frame() -> None:
    c = cal()
    ledgers = pd.DataFrame(
        {
            "ledger": pd.array(["A", "B", "C", "D"], dtype="str"),
            "reading_day": pd.array([16, 20, None, 40], dtype="Int64"),
        },
        index=[7, 3, 9, 1],
    )
    before = ledgers.copy()
    at = vn("2026-03-16T23:00")
    out = ledger_statuses(c, ledgers, at)
    pd.testing.assert_frame_equal(ledgers, before)  # input untouched
    assert list(out.index) == [7, 3, 9, 1]
    assert out["open"].tolist() == [False, True, False, False]
    assert out["reasons"].tolist() == ["billing", "", INVALID_READING_DAY, INVALID_READING_DAY]
    assert "missing" in out.loc[9, "message"] and "40" in out.loc[1, "message"]
    assert out.loc[3, "open_until"] == vn("2026-03-17T05:00")
    assert out.loc[7, "next_open"] == vn("2026-03-19T00:00")
    assert pd.isna(out.loc[7, "open_until"]) and pd.isna(out.loc[9, "next_open"])


@settings(max_examples=60, deadline=None)
@given(
    days=st.lists(st.none() | st.integers(-5, 40), max_size=30),
    at=times,
)
def test_ledger_statuses_agree_with_ledger_status(days: list[int | None], at: datetime) -> None:
    c = cal(report=[1, 2], debt=[-1])
    ledgers = pd.DataFrame({"reading_day": pd.array(days, dtype="Int64")})
    out = ledger_statuses(c, ledgers, at)
    assert len(out) == len(days)
    for rd, is_open, reasons in zip(days, out["open"], out["reasons"], strict=True):
        if rd is None or not 1 <= rd <= 31:
            assert not is_open and reasons == INVALID_READING_DAY
        else:
            expected = c.ledger_status(at, rd)
            assert is_open == expected.open
            assert reasons == ";".join(expected.reasons)

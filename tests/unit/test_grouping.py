"""Pure pieces of the scale work: task groups, the cross-station counts of the unchanged rule,
the pipeline fingerprint, store records and raw frames built column by column."""

from __future__ import annotations

from collections import namedtuple
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmis_migrate.config import RulesConfig
from cmis_migrate.evaluate import context_counts
from cmis_migrate.fingerprint import code_digest, pipeline_fingerprint
from cmis_migrate.model import KeptLedger, Ledger, PartRead, StationJob
from cmis_migrate.planning import STATION_COST, group_jobs, job_work
from cmis_migrate.source.cmis import RAW_COLUMNS, to_raw_frame
from cmis_migrate.store.unit_of_work import records
from cmis_migrate.validators.context import ValidationContext


def job(station: str, customers: int) -> StationJob:
    ledger = Ledger(f"{station}A", station, "PA0701", 5, customers)
    return StationJob("run", station, "PA0701", False, (ledger,))


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=500), max_size=40),
    max_customers=st.integers(min_value=1, max_value=2000),
    min_groups=st.integers(min_value=1, max_value=10),
)
def test_groups_keep_the_plan_order_and_whole_stations(sizes, max_customers, min_groups) -> None:
    jobs = [job(f"S{i:03d}", n) for i, n in enumerate(sizes)]
    groups = group_jobs(jobs, max_customers=max_customers, min_groups=min_groups)
    assert [j for g in groups for j in g] == jobs  # every station once, in order
    assert all(groups)
    total = sum(sizes) + STATION_COST * len(sizes)
    target = max(1, min(max_customers, -(-total // min_groups)))
    for g in groups:
        size = sum(j.customers + STATION_COST for j in g)
        assert size <= target or len(g) == 1  # only a station bigger than the target is alone
        assert sum(j.customers for j in g) <= max_customers or len(g) == 1


def test_groups_shrink_so_that_every_worker_gets_work() -> None:
    jobs = [job(f"S{i}", 100) for i in range(12)]
    assert len(group_jobs(jobs, max_customers=20_000, min_groups=1)) == 1
    assert len(group_jobs(jobs, max_customers=20_000, min_groups=4)) == 4
    assert len(group_jobs(jobs, max_customers=250, min_groups=1)) == 6
    assert group_jobs([], max_customers=10, min_groups=4) == []


def _incremental(station: str, customers: int, *, read: int | None) -> StationJob:
    """A station of one ledger on an incremental night: kept (read None), read whole
    (read == customers) or read in part (`read` of its customers)."""
    whole = job(station, customers)
    ledger = whole.ledgers[0]
    last = KeptLedger(ledger.ledger, customers)
    if read is None:
        return StationJob("run", station, "PA0701", False, (ledger,), kept=(last,))
    if read == customers:
        return whole
    codes = tuple(f"PA0701{i:07d}" for i in range(read))
    part = PartRead(ledger.ledger, codes, last, date(2026, 3, 1))
    return StationJob("run", station, "PA0701", False, (ledger,), parts=(part,))


def test_a_station_counts_the_customers_it_reads() -> None:
    assert _incremental("S1", 500, read=None).to_read == 0
    assert _incremental("S1", 500, read=3).to_read == 3
    assert _incremental("S1", 500, read=500).to_read == 500
    assert job_work(_incremental("S1", 500, read=3)) == 3 + STATION_COST


def test_a_night_that_reads_little_is_cut_into_few_groups() -> None:
    """Sized by the stations' customers, an incremental night reading 1% of 200,000 customers
    made ten task groups, each paying a task's fixed costs for a handful of customers."""
    first = [job(f"S{i:03d}", 2_000 - STATION_COST) for i in range(100)]
    assert len(group_jobs(first, max_customers=20_000, min_groups=4)) == 10
    night = [_incremental(f"S{i:03d}", 2_000, read=20 if i % 2 else None) for i in range(100)]
    groups = group_jobs(night, max_customers=20_000, min_groups=4)
    assert 4 <= len(groups) <= 5  # whole stations: the last may hold a remainder
    assert [j for g in groups for j in g] == night
    quiet = [_incremental(f"S{i:03d}", 2_000, read=None) for i in range(100)]
    assert len(group_jobs(quiet, max_customers=20_000, min_groups=4)) == 4  # not one for all


def test_context_counts_are_what_the_rules_see() -> None:
    ctx = ValidationContext(
        phone_holders={"+84912000001": 4},
        id_customers={"038085000001": 2},
        person_customers={"nguyen van a|1980-01-02": 3},
    )
    keys = pd.DataFrame(
        {
            "otp_phone": ["+84912000001", None, "", "+84912999999"],
            "id_number": ["038085000001", "038085000001", None, None],
            "person_key": [None, "nguyen van a|1980-01-02", None, None],
        },
        index=[10, 11, 12, 13],
    )
    out = context_counts(keys, ctx)
    assert out.to_dict() == {10: "4/2/0", 11: "0/2/3", 12: "0/0/0", 13: "0/0/0"}


def test_the_fingerprint_follows_what_results_depend_on() -> None:
    rules = RulesConfig()
    day = date(2026, 3, 10)
    base = pipeline_fingerprint(rules, ["+84912000001"], day)
    assert base == pipeline_fingerprint(rules, ["+84912000001"], date(2026, 11, 30))
    assert base != pipeline_fingerprint(rules, ["+84912000002"], day)
    assert base != pipeline_fingerprint(RulesConfig(max_holders_per_phone=4), ["+84912000001"], day)
    assert base != pipeline_fingerprint(rules, ["+84912000001"], date(2027, 1, 1))
    assert len(code_digest()) == 32


def _old_records(frame: pd.DataFrame) -> list[dict]:
    obj = frame.astype(object)
    return obj.where(frame.notna(), None).to_dict("records")


def test_records_match_the_frame_with_none_for_missing() -> None:
    frame = pd.DataFrame(
        {
            "a": pd.array(["x", None, "z"], dtype="str"),
            "b": pd.array([1, None, 3], dtype="Int64"),
            "c": [1.5, np.nan, 2.0],
            "d": [True, False, True],
            "e": [datetime(2026, 1, 1, tzinfo=UTC), None, datetime(2026, 1, 2, tzinfo=UTC)],
            "f": pd.Series(["p", None, np.nan], dtype=object),
        }
    )
    got = records(frame)
    assert got == _old_records(frame)
    assert got[1] == {"a": None, "b": None, "c": None, "d": False, "e": None, "f": None}
    assert [type(r["b"]) for r in got] == [int, type(None), int]
    assert records(got) is got  # prepared rows pass through
    assert records(frame.iloc[:0]) == []


Row = namedtuple("Row", RAW_COLUMNS)


def test_raw_frames_hold_text_or_none_and_households_as_int() -> None:
    values = {c: f"{c}-1" for c in RAW_COLUMNS}
    first = Row(**{**values, "households": 2, "phone": b"0912345678", "email": None})
    second = Row(**{**values, "households": "x", "id_number": 38085001234})
    frame = to_raw_frame([first, second])
    assert list(frame.columns) == list(RAW_COLUMNS)
    assert str(frame["households"].dtype) == "Int64"
    assert frame["households"].tolist()[0] == 2 and frame["households"].isna().tolist()[1]
    assert frame.loc[0, "phone"] == "0912345678" and frame.loc[1, "id_number"] == "38085001234"
    assert frame.loc[0, "email"] is None
    text = [c for c in RAW_COLUMNS if c != "households"]
    assert all(frame[c].dtype == object for c in text)
    empty = to_raw_frame([])
    assert list(empty.columns) == list(RAW_COLUMNS) and empty.empty


@pytest.mark.parametrize("n", [1, 7])
def test_raw_frames_of_plain_text_keep_every_value(n: int) -> None:
    rows = [
        Row(**{c: (i if c == "households" else f"{c}{i}") for c in RAW_COLUMNS}) for i in range(n)
    ]
    frame = to_raw_frame(rows)
    assert frame["customer_code"].tolist() == [f"customer_code{i}" for i in range(n)]
    assert frame["households"].tolist() == list(range(n))

"""A review sheet made of the last workbook's kept rows and fresh rows of the customers that
changed is the sheet a whole build makes (reports/review_rows.py). Pure: no store."""

from __future__ import annotations

import random

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from cmis_migrate.reports.branch_report import issues_frame
from cmis_migrate.reports.review_rows import (
    KeptRows,
    SheetRows,
    gathered,
    merged,
    sheet_rows,
    to_rebuild,
)

STATIONS = ("PA0701T0010", "PA0701T0001", "PA0701T0002")
RULES = (
    ("phone", "OTP_PHONE_AMBIGUOUS", "blocking"),
    ("phone", "PHONE_SHARED", "warning"),
    ("id_number", "ID_CMND_EXPIRED", "blocking"),
    ("address", "ADDRESS_AMBIGUOUS", "warning"),
    ("customer", "PERSON_DUPLICATE", "warning"),
)
names = st.text(alphabet="Lê Văn Anđ=+@\n\x01", max_size=12)


def customer(code: str, station: str, ledger: str, name: str) -> dict:
    return {
        "customer_code": code,
        "station": station,
        "ledger": f"{station}{ledger}",
        "pending_change": None,
        "full_name_original": name,
        "address_original": f"Thôn {code[-2:]}",
        "phone_original": "0912345678",
        "phone_proposed": "+84912345678",
        "id_number_original": "172345678",
        "id_number_proposed": "172345678",
    }


def sheet(customers: list[dict], issues: list[tuple], station_names: dict) -> SheetRows:
    cust = pd.DataFrame(customers, dtype=object)
    iss = pd.DataFrame(
        issues, columns=["customer_code", "field", "rule", "severity", "message"], dtype=object
    )
    return sheet_rows(issues_frame(cust, iss, station_names))


@st.composite
def branch(draw) -> tuple[list[dict], list[tuple]]:
    n = draw(st.integers(1, 10))
    customers, issues = [], []
    for _ in range(n):
        code = f"PA0701{draw(st.integers(0, 60)):07d}"
        if any(c["customer_code"] == code for c in customers):
            continue
        station = draw(st.sampled_from(STATIONS))
        customers.append(customer(code, station, draw(st.sampled_from("AB")), draw(names)))
        for rule in draw(st.lists(st.sampled_from(RULES), max_size=3, unique=True)):
            issues.append((code, *rule, draw(st.sampled_from(["Số dùng chung 3.", "=x", "m"]))))
    return customers, issues


@settings(max_examples=80, deadline=None)
@given(
    before=branch(),
    changed=st.sets(st.integers(0, 9)),
    moved=st.sets(st.integers(0, 9)),
    renamed=st.booleans(),
    shuffle=st.randoms(use_true_random=False),
)
def test_kept_rows_and_fresh_rows_make_the_whole_sheet(
    before, changed, moved, renamed, shuffle: random.Random
) -> None:
    customers, issues = before
    names_then = {"PA0701T0001": "TBA Đông Tân 1", "PA0701T0002": "=TBA 2"}
    names_now = {**names_then, "PA0701T0002": "TBA Hai"} if renamed else names_then
    old = sheet(customers, issues, names_then)
    # kept in any order: the next workbook puts them in the sheet's
    order = list(range(len(old)))
    shuffle.shuffle(order)
    kept = KeptRows(
        {c["customer_code"]: f"{c['station']}|1|{names_then.get(c['station'])}" for c in customers},
        SheetRows(old.table.take(order) if order else old.table),
    )
    # tonight: some customers re-evaluated (another name, other issues), some moved station
    now_customers, now_issues = [], []
    for i, c in enumerate(customers):
        c = dict(c)
        if i in changed:
            c["full_name_original"] = c["full_name_original"] + " (mới)"
        if i in moved:
            c["station"] = STATIONS[(STATIONS.index(c["station"]) + 1) % len(STATIONS)]
            c["ledger"] = f"{c['station']}A"
        now_customers.append(c)
        code = c["customer_code"]
        mine = [x for x in issues if x[0] == code]
        now_issues += mine[1:] if i in changed else mine
    signatures = {
        c["customer_code"]: f"{c['station']}|{2 if i in changed else 1}|"
        f"{names_now.get(c['station'])}"
        for i, c in enumerate(now_customers)
    }
    stale = set(to_rebuild(kept, signatures, whole_share=1.0))
    fresh = sheet(
        [c for c in now_customers if c["customer_code"] in stale],
        [x for x in now_issues if x[0] in stale],
        names_now,
    )
    whole = sheet(now_customers, now_issues, names_now)
    rows = merged(kept, signatures, fresh)
    assert list(rows.xml_utf8()) == list(whole.xml_utf8())
    assert sorted(rows.digests) == sorted(whole.digests)
    assert len(rows) == len(whole)


def test_most_of_a_branch_changed_is_built_whole() -> None:
    kept = KeptRows({f"c{i}": "s" for i in range(10)}, sheet([], [], {}))
    assert to_rebuild(None, {"c1": "s"}) is None
    assert to_rebuild(kept, {f"c{i}": "s" for i in range(10)}) == []
    assert to_rebuild(kept, {**{f"c{i}": "s" for i in range(10)}, "c1": "t", "new": "s"}) == [
        "c1",
        "new",
    ]
    assert to_rebuild(kept, {f"c{i}": "t" for i in range(10)}) is None


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=40),
    picks=st.lists(st.integers(min_value=0, max_value=10_000), max_size=60),
    runs=st.lists(st.integers(min_value=0, max_value=39), max_size=8),
    most_runs=st.sampled_from([1, 2, 3, 256]),
)
def test_rows_gathered_by_slices_are_the_rows_taken(n, picks, runs, most_runs) -> None:
    """gathered() slices runs of consecutive rows where take() would copy them: the same rows
    in the same order, whatever the order (runs, jumps, repeats, backwards), with few runs
    allowed (copied) or many (sliced)."""
    table = pa.table(
        {
            "customer_code": [f"C{i:03d}" for i in range(n)],
            "xml": [f"<row>{i}</row>".encode() for i in range(n)],
        }
    )
    places = [p % n for p in picks]
    for start in runs:  # some long runs of consecutive rows, as merged rows mostly are
        places += list(range(start % n, n))
    order = pa.array(places, pa.int64())
    got = gathered(table, order, most_runs=most_runs)
    assert got.to_pylist() == table.take(order).to_pylist()

"""A branch's next review workbook reads from the store only the customers that changed since
its last one and takes the other rows as kept (reports/review_rows.py), and is the workbook a
whole build makes. SQLite always; PostgreSQL too when CMIS_TEST_DATABASE_URL is set."""

from __future__ import annotations

import stat
import zipfile
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, update

from cmis_migrate.reports import review_rows
from cmis_migrate.reports.branch_report import issue_branch_report
from cmis_migrate.reports.review_layout import (
    FIXED_COLUMNS,
    ISSUES_SHEET,
    TEMPLATE_VERSION,
    issues_checksum,
)
from cmis_migrate.store import review, runs
from cmis_migrate.store.tables import customer_issues, customers
from cmis_migrate.store.unit_of_work import StationResult, commit_station

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
THEN = datetime(2026, 3, 10, 16, tzinfo=UTC)
BRANCH = "PA0701"
S1, S2, S3 = "PA0701T0001", "PA0701T0002", "PA0701T0003"
RULES = (
    ("phone", "OTP_PHONE_AMBIGUOUS", "blocking", "Số không rõ."),
    ("phone", "PHONE_SHARED", "warning", "Số dùng chung cho 3 khách hàng."),
    ("id_number", "ID_CMND_EXPIRED", "blocking", "CMND hết hạn."),
    ("address", "ADDRESS_AMBIGUOUS", "warning", "=cmd|' /C calc'!A0"),
)


def night(engine, run_id: str, at: datetime) -> None:
    runs.start_run(engine, run_id, kind="run", as_of=at, flow_run_id=None)
    stations = (S1, S2, S3)
    runs.plan_batches(
        engine,
        run_id,
        [{"station": s, "branch": BRANCH, "position": i} for i, s in enumerate(stations)],
    )
    empty = pd.DataFrame()
    for s in stations:
        commit_station(
            engine,
            StationResult(
                run_id=run_id, station=s, customers=empty, issues=empty, drafts=empty,
                holders=empty, batch={"state": "succeeded"}, validation=None,
            ),
        )  # fmt: skip
    runs.finish_run(engine, run_id, "succeeded")


def customer_row(i: int, station: str, run_id: str, at: datetime, **over) -> dict:
    row = {
        "customer_code": f"PA0701{i:07d}", "branch": BRANCH, "station": station,
        "ledger": f"{station}{'AB'[i % 2]}", "content_hash": f"h{i}", "context_counts": "1/1/1",
        "outcome": "blocked", "run_id": run_id, "changed_at": at,
        "full_name_original": f"Lê Văn {i}", "address_original": f"Thôn {i}, xã Quảng Phú",
        "phone_original": f"09123456{i:02d}", "phone_proposed": f"+849123456{i:02d}",
        "id_number_original": f"1723456{i:02d}", "id_number_proposed": f"1723456{i:02d}",
    }  # fmt: skip
    row.update(over)
    return row


def issue_rows(code: str, station: str, run_id: str, k: int) -> list[dict]:
    return [
        {"customer_code": code, "station": station, "field": f, "rule": r, "severity": sev,
         "message": m, "run_id": run_id}
        for f, r, sev, m in RULES[: k % (len(RULES) + 1)]
    ]  # fmt: skip


@pytest.fixture
def branch(store):
    """Three stations of one branch, 30 customers, 0-4 issues each, as a first night left them."""
    night(store, "run-1", THEN)
    review.record_station_names(store, {S1: "TBA Đông Tân 1", S2: "TBA Hai", S3: None})
    rows = [customer_row(i, (S1, S2, S3)[i % 3], "run-1", THEN) for i in range(30)]
    issues = [
        x
        for i, r in enumerate(rows)
        for x in issue_rows(r["customer_code"], r["station"], "run-1", i)
    ]
    with store.begin() as conn:
        conn.execute(customers.insert(), rows)
        conn.execute(customer_issues.insert(), issues)
    return store


def code(i: int) -> str:
    return f"PA0701{i:07d}"


def reevaluate(conn, i: int, run_id: str, at: datetime, issues: int, **values) -> None:
    """What a station batch does to a customer it evaluated again: its row and issues rewritten."""
    station = values.pop("station", None)
    c = customers.c
    now = {"run_id": run_id, "changed_at": at, **values}
    if station:
        now.update(station=station, ledger=f"{station}A")
    conn.execute(update(customers).where(c.customer_code == code(i)).values(**now))
    conn.execute(delete(customer_issues).where(customer_issues.c.customer_code == code(i)))
    rows = issue_rows(code(i), station or S1, run_id, issues)
    if rows:
        conn.execute(customer_issues.insert(), rows)


def review_sheet(path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet3.xml")


def read_codes(monkeypatch) -> list:
    """Every call's `codes` given to review.branch_customers (None: the whole branch)."""
    calls: list = []
    real = review.branch_customers

    def spy(engine, branch, stations=None, *, codes=None):
        calls.append(None if codes is None else sorted(codes))
        return real(engine, branch, stations, codes=codes)

    monkeypatch.setattr(review, "branch_customers", spy)
    return calls


def issue(engine, out, kept):
    return issue_branch_report(engine, BRANCH, out, now=THEN, tz=TZ, label_run=None, kept_rows=kept)


def test_the_next_workbook_reads_only_what_changed_and_equals_a_whole_build(
    branch, tmp_path, monkeypatch
) -> None:
    kept = tmp_path / "work" / "review_rows" / "review_PA0701.arrow"
    calls = read_codes(monkeypatch)
    first = issue(branch, tmp_path / "first.xlsx", kept)
    assert calls == [None]  # nothing kept yet: the whole branch
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700

    # the next night: 3 re-evaluated (other values, other issues), 4 moved to another station,
    # 8 gone from the store, 9 lost its issues, a new customer 40; station S3 got its name
    later = THEN + timedelta(days=1)
    night(branch, "run-2", later)
    with branch.begin() as conn:
        reevaluate(conn, 3, "run-2", later, 1, phone_original="0373851234", content_hash="x3")
        reevaluate(conn, 4, "run-2", later, 4, station=S2)
        reevaluate(conn, 9, "run-2", later, 0, outcome="ready")
        conn.execute(delete(customers).where(customers.c.customer_code == code(8)))
        conn.execute(delete(customer_issues).where(customer_issues.c.customer_code == code(8)))
        conn.execute(customers.insert(), [customer_row(40, S3, "run-2", later)])
        conn.execute(customer_issues.insert(), issue_rows(code(40), S3, "run-2", 2))
    review.record_station_names(branch, {S3: "TBA Ba"})

    calls.clear()
    again = issue(branch, tmp_path / "again.xlsx", kept)
    s3 = [code(i) for i in range(30) if i % 3 == 2 and i != 8]
    assert calls == [sorted({code(3), code(4), code(9), code(40), *s3})]

    calls.clear()
    whole = issue(branch, tmp_path / "whole.xlsx", None)
    assert calls == [None]
    assert review_sheet(tmp_path / "again.xlsx") == review_sheet(tmp_path / "whole.xlsx")
    assert review_sheet(tmp_path / "again.xlsx") != review_sheet(tmp_path / "first.xlsx")
    assert len(again.rows) == len(whole.rows) != len(first.rows)

    # the checksum issued is the one of the sheet as written (a returned file verifies)
    ws = load_workbook(tmp_path / "again.xlsx", read_only=True)[ISSUES_SHEET]
    cells = [
        [("" if v is None else str(v)) for v in row[: len(FIXED_COLUMNS)]]
        for row in ws.iter_rows(min_row=2, values_only=True)
    ]
    assert again.checksum == issues_checksum(
        template_version=TEMPLATE_VERSION,
        report_id=again.report_id,
        branch=BRANCH,
        run_id=again.run_id,
        rows=cells,
    )

    # nothing changed since: no customer read, the kept rows not written again
    calls.clear()
    written = kept.stat().st_mtime_ns
    issue(branch, tmp_path / "third.xlsx", kept)
    assert calls == [[]]
    assert review_sheet(tmp_path / "third.xlsx") == review_sheet(tmp_path / "whole.xlsx")
    assert kept.stat().st_mtime_ns == written


def test_rows_kept_by_other_code_or_unreadable_mean_a_whole_build(
    branch, tmp_path, monkeypatch
) -> None:
    kept = tmp_path / "review_PA0701.arrow"
    issue(branch, tmp_path / "first.xlsx", kept)
    calls = read_codes(monkeypatch)

    monkeypatch.setattr(review_rows, "code_key", lambda: "another version of the code")
    issue(branch, tmp_path / "other_code.xlsx", kept)
    assert calls == [None]
    monkeypatch.undo()

    calls = read_codes(monkeypatch)
    kept.write_bytes(b"ARROW1\x00\x00 not really")
    issue(branch, tmp_path / "broken.xlsx", kept)
    assert calls == [None]
    assert review_sheet(tmp_path / "broken.xlsx") == review_sheet(tmp_path / "first.xlsx")
    assert review_rows.load_kept(kept) is not None  # written again, whole

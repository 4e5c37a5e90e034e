"""Data Docs from the store: one page per station batch of the run, failing expectations shown
with their (masked) examples, per branch and per station the customers' outcomes and top rules,
only the latest run kept, every page readable with no network."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from cmis_migrate.db import store_engine
from cmis_migrate.fields import REVIEWED_FIELDS
from cmis_migrate.reports.data_docs import build_data_docs
from cmis_migrate.store import runs
from cmis_migrate.store.schema import upgrade
from cmis_migrate.store.tables import customer_issues, customers
from cmis_migrate.store.unit_of_work import StationResult, commit_station
from cmis_migrate.store.units import save_units
from cmis_migrate.validators.expectations import run_expectations
from tests.html_text import parse as parse_html

WARDS = ("Phường Hạc Thành", "Xã Quảng Phú")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIELDS = REVIEWED_FIELDS  # every reviewed field (cmis_migrate/fields.py)


def batch(n: int, *, broken: bool) -> pd.DataFrame:
    rows = []
    for i in range(n):
        row = {"customer_code": f"PA0701{i:07d}", "outcome": "ready"}
        row.update({f"{f}_status": "ok" for f in FIELDS})
        row.update(
            phone_type="mobile",
            id_type="CCCD",
            phone_normalized="+84912345678",
            id_number_normalized="038085001234",
            id_issue_date_normalized="2021-04-12",
            email_normalized=None,
            address_ward="Xã Quảng Phú",
        )
        rows.append(row)
    if broken:
        rows[0]["phone_normalized"] = "0373851234"
    return pd.DataFrame(rows)


def store_run(engine, run_id: str, started: datetime, stations: dict[str, bool]) -> None:
    runs.start_run(engine, run_id, kind="run", as_of=started, flow_run_id=None)
    runs.plan_batches(
        engine,
        run_id,
        [{"station": s, "branch": s[:6], "position": i} for i, s in enumerate(stations)],
    )
    empty = pd.DataFrame()
    for station, broken in stations.items():
        commit_station(
            engine,
            StationResult(
                run_id=run_id,
                station=station,
                customers=empty,
                issues=empty,
                drafts=empty,
                holders=empty,
                batch={"state": "succeeded"},
                validation=run_expectations(batch(5, broken=broken), WARDS),
            ),
        )
    runs.finish_run(engine, run_id, "succeeded")


@pytest.fixture
def offline(monkeypatch):
    """Any connection to a host other than this machine fails the test."""
    real = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else "unix"
        if host not in ("127.0.0.1", "::1", "localhost", "unix"):
            raise AssertionError(f"network access to {address}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def test_one_page_per_station_batch_of_the_latest_run_only(tmp_path, offline) -> None:
    engine = store_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    out = tmp_path / "data_docs"
    try:
        store_run(engine, "run-1", datetime(2026, 3, 9, 16, tzinfo=UTC), {"PA0701T0009": False})
        build_data_docs(engine, "run-1", out, wards=WARDS, tz=TZ)
        stations = {"PA0701T0001": False, "PA0701T0002": True, "PA0702T0001": False}
        store_run(engine, "run-2", datetime(2026, 3, 10, 16, tzinfo=UTC), stations)
        built = build_data_docs(engine, "run-2", out, wards=WARDS, tz=TZ)
    finally:
        engine.dispose()
    pages = {p.stem: p for p in (out / "validations").rglob("*.html")}
    assert set(pages) == set(stations)  # run-1's page is gone: the site holds one run
    assert built.pages == 3
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "run-2" in index and "PA0701T0009" not in index
    assert "Chi nhánh PA0701" in index and "Chi nhánh PA0702" in index
    verdicts = {r[0]: r[-1] for r in parse(out / "index.html").rows if r and r[0] in stations}
    assert verdicts == {
        "PA0701T0001": "Đạt",
        "PA0701T0002": "Kiểm tra không đạt",
        "PA0702T0001": "Đạt",
    }
    failing = pages["PA0701T0002"].read_text(encoding="utf-8")
    assert "037****234" in failing  # the failing value, masked
    assert "0373851234" not in failing
    assert not list(tmp_path.glob(".data_docs*"))  # no temporary folder left behind


def parse(path):
    return parse_html(path.read_text(encoding="utf-8"))


def add_customers(engine, run_id: str, station: str, outcomes: dict[str, int], rule: str) -> None:
    now = datetime(2026, 3, 10, 16, tzinfo=UTC)
    rows, issues = [], []
    for outcome, n in outcomes.items():
        for _ in range(n):
            code = f"{station[:6]}{len(rows):07d}{station[-1]}"
            rows.append(
                {"customer_code": code, "branch": station[:6], "station": station,
                 "ledger": f"{station}A", "content_hash": "h", "outcome": outcome,
                 "run_id": run_id, "changed_at": now}
            )  # fmt: skip
            if outcome != "ready":
                issues.append(
                    {"customer_code": code, "station": station, "field": "phone", "rule": rule,
                     "severity": "blocking" if outcome == "blocked" else "warning",
                     "message": "m", "run_id": run_id}
                )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(customers.insert(), rows)
        if issues:
            conn.execute(customer_issues.insert(), issues)


def test_a_station_whose_checks_pass_but_customers_are_mostly_blocked_is_not_green(
    tmp_path, offline
) -> None:
    engine = store_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    out = tmp_path / "data_docs"
    try:
        stations = {"PA0705T0001": False, "PA0705T0002": False, "PA0706T0001": True}
        store_run(engine, "run-1", datetime(2026, 3, 10, 16, tzinfo=UTC), stations)
        add_customers(engine, "run-1", "PA0705T0001", {"ready": 2, "blocked": 8}, "PHONE_SHARED")
        add_customers(engine, "run-1", "PA0705T0002", {"ready": 19, "needs_review": 1}, "EMAIL")
        add_customers(engine, "run-1", "PA0706T0001", {"ready": 5}, "NONE")
        save_units(engine, {"PA0705": "Điện lực Hoằng Hóa"}, now=datetime.now(UTC))
        build_data_docs(engine, "run-1", out, wards=WARDS, tz=TZ)
    finally:
        engine.dispose()
    pages = [out / "index.html", *(out / "validations").rglob("*.html")]
    assert len(pages) == 4
    for page in pages:  # opens offline: nothing to fetch
        refs = parse(page).refs
        assert not [r for r in refs if re.match(r"\s*(https?:)?//", r, re.I)], page
        assert "<script" not in page.read_text(encoding="utf-8")
    index = parse(out / "index.html")
    by_first = {r[0]: r for r in index.rows if r}
    # station rows: station, batch, customers, ready, needs review, blocked, share, checks,
    # top rules, verdict
    blocked = by_first["PA0705T0001"]
    assert blocked[2:6] == ["10", "2", "0", "8"]
    assert blocked[7] == "21/21"  # every expectation passed ...
    assert "PHONE_SHARED 8" in blocked[8]
    assert blocked[9] == "Phần lớn bị chặn"  # ... and it is not shown as passing
    assert by_first["PA0705T0002"][9] == "Đạt"  # 95% ready
    assert by_first["PA0706T0001"][9] == "Kiểm tra không đạt"
    # branch rows: code and CMIS name, stations, customers, ready, needs review, blocked
    branch = next(r for r in index.rows if r and r[0].startswith("PA0705 "))
    assert branch[0] == "PA0705 Điện lực Hoằng Hóa"
    assert branch[2:6] == ["30", "21", "1", "8"]
    assert "PHONE_SHARED 8" in branch[8] and "EMAIL 1" in branch[8]
    assert branch[9] == "Cần xem xét"  # 70% ready, one failing station
    station_page = parse(out / "validations" / "PA0705T0001.html")
    assert any(r[:3] == ["PHONE_SHARED", "Chặn", "8"] for r in station_page.rows)

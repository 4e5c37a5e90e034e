"""Data Docs from stored GX summaries: one page per station batch of the run, failing
expectations shown with their (masked) examples, only the latest run kept, no network."""

from __future__ import annotations

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
from cmis_migrate.store.unit_of_work import StationResult, commit_station
from cmis_migrate.validators.expectations import run_expectations

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
    assert index.count("KHÔNG ĐẠT") == 1
    failing = pages["PA0701T0002"].read_text(encoding="utf-8")
    assert "037****234" in failing  # the failing value, masked
    assert "0373851234" not in failing
    assert not list(tmp_path.glob(".data_docs*"))  # no temporary folder left behind

"""Data Docs from the store: one page per station batch of the run, failing expectations shown
with their (masked) examples, per branch and per station the customers' outcomes and top rules,
only the latest run kept, every page readable with no network; kept up to date in place (only
the pages whose content changed are written, a killed build repaired by the next). The
incremental tests run on SQLite, and on PostgreSQL when CMIS_TEST_DATABASE_URL is set."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import select, update

from cmis_migrate.db import store_engine
from cmis_migrate.fields import REVIEWED_FIELDS
from cmis_migrate.reports.data_docs import build_data_docs
from cmis_migrate.reports.site_pages import MANIFEST
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


def store_run(engine, run_id: str, started: datetime, stations: dict[str, bool | None]) -> None:
    """A run over `stations`: True/False = evaluated (GX fails/passes), None = nothing
    re-evaluated at that station (its batch row only, no GX summary, as on a quiet night)."""
    runs.start_run(engine, run_id, kind="run", as_of=started, flow_run_id=None)
    runs.plan_batches(
        engine,
        run_id,
        [{"station": s, "branch": s[:6], "position": i} for i, s in enumerate(stations)],
    )
    empty = pd.DataFrame()
    for station, broken in stations.items():
        checks = None if broken is None else run_expectations(batch(5, broken=broken), WARDS)
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
                validation=checks,
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


# --- kept up to date in place: only the pages whose content changed are written ---------------

A, B, C = "PA0701T0001", "PA0701T0002", "PA0702T0001"


def night(engine, run_id: str, day: int, stations: dict[str, bool | None]) -> None:
    store_run(engine, run_id, datetime(2026, 3, day, 16, tzinfo=UTC), stations)


def block_one(engine, run_id: str, station: str) -> None:
    """One ready customer of the station is blocked now (its outcome changed, not its checks)."""
    with engine.begin() as conn:
        code = conn.execute(
            select(customers.c.customer_code)
            .where(customers.c.station == station, customers.c.outcome == "ready")
            .order_by(customers.c.customer_code)
        ).first()[0]
        conn.execute(
            update(customers).where(customers.c.customer_code == code).values(outcome="blocked")
        )
        conn.execute(
            customer_issues.insert().values(
                customer_code=code, station=station, field="phone", rule="PHONE_SHARED",
                severity="blocking", message="m", run_id=run_id,
            )
        )  # fmt: skip


def files_of(folder) -> dict[str, bytes]:
    """Every file of the site but its manifest (its times differ between two folders)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def identities(folder) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in (folder / "validations").glob("*.html")
    }


def page(station: str) -> str:
    return f"validations/{station}.html"


def build(engine, run_id: str, out):
    return build_data_docs(engine, run_id, out, wards=WARDS, tz=TZ)


def test_a_publish_rewrites_only_the_stations_that_changed_and_equals_a_full_build(
    store, tmp_path, offline
) -> None:
    out = tmp_path / "data_docs"
    night(store, "run-1", 10, {A: False, B: False, C: False})
    add_customers(store, "run-1", A, {"ready": 4}, "NONE")
    add_customers(store, "run-1", B, {"ready": 3, "needs_review": 1}, "EMAIL")
    add_customers(store, "run-1", C, {"ready": 5}, "NONE")
    first = build(store, "run-1", out)
    assert sorted(first.written) == [page(A), page(B), page(C)]
    before, seen = files_of(out), identities(out)

    # B evaluated again (a check fails now), a customer of C blocked; A: nothing changed
    night(store, "run-2", 11, {A: None, B: True, C: None})
    block_one(store, "run-2", C)
    second = build(store, "run-2", out)
    assert sorted(second.written) == [page(B), page(C)]
    assert identities(out)[page(A)] == seen[page(A)]  # not rewritten: same file, same time
    after = files_of(out)
    assert after[page(A)] == before[page(A)]
    assert after[page(B)] != before[page(B)] and after[page(C)] != before[page(C)]
    assert "run-2" in after["index.html"].decode() and "run-2" not in after[page(A)].decode()
    assert after == files_of(build(store, "run-2", tmp_path / "full-2").index.parent)

    # a quiet night: no page written, each still shows the checks of the run that made them
    night(store, "run-3", 12, {A: None, B: None, C: None})
    seen = identities(out)
    third = build(store, "run-3", out)
    assert third.written == () and third.pages == 3 and identities(out) == seen
    assert "lượt chạy run-1" in (out / page(A)).read_text(encoding="utf-8")
    assert "lượt chạy run-2" in (out / page(B)).read_text(encoding="utf-8")
    verdicts = {r[0]: r[-1] for r in parse(out / "index.html").rows if r}
    assert verdicts[B] == "Kiểm tra không đạt"  # still failing: its data did not change

    # a station no longer in the run: its page goes
    night(store, "run-4", 13, {A: None, B: None})
    fourth = build(store, "run-4", out)
    assert fourth.written == () and fourth.removed == (page(C),)
    assert files_of(out) == files_of(build(store, "run-4", tmp_path / "full-4").index.parent)


def test_a_build_killed_mid_way_leaves_every_page_readable_and_the_next_repairs_it(
    store, tmp_path, monkeypatch
) -> None:
    from cmis_migrate.reports import site_pages

    out = tmp_path / "data_docs"
    night(store, "run-1", 10, {A: False, B: False, C: False})
    build(store, "run-1", out)
    old = files_of(out)
    night(store, "run-2", 11, {A: True, B: True, C: True})
    real, calls = site_pages.write_private_text, []

    def killed_on_the_second_page(path, text):
        calls.append(path)
        if len(calls) == 2:  # killed while writing it: a half temp file is left
            (path.parent / f".{path.stem}-k1ll3d{path.suffix}").write_text(text[: len(text) // 2])
            raise KeyboardInterrupt
        return real(path, text)

    monkeypatch.setattr(site_pages, "write_private_text", killed_on_the_second_page)
    with pytest.raises(KeyboardInterrupt):
        build(store, "run-2", out)
    monkeypatch.undo()
    full = files_of(build(store, "run-2", tmp_path / "full").index.parent)
    for name, content in files_of(out).items():
        if not name.split("/")[-1].startswith("."):  # each page whole, old or new
            assert content in (old[name], full[name]), name
            assert content.rstrip().endswith(b"</html>")

    repaired = build(store, "run-2", out)
    assert page(B) in repaired.written and page(C) in repaired.written
    assert files_of(out) == full  # the half temp file is gone too


def test_a_changed_template_rewrites_every_page(store, tmp_path, monkeypatch) -> None:
    from cmis_migrate.reports import data_docs

    out = tmp_path / "data_docs"
    night(store, "run-1", 10, {A: False, B: False})
    build(store, "run-1", out)
    assert build(store, "run-1", out).written == ()
    edited = tmp_path / "data_docs_station.html.j2"
    templates = data_docs._template_files()
    edited.write_text(data_docs._read_template("data_docs_station.html.j2") + "\n<!-- -->")
    monkeypatch.setattr(
        data_docs,
        "_template_files",
        lambda: [edited if t.name == edited.name else t for t in templates],
    )
    assert sorted(build(store, "run-1", out).written) == [page(A), page(B)]

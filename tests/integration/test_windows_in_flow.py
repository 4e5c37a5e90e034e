"""Off-peak windows and CMIS load protection inside the real flow (issue 5)."""

from __future__ import annotations

import threading
import time

import pytest

from cmis_migrate.config import load_config
from cmis_migrate.db import source_engine, store_engine
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.source.cmis import CmisSource
from cmis_migrate.store.queries import batches_of_run, totals

pytestmark = pytest.mark.slow

NIGHTS = {
    "allowed_hours": {"start": "22:00", "end": "05:00"},
    "billing_days": 0,
    "debt_clearing_days": [],
    "report_aggregation_days": [],
}


@pytest.fixture(scope="module")
def source_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cmis') / 'cmis.sqlite'}"
    seed_demo(url, 500, 5)
    return url


@pytest.fixture
def make_site(tmp_path, make_config, source_url, prefect_server):
    def make(windows=NIGHTS, **load):
        path = make_config(
            tmp_path / "site",
            source={"url": source_url},
            windows=windows,
            load={"max_ledgers_at_once": 2, "parallel_batches": 2, **load},
        )
        return load_config(path, env={})

    yield make


def run_flow(cfg, **kw) -> dict:
    from cmis_migrate.flows.nightly import run_nightly

    return run_nightly(cfg, **kw)


def batches(cfg, run_id: str) -> list[dict]:
    engine = store_engine(cfg.store.url)
    try:
        return batches_of_run(engine, run_id)
    finally:
        engine.dispose()


def test_in_a_blocked_period_nothing_is_read_or_drafted(make_site) -> None:
    cfg = make_site()
    summary = run_flow(cfg, at="2026-03-10T12:00:00+07:00")  # midday: outside the hours
    rows = batches(cfg, summary["run_id"])
    assert summary["state"] == "succeeded"
    assert rows and {b["state"] for b in rows} == {"deferred"}
    assert all(b["queries"] == 0 and b["rows_read"] == 0 for b in rows)
    assert all(b["next_open_at"] and b["next_open_at"].startswith("2026-03-10T15:00") for b in rows)
    assert all("outside" in (b["error"] or "") for b in rows)
    t = totals(rows)
    assert t["drafted"] == 0 and t["deferred"] == t["customers"] == 500


def test_billing_days_defer_only_the_ledgers_in_billing(make_site) -> None:
    cfg = make_site(windows={**NIGHTS, "billing_days": 3})
    summary = run_flow(cfg, at="2026-03-10T23:00:00+07:00")  # reading days 10, 9, 8 are billing
    rows = batches(cfg, summary["run_id"])
    t = totals(rows)
    assert t["drafted"] > 0
    assert t["ready"] + t["needs_review"] + t["blocked"] + t["deferred"] == t["customers"]
    engine = source_engine(cfg.source.url)
    try:
        ledgers = [lg for s in CmisSource(engine).inventory() for lg in s.ledgers]
    finally:
        engine.dispose()
    in_billing = sum(lg.customers for lg in ledgers if lg.reading_day in (8, 9, 10))
    assert 0 < in_billing < t["customers"]  # the demo has ledgers on both sides
    assert t["deferred"] == in_billing


def test_in_an_open_window_drafts_are_made(make_site) -> None:
    cfg = make_site()
    summary = run_flow(cfg, at="2026-03-10T23:00:00+07:00")
    rows = batches(cfg, summary["run_id"])
    assert {b["state"] for b in rows} == {"succeeded"}
    assert totals(rows)["drafted"] > 0
    assert all(b["queries"] >= 1 for b in rows)


def test_a_window_closing_mid_run_defers_the_rest_and_ends_cleanly(make_site) -> None:
    cfg = make_site(pause_between_ledgers_seconds=0.4, parallel_batches=1)
    summary = run_flow(cfg, at="2026-03-11T04:59:58+07:00")
    rows = batches(cfg, summary["run_id"])
    states = [b["state"] for b in rows]
    assert summary["state"] == "succeeded"
    assert "succeeded" in states or any(b["ledgers_done"] for b in rows)
    assert states[-1] == "deferred"
    done = [b for b in rows if b["ledgers_done"]]
    assert (
        done and totals(done)["ready"] + totals(done)["needs_review"] + totals(done)["blocked"] > 0
    )
    late = [b for b in rows if b["state"] == "deferred"]
    assert all(b["next_open_at"].startswith("2026-03-11T15:00") for b in late)


def test_never_more_ledgers_read_at_once_than_the_limit(make_site, monkeypatch) -> None:
    cfg = make_site(max_ledgers_at_once=2, parallel_batches=4)
    state = {"now": 0, "peak": 0}
    lock = threading.Lock()
    original = CmisSource.read_ledger

    def instrumented(self, *args, **kwargs):
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        try:
            time.sleep(0.05)  # hold the ledger long enough for the others to pile up
            yield from original(self, *args, **kwargs)
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(CmisSource, "read_ledger", instrumented)
    summary = run_flow(cfg, at="2026-03-10T23:00:00+07:00")
    assert summary["state"] == "succeeded"
    assert state["peak"] == 2  # reached under pressure, never exceeded

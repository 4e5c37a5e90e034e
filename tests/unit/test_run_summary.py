"""The run's summary for the Prefect UI (run_control.summary_markdown, run_tags): pure."""

from __future__ import annotations

from types import SimpleNamespace
from zoneinfo import ZoneInfo

from cmis_migrate.model import StationJob
from cmis_migrate.run_control import run_tags, summary_markdown

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def batch(station, branch, state, **counts) -> dict:
    keys = ("customers", "ready", "needs_review", "blocked", "drafted", "deferred")
    return {
        "station": station,
        "branch": branch,
        "state": state,
        **dict.fromkeys(keys, 0),
        "next_open_at": None,
        "deferred_reason": None,
        "error": None,
        **counts,
    }


ROWS = [
    batch(
        "PA0701T0001",
        "PA0701",
        "succeeded",
        customers=10,
        ready=6,
        needs_review=1,
        blocked=3,
        drafted=6,
    ),
    batch("PA0701T0002", "PA0701", "succeeded", customers=5, ready=5, drafted=5),
    batch(
        "PA0702T0001",
        "PA0702",
        "deferred",
        customers=7,
        deferred=7,
        next_open_at="2026-12-04T17:00:00+00:00",
        deferred_reason="PA0702T0001A: closed: invoice issuance after reading day 2 (2026-12-02 to 2026-12-04)",
    ),
    batch("PA0703T0001", "PA0703", "failed", customers=4, error="ValueError: bad | data"),
]
SUMMARY = {
    "run_id": "20261203-000000-abc123",
    "state": "failed",
    "batches": {"succeeded": 2, "deferred": 1, "failed": 1},
}


def test_the_artifact_is_a_per_branch_table_with_totals() -> None:
    text = summary_markdown("run", SUMMARY, ROWS, TZ)
    assert (
        "| branch | stations | customers | ready | needs review | blocked | drafted | deferred |"
        in text
    )
    assert "| PA0701 | 2 | 15 | 11 | 1 | 3 | 11 | 0 |" in text
    assert "| PA0702 | 1 | 7 | 0 | 0 | 0 | 0 | 7 |" in text
    assert "| **total** | **4** | **26** | **11** | **1** | **3** | **11** | **7** |" in text


def test_deferred_and_failed_stations_carry_reason_and_next_open_window_in_local_time() -> None:
    text = summary_markdown("run", SUMMARY, ROWS, TZ)
    deferred = text.split("Deferred stations (1)")[1].split("Failed stations")[0]
    assert (
        "| PA0702T0001 | PA0702 | 7 | 2026-12-05 00:00 | PA0702T0001A: closed: invoice" in deferred
    )
    failed = text.split("Failed stations (1)")[1]
    assert (
        "| PA0703T0001 | PA0703 | ValueError: bad \\| data |" in failed
    )  # a | cannot break the table


def test_tags_name_the_province_unit_runner_and_kind() -> None:
    cfg = SimpleNamespace(runner="dask")
    jobs = [
        StationJob(
            run_id="r", station="PA0701T0001", branch="PA0701", standardized=False, ledgers=()
        )
    ]
    assert run_tags(cfg, "rerun", jobs) == ["province:PA07", "runner:dask", "kind:rerun"]

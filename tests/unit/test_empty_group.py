"""A task group that read no CMIS row (a quiet incremental night: every ledger kept) is not
evaluated: no store look-up, no pandas pass over empty frames; its stations are still counted
from their kept ledgers (cmis_migrate.station_group)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from cmis_migrate.config import RulesConfig
from cmis_migrate.evaluate import Policy
from cmis_migrate.fingerprint import pipeline_fingerprint
from cmis_migrate.ledger_reads import no_rows
from cmis_migrate.model import KeptLedger, Ledger, ReadStats, StationJob
from cmis_migrate.station_group import StationRead, evaluate_group, station_result

NOW = datetime(2026, 3, 12, 16, 0, tzinfo=UTC)


def quiet_read(station: str, kept: KeptLedger) -> StationRead:
    ledger = Ledger(kept.ledger, station, "PA0701", 5, kept.customers)
    job = StationJob("run", station, "PA0701", False, (ledger,), kept=(kept,))
    return StationRead(job, no_rows(RulesConfig()), [], [], ReadStats(), 0.0, NOW)


def test_a_group_that_read_nothing_is_counted_without_the_store() -> None:
    rules = RulesConfig()
    rt = SimpleNamespace(policy=Policy(rules), store=None)  # any store access would fail
    reads = [
        quiet_read("PA0701T0001", KeptLedger("A", 10, ready=6, needs_review=1, blocked=3)),
        quiet_read("PA0701T0002", KeptLedger("B", 4, ready=4)),
    ]
    group = evaluate_group(reads, rt, run_id="run", now=NOW)
    assert group.fingerprint == pipeline_fingerprint(rules, frozenset(), NOW.date())
    first = station_result(reads[0], group)
    assert first.nothing_but_batch and first.ledger_reads == [] and first.marked == []
    batch = first.batch
    assert (batch["customers"], batch["unchanged"], batch["ledgers_unchanged"]) == (10, 10, 1)
    assert (batch["ready"], batch["needs_review"], batch["blocked"]) == (6, 1, 3)
    assert station_result(reads[1], group).batch["ready"] == 4

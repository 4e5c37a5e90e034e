"""An incremental night through the real flow, as the data team sees it: the run succeeds
with every station succeeded (none shown deferred or failed), the run summary, `status` and the
Prefect artifact say how many ledgers were left unread, no CMIS customer row is read, and every
branch keeps its review workbook. SQLite always; PostgreSQL too when CMIS_TEST_DATABASE_URL
is set."""

from __future__ import annotations

import hashlib
import re

import pytest

from cmis_migrate.cli.status import status_data
from cmis_migrate.cli.summary import print_run_summary
from cmis_migrate.db import store_engine
from cmis_migrate.run_control import summary_markdown
from cmis_migrate.store.queries import batches_of_run
from tests.conftest import seeded_site

pytestmark = pytest.mark.slow


def night(cfg, day: int) -> dict:
    from cmis_migrate.flows.nightly import run_nightly

    result = run_nightly(cfg, at=f"2026-03-{day:02d}T23:00:00+07:00")
    assert result["state"] == "succeeded", result
    return result


def workbooks(cfg) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(cfg.paths.reports.glob("review_*.xlsx"))
    }


def test_an_unchanged_night_reads_nothing_and_says_so(
    db_urls, tmp_path, prefect_server, capsys
) -> None:
    cfg = seeded_site(db_urls, tmp_path / "site", 200, 9, load={"incremental": True})
    night(cfg, 10)
    issued = workbooks(cfg)
    assert issued

    summary = night(cfg, 11)
    assert summary["batches"] == {"succeeded": summary["batches"]["succeeded"]}
    engine = store_engine(cfg.store.url)
    try:
        rows = batches_of_run(engine, summary["run_id"])
        current = status_data(engine)["batches"]
    finally:
        engine.dispose()
    ledgers = sum(b["ledgers"] for b in rows)
    assert sum(b["ledgers_unchanged"] for b in rows) == ledgers > 0
    assert sum(b["rows_read"] for b in rows) == 0 and sum(b["ledgers_done"] for b in rows) == 0
    assert sum(b["customers"] for b in rows) == 200 == summary["totals"]["customers"]
    assert summary["totals"]["deferred"] == 0
    assert [b["ledgers_unchanged"] for b in current] == [b["ledgers"] for b in current]
    assert workbooks(cfg) == issued  # nothing changed: every branch keeps its workbook

    line = f"{ledgers:,} ledgers not read: unchanged in CMIS and the store since their last read"
    print_run_summary(cfg, summary)
    shown = capsys.readouterr().out
    assert line in shown
    assert not re.search(r"^(deferred|failed) ", shown, re.MULTILINE)  # no station listed so
    assert line in summary_markdown("run", summary, rows, cfg.tz)

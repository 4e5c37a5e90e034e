"""A large run writes each branch's review workbook beside the station batches, as soon as the
last of the branch's stations has ended, in a worker process; the closing publish keeps it.
The drafts CSV is written in the same way once the last station has ended. (The size from
which this happens is lowered to 0 here.) SQLite always; PostgreSQL too when
CMIS_TEST_DATABASE_URL is set."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from cmis_migrate.db import as_utc, store_engine
from cmis_migrate.reports import branch_publisher, publish
from cmis_migrate.reports.data_docs import build_data_docs
from cmis_migrate.reports.publish import publish_drafts
from cmis_migrate.store import review
from cmis_migrate.store.tables import batches, imports, runs
from tests.conftest import seeded_site

pytestmark = pytest.mark.slow


def test_branch_workbooks_are_written_before_the_run_closes(
    db_urls, tmp_path, prefect_server, monkeypatch
) -> None:
    from cmis_migrate.flows.nightly import run_nightly

    monkeypatch.setattr(branch_publisher, "EARLY_FROM_CUSTOMERS", 0)
    # several task groups, branches ending apart
    cfg = seeded_site(db_urls, tmp_path / "site", 400, 5, load={"customers_per_task": 50})
    built_when: list[str] = []

    def counted(rt, run_id, *, when="after the run"):
        built_when.append(when)
        return real_docs(rt, run_id, when=when)

    real_docs = publish.publish_data_docs
    monkeypatch.setattr(publish, "publish_data_docs", counted)
    result = run_nightly(cfg, at="2026-03-10T23:00:00+07:00")
    assert result["state"] == "succeeded", result
    engine = store_engine(cfg.store.url)
    try:
        with engine.connect() as conn:
            closed = as_utc(
                conn.execute(
                    select(runs.c.finished_at).where(runs.c.run_id == result["run_id"])
                ).scalar_one()
            )
            branches = sorted(
                conn.execute(
                    select(batches.c.branch).where(batches.c.run_id == result["run_id"]).distinct()
                ).scalars()
            )
            issued = conn.execute(
                select(imports.c.branch, imports.c.imported_at).where(
                    imports.c.kind == review.REPORT_KIND
                )
            ).all()
        assert len(branches) > 1
        # one workbook per branch, issued once, before the run was closed...
        assert sorted(b for b, _ in issued) == branches
        assert all(as_utc(at) <= closed for _, at in issued)
        # ...kept by the closing publish (still current), and a whole workbook for the clerk
        for branch in branches:
            out = cfg.paths.reports / f"review_{branch}.xlsx"
            assert not review.changed_since_issued(engine, branch, out.name)
            wb = load_workbook(out, read_only=True)
            assert "Hướng dẫn" in wb.sheetnames
            wb.close()
        # the drafts CSV too was written once the last station had ended, before the close,
        # and kept by the closing publish (its stamp says it is current)
        drafts_csv = cfg.paths.drafts / "drafts.csv"
        written_at = datetime.fromtimestamp(drafts_csv.stat().st_mtime, UTC)
        assert written_at <= closed
        assert drafts_csv.read_text(encoding="utf-8-sig").count("\n") > 1
        assert publish_drafts(engine, drafts_csv) == []
        # the Data Docs were built then too, once, and not again after the close
        index = cfg.paths.data_docs / "index.html"
        assert datetime.fromtimestamp(index.stat().st_mtime, UTC) <= closed
        assert built_when == ["after the last station"]
        built = build_data_docs(engine, result["run_id"], tmp_path / "again", tz=cfg.tz)
        assert index.read_bytes() == (tmp_path / "again" / "index.html").read_bytes()
        assert built.pages > 1
    finally:
        engine.dispose()

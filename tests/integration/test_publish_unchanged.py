"""A night over unchanged data writes no review workbook: each branch keeps the one it was
issued (still valid to return), until its customers, station states or corrections change; nor
any Data Docs station page, nor the drafts CSV.
SQLite always; PostgreSQL too when CMIS_TEST_DATABASE_URL is set."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cmis_migrate.db import store_engine, utcnow
from cmis_migrate.store import review
from cmis_migrate.store.tables import batches, imports
from tests.conftest import seeded_site

pytestmark = pytest.mark.slow


def night(cfg, day: int) -> str:
    from cmis_migrate.flows.nightly import run_nightly

    result = run_nightly(cfg, at=f"2026-03-{day:02d}T23:00:00+07:00")
    assert result["state"] == "succeeded", result
    return result["run_id"]


def workbooks(cfg) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(cfg.paths.reports.glob("review_*.xlsx"))
    }


def untouched(cfg) -> tuple[dict, tuple]:
    """Each Data Docs station page and the drafts CSV as a file (inode, time): equal means not
    written again."""

    def identity(p):
        return p.stat().st_ino, p.stat().st_mtime_ns

    pages = {p.name: identity(p) for p in (cfg.paths.data_docs / "validations").glob("*.html")}
    return pages, identity(cfg.paths.drafts / "drafts.csv")


def evaluated(engine, run_id: str) -> int:
    q = select(func.sum(batches.c.customers - batches.c.unchanged)).where(
        batches.c.run_id == run_id
    )
    with engine.connect() as conn:
        return int(conn.execute(q).scalar() or 0)


def issued_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(imports).where(imports.c.kind == review.REPORT_KIND)
        ).scalar_one()


def test_unchanged_nights_keep_the_workbooks_and_a_correction_reissues_its_branch(
    db_urls, tmp_path, prefect_server
) -> None:
    cfg = seeded_site(db_urls, tmp_path / "site", 400, 5)
    engine = store_engine(cfg.store.url)
    try:
        night(cfg, 10)
        first = workbooks(cfg)
        assert len(first) > 1
        night(cfg, 11)  # may still re-evaluate customers whose cross-station counts moved
        before, issued_before = workbooks(cfg), issued_count(engine)
        pages, drafts_csv = untouched(cfg)
        assert len(pages) > 1 and drafts_csv

        third = night(cfg, 12)
        assert evaluated(engine, third) == 0  # unchanged data: nothing re-evaluated...
        assert workbooks(cfg) == before  # ...so no workbook rewritten
        assert issued_count(engine) == issued_before
        # ...nor a Data Docs station page, nor the drafts CSV; the index names the new run
        assert untouched(cfg) == (pages, drafts_csv)
        assert third in (cfg.paths.data_docs / "index.html").read_text(encoding="utf-8")
        branches = sorted(n.removeprefix("review_").removesuffix(".xlsx") for n in before)
        assert not any(review.changed_since_issued(engine, b, f"review_{b}.xlsx") for b in branches)

        # a branch sends corrections back: only its workbook is issued again after the next run
        corrected = branches[0]
        with engine.begin() as conn:
            conn.execute(
                imports.insert().values(
                    import_id="returned-1",
                    kind=review.CORRECTIONS_KIND,
                    file_name=f"review_{corrected}.xlsx",
                    checksum="0" * 64,
                    branch=corrected,
                    imported_at=utcnow() + timedelta(seconds=1),
                    applied=1,
                )
            )
        assert review.changed_since_issued(engine, corrected, f"review_{corrected}.xlsx")
        night(cfg, 13)
        after = workbooks(cfg)
        assert after[f"review_{corrected}.xlsx"] != before[f"review_{corrected}.xlsx"]
        assert {k: v for k, v in after.items() if k != f"review_{corrected}.xlsx"} == {
            k: v for k, v in before.items() if k != f"review_{corrected}.xlsx"
        }
        assert issued_count(engine) == issued_before + 1

        # a workbook deleted by hand is written again
        (cfg.paths.reports / f"review_{branches[1]}.xlsx").unlink()
        night(cfg, 14)
        assert (cfg.paths.reports / f"review_{branches[1]}.xlsx").exists()
    finally:
        engine.dispose()

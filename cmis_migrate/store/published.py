"""Which branches' review workbooks are due: changed since the workbook was last issued (also
by a run that crashed before it published), or left unwritten by a failed write (disk full).
An unwritten workbook is named by the run summary and `status` until a run writes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, literal, or_, select
from sqlalchemy.engine import Engine

from cmis_migrate.db import as_utc
from cmis_migrate.store.review import REPORT_KIND
from cmis_migrate.store.tables import batches, imports, unwritten_workbooks

WORKBOOK_PREFIX, WORKBOOK_SUFFIX = "review_", ".xlsx"  # reports/review_<branch>.xlsx


def branches_changed_since_issued(engine: Engine) -> list[str]:
    """Branches with a station batch that finished after their workbook was last issued having
    (re)evaluated customers or not succeeded, and branches whose workbook was never issued: the
    set review.changed_since_issued is true for (corrections aside), in one query."""
    workbook = literal(WORKBOOK_PREFIX) + imports.c.branch + literal(WORKBOOK_SUFFIX)
    last = (
        select(imports.c.branch, func.max(imports.c.imported_at).label("issued"))
        .where(imports.c.kind == REPORT_KIND, imports.c.file_name == workbook)
        .group_by(imports.c.branch)
        .subquery()
    )
    q = (
        select(batches.c.branch)
        .distinct()
        .outerjoin(last, last.c.branch == batches.c.branch)
        .where(
            or_(
                last.c.issued.is_(None),
                and_(
                    batches.c.finished_at > last.c.issued,
                    or_(batches.c.state != "succeeded", batches.c.customers != batches.c.unchanged),
                ),
            )
        )
    )
    with engine.connect() as conn:
        return sorted(b for b in conn.execute(q).scalars() if b)


def record_unwritten(
    engine: Engine, branch: str, file_name: str, *, run_id: str | None, error: str, at: datetime
) -> None:
    """The branch's workbook could not be written: keep it due, with why (masked)."""
    with engine.begin() as conn:
        conn.execute(delete(unwritten_workbooks).where(unwritten_workbooks.c.branch == branch))
        conn.execute(
            unwritten_workbooks.insert().values(
                branch=branch, file_name=file_name, run_id=run_id, failed_at=at, error=error[:2000]
            )
        )


def written(engine: Engine, branch: str) -> None:
    """The branch's workbook is written: no longer due."""
    with engine.begin() as conn:
        conn.execute(delete(unwritten_workbooks).where(unwritten_workbooks.c.branch == branch))


def unwritten(engine: Engine) -> list[dict]:
    """The workbooks still to write: branch, file_name, run_id, failed_at (UTC, ISO), error."""
    q = select(unwritten_workbooks).order_by(unwritten_workbooks.c.branch)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
    for r in rows:
        at = as_utc(r["failed_at"])
        r["failed_at"] = at.isoformat() if at else None
    return rows

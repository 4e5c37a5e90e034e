"""Store reads and writes of the branch review loop: what a branch report shows, the reports we
issued (so a returned workbook can be checked against them), and applying a branch's
corrections and confirmations in one transaction with their audit record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import and_, delete, func, or_, select, union
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from cmis_migrate.db import as_utc
from cmis_migrate.store.chunks import chunked
from cmis_migrate.store.frames import frame_of
from cmis_migrate.store.joined_text import joined_text
from cmis_migrate.store.tables import (
    STORED_FIELDS,
    batches,
    confirmations,
    corrections,
    customer_issues,
    customers,
    drafts,
    imports,
    returned_workbooks,
    runs,
    station_names,
)

REPORT_KIND = "report"  # an issued review workbook (imports row: what we sent out)
CORRECTIONS_KIND = "corrections"  # a returned review workbook

CUSTOMER_COLUMNS = [
    "customer_code",
    "branch",
    "station",
    "ledger",
    "outcome",
    "pending_change",
    *(f"{f}_{part}" for f in STORED_FIELDS for part in ("original", "proposed", "status")),
]
# what a branch's review sheet shows of each customer (a branch can hold ~100,000)
REPORT_COLUMNS = [
    "customer_code",
    "station",
    "ledger",
    "pending_change",
    *(f"{f}_{part}" for f in STORED_FIELDS for part in ("original", "proposed")),
]


# --- branches and runs ------------------------------------------------------------------


def known_branches(engine: Engine) -> list[str]:
    q = union(select(customers.c.branch).distinct(), select(batches.c.branch).distinct())
    with engine.connect() as conn:
        return sorted({r[0] for r in conn.execute(q) if r[0]})


def run_info(engine: Engine, run_id: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(runs).where(runs.c.run_id == run_id)).first()
    if row is None:
        return None
    out = dict(row._mapping)
    for k in ("as_of", "started_at", "finished_at", "heartbeat_at"):
        out[k] = as_utc(out.get(k))
    return out


def latest_run_of_branch(engine: Engine, branch: str) -> str | None:
    """The most recent run with a batch of one of the branch's stations."""
    q = (
        select(runs.c.run_id)
        .join(batches, batches.c.run_id == runs.c.run_id)
        .where(batches.c.branch == branch)
        .order_by(runs.c.started_at.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        return conn.execute(q).scalar()


def branches_of_run(engine: Engine, run_id: str) -> list[str]:
    q = select(batches.c.branch).where(batches.c.run_id == run_id).distinct()
    with engine.connect() as conn:
        return sorted(conn.execute(q).scalars())


def stations_of_run(engine: Engine, run_id: str, branch: str) -> list[str]:
    q = select(batches.c.station).where(batches.c.run_id == run_id, batches.c.branch == branch)
    with engine.connect() as conn:
        return sorted(conn.execute(q).scalars())


# --- what a branch report shows ---------------------------------------------------------


def _branch_filter(table, branch: str, stations: Sequence[str] | None):
    cond = table.c.branch == branch
    if stations is not None:
        cond = and_(cond, table.c.station.in_(list(stations)))
    return cond


def _branch_rows(
    engine: Engine, q, branch: str, stations: Sequence[str] | None, codes: Sequence[str] | None
) -> list[tuple]:
    """Rows of `q` (over customers) for the branch: its stations, or only these customers."""
    with engine.connect() as conn:
        if codes is None:
            return [
                tuple(r) for r in conn.execute(q.where(_branch_filter(customers, branch, stations)))
            ]
        out: list[tuple] = []
        for part in chunked(sorted(set(codes))):
            cond = and_(customers.c.branch == branch, customers.c.customer_code.in_(part))
            out.extend(tuple(r) for r in conn.execute(q.where(cond)))
        return out


def branch_customers(
    engine: Engine,
    branch: str,
    stations: Sequence[str] | None = None,
    *,
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The branch's customers as its review sheet shows them (REPORT_COLUMNS, current state);
    `codes`: only these of them."""
    q = select(*(customers.c[c] for c in REPORT_COLUMNS))
    return frame_of(_branch_rows(engine, q, branch, stations, codes), REPORT_COLUMNS, dtype=object)


def branch_issues(
    engine: Engine,
    branch: str,
    stations: Sequence[str] | None = None,
    *,
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Current issues of the branch's customers (customer_code, field, rule, severity, message);
    `codes`: only these customers' issues."""
    ci = customer_issues
    q = select(ci.c.customer_code, ci.c.field, ci.c.rule, ci.c.severity, ci.c.message).join(
        customers, customers.c.customer_code == ci.c.customer_code
    )
    cols = ["customer_code", "field", "rule", "severity", "message"]
    return frame_of(_branch_rows(engine, q, branch, stations, codes), cols, dtype=object)


# what makes a customer's rows of the review sheet what they are (reports/review_rows.py): a
# customer's row and its issues are only ever rewritten together, with a new run_id and
# changed_at; its content hash and cross-station counts decide its values and issues
SIGNATURE_COLUMNS = (
    "station",
    "ledger",
    "run_id",
    "changed_at",
    "content_hash",
    "context_counts",
    "outcome",
)


def branch_signatures(engine: Engine, branch: str) -> pd.DataFrame:
    """Every customer of the branch (customer_code, station) with its signature: its
    SIGNATURE_COLUMNS as one text, made by the database (no value parsed on the way)."""
    signature = joined_text(customers.c[name] for name in SIGNATURE_COLUMNS)
    q = select(customers.c.customer_code, customers.c.station, signature).where(
        customers.c.branch == branch
    )
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    return frame_of(rows, ["customer_code", "station", "signature"], dtype=object)


def station_counts(
    engine: Engine, branch: str, stations: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per station: customers, ready, needs_review, blocked (current outcomes), drafted, and the
    station's latest batch (run, finished_at)."""
    q = (
        select(customers.c.station, customers.c.outcome, func.count().label("n"))
        .where(_branch_filter(customers, branch, stations))
        .group_by(customers.c.station, customers.c.outcome)
    )
    dq = (
        select(drafts.c.station, func.count().label("n"))
        .where(_branch_filter(drafts, branch, stations))
        .group_by(drafts.c.station)
    )
    latest = (
        select(batches.c.station, func.max(runs.c.started_at).label("started"))
        .join(runs, runs.c.run_id == batches.c.run_id)
        .where(_branch_filter(batches, branch, stations))
        .group_by(batches.c.station)
        .subquery()
    )
    bq = (
        select(batches.c.station, batches.c.run_id, batches.c.finished_at, batches.c.state)
        .join(runs, runs.c.run_id == batches.c.run_id)
        .join(
            latest,
            (latest.c.station == batches.c.station) & (latest.c.started == runs.c.started_at),
        )
    )
    with engine.connect() as conn:
        counts = frame_of(conn.execute(q), ["station", "outcome", "n"])
        drafted = dict(conn.execute(dq).all())
        last = {r.station: r for r in conn.execute(bq)}
    stations_seen = sorted(set(counts["station"]) | set(last) | set(drafted))
    table = (
        counts.pivot_table(index="station", columns="outcome", values="n", aggfunc="sum")
        .reindex(index=stations_seen, columns=["ready", "needs_review", "blocked"])
        .fillna(0)
        .astype(int)
    )
    out = pd.DataFrame({"station": stations_seen})
    for c in ("ready", "needs_review", "blocked"):
        out[c] = table[c].to_numpy() if len(stations_seen) else []
    out["customers"] = out["ready"] + out["needs_review"] + out["blocked"]
    out["drafted"] = [int(drafted.get(s, 0)) for s in stations_seen]
    out["last_run"] = [last[s].run_id if s in last else None for s in stations_seen]
    out["last_state"] = [last[s].state if s in last else None for s in stations_seen]
    out["last_finished"] = [
        as_utc(last[s].finished_at) if s in last else None for s in stations_seen
    ]
    return out


def station_names_of(engine: Engine, stations: Sequence[str]) -> dict[str, str]:
    """CMIS names (D_TRAM.TEN_TRAM) of these stations, as the last run planned them."""
    out: dict[str, str] = {}
    with engine.connect() as conn:
        for part in chunked(sorted(set(stations))):
            q = select(station_names.c.station, station_names.c.name).where(
                station_names.c.station.in_(part)
            )
            out.update({s: n for s, n in conn.execute(q) if n})
    return out


def record_station_names(engine: Engine, names: dict[str, str | None]) -> None:
    """Keep (insert or replace) the stations' CMIS names; only those that changed are written."""
    if not names:
        return
    known = station_names_of(engine, list(names))
    changed = {s: n for s, n in names.items() if (n or None) != known.get(s)}
    if not changed:
        return
    with engine.begin() as conn:
        for part in chunked(sorted(changed)):
            conn.execute(delete(station_names).where(station_names.c.station.in_(part)))
        conn.execute(
            station_names.insert(), [{"station": s, "name": n} for s, n in changed.items()]
        )


# --- issued reports ----------------------------------------------------------------------


def record_issued_report(
    engine: Engine,
    *,
    report_id: str,
    branch: str,
    run_id: str,
    checksum: str,
    file_name: str,
    rows: int,
    at: datetime,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            imports.insert().values(
                import_id=report_id,
                kind=REPORT_KIND,
                file_name=file_name,
                checksum=checksum,
                branch=branch,
                run_id=run_id,
                imported_at=at,
                applied=rows,
                rejected=0,
                note="review workbook issued (checksum over its Issues rows)",
            )
        )


def withdraw_issued_report(engine: Engine, report_id: str) -> None:
    """A workbook recorded as issued whose file could not be written was never issued."""
    with engine.begin() as conn:
        conn.execute(
            delete(imports).where(imports.c.import_id == report_id, imports.c.kind == REPORT_KIND)
        )


def issued_report(engine: Engine, report_id: str) -> dict | None:
    q = select(imports).where(imports.c.import_id == report_id, imports.c.kind == REPORT_KIND)
    with engine.connect() as conn:
        row = conn.execute(q).first()
    return dict(row._mapping) if row else None


def changed_since_issued(engine: Engine, branch: str, file_name: str) -> bool:
    """Whether the branch's workbook `file_name` would read differently from when it was last
    issued: never issued; or since then a station batch of the branch finished having
    (re)evaluated customers or not succeeded; or a returned workbook of the branch was applied."""
    with engine.connect() as conn:
        last = conn.execute(
            select(func.max(imports.c.imported_at)).where(
                imports.c.kind == REPORT_KIND,
                imports.c.branch == branch,
                imports.c.file_name == file_name,
            )
        ).scalar()
        if last is None:
            return True
        batch_changed = conn.execute(
            select(batches.c.station)
            .where(
                batches.c.branch == branch,
                batches.c.finished_at > last,
                or_(batches.c.state != "succeeded", batches.c.customers != batches.c.unchanged),
            )
            .limit(1)
        ).first()
        if batch_changed is not None:
            return True
        corrected = conn.execute(
            select(imports.c.import_id)
            .where(
                imports.c.kind == CORRECTIONS_KIND,
                imports.c.branch == branch,
                imports.c.imported_at > last,
            )
            .limit(1)
        ).first()
    return corrected is not None


def import_of_file(engine: Engine, sha256: str) -> dict | None:
    """An earlier import of the very same file (by content), if any."""
    q = select(imports).where(imports.c.checksum == sha256, imports.c.kind == CORRECTIONS_KIND)
    with engine.connect() as conn:
        row = conn.execute(q).first()
    return dict(row._mapping) if row else None


# --- applying a returned workbook -------------------------------------------------------


def customers_by_code(engine: Engine, codes: Sequence[str]) -> pd.DataFrame:
    cols = [customers.c[c] for c in CUSTOMER_COLUMNS]
    rows: list = []
    with engine.connect() as conn:
        for part in chunked(sorted(set(codes))):
            rows += conn.execute(select(*cols).where(customers.c.customer_code.in_(part))).all()
    return frame_of(rows, CUSTOMER_COLUMNS, dtype=object)


def current_confirmations(engine: Engine, codes: Sequence[str]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    with engine.connect() as conn:
        for part in chunked(sorted(set(codes))):
            q = select(
                confirmations.c.customer_code, confirmations.c.rule, confirmations.c.value
            ).where(confirmations.c.customer_code.in_(part))
            out.update({(c, r): v for c, r, v in conn.execute(q)})
    return out


@dataclass
class ReviewImport:
    """Everything one returned workbook changes, written in one transaction."""

    import_id: str
    file_name: str
    sha256: str
    branch: str
    run_id: str
    at: datetime
    rejected: int
    note: str
    report_id: str = ""
    corrections: list[dict] = field(default_factory=list)  # customer_code, field, old, new
    confirmations: list[dict] = field(default_factory=list)  # customer_code, rule, value


class AlreadyImported(Exception):
    """This very file of this report was applied already (by another import, maybe just now)."""

    def __init__(self, earlier: dict | None):
        super().__init__("already imported")
        self.earlier = earlier


def apply_review_import(engine: Engine, imp: ReviewImport) -> None:
    """The once-only guard, the audit row, the corrections and the confirmations: all or
    nothing. AlreadyImported when (report, file checksum) was applied before or concurrently."""
    try:
        _apply_review_import(engine, imp)
    except IntegrityError:
        raise AlreadyImported(import_of_file(engine, imp.sha256)) from None
    except OperationalError as exc:  # SQLite: the concurrent writer held the lock, then won
        earlier = import_of_file(engine, imp.sha256)
        if earlier is None:
            raise
        raise AlreadyImported(earlier) from exc


def _apply_review_import(engine: Engine, imp: ReviewImport) -> None:
    with engine.begin() as conn:
        conn.execute(
            returned_workbooks.insert().values(
                report_id=imp.report_id, checksum=imp.sha256, import_id=imp.import_id
            )
        )
        conn.execute(
            imports.insert().values(
                import_id=imp.import_id,
                kind=CORRECTIONS_KIND,
                file_name=imp.file_name,
                checksum=imp.sha256,
                branch=imp.branch,
                run_id=imp.run_id,
                imported_at=imp.at,
                applied=len(imp.corrections) + len(imp.confirmations),
                rejected=imp.rejected,
                note=imp.note,
            )
        )
        if imp.corrections:
            conn.execute(
                corrections.insert(),
                [
                    {
                        "customer_code": c["customer_code"],
                        "field": c["field"],
                        "old_value": c["old_value"],
                        "new_value": c["new_value"],
                        "branch": imp.branch,
                        "import_id": imp.import_id,
                        "applied_at": imp.at,
                    }
                    for c in imp.corrections
                ],
            )
        for c in imp.confirmations:
            conn.execute(
                delete(confirmations).where(
                    confirmations.c.customer_code == c["customer_code"],
                    confirmations.c.rule == c["rule"],
                )
            )
        if imp.confirmations:
            conn.execute(
                confirmations.insert(),
                [
                    {
                        "customer_code": c["customer_code"],
                        "rule": c["rule"],
                        "value": c["value"],
                        "branch": imp.branch,
                        "import_id": imp.import_id,
                        "confirmed_at": imp.at,
                    }
                    for c in imp.confirmations
                ],
            )

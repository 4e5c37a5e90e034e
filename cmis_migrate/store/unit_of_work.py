"""A station batch commits whole or not at all: one transaction writes its customers, issues,
drafts, cross-station index, validation result, the batch's own row, and the record of each
ledger it read (with the marks on the ledgers whose cross-station counts it made stale), so
only a committed read counts for the next incremental run.

Every write is keyed by customer code (delete-then-insert inside the transaction), so redoing a
batch (rerun, crash recovery, a Dask worker recomputing a task) replaces, never adds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection, Engine

from cmis_migrate.db import utcnow
from cmis_migrate.store import read_history
from cmis_migrate.store.bulk_rows import delete_keyed, insert_rows, select_keyed
from cmis_migrate.store.chunks import chunked
from cmis_migrate.store.tables import (
    batches,
    customer_issues,
    customers,
    drafts,
    holder_index,
    signed_contracts,
    validation_results,
)

Rows = pd.DataFrame | list[dict]  # a frame, or its records() already made
# private switch: "1" writes a station batch row by row through SQLAlchemy Core, as before the
# bulk writers (tests compare the two stores; the benchmark measures both)
ROW_WRITES_ENV = "CMIS_MIGRATE_ROW_WRITES"


@dataclass
class StationResult:
    run_id: str
    station: str
    customers: Rows
    issues: Rows
    drafts: Rows
    holders: Rows
    batch: dict
    validation: dict | None = None
    extra: dict = field(default_factory=dict)
    ledger_reads: list[dict] = field(default_factory=list)  # read_history.read_rows
    marked: list[str] = field(default_factory=list)  # customers elsewhere with stale counts

    @property
    def nothing_but_batch(self) -> bool:
        """No customer, issue, draft or validation to write: only the batch row."""
        return self.validation is None and not any(
            len(rows) for rows in (self.customers, self.issues, self.drafts, self.holders)
        )


def records(frame: Rows | None) -> list[dict]:
    """DataFrame -> list of dicts with None for every missing value (NaN, NA, NaT).

    Column by column (twice as fast as DataFrame.where + to_dict); a list passes through."""
    if isinstance(frame, list):
        return frame
    if frame is None or frame.empty:
        return []
    names = [str(c) for c in frame.columns]
    columns = []
    for i in range(frame.shape[1]):
        col = frame.iloc[:, i]
        values = col.astype(object).tolist()
        missing = col.isna().to_numpy()
        if missing.any():
            values = [None if m else v for v, m in zip(values, missing.tolist(), strict=True)]
        columns.append(values)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def signed_codes(conn: Connection, codes: Sequence[str]) -> set[str]:
    out: set[str] = set()
    for part in chunked(codes):
        out |= set(
            conn.execute(
                select(signed_contracts.c.customer_code).where(
                    signed_contracts.c.customer_code.in_(part)
                )
            ).scalars()
        )
    return out


def first_drafted(conn: Connection, codes: Sequence[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for part in chunked(codes):
        q = select(drafts.c.customer_code, drafts.c.first_drafted_at).where(
            drafts.c.customer_code.in_(part)
        )
        out.update(dict(conn.execute(q).all()))
    return out


def _rows_as_before(conn: Connection, result: StationResult, codes: list[str]) -> None:
    """The row-by-row writer (ROW_WRITES_ENV): IN-lists built per statement, Core's executemany
    of dicts."""
    signed = signed_codes(conn, codes)
    first = first_drafted(conn, codes)
    for part in chunked(codes):
        conn.execute(delete(customers).where(customers.c.customer_code.in_(part)))
        conn.execute(delete(customer_issues).where(customer_issues.c.customer_code.in_(part)))
        conn.execute(delete(holder_index).where(holder_index.c.customer_code.in_(part)))
        unsigned = [c for c in part if c not in signed]
        if unsigned:
            conn.execute(delete(drafts).where(drafts.c.customer_code.in_(unsigned)))
    for table, rows in _station_rows(result, signed, first):
        if rows:
            conn.execute(table.insert(), rows)


def _rows_in_bulk(conn: Connection, result: StationResult, codes: list[str]) -> None:
    """The bulk writer (bulk_rows): COPY on PostgreSQL, one executemany per table on SQLite."""
    signed = {k for (k,) in select_keyed(conn, signed_contracts.c.customer_code, codes)}
    first = dict(select_keyed(conn, drafts.c.customer_code, codes, drafts.c.first_drafted_at))
    for table in (customers, customer_issues, holder_index):
        delete_keyed(conn, table.c.customer_code, codes)
    delete_keyed(conn, drafts.c.customer_code, [c for c in codes if c not in signed])
    for table, rows in _station_rows(result, signed, first):
        insert_rows(conn, table, rows)


def _station_rows(result: StationResult, signed: set[str], first: dict[str, object]):
    """(table, rows) of the station's writes: a signed customer's draft stays as signed, a
    redrafted customer keeps when it was first drafted."""
    draft_rows = [r for r in records(result.drafts) if r["customer_code"] not in signed]
    for r in draft_rows:
        r["first_drafted_at"] = first.get(r["customer_code"]) or r["drafted_at"]
    return (
        (customers, records(result.customers)),
        (customer_issues, records(result.issues)),
        (drafts, draft_rows),
        (holder_index, records(result.holders)),
    )


def commit_station(engine: Engine, result: StationResult) -> None:
    codes = [r["customer_code"] for r in records(result.customers)]
    writer = _rows_as_before if os.environ.get(ROW_WRITES_ENV) == "1" else _rows_in_bulk
    with engine.begin() as conn:
        writer(conn, result, codes)
        if result.validation is not None:
            conn.execute(
                delete(validation_results).where(
                    validation_results.c.run_id == result.run_id,
                    validation_results.c.station == result.station,
                )
            )
            conn.execute(
                validation_results.insert().values(
                    run_id=result.run_id,
                    station=result.station,
                    created_at=utcnow(),
                    **result.validation,
                )
            )
        # drafted = the station's current drafts (also those of ledgers deferred tonight)
        drafted = conn.execute(
            select(func.count()).select_from(drafts).where(drafts.c.station == result.station)
        ).scalar_one()
        result.batch["drafted"] = drafted
        read_history.record_reads(conn, result.ledger_reads)
        if result.marked:
            read_history.mark_stale(conn, result.marked, utcnow())
        started = result.extra.get("write_started")
        if started is not None:  # the writes so far (the commit itself is not counted)
            write = time.perf_counter() - started
            result.batch["write_seconds"] = round(result.batch.get("write_seconds", 0.0) + write, 4)
            result.batch["seconds"] = round(result.batch.get("seconds", 0.0) + write, 4)
        conn.execute(
            update(batches)
            .where(batches.c.run_id == result.run_id, batches.c.station == result.station)
            .values(finished_at=utcnow(), heartbeat_at=utcnow(), **result.batch)
        )


def commit_batch_rows(engine: Engine, results: Sequence[StationResult]) -> None:
    """The batch rows of stations with nothing else to write, in one transaction (each row is
    the station's whole commit, so each station stays atomic). The rows go in as one prepared
    UPDATE per set of columns, executed for every station at once (a night over unchanged
    data has ~3,300 of them: one round trip each cost PostgreSQL ~4 s)."""
    if not results:
        return
    stations = [r.station for r in results]
    now = utcnow()
    with engine.begin() as conn:
        current = dict(
            conn.execute(
                select(drafts.c.station, func.count())
                .where(drafts.c.station.in_(stations))
                .group_by(drafts.c.station)
            ).all()
        )
        by_columns: dict[tuple[str, ...], list[dict]] = {}
        for r in results:
            r.batch["drafted"] = int(current.get(r.station, 0))
            read_history.record_reads(conn, r.ledger_reads)
            values = {f"v_{k}": v for k, v in r.batch.items()}
            by_columns.setdefault(tuple(sorted(r.batch)), []).append(
                {"k_run": r.run_id, "k_station": r.station, **values}
            )
        for columns, rows in by_columns.items():
            conn.execute(
                update(batches)
                .where(
                    batches.c.run_id == bindparam("k_run"),
                    batches.c.station == bindparam("k_station"),
                )
                .values(
                    finished_at=now, heartbeat_at=now, **{c: bindparam(f"v_{c}") for c in columns}
                ),
                rows,
            )

"""Each ledger's last committed read, and the ledgers whose cross-station counts went stale
(tables ledger_reads and holder_marks): written inside a station batch's own transaction, so a
failed or rolled-back station leaves its ledgers as they were and they are read again; read
once when an incremental run plans (cmis_migrate.unchanged_ledgers)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, literal, select
from sqlalchemy.engine import Connection, Engine

from cmis_migrate.incremental import FULL_SWEEPS, WHOLE_REASON, LastRead
from cmis_migrate.model import LedgerDone, StationJob
from cmis_migrate.store.chunks import chunked
from cmis_migrate.store.tables import (
    DateTime,
    confirmations,
    corrections,
    customers,
    holder_marks,
    ledger_reads,
)

OUTCOMES = ("ready", "needs_review", "blocked")


def read_rows(
    job: StationJob,
    done: Iterable[LedgerDone],
    *,
    read_at: datetime,
    fingerprint: str,
    outcomes: Counter,
) -> list[dict]:
    """The ledger_reads rows of a station's read ledgers (pure). `outcomes`: (ledger,
    outcome) -> customers, over the station's evaluated and unchanged customers."""
    rows = []
    for d in done:
        ledger = d.ledger.ledger
        counts = {o: int(outcomes.get((ledger, o), 0)) for o in OUTCOMES}
        reason = job.reason(ledger)
        if d.part is None:  # to be read in part, but read whole: why it was to be read
            reason = WHOLE_REASON.get(reason, reason)
        rows.append(
            {
                "ledger": ledger,
                "station": job.station,
                "run_id": job.run_id,
                "as_of": d.as_of,
                "swept_on": d.part.swept_on if d.part else d.as_of,
                "read_at": read_at,
                "full_sweep": reason in FULL_SWEEPS,
                "reason": reason,
                "metering_points": d.ledger.customers,
                "reading_day": d.ledger.reading_day,
                "open_requests": d.open_requests,
                "fingerprint": fingerprint,
                "customers": sum(counts.values()),
                **counts,
            }
        )
    return rows


def record_reads(conn: Connection, rows: Sequence[dict]) -> None:
    """Replace the ledgers' last reads; drop their stale-holder marks made before the read
    began (the read saw what they were about). Inside the station's transaction."""
    if not rows:
        return
    ledgers = [r["ledger"] for r in rows]
    conn.execute(delete(ledger_reads).where(ledger_reads.c.ledger.in_(ledgers)))
    conn.execute(ledger_reads.insert(), list(rows))
    for read_at in {r["read_at"] for r in rows}:
        mine = [r["ledger"] for r in rows if r["read_at"] == read_at]
        conn.execute(
            delete(holder_marks).where(
                holder_marks.c.ledger.in_(mine), holder_marks.c.marked_at < read_at
            )
        )


def mark_stale(conn: Connection, codes: Sequence[str], at: datetime) -> None:
    """These stored customers (and so their ledgers) have stale cross-station counts since
    `at`."""
    for part in chunked(sorted(set(codes))):
        conn.execute(
            holder_marks.insert().from_select(
                ["ledger", "marked_at", "customer_code"],
                select(customers.c.ledger, literal(at, DateTime()), customers.c.customer_code)
                .where(customers.c.customer_code.in_(part))
                .distinct(),
            )
        )


def last_reads(engine: Engine) -> dict[str, LastRead]:
    """ledger -> its last committed read (one row per ledger: ~5,600 in the province)."""
    with engine.connect() as conn:
        rows = conn.execute(select(ledger_reads)).all()
    fields = LastRead.__dataclass_fields__
    return {
        r.ledger: LastRead(**{k: v for k, v in r._mapping.items() if k in fields}) for r in rows
    }


def reviewed_since(engine: Engine, since: datetime) -> dict[str, datetime]:
    """ledger -> the newest branch correction or confirmation of its stored customers applied
    after `since`."""
    out: dict[str, datetime] = {}
    c = customers.c
    with engine.connect() as conn:
        for table, moment in (
            (corrections, corrections.c.applied_at),
            (confirmations, confirmations.c.confirmed_at),
        ):
            q = (
                select(c.ledger, func.max(moment))
                .select_from(table.join(customers, c.customer_code == table.c.customer_code))
                .where(moment > since)
                .group_by(c.ledger)
            )
            for ledger, at in conn.execute(q):
                if at is not None and (ledger not in out or at > out[ledger]):
                    out[ledger] = at
    return out


def marked_customers(engine: Engine) -> list[tuple[str, str | None, datetime]]:
    """(ledger, customer or None, marked_at) of every stale-holder mark (the marks older than
    their ledger's last read are removed by that read: few remain)."""
    m = holder_marks.c
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(m.ledger, m.customer_code, m.marked_at))]


def marked(engine: Engine) -> dict[str, datetime]:
    """ledger -> its newest stale-holder mark."""
    q = select(holder_marks.c.ledger, func.max(holder_marks.c.marked_at)).group_by(
        holder_marks.c.ledger
    )
    with engine.connect() as conn:
        return {ledger: at for ledger, at in conn.execute(q) if at is not None}

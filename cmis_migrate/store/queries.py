"""Reads for people: status, drafts, per-branch summaries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from cmis_migrate.contracts.draft import HASHED
from cmis_migrate.db import as_utc
from cmis_migrate.store.chunks import chunked
from cmis_migrate.store.joined_text import joined_text
from cmis_migrate.store.runs import latest_batches
from cmis_migrate.store.tables import batches, customers, drafts, runs, units

BATCH_FIELDS = (
    "run_id",
    "station",
    "branch",
    "state",
    "attempts",
    "ledgers",
    "ledgers_done",
    "ledgers_unchanged",
    "customers",
    "ready",
    "needs_review",
    "blocked",
    "drafted",
    "deferred",
    "unchanged",
    "queries",
    "rows_read",
    "cmis_seconds",
    "seconds",
    "started_at",
    "finished_at",
    "next_open_at",
    "deferred_reason",
    "error_type",
    "error_message",
    "flow_run_id",
    "task_run_id",
)
TOTAL_FIELDS = ("customers", "ready", "needs_review", "blocked", "drafted", "deferred")


def _iso(value) -> str | None:
    value = as_utc(value)
    return value.isoformat() if value is not None else None


def latest_runs(engine: Engine, limit: int = 10) -> list[dict]:
    """The latest runs, newest first, each with its batch states counted; a rerun also lists
    the stations it redid and how each ended (`stations`)."""
    q = select(runs).order_by(runs.c.started_at.desc()).limit(limit)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
        outcomes = _batch_outcomes(conn, [r["run_id"] for r in rows])
    out = []
    for r in rows:
        mine = outcomes.get(r["run_id"], [])
        counts: dict[str, int] = {}
        for b in mine:
            counts[b["state"]] = counts.get(b["state"], 0) + 1
        run = {
            "id": r["run_id"],
            "kind": r["kind"],
            "state": r["state"],
            "as_of": _iso(r["as_of"]),
            "started_at": _iso(r["started_at"]),
            "finished_at": _iso(r["finished_at"]),
            "heartbeat_at": _iso(r["heartbeat_at"]),
            "stations_planned": r["stations_planned"],
            "batches": dict(sorted(counts.items())),
            "error": r["error"],
            "flow_run_id": r["flow_run_id"],
        }
        if r["kind"] == "rerun":
            run["stations"] = mine
        out.append(run)
    return out


def run_exists(engine: Engine, run_id: str) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(select(runs.c.run_id).where(runs.c.run_id == run_id)).first() is not None
        )


def _batch_outcomes(conn, run_ids: list[str]) -> dict[str, list[dict]]:
    if not run_ids:
        return {}
    q = (
        select(
            batches.c.run_id,
            batches.c.station,
            batches.c.state,
            batches.c.attempts,
            batches.c.error_type,
            batches.c.error_message,
        )
        .where(batches.c.run_id.in_(run_ids))
        .order_by(batches.c.run_id, batches.c.position)
    )
    out: dict[str, list[dict]] = {}
    for r in conn.execute(q):
        out.setdefault(r.run_id, []).append(
            {
                "station": r.station,
                "state": r.state,
                "attempts": r.attempts,
                "error": f"{r.error_type}: {r.error_message}" if r.error_type else None,
            }
        )
    return out


def _batch_dict(r: dict) -> dict:
    out = {k: r.get(k) for k in BATCH_FIELDS}
    for k in ("started_at", "finished_at", "next_open_at"):
        out[k] = _iso(out[k])
    out["error"] = (
        f"{r['error_type']}: {r['error_message']}"
        if r.get("error_type")
        else r.get("deferred_reason")
    )
    return out


def batches_of_run(engine: Engine, run_id: str) -> list[dict]:
    q = select(batches).where(batches.c.run_id == run_id).order_by(batches.c.position)
    with engine.connect() as conn:
        return [_batch_dict(dict(r._mapping)) for r in conn.execute(q)]


def current_batches(engine: Engine) -> list[dict]:
    """Each station's latest batch: the state of the province right now."""
    rows = sorted(latest_batches(engine), key=lambda r: (r["branch"], r["station"]))
    return [_batch_dict(r) for r in rows]


OUTCOME_FIELDS = ("ready", "needs_review", "blocked", "drafted")


def current_outcomes(engine: Engine) -> dict[str, dict[str, int]]:
    """Per station, its customers' current outcomes and drafts in the store (what the branch
    workbook counts), whatever its latest batch did: a deferred or failed batch leaves them."""
    oq = select(customers.c.station, customers.c.outcome, func.count()).group_by(
        customers.c.station, customers.c.outcome
    )
    dq = select(drafts.c.station, func.count()).group_by(drafts.c.station)
    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for station, outcome, n in conn.execute(oq):
            if outcome in OUTCOME_FIELDS:
                out.setdefault(station, dict.fromkeys(OUTCOME_FIELDS, 0))[outcome] = int(n)
        for station, n in conn.execute(dq):
            out.setdefault(station, dict.fromkeys(OUTCOME_FIELDS, 0))["drafted"] = int(n)
    return out


def with_current_outcomes(engine: Engine, batch_rows: list[dict]) -> list[dict]:
    """The stations' latest batches, their counts replaced by the current outcomes."""
    now = current_outcomes(engine)
    zero = dict.fromkeys(OUTCOME_FIELDS, 0)
    return [{**b, **now.get(b["station"], zero)} for b in batch_rows]


def totals(batch_rows: list[dict]) -> dict:
    return {k: int(sum(int(b.get(k) or 0) for b in batch_rows)) for k in TOTAL_FIELDS}


def unread_line(batch_rows: list[dict]) -> str | None:
    """The ledgers left unread as unchanged (load.incremental), in a line for people; None
    when every planned ledger was read or deferred."""
    kept = sum(int(b.get("ledgers_unchanged") or 0) for b in batch_rows)
    if not kept:
        return None
    read = sum(int(b.get("ledgers_done") or 0) for b in batch_rows)
    return (
        f"{kept:,} ledgers not read: unchanged in CMIS and the store since their last read "
        f"(load.incremental), their customers counted as stored; {read:,} ledgers read"
    )


def by_branch(batch_rows: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for b in batch_rows:
        agg = out.setdefault(b["branch"], {k: 0 for k in TOTAL_FIELDS} | {"stations": 0})
        agg["stations"] += 1
        for k in TOTAL_FIELDS:
            agg[k] += int(b.get(k) or 0)
    return dict(sorted(out.items()))


# the drafts with their seller: the branch as CMIS names it (units), so a signing system
# reading the export needs nothing else to name Bên A
_DRAFT_NAMES = [*(c.name for c in drafts.columns), "seller_unit"]


def _drafts_with_seller():
    return select(*drafts.c, units.c.name.label("seller_unit")).select_from(
        drafts.outerjoin(units, units.c.code == drafts.c.branch)
    )


def drafts_frame(engine: Engine, *, branch: str | None = None) -> pd.DataFrame:
    q = _drafts_with_seller().order_by(drafts.c.customer_code)
    if branch:
        q = q.where(drafts.c.branch == branch)
    with engine.connect() as conn:
        frame = pd.DataFrame([dict(r._mapping) for r in conn.execute(q)], columns=_DRAFT_NAMES)
    for c in ("drafted_at", "first_drafted_at"):
        frame[c] = frame[c].map(_iso)
    return frame


_DRAFTS_AND_UNITS = drafts.outerjoin(units, units.c.code == drafts.c.branch)  # the seller


def _draft_columns(columns: Sequence[str]) -> list:
    return [units.c.name.label(c) if c == "seller_unit" else drafts.c[c] for c in columns]


def _signature(columns: Sequence[str]):
    """What the row's values are made of, as one text the database makes: its draft_hash
    (contracts.draft: over every HASHED column, written with them by the station's commit)
    and, as held, each of `columns` the hash does not cover (contract number, seller, run,
    times). Short, so signing every draft costs little beside reading it."""
    covered = set(HASHED) | {"customer_code"}
    return joined_text(
        [drafts.c.draft_hash, *_draft_columns([c for c in columns if c not in covered])]
    )


def _drafts_query(columns: Sequence[str], signed: bool):
    picked = _draft_columns(columns) + ([_signature(columns)] if signed else [])
    return select(*picked).select_from(_DRAFTS_AND_UNITS)


def drafts_rows(
    engine: Engine,
    columns: Sequence[str],
    *,
    rows: int = 20_000,
    codes: Sequence[str] | None = None,
    signed: bool = False,
) -> Iterator[list[list]]:
    """All drafts in customer_code order, in pieces of at most `rows`: each row the values of
    `columns` (drafts columns, or "seller_unit": the branch's name from units), times as ISO
    text like drafts_frame's. The province's ~300,000 drafts never sit in memory at once, and
    no frame is built for them (building and mapping frames was most of the CSV's ~15 s).
    `codes`: only these customers' drafts; `signed`: each row ends with its signature
    (_signature), which changes whenever the row does."""
    times = [i for i, c in enumerate(columns) if c in ("drafted_at", "first_drafted_at")]
    q = _drafts_query(columns, signed)

    def converted(part) -> list[list]:
        out = [list(r) for r in part]
        for row in out:
            for i in times:
                row[i] = _iso(row[i])
        return out

    with engine.connect() as conn:
        if codes is not None:
            for chunk in chunked(sorted(set(codes))):
                ordered = q.where(drafts.c.customer_code.in_(chunk)).order_by(
                    drafts.c.customer_code
                )
                yield converted(conn.execute(ordered).all())
            return
        result = conn.execution_options(stream_results=True, yield_per=rows).execute(
            q.order_by(drafts.c.customer_code)
        )
        for part in result.partitions(rows):
            yield converted(part)


def drafts_signatures(engine: Engine, columns: Sequence[str]) -> list[tuple[str, str]]:
    """(customer_code, signature) of every draft, in customer_code order: drafts_rows(...,
    signed=True)'s signature, without the values."""
    q = (
        select(drafts.c.customer_code, _signature(columns))
        .select_from(_DRAFTS_AND_UNITS)
        .order_by(drafts.c.customer_code)
    )
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(q)]


def drafts_state(engine: Engine) -> dict:
    """A fingerprint of what drafts_rows yields, cheap to read: per run still holding drafts,
    how many and their first and last drafted_at and first_drafted_at; and the units' names
    (the seller column). Drafts change only by a station's commit, which replaces its
    customers' drafts with rows of the committing run: a later run adds or empties a run's
    group, so any change of the drafts since a fingerprint was taken changes it."""
    d = drafts.c
    q = (
        select(
            d.run_id,
            func.count(),
            func.min(d.drafted_at),
            func.max(d.drafted_at),
            func.min(d.first_drafted_at),
            func.max(d.first_drafted_at),
        )
        .group_by(d.run_id)
        .order_by(d.run_id)
    )
    with engine.connect() as conn:
        runs_ = [[r, int(n), *(_iso(t) for t in times)] for r, n, *times in conn.execute(q)]
        names = [
            list(u) for u in conn.execute(select(units.c.code, units.c.name).order_by(units.c.code))
        ]
    return {"runs": runs_, "units": names}


def draft_of(engine: Engine, customer_code: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(drafts).where(drafts.c.customer_code == customer_code)).first()
    return dict(row._mapping) if row else None

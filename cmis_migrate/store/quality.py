"""What Data Docs show: per station of a run, its batch state and the current outcomes of its
customers, the rules that hold its customers back, and the station's latest GX summary."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from cmis_migrate.db import as_utc
from cmis_migrate.store.tables import (
    batches,
    customer_issues,
    customers,
    drafts,
    validation_results,
)

OUTCOMES = ("ready", "needs_review", "blocked")
CHUNK = 500


def _chunks(values: Sequence[str]):
    for i in range(0, len(values), CHUNK):
        yield list(values[i : i + CHUNK])


def run_stations(engine: Engine, run_id: str) -> pd.DataFrame:
    """One row per station batch of the run: station, branch, state, deferred_reason, error_type,
    then the station's current customers by outcome (ready, needs_review, blocked, customers)
    and drafts (drafted)."""
    b = batches.c
    q = select(b.station, b.branch, b.state, b.deferred_reason, b.error_type).where(
        b.run_id == run_id
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(
            conn.execute(q.order_by(b.branch, b.station)).all(),
            columns=["station", "branch", "state", "deferred_reason", "error_type"],
        )
        stations = frame["station"].tolist()
        counts: dict[tuple[str, str], int] = {}
        drafted: dict[str, int] = {}
        for part in _chunks(stations):
            oq = (
                select(customers.c.station, customers.c.outcome, func.count())
                .where(customers.c.station.in_(part))
                .group_by(customers.c.station, customers.c.outcome)
            )
            counts.update({(s, o): int(n) for s, o, n in conn.execute(oq)})
            dq = (
                select(drafts.c.station, func.count())
                .where(drafts.c.station.in_(part))
                .group_by(drafts.c.station)
            )
            drafted.update({s: int(n) for s, n in conn.execute(dq)})
    for o in OUTCOMES:
        frame[o] = [counts.get((s, o), 0) for s in stations]
    frame["customers"] = frame[list(OUTCOMES)].sum(axis=1) if stations else []
    frame["drafted"] = [drafted.get(s, 0) for s in stations]
    return frame


def rule_counts(engine: Engine, stations: Sequence[str]) -> pd.DataFrame:
    """Per station and rule: severity and how many customers the rule holds back now."""
    ci = customer_issues.c
    rows: list[tuple] = []
    with engine.connect() as conn:
        for part in _chunks(list(stations)):
            q = (
                select(ci.station, ci.rule, ci.severity, func.count(ci.customer_code.distinct()))
                .where(ci.station.in_(part))
                .group_by(ci.station, ci.rule, ci.severity)
            )
            rows += conn.execute(q).all()
    return pd.DataFrame(rows, columns=["station", "rule", "severity", "customers"])


def latest_validations(engine: Engine, stations: Sequence[str]) -> dict[str, dict]:
    """Per station, its latest stored GX summary (of whichever run last evaluated some of its
    customers: a night that re-evaluates nobody at a station writes none, and its last one still
    describes the data). Stations never validated are absent."""
    v = validation_results.c
    out: dict[str, dict] = {}
    with engine.connect() as conn:
        for part in _chunks(list(stations)):
            latest = (
                select(v.station, func.max(v.created_at).label("created_at"))
                .where(v.station.in_(part))
                .group_by(v.station)
                .subquery()
            )
            q = (
                select(validation_results)
                .join(
                    latest,
                    (v.station == latest.c.station) & (v.created_at == latest.c.created_at),
                )
                .order_by(v.station, v.run_id)
            )
            for row in conn.execute(q):
                found = dict(row._mapping)  # two at the same instant: the later run id wins
                found["created_at"] = as_utc(found["created_at"])
                out[found["station"]] = found
    return out

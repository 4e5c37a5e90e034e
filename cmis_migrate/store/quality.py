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


def rule_counts(engine: Engine, stations: Sequence[str]) -> list[tuple[str, str, str, int]]:
    """Per station and rule: (station, rule, severity, customers the rule holds back now)."""
    ci = customer_issues.c
    rows: list[tuple[str, str, str, int]] = []
    with engine.connect() as conn:
        for part in _chunks(list(stations)):
            q = (
                select(ci.station, ci.rule, ci.severity, func.count(ci.customer_code.distinct()))
                .where(ci.station.in_(part))
                .group_by(ci.station, ci.rule, ci.severity)
            )
            rows += [(s, r, sv, int(n)) for s, r, sv, n in conn.execute(q)]
    return rows


def latest_validations(engine: Engine, stations: Sequence[str]) -> dict[str, dict]:
    """Per station, its latest stored GX summary (of whichever run last evaluated some of its
    customers: a night that re-evaluates nobody at a station writes none, and its last one still
    describes the data). Stations never validated are absent.

    Two steps: which (run, station) is the latest, from the narrow columns; then those rows by
    their key (a join on max(created_at) took SQLite ~8 s for the province's 3,291 stations)."""
    v = validation_results.c
    latest: dict[str, tuple] = {}
    with engine.connect() as conn:
        for part in _chunks(list(stations)):
            q = select(v.station, v.created_at, v.run_id).where(v.station.in_(part))
            for station, created_at, run_id in conn.execute(q):
                key = (as_utc(created_at), run_id)  # two at the same instant: the later run id
                if station not in latest or key > latest[station]:
                    latest[station] = key
        by_run: dict[str, list[str]] = {}
        for station, (_, run_id) in sorted(latest.items()):
            by_run.setdefault(run_id, []).append(station)
        out: dict[str, dict] = {}
        for run_id, named in sorted(by_run.items()):
            for part in _chunks(named):
                q = select(validation_results).where(v.run_id == run_id, v.station.in_(part))
                for row in conn.execute(q):
                    found = dict(row._mapping)
                    found["created_at"] = as_utc(found["created_at"])
                    out[found["station"]] = found
    return out

"""The store's business content in a canonical form: every table's rows as sorted tuples of
text, without what differs from one run to the next for the same data (run and flow ids,
moments, durations, surrogate ids). Two stores that went through the same nights from the same
CMIS dump equal."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from cmis_migrate.store.tables import metadata

# ids made per run or per file, surrogate keys, the lease semaphore's state
SKIPPED_TABLES = frozenset({"ledger_slots"})
SKIPPED_COLUMNS = frozenset(
    {
        "id",
        "run_id",
        "flow_run_id",
        "task_run_id",
        "import_id",
        "report_id",
        "as_of",
        "holder",
        "checksum",  # a review report's covers its run id
        "lease_until",
    }
)


def _kept(name: str) -> bool:
    return not (name in SKIPPED_COLUMNS or name.endswith("_at") or name.endswith("seconds"))


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, datetime | date):  # none kept today; a date column would be stable
        return value.isoformat()
    return str(value)


def dump_store(engine: Engine) -> dict[str, list[tuple]]:
    """table -> its rows (kept columns, as text, None for NULL), sorted."""
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in SKIPPED_TABLES:
                continue
            cols = [c for c in table.columns if _kept(c.name)]
            if not cols:  # nothing comparable but how many rows
                n = conn.execute(select(func.count()).select_from(table)).scalar_one()
                out[table.name] = [(str(n),)]
                continue
            rows = [tuple(_text(v) for v in r) for r in conn.execute(select(*cols))]
            out[table.name] = sorted(rows, key=lambda r: tuple((v is None, v or "") for v in r))
    return out


def first_difference(a: dict[str, list[tuple]], b: dict[str, list[tuple]]) -> str:
    """A short account of where two dumps differ ('' when they do not)."""
    out = []
    for name in sorted(set(a) | set(b)):
        left, right = a.get(name, []), b.get(name, [])
        if left == right:
            continue
        only_left = sorted(set(left) - set(right), key=str)[:2]
        only_right = sorted(set(right) - set(left), key=str)[:2]
        out.append(
            f"{name}: {len(left)} vs {len(right)} rows; only in the first {only_left}; "
            f"only in the second {only_right}"
        )
    return "\n".join(out)

"""Ledgers an incremental run reads in part (incremental.read_in_part): how a station batch
counts the customers such a read leaves unread, and the customers it reads besides the dated
ones (those whose cross-station counts the group's changes moved).

The unread customers of a ledger read in part are counted as its last read counted them, less
what the customers read tonight counted then (their stored outcomes)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from cmis_migrate.ledger_reads import LedgerAccess, read_more
from cmis_migrate.model import KeptLedger, LedgerDone
from cmis_migrate.runtime import Runtime
from cmis_migrate.store import lookups
from cmis_migrate.store.read_history import OUTCOMES

if TYPE_CHECKING:
    from cmis_migrate.station_group import GroupResult, StationRead


def outcome_counts(read: Iterable[dict], kept: Iterable[KeptLedger], unread: Counter) -> Counter:
    """A station's customers by outcome: those it read (evaluated or unchanged), those of the
    ledgers it kept as their last read counted them, and those its part reads left unread
    (unread_of_parts)."""
    outcomes = Counter(r["outcome"] for r in read)
    for k in kept:
        outcomes.update(ready=k.ready, needs_review=k.needs_review, blocked=k.blocked)
    for (_, outcome), n in unread.items():
        outcomes[outcome] += n
    return outcomes


def unread_of_parts(done: list[LedgerDone], before: dict[str, str | None]) -> Counter:
    """(ledger, outcome) -> customers of the ledgers read in part that were not read: what
    the ledger's last read counted, less what the customers read tonight counted then."""
    out: Counter = Counter()
    for d in done:
        if d.part is None:
            continue
        then = Counter(before.get(c) for c in d.part.codes)
        for o in OUTCOMES:
            n = getattr(d.part.last, o) - then.get(o, 0)
            if n > 0:
                out[(d.ledger.ledger, o)] = n
    return out


def read_touched_in_parts(reads: list[StationRead], group: GroupResult, rt: Runtime) -> bool:
    """Read the customers of the ledgers the group read in part whose cross-station counts its
    changes moved (group.touched), so that they are evaluated tonight, as a whole read of their
    ledger would have them, rather than their ledger marked and read whole the next night.
    True when some were read (the group is then evaluated again)."""
    places = {
        d.ledger.ledger: (read, i) for read in reads for i, d in enumerate(read.done) if d.part
    }
    touched = sorted({c for codes in group.touched.values() for c in codes})
    if not places or not touched:
        return False
    wanted: dict[str, list[str]] = {}
    for code, ledger in lookups.stored_ledgers(rt.store, touched).items():
        if ledger in places:
            wanted.setdefault(ledger, []).append(code)
    more = False
    with LedgerAccess(rt, owner=group.run_id) as access:
        for ledger, codes in sorted(wanted.items()):
            read, i = places[ledger]
            with access.reading(ledger):
                rows, read.done[i] = read_more(rt, read.done[i], codes, read.stats)
            if len(rows):
                read.raw = pd.concat([read.raw, rows], ignore_index=True)
                more = True
    return more

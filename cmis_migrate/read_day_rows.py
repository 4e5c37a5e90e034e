"""The rows a ledger's last read may not have seen: those dated on the read's day itself
(load.incremental).

CMIS keeps only the day a row became valid or ended (NGAY_HLUC, NGAY_HHLUC), so a clerk's edit
dated the day of a ledger's read may have been written before that read or after it. Rather
than read such a ledger whole again the next night, the run reads only its customers dated
that day, as a read would take them tonight, and compares each with the content hash the store
kept (cmis_migrate.incremental.rows_as_read): the same customers with the same hashes, and the
ledger is kept. CMIS is asked once per read day for the dated customers, then for their rows
in lists of at most MAX_IN_LIST codes; a failed question keeps every such ledger read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from cmis_migrate.evaluate import batch_hashes
from cmis_migrate.failures import describe
from cmis_migrate.incremental import rows_as_read
from cmis_migrate.model import ReadStats, StationJob
from cmis_migrate.runtime import Runtime
from cmis_migrate.source.changes import dated_customers
from cmis_migrate.source_values import bounded
from cmis_migrate.store import lookups
from cmis_migrate.store.facts import gather_facts

log = logging.getLogger(__name__)


def ledgers_as_read(
    rt: Runtime,
    jobs: list[StationJob],
    read_days: Mapping[tuple[str, str], date],
    today: date,
    stats: ReadStats,
) -> set[str]:
    """Of the ledgers in `read_days` ((station, ledger) -> the day of its last read, all of
    whose dated rows lie on that day), those whose dated customers are as that read stored
    them."""
    if not read_days:
        return set()
    try:
        dated = set()
        for day in sorted(set(read_days.values())):
            found = dated_customers(rt.source, day, stats)
            dated |= {t for t in found if read_days.get((t[0], t[1])) == day}
        codes = sorted({code for _, _, code in dated})
        raw = rt.source.read_customers(codes, as_of=today, stats=stats) if codes else None
    except SQLAlchemyError as exc:
        kind, message = describe(exc)
        log.warning("incremental: cannot read the rows of the read day (%s: %s)", kind, message)
        return set()
    if raw is None:
        return set()
    reading_day = {(lg.station, lg.ledger): lg.reading_day for j in jobs for lg in j.ledgers}
    places = zip(raw["station"], raw["ledger"], strict=True)
    raw["reading_day"] = pd.Series([reading_day.get(p) for p in places], dtype=object)
    raw = bounded(raw, rt.cfg.rules)  # as a ledger read leaves them, so the hashes compare
    hashes = batch_hashes(raw, gather_facts(rt.store, raw, rt.policy, today))
    tonight = zip(raw["station"], raw["ledger"], raw["customer_code"], hashes, strict=True)
    return rows_as_read(dated, tonight, lookups.stored_places(rt.store, codes))

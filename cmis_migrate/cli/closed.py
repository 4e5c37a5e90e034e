"""Before a run starts anything (Prefect, the CMIS ledger slots): is any ledger it would read
open? If none is, say which are closed, why, and when the next window opens."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from cmis_migrate.cli.common import fail
from cmis_migrate.config import Config, ConfigError
from cmis_migrate.source.connect import source_tables
from cmis_migrate.source.ledgers import SourceUnavailable, list_ledgers, source_engine
from cmis_migrate.windows import Calendar, ledger_statuses

LISTED = 10  # name the closed ledgers one by one up to this many, else count them by reason


def _when(t) -> str:
    return t.strftime("%a %Y-%m-%d %H:%M")


def closed_lines(statuses: pd.DataFrame, at: datetime, timezone: str) -> list[str] | None:
    """Lines for the console when every ledger in `statuses` (windows.ledger_statuses) is
    closed at `at`; None when one is open (or there is none: the run says so itself)."""
    if statuses.empty or bool(statuses["open"].any()):
        return None
    n = len(statuses)
    which = "the one ledger to read is" if n == 1 else f"all {n:,} ledgers to read are"
    lines = [f"nothing to run at {_when(at)} ({timezone}): {which} closed"]
    if len(statuses) <= LISTED:
        for _, row in statuses.iterrows():
            lines.append(f"  {row['ledger']} (station {row['station']}): {row['message']}")
    else:
        reasons = statuses["message"].str.replace(r"; next open .*$", "", regex=True)
        for why, count in reasons.str.removeprefix("closed: ").value_counts().items():
            lines.append(f"  {count:,} ledger(s): {why}")
    upcoming = statuses["next_open"].dropna()
    if len(upcoming):
        lines.append(
            f"the next window opens {_when(upcoming.min())} ({timezone}); "
            "run then, or let `cmis-migrate schedule` run it"
        )
    else:
        lines.append("no ledger opens within the calendar's horizon: see `cmis-migrate windows`")
    return lines


def nothing_open(cfg: Config, at: datetime, stations: list[str] | None) -> list[str] | None:
    """closed_lines for the ledgers of `stations` (all when None) in the CMIS source."""
    try:
        engine = source_engine(cfg)
        try:
            ledgers = list_ledgers(engine, source_tables(cfg))
        finally:
            engine.dispose()
    except (SourceUnavailable, ConfigError) as exc:
        raise fail(str(exc)) from None
    if stations:
        ledgers = ledgers[ledgers["station"].isin(stations)].reset_index(drop=True)
    statuses = ledger_statuses(Calendar.from_config(cfg), ledgers, at)
    return closed_lines(statuses, at.astimezone(cfg.tz), cfg.schedule.timezone)

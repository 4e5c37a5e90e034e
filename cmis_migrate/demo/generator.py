"""The demo CMIS: a realistic, dirty, deterministic PC Thanh Hóa customer base.

- `iter_raw_frames(n, seed)`: the customers as raw customer frames (docs/ARCHITECTURE.md),
  chunk by chunk, without any database.
- `seed_demo(url, customers, seed)`: the same customers written into the CMIS tables
  (D_DVIQLY, D_TRAM, D_SO_GCS, HDG_KHACH_HANG, HDG_DIEM_DO, HDG_YEU_CAU) of any SQLAlchemy URL.

Output depends only on (n, seed, rates): never on chunk_size. Customers are generated in blocks
of whole stations (~8,000 rows), so memory stays bounded whatever n is. The kinds of dirt and
their rates are listed in cmis_migrate/demo/rates.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import make_url

from cmis_migrate.demo import sink
from cmis_migrate.demo.blocks import RAW_COLUMNS, Block, make_block
from cmis_migrate.demo.places import BRANCHES, PC_CODE, PC_NAME
from cmis_migrate.demo.plan import Plan, make_plan
from cmis_migrate.demo.rates import DEFAULT_RATES, DemoRates, resolve_rates
from cmis_migrate.demo.sink import DemoExistsError
from cmis_migrate.source.schema import (
    D_DVIQLY,
    D_SO_GCS,
    D_TRAM,
    HDG_DIEM_DO,
    HDG_KHACH_HANG,
    HDG_YEU_CAU,
)

__all__ = [
    "DEFAULT_RATES",
    "RAW_COLUMNS",
    "DemoExistsError",
    "SeedSummary",
    "iter_raw_frames",
    "seed_demo",
]


@dataclass(frozen=True)
class SeedSummary:
    branches: int  # district branches that have customers
    stations: int
    ledgers: int
    customers: int  # current customers (rows of the raw frame)
    seconds: float


def _blocks(n: int, seed: int, rates: DemoRates) -> tuple[Plan, Iterator[Block]]:
    plan = make_plan(n, seed, rates)
    return plan, (make_block(plan, seed, rates, b) for b in range(len(plan.blocks)))


def _frame(columns: dict[str, list], first: int) -> pd.DataFrame:
    df = pd.DataFrame(columns, columns=list(RAW_COLUMNS))
    df["households"] = df["households"].astype("int64")
    df.index = pd.RangeIndex(first, first + len(df))
    return df


def iter_raw_frames(
    n: int,
    seed: int,
    *,
    rates: Mapping[str, float] | DemoRates | None = None,
    chunk_size: int = 50_000,
) -> Iterator[pd.DataFrame]:
    """Yield the n demo customers as raw customer frames of at most chunk_size rows.

    Rows come branch by branch, station by station, ledger by ledger; the index is the
    customer's ordinal (0..n-1). Text columns hold str or missing; `households` is int64.
    `rates` overrides some of DEFAULT_RATES (unknown names raise ValueError).
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    resolved = resolve_rates(rates)
    _, blocks = _blocks(n, seed, resolved)
    pending: pd.DataFrame | None = None
    for block in blocks:
        df = _frame(block.columns, block.first)
        pending = df if pending is None else pd.concat([pending, df])
        while len(pending) >= chunk_size:
            yield pending.iloc[:chunk_size]
            pending = pending.iloc[chunk_size:]
    if pending is not None and len(pending):
        yield pending


def _unit_rows() -> list[tuple]:
    return [(PC_CODE, PC_NAME, None), *((b.code, b.name, PC_CODE) for b in BRANCHES)]


def _network_rows(plan: Plan) -> tuple[list[tuple], list[tuple]]:
    stations = [
        (plan.station_code[s], BRANCHES[int(plan.station_branch[s])].code, plan.station_name[s], int(plan.station_standardized[s]))
        for s in range(plan.stations)
    ]  # fmt: skip
    ledgers = []
    for i in range(plan.ledgers):
        s = int(plan.ledger_station[i])
        letter = plan.ledger_code[i][-1]
        ledgers.append((
            plan.ledger_code[i], BRANCHES[int(plan.station_branch[s])].code, plan.station_code[s],
            f"Sổ GCS {plan.station_name[s]} - {letter}", int(plan.ledger_day[i]),
        ))  # fmt: skip
    return stations, ledgers


def _customer_rows(block: Block) -> tuple[list[tuple], list[tuple]]:
    c = block.columns
    customers = list(zip(
        c["customer_code"], c["branch"], c["full_name"], c["address"], c["phone"], c["email"],
        c["id_number"], c["id_issue_date"], c["id_issue_place"], c["birth_date"], c["contract_no"],
        c["contract_date"], block.valid_from, [None] * len(block), strict=True,
    ))  # fmt: skip
    points = list(zip(
        c["metering_point"], c["customer_code"], c["branch"], c["station"], c["ledger"],
        c["supply_address"], c["households"], c["meter_no"], strict=True,
    ))  # fmt: skip
    return customers + block.terminated, points


def _where(url: str) -> str:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"the SQLite file {u.database}"
    return f"the database {u.render_as_string(hide_password=True)}"


def seed_demo(
    url: str,
    customers: int,
    seed: int,
    *,
    rates: Mapping[str, float] | DemoRates | None = None,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SeedSummary:
    """Write a demo CMIS of `customers` customers into the database at `url`.

    The rows are those of iter_raw_frames(customers, seed, rates=rates), plus terminated
    contracts (HDG_KHACH_HANG rows with NGAY_HHLUC set and no metering point) and finished
    requests (HDG_YEU_CAU.TINH_TRANG = 'XONG'). Raises DemoExistsError if the database
    already has any of the CMIS tables, unless force (then they are dropped and re-created).
    `progress` is called after each block with the number of customers just written.
    """
    started = time.perf_counter()
    resolved = resolve_rates(rates)
    engine = sink.demo_engine(url)
    try:
        sink.prepare(engine, force=force, where=_where(url))
        plan, blocks = _blocks(customers, seed, resolved)
        stations, ledgers = _network_rows(plan)
        with engine.begin() as conn:
            sink.insert_rows(conn, D_DVIQLY, _unit_rows())
            sink.insert_rows(conn, D_TRAM, stations)
            sink.insert_rows(conn, D_SO_GCS, ledgers)
        written = 0
        for block in blocks:
            khach_hang, diem_do = _customer_rows(block)
            with engine.begin() as conn:
                sink.insert_rows(conn, HDG_KHACH_HANG, khach_hang)
                sink.insert_rows(conn, HDG_DIEM_DO, diem_do)
                sink.insert_rows(conn, HDG_YEU_CAU, block.requests)
            written += len(block)
            if progress is not None:
                progress(len(block))
    finally:
        engine.dispose()
    return SeedSummary(
        branches=plan.branches_used,
        stations=plan.stations,
        ledgers=plan.ledgers,
        customers=written,
        seconds=time.perf_counter() - started,
    )

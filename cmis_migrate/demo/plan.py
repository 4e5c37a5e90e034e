"""The shape of the demo network: branches -> stations -> ledgers, and the generation blocks.

The plan is small (one entry per station and per ledger: ~3,200 stations and ~5,500 ledgers for
the whole province) and depends only on (n, seed, rates). Customers are then generated block by
block, a block being a run of whole stations, so that the output never depends on how the
caller chunks it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cmis_migrate.demo.places import BRANCHES, communes, communes_by_branch
from cmis_migrate.demo.rates import DemoRates

STATION_MIN, STATION_MAX = 100, 400  # customers per transformer station
BLOCK_ROWS = 8192  # customers generated together (whole stations)
CODE_SPACE = 3  # customer codes reserved per customer of a station (gaps, terminated contracts)
LEDGER_LETTERS = "ABC"


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    """An independent PCG64 stream for (seed, *stream); any int seed, negative included."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence([abs(seed), seed < 0, *stream]))
    )


@dataclass(frozen=True)
class Plan:
    n: int
    # per station
    station_branch: np.ndarray
    station_commune: np.ndarray
    station_size: np.ndarray
    station_start: np.ndarray  # ordinal of its first customer
    station_code_base: np.ndarray  # first customer-code number reserved for it
    station_standardized: np.ndarray  # bool
    station_code: list[str]
    station_name: list[str]
    # per ledger (ledgers of a station are consecutive)
    ledger_station: np.ndarray
    ledger_size: np.ndarray
    ledger_day: np.ndarray
    ledger_code: list[str]
    # blocks: [start, stop) station index ranges
    blocks: list[tuple[int, int]]

    @property
    def stations(self) -> int:
        return len(self.station_size)

    @property
    def ledgers(self) -> int:
        return len(self.ledger_size)

    @property
    def branches_used(self) -> int:
        return int(len(np.unique(self.station_branch)))


def branch_counts(n: int) -> np.ndarray:
    """Customers per branch, proportional to population (largest remainder, no randomness)."""
    w = np.array([b.population for b in BRANCHES], dtype=float)
    exact = n * w / w.sum()
    counts = np.floor(exact).astype(np.int64)
    short = n - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def station_sizes(m: int, rng: np.random.Generator) -> list[int]:
    """Split m customers into stations of STATION_MIN..STATION_MAX (one smaller if m is)."""
    if m <= STATION_MAX:
        return [m]
    sizes: list[int] = []
    left = m
    while left > 0:
        s = int(rng.triangular(STATION_MIN, 220, STATION_MAX + 1))
        sizes.append(min(s, left))
        left -= sizes[-1]
    if sizes[-1] < STATION_MIN:  # merge the short tail into the previous station, or halve both
        tail = sizes.pop()
        both = sizes.pop() + tail
        if both <= STATION_MAX:
            sizes.append(both)
        else:
            sizes.extend([both // 2, both - both // 2])
    return sizes


def make_plan(n: int, seed: int, rates: DemoRates) -> Plan:
    if n < 0:
        raise ValueError(f"the number of customers must be >= 0, got {n}")
    rng = rng_for(seed, 0)
    all_communes = communes()
    by_branch = communes_by_branch()

    st_branch: list[int] = []
    st_commune: list[int] = []
    st_size: list[int] = []
    st_code_base: list[int] = []
    st_code: list[str] = []
    st_name: list[str] = []
    for b, m in enumerate(branch_counts(n)):
        if m == 0:
            continue
        sizes = station_sizes(int(m), rng)
        pool = np.array(by_branch[b])
        # spread stations over the branch's communes: every commune before any gets a second
        rounds = -(-len(sizes) // len(pool))
        order = np.concatenate([rng.permutation(pool) for _ in range(rounds)])[: len(sizes)]
        per_commune: dict[int, int] = {}
        base = 1 + int(rng.integers(0, 500))
        code = BRANCHES[b].code
        for k, (s, c) in enumerate(zip(sizes, order, strict=True)):
            per_commune[int(c)] = per_commune.get(int(c), 0) + 1
            st_branch.append(b)
            st_commune.append(int(c))
            st_size.append(s)
            st_code_base.append(base)
            base += CODE_SPACE * s
            st_code.append(f"{code}T{k + 1:04d}")
            st_name.append(f"TBA {all_communes[int(c)].ward} {per_commune[int(c)]}")

    size = np.array(st_size, dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64) if len(size) else size
    standardized = rng.random(len(size)) < rates.station_standardized

    n_ledgers = np.where(size < 60, 1, rng.choice([1, 2, 3], size=len(size), p=[0.45, 0.4, 0.15]))
    ledger_station = np.repeat(np.arange(len(size)), n_ledgers)
    ledger_size = np.empty(len(ledger_station), dtype=np.int64)
    ledger_code: list[str] = []
    pos = 0
    for s, (sz, k) in enumerate(zip(size, n_ledgers, strict=True)):
        parts = [sz // k + (i < sz % k) for i in range(k)]
        ledger_size[pos : pos + k] = parts
        ledger_code.extend(f"{st_code[s]}{LEDGER_LETTERS[i]}" for i in range(k))
        pos += k
    late = rng.random(len(ledger_station)) < rates.ledger_late_reading_day
    day = np.where(
        late,
        rng.choice([28, 29, 30, 31], size=len(late), p=[0.2, 0.1, 0.2, 0.5]),
        rng.integers(1, 26, size=len(late)),
    )

    blocks: list[tuple[int, int]] = []
    first, rows = 0, 0
    for s, sz in enumerate(size):
        rows += int(sz)
        if rows >= BLOCK_ROWS:
            blocks.append((first, s + 1))
            first, rows = s + 1, 0
    if first < len(size):
        blocks.append((first, len(size)))

    return Plan(
        n=n,
        station_branch=np.array(st_branch, dtype=np.int64),
        station_commune=np.array(st_commune, dtype=np.int64),
        station_size=size,
        station_start=start,
        station_code_base=np.array(st_code_base, dtype=np.int64),
        station_standardized=standardized,
        station_code=st_code,
        station_name=st_name,
        ledger_station=ledger_station,
        ledger_size=ledger_size,
        ledger_day=day.astype(np.int64),
        ledger_code=ledger_code,
        blocks=blocks,
    )

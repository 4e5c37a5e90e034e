"""Incremental extraction (load.incremental) on real stores, through the service layer the flow
calls: a quiet night reads no CMIS customer row; after ~1% of the customers changed, exactly
their ledgers are read and the store ends as a full run leaves it; a branch correction makes
its ledger read; a ledger whose last read is full_sweep_days old is read whatever changed; and
with the mode off (the default) every ledger is read as before.

SQLite always; PostgreSQL too when CMIS_TEST_DATABASE_URL is set."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from sqlalchemy import create_engine, select, update

from cmis_migrate.config import load_config
from cmis_migrate.db import utcnow
from cmis_migrate.demo.changes import change_customers
from cmis_migrate.planning import group_jobs
from cmis_migrate.run_control import begin_run, close_run, plan_run
from cmis_migrate.runtime import build_runtime
from cmis_migrate.source.schema import HDG_DIEM_DO, HDG_KHACH_HANG
from cmis_migrate.store.tables import (
    batches,
    corrections,
    customers,
    holder_marks,
    ledger_reads,
)
from tests.conftest import OPEN_ALL_DAY, _fresh_pg_database, seeded_site, write_config
from tests.store_dump import dump_store, first_difference

N = 300
SEED = 16
BUSINESS = ("customers", "customer_issues", "drafts", "holder_index")
PER_TASK = 100  # several groups: the cross-group counts of a first night go stale


def at(day: int) -> str:
    return f"2026-03-{day:02d}T23:00:00+07:00"


@pytest.fixture
def full_store_url(db_kind, tmp_path, pg_base_url):
    """A second store, for the site that runs every night in full."""
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'full.sqlite'}"
        return
    with contextlib.contextmanager(_fresh_pg_database)(pg_base_url) as url:
        yield url


@pytest.fixture
def runtimes():
    built = []

    def make(cfg):
        rt = build_runtime(cfg)
        built.append(rt)
        return rt

    yield make
    for rt in built:
        rt.close()


def incremental_site(db_urls, folder, make, **load):
    cfg = seeded_site(
        db_urls,
        folder,
        N,
        SEED,
        load={"incremental": True, "customers_per_task": PER_TASK, **load},
    )
    return make(cfg)


def night(rt, day: int, stations: list[str] | None = None) -> str:
    """One nightly run, group by group in plan order (the flow with one worker)."""
    handle = begin_run(rt, kind="run", at=at(day), flow_run_id=None)
    plan_run(rt, handle, stations=stations, failed_only=False)
    out = []
    for group in group_jobs(handle.jobs, max_customers=rt.cfg.load.customers_per_task):
        out += rt_process(list(group), rt, handle.clock)
    close_run(rt, handle, [s.as_dict() for s in out])
    return handle.run_id


def rt_process(jobs, rt, clock):
    from cmis_migrate.station_group import process_group

    return process_group(jobs, rt, clock)


def full_site(db_urls, folder, store_url, make):
    """The same CMIS, every ledger read every night (the mode off)."""
    cfg = write_config(
        folder,
        source={"url": db_urls["source"]},
        store={"url": store_url},
        windows=OPEN_ALL_DAY,
        load={"customers_per_task": PER_TASK},
    )
    return make(load_config(cfg, env={}))


def both_nights(inc, full):
    """A night on both sites, then their business tables compared."""

    def both(day: int) -> str:
        night(full, day)
        run = night(inc, day)
        assert_same_store(inc, full, f"night of day {day}")
        return run

    return both


def batch_rows(rt, run_id: str) -> list[dict]:
    with rt.store.connect() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(select(batches).where(batches.c.run_id == run_id))
        ]


def read_in(rt, run_id: str) -> dict[str, str]:
    """ledger -> why it was read, for the ledgers the run read."""
    q = select(ledger_reads.c.ledger, ledger_reads.c.reason).where(ledger_reads.c.run_id == run_id)
    with rt.store.connect() as conn:
        return dict(conn.execute(q).all())


def all_ledgers(rt) -> set[str]:
    return {lg.ledger for s in rt.source.inventory() for lg in s.ledgers}


def stale_ledgers(rt) -> set[str]:
    """Ledgers marked after their last read began (their cross-station counts are stale)."""
    return marked_since_read(rt, holder_marks.c.ledger)


def marked_codes(rt) -> set[str]:
    """Customers marked after their ledger's last read began."""
    return marked_since_read(rt, holder_marks.c.customer_code)


def marked_since_read(rt, column) -> set[str]:
    q = (
        select(column)
        .join(ledger_reads, ledger_reads.c.ledger == holder_marks.c.ledger)
        .where(holder_marks.c.marked_at > ledger_reads.c.read_at)
    )
    with rt.store.connect() as conn:
        return set(conn.execute(q).scalars())


def ledgers_of(rt, codes: list[str]) -> set[str]:
    engine = create_engine(rt.cfg.source.url)
    try:
        with engine.connect() as conn:
            q = select(HDG_DIEM_DO.c.MA_SOGCS).where(HDG_DIEM_DO.c.MA_KHANG.in_(codes))
            return set(conn.execute(q).scalars())
    finally:
        engine.dispose()


def business(rt) -> dict:
    dump = dump_store(rt.store)
    return {t: dump[t] for t in BUSINESS}


def assert_same_store(inc, full, when: str) -> None:
    a, b = business(inc), business(full)
    assert a == b, f"{when}: {first_difference(a, b)}"


def planned_groups(rt) -> list[list[str]]:
    """The customer codes of each task group of a night, in plan order (CMIS's view)."""
    from cmis_migrate.model import ReadStats
    from cmis_migrate.planning import plan_jobs

    jobs = plan_jobs("plan", rt.source.inventory(ReadStats()))
    groups = group_jobs(jobs, max_customers=rt.cfg.load.customers_per_task)
    engine = create_engine(rt.cfg.source.url)
    try:
        with engine.connect() as conn:
            by_station: dict[str, list[str]] = {}
            q = select(HDG_DIEM_DO.c.MA_TRAM, HDG_DIEM_DO.c.MA_KHANG).order_by(
                HDG_DIEM_DO.c.MA_KHANG
            )
            for station, code in conn.execute(q):
                by_station.setdefault(station, []).append(code)
    finally:
        engine.dispose()
    return [[c for j in g for c in by_station.get(j.station, [])] for g in groups]


def edit_phone(url: str, code: str, phone: str, on: date | None = None) -> None:
    """A clerk's edit in CMIS: a new phone, the row valid from `on` (when given)."""
    k = HDG_KHACH_HANG
    values = {"DTHOAI": phone} | ({"NGAY_HLUC": on.isoformat()} if on else {})
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(update(k).where(code == k.c.MA_KHANG).values(**values))
    finally:
        engine.dispose()


def test_quiet_nights_read_nothing_and_changes_end_as_a_full_run(
    db_urls, tmp_path, full_store_url, runtimes
) -> None:
    inc = incremental_site(db_urls, tmp_path / "inc", runtimes)
    full = full_site(db_urls, tmp_path / "full", full_store_url, runtimes)
    ledgers = all_ledgers(inc)
    groups = planned_groups(inc)
    assert len(groups) >= 3
    a, c = groups[0][0], groups[1][0]  # customers of the first two task groups...
    b, d = groups[-1][:2]  # ...and two of one ledger in the last one
    assert len(ledgers_of(inc, [a, c])) == 2 and len(ledgers_of(inc, [b, d])) == 1
    cmis = db_urls["source"]
    both = both_nights(inc, full)
    edit_phone(cmis, a, "0912000111")
    edit_phone(cmis, b, "0912000111")  # b shares a's phone, a's group commits first

    first = both(10)
    assert read_in(inc, first) == dict.fromkeys(ledgers, "first")
    stale = stale_ledgers(inc)  # b joined a's phone after a's ledger was read
    assert ledgers_of(inc, [a]) <= stale

    marked = marked_codes(inc)
    assert a in marked
    second = both(11)  # only the marked customers are read: a's counts settle as in full
    assert read_in(inc, second) == dict.fromkeys(stale, "marked_customers")
    assert sum(r["rows_read"] for r in batch_rows(inc, second)) == len(marked)
    assert not stale_ledgers(inc)

    quiet = both(12)
    rows = batch_rows(inc, quiet)
    assert read_in(inc, quiet) == {}
    assert sum(r["rows_read"] for r in rows) == 0 and sum(r["queries"] for r in rows) == 0
    assert {r["state"] for r in rows} == {"succeeded"}
    assert sum(r["ledgers_unchanged"] for r in rows) == len(ledgers)
    assert sum(r["unchanged"] for r in rows) == sum(r["customers"] for r in rows) == N
    assert sum(r["deferred"] for r in rows) == 0
    full_counts = {r["station"]: r for r in batch_rows(full, night_id(full))}
    for r in rows:  # the same counts as the full night, from the stored reads
        f = full_counts[r["station"]]
        keys = ("customers", "ready", "needs_review", "blocked", "drafted")
        assert [r[k] for k in keys] == [f[k] for k in keys]

    day = date(2026, 3, 13)
    changed = change_customers(cmis, 0.01, seed=5, on=day)
    assert len(changed) == 3
    edit_phone(cmis, b, "0912000222", on=day)  # b leaves a's phone: a's count drops
    edit_phone(cmis, c, "0912000333", on=day)  # c and d take one phone: c's group first
    edit_phone(cmis, d, "0912000333", on=day)
    moved = ledgers_of(inc, [*changed, b, c])
    third = both(13)
    # each ledger with rows dated since its read is read in part: its dated customers only
    assert read_in(inc, third) == dict.fromkeys(moved, "dated_customers")
    batches_3 = batch_rows(inc, third)
    assert sum(r["rows_read"] for r in batches_3) == len({*changed, b, c, d})
    assert sum(r["ledgers_unchanged"] for r in batches_3) == len(ledgers) - len(moved)

    stale = stale_ledgers(inc)
    assert ledgers_of(inc, [a]) <= stale  # b left a's phone after a's group was read
    assert ledgers_of(inc, [c]) <= stale  # d joined c's new phone after c's group was read
    fourth = both(14)  # the stale holders: as in full again; the changed day's customers are
    assert read_in(inc, fourth) == dict.fromkeys(stale, "marked_customers")  # as night 13

    last = both(15)
    assert read_in(inc, last) == {}
    rows = batch_rows(inc, last)
    assert sum(r["rows_read"] for r in rows) == 0
    full_counts = {r["station"]: r for r in batch_rows(full, night_id(full))}
    for r in rows:  # the ledgers read in part counted as a whole read counts them
        f = full_counts[r["station"]]
        keys = ("customers", "ready", "needs_review", "blocked", "drafted")
        assert [r[k] for k in keys] == [f[k] for k in keys]


def test_a_part_read_also_reads_the_customers_whose_counts_it_moves(
    db_urls, tmp_path, full_store_url, runtimes
) -> None:
    """A ledger read in part reads its customers dated since its read, and then those of its
    customers sharing a phone, ID number or person with them whose counts their changes moved:
    the night ends as a full run ends it, with no ledger left for the next night."""
    inc = incremental_site(db_urls, tmp_path / "inc", runtimes)
    full = full_site(db_urls, tmp_path / "full", full_store_url, runtimes)
    cmis = db_urls["source"]
    both = both_nights(inc, full)
    group = planned_groups(inc)[0]
    mover, holder = group[0], group[1]
    assert len(ledgers_of(inc, [mover, holder])) == 1
    for code in (mover, holder):  # one phone for both
        edit_phone(cmis, code, "0912000881")
    both(10)
    both(11)
    assert not stale_ledgers(inc)
    day = date(2026, 3, 12)
    edit_phone(cmis, mover, "0912000882", on=day)  # the holder alone on it now
    run = both(12)  # the holder's count of its phone's holders fell, as in the full run
    assert read_in(inc, run) == dict.fromkeys(ledgers_of(inc, [mover]), "dated_customers")
    assert sum(r["rows_read"] for r in batch_rows(inc, run)) == 2
    assert not stale_ledgers(inc)
    assert counts_of(inc, run) == counts_of(full, night_id(full))
    assert read_in(inc, both(13)) == {}


def counts_of(rt, run_id: str) -> dict[str, tuple]:
    keys = ("customers", "ready", "needs_review", "blocked", "unchanged", "drafted")
    return {r["station"]: tuple(r[k] for k in keys) for r in batch_rows(rt, run_id)}


def test_a_ledger_whose_dated_customer_left_it_is_read_whole(
    db_urls, tmp_path, full_store_url, runtimes
) -> None:
    """A ledger is read in part only when each of its dated customers is still in it: one whose
    row ended (or moved) makes the ledger read whole, as a full run reads it."""
    inc = incremental_site(db_urls, tmp_path / "inc", runtimes)
    full = full_site(db_urls, tmp_path / "full", full_store_url, runtimes)
    both = both_nights(inc, full)
    both(10)
    both(11)
    group = planned_groups(inc)[0]
    gone, edited = group[0], group[1]
    assert len(ledgers_of(inc, [gone, edited])) == 1
    day = date(2026, 3, 12)
    edit_phone(db_urls["source"], edited, "0912000771", on=day)
    engine = create_engine(db_urls["source"])
    try:
        with engine.begin() as conn:
            k = HDG_KHACH_HANG
            conn.execute(update(k).where(gone == k.c.MA_KHANG).values(NGAY_HHLUC=day.isoformat()))
    finally:
        engine.dispose()
    run = both(12)
    assert read_in(inc, run) == dict.fromkeys(ledgers_of(inc, [gone]), "cmis_rows")
    ledger = next(iter(ledgers_of(inc, [gone])))
    with inc.store.connect() as conn:
        read = conn.execute(select(ledger_reads).where(ledger_reads.c.ledger == ledger)).one()
    assert read.swept_on == read.as_of == day  # a whole read restarts the sweep count


def night_id(rt) -> str:
    from cmis_migrate.store.tables import runs

    with rt.store.connect() as conn:
        return conn.execute(
            select(runs.c.run_id).order_by(runs.c.started_at.desc()).limit(1)
        ).scalar_one()


def test_a_branch_correction_makes_its_ledger_read(db_urls, tmp_path, runtimes) -> None:
    rt = incremental_site(db_urls, tmp_path / "site", runtimes)
    night(rt, 10)
    night(rt, 11)  # settles the first night's stale counts
    with rt.store.connect() as conn:
        code, ledger, branch = conn.execute(
            select(customers.c.customer_code, customers.c.ledger, customers.c.branch)
            .order_by(customers.c.customer_code)
            .limit(1)
        ).one()
    with rt.store.begin() as conn:
        conn.execute(
            corrections.insert().values(
                customer_code=code,
                field="phone",
                old_value=None,
                new_value="0912 345 678",
                branch=branch,
                import_id="test",
                applied_at=utcnow(),
            )
        )
    run = night(rt, 12)
    assert read_in(rt, run) == {ledger: "review"}
    with rt.store.connect() as conn:
        proposed, rules, run_of = conn.execute(
            select(customers.c.phone_proposed, customers.c.phone_rules, customers.c.run_id).where(
                customers.c.customer_code == code
            )
        ).one()
    assert run_of == run and "BRANCH_CORRECTION" in (rules or "")
    assert proposed.replace(" ", "").endswith("912345678")
    assert read_in(rt, night(rt, 13)) == {}  # applied once: the next night is quiet again


def test_an_edit_dated_the_read_day_but_written_after_the_read_is_seen(
    db_urls, tmp_path, full_store_url, runtimes
) -> None:
    """CMIS keeps only the day of a change: the night after a read, the customers dated on the
    read's day are read alone and compared with what the read stored; a ledger is read whole
    again only where one of them differs (an edit written after the read) or is gone."""
    inc = incremental_site(db_urls, tmp_path / "inc", runtimes)
    full = full_site(db_urls, tmp_path / "full", full_store_url, runtimes)
    cmis = db_urls["source"]
    both = both_nights(inc, full)

    both(10)
    both(11)  # settles the first night's stale counts
    groups = planned_groups(inc)
    before, after, twice = groups[0][0], groups[1][0], groups[-1][0]
    assert len(ledgers_of(inc, [before, after, twice])) == 3
    day = date(2026, 3, 12)
    phones = {before: "0912000551", after: "0912000552", twice: "0912000553"}
    for code, phone in phones.items():  # edits of day 12 written before its night
        edit_phone(cmis, code, phone, on=day)
    read = both(12)
    assert read_in(inc, read) == dict.fromkeys(ledgers_of(inc, list(phones)), "dated_customers")
    edit_phone(cmis, after, "0912000666", on=day)  # dated day 12, written after its night
    edit_phone(cmis, twice, phones[twice], on=day)  # written again after it, the same values
    run = both(13)
    assert read_in(inc, run) == dict.fromkeys(ledgers_of(inc, [after]), "dated_customers")
    rows = batch_rows(inc, run)
    assert sum(r["ledgers_unchanged"] for r in rows) == len(all_ledgers(inc)) - 1
    assert read_in(inc, both(14)) == {}  # day 12 is behind every last read now


def test_a_full_sweep_reads_ledgers_whose_last_read_is_old(db_urls, tmp_path, runtimes) -> None:
    rt = incremental_site(db_urls, tmp_path / "site", runtimes, full_sweep_days=3)
    ledgers = all_ledgers(rt)
    night(rt, 10)
    code = planned_groups(rt)[0][0]
    edit_phone(db_urls["source"], code, "0912000444", on=date(2026, 3, 11))
    mine = ledgers_of(rt, [code])
    assert read_in(rt, night(rt, 11)) == dict.fromkeys(mine, "dated_customers")
    assert read_in(rt, night(rt, 12)) == {}  # its day's row is as night 11 stored it
    # 3 days since day 10: every ledger is read whatever changed; night 11 read that one in
    # part (its changed customer alone), which does not restart the count
    assert read_in(rt, night(rt, 13)) == dict.fromkeys(ledgers, "sweep")
    assert read_in(rt, night(rt, 14)) == {}
    with rt.store.connect() as conn:
        rows = conn.execute(select(ledger_reads.c.reason, ledger_reads.c.full_sweep)).all()
    assert {tuple(r) for r in rows} == {("sweep", True)}


def test_a_named_station_is_read_whole(db_urls, tmp_path, runtimes) -> None:
    rt = incremental_site(db_urls, tmp_path / "site", runtimes)
    night(rt, 10)
    station = sorted(s.station for s in rt.source.inventory())[0]
    mine = {lg.ledger for s in rt.source.inventory() if s.station == station for lg in s.ledgers}
    assert read_in(rt, night(rt, 11, stations=[station])) == dict.fromkeys(mine, "named")


def test_off_by_default_every_ledger_is_read(db_urls, tmp_path, runtimes) -> None:
    cfg = seeded_site(db_urls, tmp_path / "site", N, SEED)
    assert cfg.load.incremental is False and cfg.load.full_sweep_days == 7
    rt = runtimes(cfg)
    ledgers = all_ledgers(rt)
    night(rt, 10)
    for day in (11, 12):
        run = night(rt, day)
        rows = batch_rows(rt, run)
        assert read_in(rt, run) == dict.fromkeys(ledgers, "all")
        assert sum(b["rows_read"] for b in rows) == N
        assert sum(b["ledgers_unchanged"] for b in rows) == 0
        assert sum(b["ledgers_done"] for b in rows) == len(ledgers)

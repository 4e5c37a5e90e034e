"""The unchanged rule on a real store (no Prefect: the service layer the flow calls): a second
night over unchanged data skips every customer, an edited customer is evaluated again, a phone
that becomes shared through another station reaches the customers already stored, and a group
done twice in one run (a Dask recompute) changes nothing."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import create_engine, select, text, update

from cmis_migrate.config import load_config
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.planning import group_jobs
from cmis_migrate.run_control import begin_run, close_run, plan_run
from cmis_migrate.runtime import build_runtime
from cmis_migrate.source.schema import HDG_KHACH_HANG
from cmis_migrate.station_group import process_group
from cmis_migrate.store.queries import drafts_frame
from cmis_migrate.store.tables import batches, customer_issues, customers
from tests.conftest import OPEN_ALL_DAY

N = 600
NIGHTS = [f"2026-03-{d:02d}T23:00:00+07:00" for d in range(10, 16)]


@pytest.fixture
def site(tmp_path, make_config):
    def make(customers_per_task: int = 20_000):
        source = f"sqlite:///{tmp_path / 'cmis.sqlite'}"
        seed_demo(source, N, 23)
        path = make_config(
            tmp_path / "site",
            source={"url": source},
            windows=OPEN_ALL_DAY,
            load={"customers_per_task": customers_per_task},
        )
        rt = build_runtime(load_config(path, env={}))
        built.append(rt)
        return rt

    built: list = []
    yield make
    for rt in built:
        rt.close()


def night(rt, at: str) -> tuple[str, list]:
    """One nightly run, group by group, in plan order (what the flow does with one worker)."""
    handle = begin_run(rt, kind="run", at=at, flow_run_id=None)
    plan_run(rt, handle, stations=None, failed_only=False)
    out = []
    for group in group_jobs(handle.jobs, max_customers=rt.cfg.load.customers_per_task):
        out += process_group(list(group), rt, handle.clock)
    close_run(rt, handle, [s.as_dict() for s in out])
    return handle.run_id, out


def stored(rt) -> pd.DataFrame:
    engine = rt.store
    with engine.connect() as conn:
        rows = conn.execute(select(customers).order_by(customers.c.customer_code)).all()
    return pd.DataFrame([dict(r._mapping) for r in rows]).set_index("customer_code")


def issues_of(rt, code: str) -> set[str]:
    with rt.store.connect() as conn:
        q = select(customer_issues.c.rule).where(customer_issues.c.customer_code == code)
        return set(conn.execute(q).scalars())


def customer_code(code: str):
    column = HDG_KHACH_HANG.c.MA_KHANG
    return column == code


def edit_source(rt, code: str, **values) -> None:
    engine = create_engine(rt.cfg.source.url)  # the flow opens CMIS read-only; the test edits it
    with engine.begin() as conn:
        conn.execute(update(HDG_KHACH_HANG).where(customer_code(code)).values(**values))
    engine.dispose()


def test_a_second_night_skips_every_unchanged_customer_and_an_edit_is_redone(site) -> None:
    rt = site()
    first_run, first = night(rt, NIGHTS[0])
    assert sum(s.customers for s in first) == N and sum(s.unchanged for s in first) == 0
    drafts_1 = drafts_frame(rt.store)
    before = stored(rt)

    second_run, second = night(rt, NIGHTS[1])
    assert sum(s.unchanged for s in second) == N
    for a, b in zip(first, second, strict=True):  # same counts, from the stored outcomes
        assert (a.ready, a.needs_review, a.blocked, a.drafted) == (
            b.ready,
            b.needs_review,
            b.blocked,
            b.drafted,
        )
    pd.testing.assert_frame_equal(drafts_frame(rt.store), drafts_1)
    pd.testing.assert_frame_equal(stored(rt), before)  # nothing rewritten
    with rt.store.connect() as conn:
        rows = conn.execute(
            select(batches.c.unchanged, batches.c.customers).where(batches.c.run_id == second_run)
        ).all()
    assert sum(r.unchanged for r in rows) == sum(r.customers for r in rows) == N

    code = before.index[7]
    edit_source(rt, code, DIA_CHI="Thôn Đông, xã Quảng Phú, huyện Quảng Xương, tỉnh Thanh Hóa")
    third_run, third = night(rt, NIGHTS[2])
    assert sum(s.unchanged for s in third) == N - 1
    after = stored(rt)
    assert after.loc[code, "run_id"] == third_run
    assert after.loc[code, "address_original"].startswith("Thôn Đông")
    assert after.loc[code, "content_hash"] != before.loc[code, "content_hash"]
    others = after.drop(index=code)
    assert (others["run_id"] == first_run).all()


def _ready_mobile_customer(rt, stations: list[str]) -> str:
    rows = stored(rt)
    ok = rows[
        rows["station"].isin(stations)
        & (rows["outcome"] == "ready")
        & rows["phone_proposed"].astype(str).str.startswith("+849")
    ]
    return ok.index[0]


@pytest.mark.parametrize("holder_first", [True, False], ids=["station-earlier", "station-later"])
def test_a_phone_shared_through_other_stations_is_not_missed(site, holder_first: bool) -> None:
    rt = site(customers_per_task=150)
    night(rt, NIGHTS[0])
    night(rt, NIGHTS[1])  # cross-group counts settle (a first night sees earlier groups only)
    handle_jobs = [j.station for j in _plan(rt)]
    groups = group_jobs(_plan(rt), max_customers=150)
    assert len(groups) >= 3
    first_stations = [j.station for j in groups[0]]
    last_stations = [j.station for j in groups[-1]]
    holder_stations, other_stations = (
        (first_stations, last_stations) if holder_first else (last_stations, first_stations)
    )
    a = _ready_mobile_customer(rt, holder_stations)
    engine = create_engine(rt.cfg.source.url)
    with engine.connect() as conn:
        phone = conn.execute(select(HDG_KHACH_HANG.c.DTHOAI).where(customer_code(a))).scalar_one()
    engine.dispose()
    rows = stored(rt)
    candidates = rows[rows["station"].isin(other_stations) & rows["id_number_proposed"].notna()]
    candidates = candidates.drop_duplicates("full_name_proposed").drop_duplicates(
        "id_number_proposed"
    )
    others = list(candidates.index[: rt.cfg.rules.max_holders_per_phone])
    assert len(others) == rt.cfg.rules.max_holders_per_phone
    for code in others:
        edit_source(rt, code, DTHOAI=phone)

    run3, _ = night(rt, NIGHTS[2])
    after = stored(rt)
    for code in others:  # evaluated again (their record changed): the phone is now shared
        assert after.loc[code, "run_id"] == run3
        assert "PHONE_SHARED" in issues_of(rt, code)
    if holder_first:
        # the holder's station ran before the others were stored: its counts move next night
        assert after.loc[a, "outcome"] == "ready"
        run4, fourth = night(rt, NIGHTS[3])
        after = stored(rt)
        assert after.loc[a, "run_id"] == run4
    assert after.loc[a, "outcome"] == "blocked"
    assert "PHONE_SHARED" in issues_of(rt, a)
    assert after.loc[a, "context_counts"].startswith(f"{len(others) + 1}/")
    assert drafts_frame(rt.store).query("customer_code == @a").empty
    # and then it is stable: nothing changes on the following night
    _, last = night(rt, NIGHTS[4])
    assert sum(s.unchanged for s in last) == N
    assert handle_jobs  # the plan was not empty


def _plan(rt):
    from cmis_migrate.model import ReadStats
    from cmis_migrate.planning import plan_jobs

    return plan_jobs("plan", rt.source.inventory(ReadStats()))


def test_a_group_done_twice_in_one_run_changes_nothing(site) -> None:
    rt = site(customers_per_task=200)
    handle = begin_run(rt, kind="run", at=NIGHTS[0], flow_run_id=None)
    plan_run(rt, handle, stations=None, failed_only=False)
    group = list(group_jobs(handle.jobs, max_customers=200)[0])
    once = process_group(group, rt, handle.clock)
    snapshot = stored(rt)
    with rt.store.connect() as conn:
        batch_rows = conn.execute(text("select * from batches order by station")).all()
    again = process_group(group, rt, handle.clock)  # Dask recomputing a finished task
    assert [s.as_dict() for s in again] == [s.as_dict() for s in once]
    pd.testing.assert_frame_equal(stored(rt), snapshot)
    with rt.store.connect() as conn:
        assert conn.execute(text("select * from batches order by station")).all() == batch_rows
        # a worker died before the last station committed: only that one is done again
        conn.execute(
            update(batches)
            .where(batches.c.run_id == handle.run_id, batches.c.station == group[-1].station)
            .values(state="running")
        )
        conn.commit()
    redo = process_group(group, rt, handle.clock)
    assert [s.as_dict() for s in redo][:-1] == [s.as_dict() for s in once][:-1]
    assert redo[-1].customers == once[-1].customers
    assert redo[-1].unchanged == once[-1].customers  # already written: nothing to rewrite
    pd.testing.assert_frame_equal(stored(rt), snapshot)
    close_run(rt, handle, [s.as_dict() for s in redo])

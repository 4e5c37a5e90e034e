"""A ledger whose reading day CMIS holds as impossible (0, 45, missing) cannot have its windows
judged: its station batch fails alone, with that reason, and the other stations of the same
task group succeed. `windows` and the run read the day by the same rule."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, update

from cmis_migrate.config import load_config
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.model import reading_day
from cmis_migrate.run_control import begin_run, close_run, plan_run
from cmis_migrate.runtime import opened_runtime
from cmis_migrate.source.ledgers import list_ledgers
from cmis_migrate.source.schema import D_SO_GCS
from cmis_migrate.station_group import process_group
from cmis_migrate.store.tables import batches
from tests.conftest import OPEN_ALL_DAY

AT = "2026-03-10T23:00:00+07:00"


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (1, 1),
        (31, 31),
        ("15", 15),
        (15.0, 15),
        (0, None),
        (45, None),
        (-3, None),
        (None, None),
        ("", None),
        ("x", None),
        (2.5, None),
        (True, None),
    ],
)
def test_reading_day_rule(value, day) -> None:
    assert reading_day(value) == day


@pytest.fixture
def bad_days(tmp_path, make_config):
    source = f"sqlite:///{tmp_path / 'cmis.sqlite'}"
    seed_demo(source, 300, 5)
    engine = create_engine(source)
    with engine.begin() as conn:
        ledgers = conn.execute(
            select(D_SO_GCS.c.MA_SOGCS, D_SO_GCS.c.MA_TRAM).order_by(D_SO_GCS.c.MA_SOGCS)
        ).all()
        bad = {ledgers[0].MA_SOGCS: 0, ledgers[-1].MA_SOGCS: 45}
        for code, day in bad.items():
            conn.execute(update(D_SO_GCS).where(code == D_SO_GCS.c.MA_SOGCS).values(NGAY_GCS=day))
    engine.dispose()
    stations = {lg.MA_TRAM for lg in ledgers if lg.MA_SOGCS in bad}
    path = make_config(tmp_path / "site", source={"url": source}, windows=OPEN_ALL_DAY)
    with opened_runtime(load_config(path, env={})) as rt:
        yield rt, bad, stations


def test_a_ledger_with_an_impossible_reading_day_fails_its_station_alone(bad_days) -> None:
    rt, bad, bad_stations = bad_days
    handle = begin_run(rt, kind="run", at=AT, flow_run_id=None)
    plan_run(rt, handle, stations=None, failed_only=False)
    assert len(handle.jobs) > len(bad_stations)
    summaries = process_group(handle.jobs, rt, handle.clock)  # every station in one task group
    close_run(rt, handle, [s.as_dict() for s in summaries])

    by_state = {s.station: s for s in summaries}
    failed = {s.station for s in summaries if s.state == "failed"}
    assert failed == bad_stations
    for station in bad_stations:
        assert "no valid reading day" in by_state[station].error
        assert any(code in by_state[station].error for code in bad)
    assert all(s.state == "succeeded" for s in summaries if s.station not in bad_stations)
    assert sum(s.customers for s in summaries if s.state == "succeeded") > 0
    with rt.store.connect() as conn:
        stored = dict(conn.execute(select(batches.c.station, batches.c.state)).all())
    assert {s for s, state in stored.items() if state == "failed"} == bad_stations

    # `windows` reads the same ledgers the same way: these two have no reading day
    ledgers = list_ledgers(rt.source.engine).set_index("ledger")
    assert ledgers.loc[list(bad), "reading_day"].isna().all()
    assert ledgers.drop(index=list(bad))["reading_day"].notna().all()

"""Crash safety for real (issue 6): `cmis-migrate run` in a subprocess (with the temporary
Prefect server it starts) is killed with SIGKILL mid-way (the server must die with it; the
whole process group is killed after), the dead run is detected by its heartbeat,
`cmis-migrate rerun --failed` redoes what it left, and the store then equals that of an
uninterrupted run on a copy of the same CMIS: same drafts, same counts, no duplicates."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from cmis_migrate.config import load_config
from cmis_migrate.db import store_engine
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.store.queries import current_batches
from cmis_migrate.store.tables import (
    batches,
    customer_issues,
    customers,
    drafts,
    holder_index,
    ledger_slots,
    runs,
)
from tests.conftest import OPEN_ALL_DAY

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

N = 1500
AT = "2026-03-10T23:00:00+07:00"
LOAD = {
    "max_ledgers_at_once": 2,
    "parallel_batches": 2,
    "pause_between_ledgers_seconds": 0.3,
    "heartbeat_seconds": 0.5,
    "dead_after_seconds": 2.0,
}
# columns that say when or by which run a row was written: everything else must be equal
UNSTABLE = {"run_id", "drafted_at", "first_drafted_at", "changed_at", "id"}
COUNTS = ("customers", "ready", "needs_review", "blocked", "drafted", "deferred")


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.pop("CMIS_SOURCE_URL", None)
    env.pop("CMIS_STORE_URL", None)
    env["COLUMNS"] = "200"
    return {**env, **extra}


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (from /proc), to make sure none survives the kill."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def table(engine, tbl) -> pd.DataFrame:
    keep = [c for c in tbl.columns if c.name not in UNSTABLE]
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(select(*keep)).all(), columns=[c.name for c in keep])
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def station_counts(engine) -> dict[str, tuple]:
    return {b["station"]: tuple(b[k] for k in COUNTS) for b in current_batches(engine)}


def site(folder: Path, source: Path, make_config) -> object:
    path = make_config(
        folder, source={"url": f"sqlite:///{source}"}, windows=OPEN_ALL_DAY, load=LOAD
    )
    return load_config(path, env={})


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cmis") / "cmis.sqlite"
    seed_demo(f"sqlite:///{path}", N, 7)
    return path


def test_a_run_killed_mid_way_then_rerun_equals_an_uninterrupted_run(
    tmp_path, demo_source, make_config, prefect_server
) -> None:
    from cmis_migrate.flows.nightly import run_nightly

    # the uninterrupted run, on a copy of the same CMIS
    copy = tmp_path / "copy" / "cmis.sqlite"
    copy.parent.mkdir()
    shutil.copy(demo_source, copy)
    ref_cfg = site(tmp_path / "reference", copy, make_config)
    reference = run_nightly(ref_cfg, at=AT)
    assert reference["state"] == "succeeded"
    planned = sum(reference["batches"].values())

    # the run that gets killed: the CLI as a user starts it, with its own Prefect server
    cfg = site(tmp_path / "killed", demo_source, make_config)
    log = (tmp_path / "killed-run.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cmis_migrate", "run", "--config", str(cfg.config_path), "--at", AT],
        cwd=tmp_path,
        env=cli_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the CLI and the server it starts
    )
    engine = store_engine(cfg.store.url)
    try:
        deadline = time.monotonic() + 150
        done = 0
        while done < 3:
            assert proc.poll() is None, (tmp_path / "killed-run.log").read_text()
            assert time.monotonic() < deadline, "the run never committed 3 batches"
            time.sleep(0.1)
            try:
                with engine.connect() as conn:
                    done = conn.execute(
                        select(func.count())
                        .select_from(batches)
                        .where(batches.c.state == "succeeded")
                    ).scalar_one()
            except Exception:  # noqa: BLE001 - the store is being created
                continue
        tree = descendants(proc.pid)
        assert tree, "the CLI should have started a Prefect server subprocess"
        # kill -9 the run itself: the temporary Prefect server must not outlive it
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        log.close()
        assert proc.returncode == -signal.SIGKILL
        deadline = time.monotonic() + 20
        while any(alive(p) for p in tree) and time.monotonic() < deadline:
            time.sleep(0.1)
        orphans = [p for p in tree if alive(p)]
        # then the whole process group, and anything that left it (none should be left)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in orphans:
            os.kill(pid, signal.SIGKILL)
        assert not orphans, "the Prefect server outlived the killed run"

        # killed mid-way: some batches committed, the others not
        with engine.connect() as conn:
            states = dict(conn.execute(select(batches.c.station, batches.c.state)).all())
            (dead_run,) = conn.execute(select(runs.c.run_id, runs.c.state)).all()
        assert dead_run.state == "running"
        assert len(states) == planned
        committed = {s for s, st in states.items() if st == "succeeded"}
        assert 3 <= len(committed) < planned
        assert set(states.values()) <= {"succeeded", "running", "pending"}

        # wait until the silence counts as death, then `rerun --failed` (on the test server)
        time.sleep(LOAD["dead_after_seconds"] + 0.5)
        rerun = subprocess.run(
            [
                sys.executable,
                "-m",
                "cmis_migrate",
                "rerun",
                "--failed",
                "--config",
                str(cfg.config_path),
                "--at",
                AT,
            ],
            cwd=tmp_path,
            env=cli_env(PREFECT_API_URL=prefect_server),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert f"run {dead_run.run_id} stopped without finishing" in rerun.stdout
        todo = planned - len(committed)
        assert f"redoing {todo} station batch(es)" in rerun.stdout
        assert f"redid {todo} station(s): {todo} succeeded" in rerun.stdout

        with engine.connect() as conn:
            run_states = dict(conn.execute(select(runs.c.run_id, runs.c.state)).all())
            holders = list(conn.execute(select(ledger_slots.c.holder)).scalars())
            redone = set(
                conn.execute(
                    select(batches.c.station).where(batches.c.run_id != dead_run.run_id)
                ).scalars()
            )
        assert run_states.pop(dead_run.run_id) == "abandoned"
        assert list(run_states.values()) == ["succeeded"]
        assert redone == set(states) - committed  # exactly what the dead run left
        assert holders == [None] * len(holders)  # no slot left held

        # status tells what happened: the dead run, and what the rerun redid
        shown = subprocess.run(
            [
                sys.executable,
                "-m",
                "cmis_migrate",
                "status",
                "--json",
                "--config",
                str(cfg.config_path),
            ],
            cwd=tmp_path,
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert shown.returncode == 0, shown.stderr
        data = json.loads(shown.stdout)
        by_id = {r["id"]: r for r in data["runs"]}
        assert by_id[dead_run.run_id]["state"] == "abandoned"
        (rerun_run,) = [r for r in data["runs"] if r["kind"] == "rerun"]
        assert {b["station"] for b in rerun_run["stations"]} == redone
        assert {b["state"] for b in rerun_run["stations"]} == {"succeeded"}
        assert rerun_run["flow_run_id"] and all(b["task_run_id"] for b in data["batches"])
        assert {b["state"] for b in data["batches"]} == {"succeeded"}

        # the same store as the uninterrupted run
        ref_engine = store_engine(ref_cfg.store.url)
        try:
            assert station_counts(engine) == station_counts(ref_engine)
            for tbl in (drafts, customers, customer_issues, holder_index):
                got, want = table(engine, tbl), table(ref_engine, tbl)
                assert len(got) == len(want), tbl.name
                pd.testing.assert_frame_equal(got, want, obj=tbl.name)
            with engine.connect() as conn:
                n_drafts = conn.execute(select(func.count()).select_from(drafts)).scalar_one()
                n_codes = conn.execute(
                    select(func.count(func.distinct(drafts.c.contract_no)))
                ).scalar_one()
            assert n_drafts == n_codes == reference["totals"]["drafted"] > 0
        finally:
            ref_engine.dispose()
    finally:
        engine.dispose()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

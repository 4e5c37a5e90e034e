"""The console's progress line follows the run to its end: after the last station batch the
run is closed and its workbooks and Data Docs are written; the line says so (never frozen at
N-1/N because the run stopped being `running`)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import update

from cmis_migrate.cli.running import PHASES, _watch
from cmis_migrate.config import load_config
from cmis_migrate.runtime import open_store
from cmis_migrate.store import runs
from cmis_migrate.store.tables import batches
from cmis_migrate.store.tables import runs as runs_table


class FakeProgress:
    """Records what the watcher shows; moves the run on as a real one would."""

    def __init__(self, engine, stop: threading.Event):
        self.engine, self.stop, self.shown = engine, stop, []

    def update(self, task_id, *, total, completed, description=None) -> None:
        self.shown.append((description, completed, total))
        with self.engine.begin() as conn:
            if len(self.shown) == 1:  # every batch finished: the flow closes the run
                conn.execute(update(batches).values(state="succeeded"))
            elif len(self.shown) == 2:  # closed: now it writes the reports
                conn.execute(update(runs_table).values(state="succeeded"))
            else:
                self.stop.set()


def test_progress_goes_from_batches_to_writing_the_reports(tmp_path, make_config) -> None:
    cfg = load_config(make_config(tmp_path), env={})
    engine = open_store(cfg)
    try:
        runs.start_run(engine, "r1", kind="run", as_of=datetime.now(UTC), flow_run_id=None)
        rows = [
            {"station": s, "branch": "PA0701", "standardized": False, "position": i}
            for i, s in enumerate(("S1", "S2"))
        ]
        runs.plan_batches(engine, "r1", rows)
        with engine.begin() as conn:
            conn.execute(update(batches).where(batches.c.station == "S1").values(state="succeeded"))
        stop = threading.Event()
        progress = FakeProgress(engine, stop)
        guard = threading.Timer(30, stop.set)  # a watcher that loses the run would never end
        guard.start()
        _watch(cfg, progress, None, stop)
        guard.cancel()
    finally:
        engine.dispose()
    assert progress.shown[0] == (PHASES["batches"], 1, 2)
    assert progress.shown[1] == (PHASES["closing"], 2, 2)
    assert progress.shown[2] == (PHASES["publishing"], 2, 2)

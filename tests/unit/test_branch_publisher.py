"""The publishing tail of a large run: once the last station has ended, the branches whose
workbook has not begun and the drafts CSV are shared between the worker and a second one,
largest branch first, each job done once. Worker processes are replaced by threads here (the
scheduling is the same; a spawned process would not see the fake jobs)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

from cmis_migrate.model import Ledger, StationJob
from cmis_migrate.reports import branch_publisher
from cmis_migrate.reports.branch_publisher import DRAFTS, BranchPublisher, Published

SIZES = {"PA01": 10, "PA02": 5, "PA03": 50, "PA04": 20}


def job(branch: str) -> StationJob:
    ledger = Ledger(f"L{branch}", f"S{branch}", branch, 5, SIZES[branch])
    return StationJob("run-1", f"S{branch}", branch, True, (ledger,))


@pytest.fixture
def recorded(monkeypatch):
    """Fake jobs that record (what, worker thread) when they begin; PA01, the first, holds its
    worker until released, so the other branches are still waiting when the stations end."""
    began: list[tuple[str, str]] = []
    lock = threading.Lock()
    release, holding = threading.Event(), threading.Event()

    def begin(what: str) -> None:
        with lock:
            began.append((what, threading.current_thread().name))

    def workbook(cfg, branch, run_id):
        begin(branch)
        if branch == "PA01":
            holding.set()
            assert release.wait(10)
        return Published(branch, f"review_{branch}.xlsx", seconds=0.01)

    def drafts(cfg):
        begin(DRAFTS)
        return Published(DRAFTS, "drafts.csv", seconds=0.01)

    pools = iter(range(10))
    monkeypatch.setattr(branch_publisher, "write_branch_workbook", workbook)
    monkeypatch.setattr(branch_publisher, "write_drafts_csv", drafts)
    monkeypatch.setattr(
        branch_publisher,
        "_worker_pool",
        lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"lane{next(pools)}"),
    )
    return began, release, holding


def test_the_tail_shares_what_is_left_between_two_workers_largest_first(recorded) -> None:
    began, release, holding = recorded
    groups = [[job(b)] for b in SIZES]
    publisher = BranchPublisher(None, "run-1", groups, enabled=True)
    for i in range(len(groups)):
        publisher.group_done(i)  # PA01 begins in the worker and holds it; the rest wait
    assert holding.wait(10)
    timer = threading.Timer(0.5, release.set)
    timer.start()
    try:
        done = publisher.finish()
    finally:
        timer.cancel()
        release.set()
    # every branch once and the drafts once, each reported
    assert sorted(p.branch for p in done) == sorted([*SIZES, DRAFTS])
    assert sorted(w for w, _ in began) == sorted([*SIZES, DRAFTS])
    # the drafts first, then the waiting branches largest first
    assert [w for w, _ in began] == ["PA01", DRAFTS, "PA03", "PA04", "PA02"]
    # the second worker took the tail while the first was still busy with PA01
    lanes = {w: lane.split("_")[0] for w, lane in began}
    assert lanes[DRAFTS] != lanes["PA01"]


def test_a_cancelled_run_writes_nothing_more(recorded) -> None:
    began, release, _ = recorded
    publisher = BranchPublisher(None, "run-1", [[job(b)] for b in SIZES], enabled=True)
    for i in range(len(SIZES)):
        publisher.group_done(i)
    release.set()
    done = publisher.finish(cancel=True)
    assert DRAFTS not in [w for w, _ in began]
    assert {p.branch for p in done} == {w for w, _ in began}


def test_a_small_run_has_no_tail(recorded) -> None:
    began, _, _ = recorded
    publisher = BranchPublisher(None, "run-1", [[job(b)] for b in SIZES], enabled=False)
    for i in range(len(SIZES)):
        publisher.group_done(i)
    assert publisher.finish() == [] and began == []


def test_no_second_worker_for_the_drafts_alone(recorded) -> None:
    """Every workbook already begun: the drafts CSV follows them in the one worker (a second
    process would cost its start-up and its memory for a file that is most nights kept)."""
    began, release, holding = recorded
    publisher = BranchPublisher(None, "run-1", [[job("PA01")]], enabled=True)
    publisher.group_done(0)
    assert holding.wait(10)
    release.set()
    done = publisher.finish()
    assert sorted(p.branch for p in done) == sorted(["PA01", DRAFTS])
    assert len({lane for _, lane in began}) == 1


def test_a_worker_that_died_leaves_its_jobs_to_the_other(recorded, monkeypatch) -> None:
    """The second worker's process is gone (killed, out of memory): the run goes on and the
    first worker writes everything once it is free; nothing is lost, nothing raised."""
    began, release, holding = recorded

    class Dead(ThreadPoolExecutor):
        def submit(self, *args, **kwargs):
            raise BrokenProcessPool("a child process terminated abruptly")

    pools = iter([ThreadPoolExecutor(max_workers=1, thread_name_prefix="lane0"), Dead(1)])
    monkeypatch.setattr(branch_publisher, "_worker_pool", lambda: next(pools))
    publisher = BranchPublisher(None, "run-1", [[job(b)] for b in SIZES], enabled=True)
    for i in range(len(SIZES)):
        publisher.group_done(i)
    assert holding.wait(10)
    threading.Timer(0.3, release.set).start()
    done = publisher.finish()
    assert sorted(p.branch for p in done) == sorted([*SIZES, DRAFTS])
    assert {lane.split("_")[0] for _, lane in began} == {"lane0"}


def test_the_data_docs_are_built_while_the_tail_writes_the_workbooks(recorded) -> None:
    """Once the stations are done, the run's own process builds the Data Docs beside the two
    workers (here: while PA01 still holds its worker), and hands their index to the run."""
    began, release, holding = recorded
    seen: list[bool] = []

    def docs():
        seen.append(release.is_set())  # PA01 not yet released: built beside the workbooks
        release.set()
        return "data_docs/index.html"

    groups = [[job(b)] for b in SIZES]
    publisher = BranchPublisher(None, "run-1", groups, enabled=True, data_docs=docs)
    for i in range(len(groups)):
        publisher.group_done(i)
    assert holding.wait(10)
    done = publisher.finish()
    assert seen == [False]
    assert publisher.docs == "data_docs/index.html"
    assert sorted(p.branch for p in done) == sorted([*SIZES, DRAFTS])


def test_data_docs_that_fail_in_the_tail_are_left_to_the_closing_publish(recorded, caplog) -> None:
    """Logged (no traceback reaches the console: the CLI's logging sends it to the log file),
    not raised; the index is then None and the closing publish builds the Data Docs."""
    began, release, holding = recorded

    def docs():
        raise OSError("disk full")

    publisher = BranchPublisher(None, "run-1", [[job("PA02")]], enabled=True, data_docs=docs)
    publisher.group_done(0)
    release.set()
    done = publisher.finish()
    assert publisher.docs is None
    assert sorted(p.branch for p in done) == sorted(["PA02", DRAFTS])
    assert "Data Docs after the last station failed" in caplog.text


def test_a_cancelled_run_builds_no_data_docs(recorded) -> None:
    began, release, _ = recorded
    built: list[str] = []
    publisher = BranchPublisher(
        None, "run-1", [[job("PA02")]], enabled=True, data_docs=lambda: built.append("docs")
    )
    publisher.group_done(0)
    release.set()
    publisher.finish(cancel=True)
    assert built == [] and publisher.docs is None

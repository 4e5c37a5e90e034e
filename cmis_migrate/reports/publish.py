"""What a run leaves for people in the work folder: the current drafts (drafts/drafts.csv, kept
as it is when the drafts did not change), one review workbook per branch the run changed, or
that changed since its workbook was written (a run that crashed before publishing) or whose
workbook could not be written last time (reports/review_<branch>.xlsx: all the branch's
stations, labelled with this run; a branch whose customers, station states and corrections are
as they were when its workbook was issued keeps that workbook, still valid to return) and the GX
Data Docs of the run (data_docs/index.html; only the station pages whose content changed are
rewritten).

Each part is built on its own: a failure is logged and the others are still written (the run
itself is already closed in the store when this runs).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from cmis_migrate.codes import UNIT, UnsafeCode, file_in
from cmis_migrate.config import Config
from cmis_migrate.db import utcnow
from cmis_migrate.failures import describe
from cmis_migrate.reports.branch_report import issue_branch_report
from cmis_migrate.reports.data_docs import build_data_docs
from cmis_migrate.reports.drafts_export import EXPORT_COLUMNS, export_drafts_csv_if_changed
from cmis_migrate.reports.drafts_lines import export_drafts_csv_lines
from cmis_migrate.reports.review_rows import KEPT_FOLDER
from cmis_migrate.runtime import Runtime
from cmis_migrate.store import published, review
from cmis_migrate.store.queries import drafts_rows, drafts_signatures, drafts_state

DRAFTS_CSV = "drafts.csv"

log = logging.getLogger(__name__)


def due_branches(store: Engine, also: list[str] = ()) -> list[str]:
    """The branches whose workbook is due: `also` (the run's), those changed since their
    workbook was issued (a crashed run's stations included) and those left unwritten."""
    unwritten = [w["branch"] for w in published.unwritten(store)]
    return sorted({*also, *published.branches_changed_since_issued(store), *unwritten})


def publish_workbooks(
    store: Engine, cfg: Config, run_branches: list[str], run_id: str | None
) -> list[Path]:
    """Write the review workbook of every due branch (see due_branches) labelled with `run_id`
    (None: each branch's latest run). A branch whose workbook exists and for which nothing
    changed since it was issued keeps it (a night over unchanged data writes none). A workbook
    that cannot be written (disk full) does not stop the others: it is recorded as unwritten,
    shown by the run summary and `status`, and written by the next run or rerun."""
    now = utcnow()
    unwritten = {w["branch"] for w in published.unwritten(store)}
    written, kept = [], []
    for branch in due_branches(store, run_branches):
        state, out = publish_branch(store, cfg, branch, run_id, now=now, unwritten=unwritten)
        if state == "written":
            written.append(out)
        elif state == "kept":
            kept.append(branch)
    if kept:
        log.info("review workbooks kept, nothing changed since issued: %s", ", ".join(kept))
    return written


def publish_branch(
    store: Engine,
    cfg: Config,
    branch: str,
    run_id: str | None,
    *,
    now: datetime,
    unwritten: set[str],
) -> tuple[str, Path | None]:
    """One branch's review workbook: ("kept", path) when the one on disk is still current,
    ("written", path), ("failed", path) recorded as unwritten for the next run, or
    ("unsafe", None) for a unit code that cannot name a file. Also what the workbook worker
    of a large run calls (reports/branch_publisher.py)."""
    try:
        out = branch_report_path(cfg, branch)
    except UnsafeCode as exc:
        log.warning("no review workbook for unit %s: %s", ascii(branch)[:40], exc)
        return "unsafe", None
    try:
        if (
            branch not in unwritten
            and out.exists()
            and not review.changed_since_issued(store, branch, out.name)
        ):
            return "kept", out
        issue_branch_report(
            store,
            branch,
            out,
            now=now,
            tz=cfg.tz,
            label_run=run_id,
            kept_rows=kept_rows_path(cfg, branch),
        )
        if branch in unwritten:
            published.written(store, branch)
        return "written", out
    except Exception as exc:  # noqa: BLE001 - the other branches still get theirs
        log.exception("review workbook of branch %s failed after run %s", branch, run_id)
        kind, message = describe(exc)
        try:
            published.record_unwritten(
                store, branch, out.name, run_id=run_id, error=f"{kind}: {message}", at=now
            )
        except Exception:  # noqa: BLE001 - a full disk may refuse this too: logged
            log.exception("cannot record the unwritten workbook of branch %s", branch)
        return "failed", out


def branch_report_path(cfg: Config, branch: str) -> Path:
    """reports/review_<branch>.xlsx; UnsafeCode for a unit code that is no plain code (a path,
    too long): its stations already failed as data errors at planning."""
    return file_in(
        cfg.paths.reports,
        UNIT,
        branch,
        prefix=published.WORKBOOK_PREFIX,
        suffix=published.WORKBOOK_SUFFIX,
    )


def kept_rows_path(cfg: Config, branch: str) -> Path:
    """work/review_rows/review_<branch>.arrow: the rows of the branch's last workbook
    (reports/review_rows.py); the branch code already checked by branch_report_path."""
    return file_in(
        cfg.paths.work / KEPT_FOLDER,
        UNIT,
        branch,
        prefix=published.WORKBOOK_PREFIX,
        suffix=".arrow",
    )


def publish_drafts(store: Engine, out: Path) -> list[Path]:
    """The drafts CSV, in pieces (the province's drafts as one frame took ~1 GB and ~45 s), and
    only when the drafts changed since it was written; [out] when written."""
    state = drafts_state(store)  # before the drafts are read: see export_drafts_csv_if_changed

    def write(path: Path) -> None:  # from the kept lines, the changed drafts read (drafts_lines)
        export_drafts_csv_lines(
            path,
            lambda: drafts_signatures(store, EXPORT_COLUMNS),
            lambda codes: drafts_rows(store, EXPORT_COLUMNS, codes=codes, signed=True),
        )

    if export_drafts_csv_if_changed(state, write, out):
        return [out]
    log.info("drafts CSV kept: the drafts are as when it was written")
    return []


def publish_data_docs(rt: Runtime, run_id: str, *, when: str = "after the run") -> Path | None:
    """The run's Data Docs (only changed station pages rewritten), one log line on what it did;
    the index's path, or None when they failed (logged: the other outputs are not stopped).
    Also what a large run calls once its last station has ended, beside the workbooks still
    being written (reports/branch_publisher.py), so the closing publish need not."""
    try:
        docs = build_data_docs(
            rt.store, run_id, rt.cfg.paths.data_docs, wards=rt.wards, tz=rt.cfg.tz
        )
    except Exception:  # noqa: BLE001
        log.exception("Data Docs failed %s %s", when, run_id)
        return None
    log.info(
        "Data Docs %s: %d station pages, %d rewritten, %d removed, in %.1f s",
        when,
        docs.pages,
        len(docs.written),
        len(docs.removed),
        docs.seconds,
    )
    return docs.index


def publish(rt: Runtime, run_id: str, *, docs_built: Path | None = None) -> list[Path]:
    """Every output after a run; one log line says what each step cost (bench_nightly reads it).
    `docs_built`: the Data Docs index already brought up to date for this run after its last
    station (nothing a station shows changes after that): not built again."""
    cfg = rt.cfg
    written: list[Path] = []
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    try:
        written += publish_drafts(rt.store, cfg.paths.drafts / DRAFTS_CSV)
    except Exception:  # noqa: BLE001 - logged; the other outputs still get written
        log.exception("drafts export failed after run %s", run_id)
    seconds["drafts"] = time.perf_counter() - t
    t = time.perf_counter()
    workbooks = publish_workbooks(rt.store, cfg, review.branches_of_run(rt.store, run_id), run_id)
    written += workbooks
    seconds["workbooks"] = time.perf_counter() - t
    t = time.perf_counter()
    docs = docs_built or publish_data_docs(rt, run_id)
    if docs is not None:
        written.append(docs)
    seconds["data_docs"] = time.perf_counter() - t
    log.info(
        "published after the run: drafts CSV %.1f s, %d review workbooks %.1f s, Data Docs %.1f s",
        seconds["drafts"],
        len(workbooks),
        seconds["workbooks"],
        seconds["data_docs"],
    )
    return written

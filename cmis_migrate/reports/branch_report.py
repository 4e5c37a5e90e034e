"""The branch review workbook (openpyxl): what the pipeline found for one branch's customers,
with two columns for the branch to fill (corrected_value, confirmed) and a hidden sheet that
identifies the report, so a returned file can be verified by `corrections import`.

Scope: the branch's customers as the store holds them now (each customer's latest outcome and
issues). With a run given, only the stations that run processed; the run named in the report
is that run, or the latest run that processed one of the branch's stations.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from cmis_migrate.fields import REVIEWED_FIELDS
from cmis_migrate.reports.private_files import write_private
from cmis_migrate.reports.review_layout import (
    EDITABLE_COLUMNS,
    FIELD_LABELS,
    FIXED_COLUMNS,
    ISSUE_COLUMNS,
    ROW_KEY,
    SEVERITY_LABELS,
    TEMPLATE_VERSION,
    checksum_of_digests,
    display_values,
    key_parts,
    safe_column,
    safe_text,
    text,
)
from cmis_migrate.reports.review_rows import (
    KeptRows,
    SheetRows,
    load_kept,
    merged,
    save_kept,
    sheet_rows,
    signatures_of,
    to_rebuild,
    unchanged,
)
from cmis_migrate.statuses import Severity
from cmis_migrate.store import review

log = logging.getLogger(__name__)


class ReportError(ValueError):
    """An unknown branch or run: the message says which and what is known."""


@dataclass(frozen=True)
class BranchReport:
    report_id: str
    branch: str
    run_id: str
    run_time: datetime | None
    generated_at: datetime
    stations_scope: str
    summary: pd.DataFrame  # one row per station + a total row, every value text
    rows: SheetRows  # the review sheet's rows, rendered
    checksum: str
    # customer -> what its rows are made of (review_rows): for the branch's next workbook
    signatures: dict[str, str] | None = None


FIELD_ORDER = {f: i for i, f in enumerate((*REVIEWED_FIELDS, "customer"))}
SUMMARY_COLUMNS = (
    "station",
    "customers",
    "ready",
    "needs_review",
    "blocked",
    "drafted",
    "pct_ready",
    "last_run",
    "last_processed",
)
SUMMARY_LABELS = {
    "station": "Trạm",
    "customers": "Số khách hàng",
    "ready": "Sẵn sàng",
    "needs_review": "Cần rà soát",
    "blocked": "Bị chặn",
    "drafted": "Đã lập dự thảo",
    "pct_ready": "Tỷ lệ sẵn sàng",
    "last_run": "Lần chạy gần nhất",
    "last_processed": "Xử lý lúc",
}
TOTAL_LABEL = "TỔNG CỘNG"


def _local(value: datetime | None, tz: tzinfo) -> str:
    return value.astimezone(tz).strftime("%d/%m/%Y %H:%M") if value is not None else ""


def resolve_run(engine: Engine, branch: str, run_id: str | None) -> str:
    branches = review.known_branches(engine)
    if branch not in branches:
        known = ", ".join(branches[:40]) or "none yet: run the migration first"
        raise ReportError(f"unknown branch {branch!r} (branches in the store: {known})")
    if run_id is not None:
        if review.run_info(engine, run_id) is None:
            raise ReportError(f"no run {run_id!r} in the store (see `cmis-migrate status`)")
        if not review.stations_of_run(engine, run_id, branch):
            raise ReportError(f"run {run_id!r} processed no station of branch {branch}")
        return run_id
    latest = review.latest_run_of_branch(engine, branch)
    if latest is None:
        raise ReportError(f"no run has processed a station of branch {branch} yet")
    return latest


def _no_issues() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS})


def issues_frame(
    customers: pd.DataFrame, issues: pd.DataFrame, station_names: dict[str, str] | None = None
) -> pd.DataFrame:
    """One row per customer and issue, in ISSUE_COLUMNS, every value as the sheet writes it
    (safe_text): who the row is about, the issue, the values, the two cells to fill."""
    if issues.empty:
        return _no_issues()
    names = station_names or {}
    # plain lists and dicts: per-row pandas access (to_dict, itertuples on Arrow-backed text)
    # cost more than the rows themselves on a branch of ~100,000 issues
    shown = [c for c in review.REPORT_COLUMNS if c in customers.columns]
    records: dict[str, dict] = {}
    for values in zip(*(customers[c].tolist() for c in shown), strict=True):
        records.setdefault(values[0], dict(zip(shown, values, strict=True)))
    columns = [
        issues[c].tolist() for c in ("customer_code", "field", "rule", "severity", "message")
    ]
    blockers = Counter(
        code for code, sev in zip(columns[0], columns[3], strict=True) if sev == Severity.BLOCKING
    )
    kept = [i for i, code in enumerate(columns[0]) if code in records]
    if not kept:
        return _no_issues()
    codes, fields, rules, severities, messages = ([col[i] for i in kept] for col in columns)
    # who the row is about: the same cells on each of the customer's rows, made once per
    # customer; the issue's cells a column at a time, each distinct value made safe once
    who: dict[str, tuple[str, ...]] = {}
    for code in codes:
        if code not in who:
            c = records[code]
            who[code] = tuple(
                safe_text(v)
                for v in (
                    code,
                    c.get("full_name_original"),
                    c.get("address_original"),
                    c["station"],
                    names.get(c["station"], ""),
                    c["ledger"],
                    c.get("phone_original"),
                    str(blockers.get(code, 0)),
                )
            )
    shown_values = [
        display_values(rule, fld, records[code])
        for code, fld, rule in zip(codes, fields, rules, strict=True)
    ]
    cells = [list(column) for column in zip(*(who[code] for code in codes), strict=True)]
    cells += [
        safe_column([FIELD_LABELS.get(f, f) for f in fields]),
        safe_column([SEVERITY_LABELS.get(sv, sv) for sv in severities]),
        safe_column(rules),
        safe_column(messages),
        safe_column([v[0] for v in shown_values]),
        safe_column([v[1] for v in shown_values]),
    ]
    keys = ["".join(parts) for parts in zip(*(key_parts(col) for col in cells), strict=True)]
    empty = [""] * len(codes)
    out = pd.DataFrame(
        {
            **dict(zip(FIXED_COLUMNS, cells, strict=True)),
            **{c: empty for c in EDITABLE_COLUMNS},
            ROW_KEY: keys,
            "_field": fields,
            "_blocking": [sv == Severity.BLOCKING for sv in severities],
        },
        dtype=object,
    )
    order = pd.DataFrame(
        {
            "station": out["station"],
            "ledger": out["ledger"],
            "code": out["customer_code"],
            "sev": (~out["_blocking"].astype(bool)).astype(int),
            "field": out["_field"].map(FIELD_ORDER).fillna(len(FIELD_ORDER)),
            "rule": out["rule"],
        }
    )
    order = order.sort_values(list(order.columns), kind="stable")
    return out.loc[order.index, list(ISSUE_COLUMNS)].reset_index(drop=True)


def summary_frame(
    counts: pd.DataFrame, tz: tzinfo, station_names: dict[str, str] | None = None
) -> pd.DataFrame:
    """One row per station (code and CMIS name) and a total row: counts as numbers, the share
    ready as a fraction."""
    names = station_names or {}

    def share(ready: int, total: int) -> float | None:
        return ready / total if total else None

    rows = []
    for r in counts.itertuples(index=False):
        name = names.get(r.station)
        rows.append(
            (
                f"{r.station} · {name}" if name else r.station,
                int(r.customers),
                int(r.ready),
                int(r.needs_review),
                int(r.blocked),
                int(r.drafted),
                share(r.ready, r.customers),
                text(r.last_run),
                _local(r.last_finished, tz),
            )
        )
    tot = {k: int(counts[k].sum()) if len(counts) else 0 for k in SUMMARY_COLUMNS[1:6]}
    rows.append(
        (
            TOTAL_LABEL,
            *(tot[k] for k in SUMMARY_COLUMNS[1:6]),
            share(tot["ready"], tot["customers"]),
            "",
            "",
        )
    )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS), dtype=object)


def build_branch_report(
    engine: Engine,
    branch: str,
    *,
    now: datetime,
    tz: tzinfo,
    run_id: str | None = None,
    label_run: str | None = None,
    kept: KeptRows | None = None,
    keep: bool = False,
) -> BranchReport:
    """The report's content. `run_id`: only the stations that run processed. `label_run`: the
    run to name without narrowing the scope (what `publish` does after each run). `kept`: the
    rows of the branch's last workbook, whose customers unchanged since are not read again;
    `keep` (or `kept`): the report carries its customers' signatures, to keep its rows."""
    if run_id is not None:
        run = resolve_run(engine, branch, run_id)
        stations: list[str] | None = review.stations_of_run(engine, run, branch)
        scope = f"các trạm do lần chạy {run} xử lý"
    else:
        latest = resolve_run(engine, branch, None)  # also: the branch must be known
        run = label_run or latest
        stations = None
        scope = "tất cả các trạm của chi nhánh (trạng thái mới nhất của từng khách hàng)"
    info = review.run_info(engine, run) or {}
    counts = review.station_counts(engine, branch, stations)
    signatures = None
    if stations is None and (keep or kept is not None):
        found = review.branch_signatures(engine, branch)
        names = review.station_names_of(
            engine, sorted(set(found["station"]) | set(counts["station"]))
        )
        signatures = signatures_of(found, names)
        rebuild = to_rebuild(kept, signatures)
    else:
        rebuild = None
    if rebuild is None:
        customers = review.branch_customers(engine, branch, stations)
        if signatures is None:
            names = review.station_names_of(
                engine, sorted(set(customers["station"]) | set(counts["station"]))
            )
        issues = review.branch_issues(engine, branch, stations)
        frame = issues_frame(customers, issues, names)
        del customers, issues  # before the rows are made: a large branch's are ~200 MB
        rows = sheet_rows(frame)
    else:
        customers = review.branch_customers(engine, branch, codes=rebuild)
        issues = review.branch_issues(engine, branch, codes=rebuild)
        frame = issues_frame(customers, issues, names)
        del customers, issues
        rows = merged(kept, signatures, sheet_rows(frame))
    del frame
    report_id = uuid.uuid4().hex
    checksum = checksum_of_digests(
        template_version=TEMPLATE_VERSION,
        report_id=report_id,
        branch=branch,
        run_id=run,
        digests=rows.digests,
    )
    return BranchReport(
        report_id=report_id,
        branch=branch,
        run_id=run,
        run_time=info.get("as_of") or info.get("started_at"),
        generated_at=now,
        stations_scope=scope,
        summary=summary_frame(counts, tz, names),
        rows=rows,
        checksum=checksum,
        signatures=signatures,
    )


def issue_branch_report(
    engine: Engine,
    branch: str,
    out: Path,
    *,
    now: datetime,
    tz: tzinfo,
    run_id: str | None = None,
    label_run: str | None = None,
    kept_rows: Path | None = None,
) -> BranchReport:
    """Build, record as issued (so its return can be verified) and write the workbook (0600).
    `kept_rows`: the file that keeps the branch's rows from one workbook to the next
    (review_rows; only for a report of the whole branch)."""
    kept = load_kept(kept_rows) if kept_rows is not None and run_id is None else None
    report = build_branch_report(
        engine,
        branch,
        now=now,
        tz=tz,
        run_id=run_id,
        label_run=label_run,
        kept=kept,
        keep=kept_rows is not None,
    )
    keep = report.signatures is not None and not unchanged(kept, report.signatures)
    del kept  # the report holds what it took of it
    review.record_issued_report(
        engine,
        report_id=report.report_id,
        branch=branch,
        run_id=report.run_id,
        checksum=report.checksum,
        file_name=Path(out).name,
        rows=len(report.rows),
        at=now,
    )
    from cmis_migrate.reports.review_workbook import write_workbook

    try:
        write_private(Path(out), lambda p: write_workbook(report, p, tz))
    except BaseException:  # not issued after all: the branch stays due for its workbook
        with contextlib.suppress(Exception):
            review.withdraw_issued_report(engine, report.report_id)
        raise
    if keep:
        try:
            save_kept(kept_rows, report.signatures, report.rows)
        except OSError as exc:  # the workbook is issued; the next one is built whole
            log.warning("rows of branch %s not kept (%s)", branch, type(exc).__name__)
            with contextlib.suppress(OSError):
                kept_rows.unlink(missing_ok=True)
    return report

"""The per-branch summary printed after a run (the same numbers as `status --json`)."""

from __future__ import annotations

from rich import box
from rich.markup import escape
from rich.table import Table

from cmis_migrate.cli.common import console
from cmis_migrate.cli.times import deferral_reason, local, took
from cmis_migrate.config import Config
from cmis_migrate.db import store_engine
from cmis_migrate.logs import lost_logs
from cmis_migrate.store import published
from cmis_migrate.store.queries import batches_of_run, by_branch, totals, unread_line

SHOWN = 20  # deferred or failed stations listed one by one


def branch_table(batch_rows: list[dict], title: str) -> Table:
    # fits an 80-column terminal even at province scale (no vertical rules, no wrapping)
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1)
    )
    for col in (
        "branch",
        "stations",
        "customers",
        "read",
        "ready",
        "review",
        "blocked",
        "drafted",
        "deferred",
    ):
        table.add_column(
            col, justify="left" if col == "branch" else "right", no_wrap=True, min_width=len(col)
        )
    rows = by_branch(batch_rows)
    total = totals(batch_rows)
    for branch, agg in rows.items():
        read = agg["ready"] + agg["needs_review"] + agg["blocked"]
        table.add_row(
            branch,
            *(
                f"{v:,}"
                for v in (
                    agg["stations"],
                    agg["customers"],
                    read,
                    agg["ready"],
                    agg["needs_review"],
                    agg["blocked"],
                    agg["drafted"],
                    agg["deferred"],
                )
            ),
        )
    read = total["ready"] + total["needs_review"] + total["blocked"]
    table.add_row(
        "[bold]total",
        *(
            f"[bold]{v:,}"
            for v in (
                len(batch_rows),
                total["customers"],
                read,
                total["ready"],
                total["needs_review"],
                total["blocked"],
                total["drafted"],
                total["deferred"],
            )
        ),
    )
    return table


def print_run_summary(cfg: Config, summary: dict) -> None:
    engine = store_engine(cfg.store.url)
    try:
        rows = batches_of_run(engine, summary["run_id"])
        unwritten = published.unwritten(engine)
    finally:
        engine.dispose()
    states = ", ".join(f"{n} {s}" for s, n in sorted(summary.get("batches", {}).items()))
    console.print(
        f"run [bold]{summary['run_id']}[/]: {summary['state']} ({states or 'no batches'})"
    )
    console.print(branch_table(rows, "customers per branch"))
    unread = unread_line(rows)
    if unread:
        console.print(unread, highlight=False, markup=False, soft_wrap=True)
    deferred = [b for b in rows if b["state"] == "deferred"]
    for b in deferred[:SHOWN]:
        console.print(deferred_line(b, cfg.tz), highlight=False, markup=False)
    if len(deferred) > SHOWN:
        console.print(f"… and {len(deferred) - SHOWN} more deferred (cmis-migrate status)")
    failed = [b for b in rows if b["state"] == "failed"]
    for b in failed[:SHOWN]:
        console.print(
            f"[red]failed[/] {escape(b['station'])}: {escape(b['error'] or '')}", soft_wrap=True
        )
    for line in unwritten_lines(unwritten):
        console.print(f"[red]{escape(line)}[/]", soft_wrap=True, highlight=False)
    console.print(f"drafts:  {cfg.paths.drafts / 'drafts.csv'}")
    console.print(f"reports: {cfg.paths.reports}")
    console.print(f"logs:    {cfg.paths.logs}")
    for note in lost_logs():
        console.print(f"[yellow]warning: log lines lost, {escape(note)}[/]", soft_wrap=True)
    if summary.get("elapsed_seconds") is not None:
        console.print(f"took {took(summary['elapsed_seconds'])}")


def deferred_line(b: dict, tz) -> str:
    """One deferred station: customers waiting, when its next window opens, and why."""
    when = local(b.get("next_open_at"), tz) or "no window within the calendar's horizon"
    return (
        f"deferred {b['station']} ({b['deferred'] or 0:,} customers) until {when}: "
        f"{deferral_reason(b.get('error'))}"
    )


def unwritten_lines(unwritten: list[dict]) -> list[str]:
    """The review workbooks that could not be written (store.published.unwritten)."""
    return [
        f"review workbook of branch {w['branch']} not written ({w['file_name']}): {w['error']}; "
        "the next run or rerun writes it"
        for w in unwritten
    ]

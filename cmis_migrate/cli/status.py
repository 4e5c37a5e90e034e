"""`cmis-migrate status`: the latest runs and the state of every station batch."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import DEFAULT_CONFIG_PATH, ConfigOption, console, fail, get_config
from cmis_migrate.cli.times import deferral_reason, local, took

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def status_data(engine: Engine, run_id: str | None = None, limit: int = 10) -> dict:
    from cmis_migrate.store import published
    from cmis_migrate.store.queries import (
        batches_of_run,
        current_batches,
        latest_runs,
        run_exists,
        totals,
        with_current_outcomes,
    )

    runs = latest_runs(engine, limit)
    if run_id is not None:
        if not run_exists(engine, run_id):
            raise KeyError(run_id)
        batch_rows = batches_of_run(engine, run_id)
    else:
        # the customers' current outcomes, as the branch workbook counts them: a station whose
        # latest batch was deferred or failed keeps what its last evaluation found
        batch_rows = with_current_outcomes(engine, current_batches(engine))
    return {
        "runs": runs,
        "batches": batch_rows,
        "totals": totals(batch_rows),
        "scope": run_id or "latest batch of each station",
        "unwritten_workbooks": published.unwritten(engine),
    }


def _run_state(run: dict, now: datetime, dead_after: float) -> str:
    """A `running` run that stopped heartbeating is most likely dead: say so."""
    if run["state"] != "running" or not run.get("heartbeat_at"):
        return run["state"]
    silent = (now - datetime.fromisoformat(run["heartbeat_at"])).total_seconds()
    if silent <= dead_after:
        return "running"
    return f"running? (silent {silent:,.0f} s: dead; the next run or rerun --failed redoes it)"


def _attempt(b: dict) -> str:
    if b["state"] == "pending" or not b.get("attempts"):
        return "never started"
    return f"attempt {b['attempts']}"


def _outcome(b: dict) -> str:
    text = f"{b['station']} {b['state']} ({_attempt(b)})"
    return f"{text}: {b['error']}" if b.get("error") else text


def station_lines(b: dict, tz) -> list[str]:
    """A station not done: its state beside the counts its customers have now, then why."""
    counts = (
        f"ready {b['ready'] or 0:,}, review {b['needs_review'] or 0:,}, "
        f"blocked {b['blocked'] or 0:,}, drafted {b['drafted'] or 0:,}"
    )
    lines = [f"{b['state']} {b['station']} ({_attempt(b)}): {counts}"]
    if b["state"] == "deferred":
        when = local(b.get("next_open_at"), tz) or "no window within the calendar's horizon"
        lines.append(f"  next open {when}: {deferral_reason(b.get('error'))}")
    elif b.get("error"):
        lines.append(f"  {b['error']}")
    return lines


def rerun_lines(run: dict, listed: int = 10) -> list[str]:
    """What a rerun did: its stations and how each ended (all when few, else the unsuccessful)."""
    stations = run.get("stations") or []
    counts = ", ".join(f"{n} {s}" for s, n in run["batches"].items()) or "nothing"
    lines = [f"rerun {run['id']} redid {len(stations)} station(s): {counts}"]
    shown = (
        stations if len(stations) <= listed else [b for b in stations if b["state"] != "succeeded"]
    )
    lines += [f"  {_outcome(b)}" for b in shown[:20]]
    if len(shown) > 20:
        lines.append(f"  ... and {len(shown) - 20} more (status --run {run['id']})")
    return lines


@app.command()
def status(
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    run: Annotated[
        str | None,
        typer.Option("--run", help="Batches of this run (default: each station's latest)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many recent runs to list.")] = 10,
) -> None:
    """Latest runs, each station batch's state (pending|running|succeeded|failed|deferred) and totals."""
    from cmis_migrate.cli.summary import branch_table, unwritten_lines
    from cmis_migrate.runtime import open_store
    from cmis_migrate.store.queries import unread_line

    cfg = get_config(config)
    engine = open_store(cfg)
    try:
        data = status_data(engine, run, limit)
    except KeyError:
        raise fail(f"no run {run!r} in the store (see `cmis-migrate status`)") from None
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    now = datetime.now(UTC)
    tz = cfg.tz
    runs_table = Table(
        title=f"latest runs (times in {cfg.schedule.timezone})",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    # the run id starts with the moment the run was planned as of (--at), in local time
    for c in ("run", "kind", "state", "started", "took", "batches"):
        runs_table.add_column(c, no_wrap=c != "batches")
    dead = []
    for r in data["runs"]:
        state = _run_state(r, now, cfg.load.dead_after_seconds)
        if state != r["state"] and state != "running":
            dead.append(f"run {r['id']}: {state}")
            state = "running?"
        runs_table.add_row(
            r["id"],
            r["kind"],
            state,
            local(r["started_at"], tz),
            _took(r),
            ", ".join(f"{n} {s}" for s, n in r["batches"].items()),
        )
    console.print(runs_table)
    for line in dead:
        console.print(line, highlight=False, markup=False)
    for r in data["runs"][:3]:  # the recent reruns: what they redid
        if r["kind"] == "rerun":
            for line in rerun_lines(r):
                console.print(line, highlight=False, markup=False)
    states: dict[str, int] = {}
    for b in data["batches"]:
        states[b["state"]] = states.get(b["state"], 0) + 1
    console.print(
        "stations: " + (", ".join(f"{n} {s}" for s, n in sorted(states.items())) or "none")
    )
    title = (
        "customers per branch (current outcomes, latest batch of each station)"
        if run is None
        else f"customers per branch (what run {run} found)"
    )
    console.print(branch_table(data["batches"], title))
    unread = unread_line(data["batches"])
    if unread:
        console.print(unread, highlight=False, markup=False, soft_wrap=True)
    not_done = [b for b in data["batches"] if b["state"] != "succeeded"]
    for b in not_done[:SHOWN]:
        for line in station_lines(b, tz):
            console.print(line, highlight=False, markup=False)
    if len(not_done) > SHOWN:
        console.print(f"… and {len(not_done) - SHOWN} more stations not done (status --json)")
    for line in unwritten_lines(data["unwritten_workbooks"]):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    io = [b for b in data["batches"] if b["queries"]]
    if io:
        q = sum(b["queries"] for b in io)
        rows = sum(b["rows_read"] for b in io)
        secs = sum(b["cmis_seconds"] for b in io)
        console.print(f"CMIS load: {q:,} queries, {rows:,} rows read, {secs:,.1f} s in CMIS")


SHOWN = 20


def _took(run: dict) -> str:
    if not run.get("finished_at") or not run.get("started_at"):
        return ""
    a, b = (datetime.fromisoformat(run[k]) for k in ("started_at", "finished_at"))
    return took((b - a).total_seconds())

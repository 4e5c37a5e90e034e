"""`cmis-migrate status`: the latest runs and the state of every station batch."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from cmis_migrate.cli.app import app
from cmis_migrate.cli.common import DEFAULT_CONFIG_PATH, ConfigOption, console, fail, get_config
from cmis_migrate.cli.summary import branch_table
from cmis_migrate.runtime import open_store
from cmis_migrate.store.queries import (
    batches_of_run,
    current_batches,
    latest_runs,
    run_exists,
    totals,
)


def status_data(engine, run_id: str | None = None, limit: int = 10) -> dict:
    runs = latest_runs(engine, limit)
    if run_id is not None:
        if not run_exists(engine, run_id):
            raise KeyError(run_id)
        batch_rows = batches_of_run(engine, run_id)
    else:
        batch_rows = current_batches(engine)
    return {
        "runs": runs,
        "batches": batch_rows,
        "totals": totals(batch_rows),
        "scope": run_id or "latest batch of each station",
    }


def _run_state(run: dict, now: datetime, dead_after: float) -> str:
    """A `running` run that stopped heartbeating is most likely dead: say so."""
    if run["state"] != "running" or not run.get("heartbeat_at"):
        return run["state"]
    silent = (now - datetime.fromisoformat(run["heartbeat_at"])).total_seconds()
    if silent <= dead_after:
        return "running"
    return f"running? (silent {silent:,.0f} s: dead; the next run or rerun --failed redoes it)"


def _outcome(b: dict) -> str:
    text = f"{b['station']} {b['state']} (attempt {b['attempts']})"
    return f"{text}: {b['error']}" if b.get("error") else text


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
    runs_table = Table(title="latest runs", title_justify="left")
    for c in ("run", "kind", "state", "batches", "as of", "started", "finished"):
        runs_table.add_column(c)
    for r in data["runs"]:
        runs_table.add_row(
            r["id"],
            r["kind"],
            _run_state(r, now, cfg.load.dead_after_seconds),
            ", ".join(f"{n} {s}" for s, n in r["batches"].items()),
            r["as_of"] or "",
            r["started_at"] or "",
            r["finished_at"] or "",
        )
    console.print(runs_table)
    for r in data["runs"][:3]:  # the recent reruns: what they redid
        if r["kind"] == "rerun":
            for line in rerun_lines(r):
                console.print(line, highlight=False)
    states: dict[str, int] = {}
    for b in data["batches"]:
        states[b["state"]] = states.get(b["state"], 0) + 1
    console.print(
        "batches: " + (", ".join(f"{n} {s}" for s, n in sorted(states.items())) or "none")
    )
    console.print(branch_table(data["batches"], f"customers per branch ({data['scope']})"))
    problems = [b for b in data["batches"] if b["state"] in ("failed", "running")]
    for b in problems[:20]:
        console.print(
            f"[red]{b['state']}[/] {b['station']} (attempts {b['attempts']}): {b['error'] or ''}"
        )
    io = [b for b in data["batches"] if b["queries"]]
    if io:
        q = sum(b["queries"] for b in io)
        rows = sum(b["rows_read"] for b in io)
        secs = sum(b["cmis_seconds"] for b in io)
        console.print(f"CMIS load: {q:,} queries, {rows:,} rows read, {secs:,.1f} s in CMIS")

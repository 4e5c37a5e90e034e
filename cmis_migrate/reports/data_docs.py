"""GX Data Docs for a run: one page per station batch, rebuilt at the edge after each run.

The nightly path stores a small JSON summary per station batch (validation_results); this module
turns the summaries of ONE run back into GX validation results, lets GX's own SiteBuilder render
them into a fresh folder, writes a plain index.html (no JavaScript, no CDN: readable offline,
grouped by branch) and swaps the folder into place. Only the latest run is kept, so the site
never accumulates thousands of validations. GX runs in an ephemeral context: nothing is sent
anywhere (the station pages reference GX's usual CSS/JS on public CDNs, which a browser with
internet fetches for styling only; offline they are plain but complete).
"""

from __future__ import annotations

import html
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sqlalchemy.engine import Engine

from cmis_migrate.store import review
from cmis_migrate.validators.expectations import SUITE_NAME, expectation_specs

SITE = "station_batches"
DATA_SOURCE = "cmis"


@dataclass(frozen=True)
class DocsBuilt:
    index: Path
    pages: int
    seconds: float


def _to_snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _expectation_results(stored: dict, rows: int, wards: Sequence[str]) -> list:
    from great_expectations.core import ExpectationValidationResult
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    entries = (stored or {}).get("expectations") or []
    specs = {(_to_snake(cls), kw.get("column")): kw for cls, kw in expectation_specs(wards)}
    out = []
    for e in entries:
        kind = e["expectation"]
        kwargs = e.get("kwargs") or specs.get((kind, e.get("column"))) or {"column": e["column"]}
        success = bool(e["success"])
        # a passing column-map expectation (mostly = 1) had no unexpected value: the counts
        # follow from the pass even when the batch was only checked with BOOLEAN_ONLY
        result = {
            "element_count": int(e.get("element_count") or rows),
            "unexpected_count": int(e.get("unexpected_count") or 0),
            "unexpected_percent": float(e.get("unexpected_percent") or 0.0),
            "partial_unexpected_list": list(e.get("partial_unexpected_list") or []),
        }
        if e.get("missing_count") is not None:
            result["missing_count"] = int(e["missing_count"])
        out.append(
            ExpectationValidationResult(
                success=success,
                expectation_config=ExpectationConfiguration(type=kind, kwargs=kwargs),
                result=result,
            )
        )
    return out


def _suite_result(row: dict, run_identifier, wards: Sequence[str]):
    from great_expectations.core import ExpectationSuiteValidationResult

    stored = row.get("result") or {}
    rows = int(stored.get("rows") or 0)
    results = _expectation_results(stored, rows, wards)
    evaluated = len(results)
    ok = sum(1 for r in results if r.success)
    return ExpectationSuiteValidationResult(
        success=bool(row["success"]),
        results=results,
        suite_name=SUITE_NAME,
        statistics={
            "evaluated_expectations": evaluated,
            "successful_expectations": ok,
            "unsuccessful_expectations": evaluated - ok,
            "success_percent": 100.0 * ok / evaluated if evaluated else None,
        },
        meta={
            "run_id": run_identifier,
            "active_batch_definition": {
                "datasource_name": DATA_SOURCE,
                "data_connector_name": row["branch"],
                "data_asset_name": row["station"],
                "batch_identifiers": {"station": row["station"], "rows": rows},
            },
            "batch_spec": {"station": row["station"], "branch": row["branch"], "rows": rows},
        },
    )


def _context(site_dir: Path, wards: Sequence[str]):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    ctx.config.analytics_enabled = False
    ctx.add_data_docs_site(
        SITE,
        {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    suite = ctx.suites.add(gx.ExpectationSuite(name=SUITE_NAME))
    for cls, kwargs in expectation_specs(wards):
        suite.add_expectation(getattr(gx.expectations, cls)(**kwargs))
    return ctx


def build_data_docs(
    engine: Engine,
    run_id: str,
    out_dir: Path,
    *,
    wards: Sequence[str],
    tz: tzinfo,
    run_started: datetime | None = None,
) -> DocsBuilt:
    """Rebuild `out_dir` as the Data Docs of `run_id`'s station batches (replaces the old site)."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    rows = review.validation_results_of_run(engine, run_id)
    if run_started is None:
        info = review.run_info(engine, run_id) or {}
        run_started = info.get("started_at") or datetime(1970, 1, 1, tzinfo=UTC)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}-{uuid.uuid4().hex[:8]}"
    try:
        ctx = _context(tmp, wards)
        run_identifier = RunIdentifier(run_name=run_id, run_time=run_started)
        suite_id = ExpectationSuiteIdentifier(name=SUITE_NAME)
        links: dict[str, str] = {}
        for row in rows:
            key = ValidationResultIdentifier(
                expectation_suite_identifier=suite_id,
                run_id=run_identifier,
                batch_identifier=row["station"],
            )
            ctx.validation_results_store.set(key, _suite_result(row, run_identifier, wards))
            links[row["station"]] = "/".join(
                ("validations", SUITE_NAME, *key.run_id.to_tuple(), f"{row['station']}.html")
            )
        ctx.build_data_docs(site_names=[SITE])
        gx_index = tmp / "index.html"
        if gx_index.exists():
            gx_index.replace(tmp / "gx_index.html")
        (tmp / "index.html").write_text(
            index_html(run_id, run_started, rows, links, tz), encoding="utf-8"
        )
        _swap(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return DocsBuilt(out_dir / "index.html", len(rows), time.perf_counter() - t0)


def _swap(new: Path, target: Path) -> None:
    old = target.parent / f".{target.name}-old-{uuid.uuid4().hex[:8]}"
    if target.exists():
        target.replace(old)
    new.replace(target)
    shutil.rmtree(old, ignore_errors=True)


def index_html(
    run_id: str, started: datetime, rows: list[dict], links: dict[str, str], tz: tzinfo
) -> str:
    """A plain page: per branch, each station batch's result and a link to its GX page."""
    e = html.escape
    by_branch: dict[str, list[dict]] = {}
    for r in rows:
        by_branch.setdefault(r["branch"], []).append(r)
    failed = sum(1 for r in rows if not r["success"])
    parts = [
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>",
        f"<title>Kiểm tra dữ liệu (Data Docs) - {e(run_id)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #bbb;padding:4px 8px}th{background:#ddebf7}"
        ".ok{color:#1e7b34}.bad{color:#c00000;font-weight:bold}</style></head><body>",
        "<h1>Kết quả kiểm tra dữ liệu theo trạm (Great Expectations)</h1>",
        f"<p>Lượt chạy (run) <b>{e(run_id)}</b>, bắt đầu "
        f"{e(started.astimezone(tz).strftime('%d/%m/%Y %H:%M'))}: {len(rows)} trạm, "
        f"<span class='{'bad' if failed else 'ok'}'>{failed} trạm có kiểm tra không đạt</span>."
        " <a href='gx_index.html'>GX index</a></p>",
    ]
    for branch in sorted(by_branch):
        items = by_branch[branch]
        parts.append(f"<h2 id='{e(branch)}'>Chi nhánh {e(branch)}</h2>")
        parts.append(
            "<table><tr><th>trạm (station)</th><th>khách hàng (rows)</th>"
            "<th>kiểm tra (expectations)</th><th>không đạt (failed)</th><th>kết quả</th></tr>"
        )
        for r in items:
            stored = r.get("result") or {}
            ok = bool(r["success"])
            link = links.get(r["station"], "")
            parts.append(
                f"<tr><td><a href='{e(link)}'>{e(r['station'])}</a></td>"
                f"<td>{int(stored.get('rows') or 0)}</td><td>{int(r['evaluated'])}</td>"
                f"<td>{int(r['failed'])}</td>"
                f"<td class='{'ok' if ok else 'bad'}'>{'đạt' if ok else 'KHÔNG ĐẠT'}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)

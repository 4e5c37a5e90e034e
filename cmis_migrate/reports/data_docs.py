"""Data Docs for a run: an index per branch and station, and one page per station batch.

Pages are rendered with Jinja2 (templates in data/) from what the store already holds: the GX
summary of each station batch (validation_results), the batch's state, the current outcomes of
the station's customers and the rules that hold them back. A station whose expectations pass
but whose customers are mostly blocked is shown as failing: GX checks what the pipeline
promises, the outcomes say whether the data can be migrated. Every page is self-contained (CSS
inlined, no script, no external asset): it opens offline. Only the latest run is kept: the site
is built in a fresh folder and swapped into place.
"""

from __future__ import annotations

import re
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FunctionLoader, StrictUndefined, select_autoescape
from sqlalchemy.engine import Engine

from cmis_migrate.store import quality, review
from cmis_migrate.store.units import unit_names

# a station (or branch) is failing when at least this share of its customers is blocked, and
# needs a look when less than this share is ready
MOSTLY_BLOCKED = 0.5
READY_ENOUGH = 0.9
TOP_RULES = 3
EXPECTATIONS_VI = {
    "expect_column_values_to_not_be_null": "không để trống",
    "expect_column_values_to_be_unique": "không trùng lặp",
    "expect_column_values_to_be_in_set": "thuộc tập giá trị cho phép",
    "expect_column_values_to_match_regex": "đúng định dạng",
}
STATE_VI = {
    "pending": "chưa chạy",
    "running": "đang chạy",
    "succeeded": "xong",
    "failed": "lỗi",
    "deferred": "hoãn",
}
SEVERITY_VI = {"blocking": "Chặn", "warning": "Cảnh báo"}


@dataclass(frozen=True)
class DocsBuilt:
    index: Path
    pages: int
    seconds: float


@dataclass(frozen=True)
class Verdict:
    css: str  # ok | warn | bad | muted
    label: str


def verdict(
    *, state: str | None, checks_passed: bool | None, customers: int, ready: int, blocked: int
) -> Verdict:
    """How a station (or a branch, with summed counts) looks: green only when the expectations
    pass AND nearly all its customers are ready."""
    if state == "failed":
        return Verdict("bad", "Lỗi xử lý")
    if checks_passed is False:
        return Verdict("bad", "Kiểm tra không đạt")
    if customers and blocked / customers >= MOSTLY_BLOCKED:
        return Verdict("bad", "Phần lớn bị chặn")
    if state == "deferred":
        return Verdict("muted", "Hoãn")
    if checks_passed is None and not customers:
        return Verdict("muted", "Chưa có kết quả")
    if customers and ready / customers < READY_ENOUGH:
        return Verdict("warn", "Cần xem xét")
    return Verdict("ok", "Đạt")


def page_name(station: str) -> str:
    """A file name for the station's page (CMIS codes are plain, but never trust a file name)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", station).lstrip(".") or "_"


def vn_number(value: object) -> str:
    """1234567 -> '1.234.567' (Vietnamese thousands separator)."""
    return f"{int(value or 0):,}".replace(",", ".")


def vn_percent(part: object, whole: object) -> str:
    whole = int(whole or 0)
    return f"{100 * int(part or 0) / whole:.0f}%" if whole else "-"


def _read_template(name: str) -> str:
    return files("cmis_migrate.data").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FunctionLoader(_read_template),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = vn_number
    env.globals["pct"] = vn_percent
    env.globals["state_vi"] = lambda s: STATE_VI.get(s or "", s or "")
    env.globals["severity_vi"] = lambda s: SEVERITY_VI.get(s or "", s or "")
    return env


def _top(rules: pd.DataFrame, n: int) -> list[dict]:
    if rules.empty:
        return []
    grouped = (
        rules.groupby(["rule", "severity"], as_index=False)["customers"]
        .sum()
        .sort_values(["severity", "customers", "rule"], ascending=[True, False, True])
    )  # "blocking" sorts before "warning"
    return grouped.head(n).to_dict("records")


def _expectations(stored: dict) -> list[dict]:
    out = []
    for e in (stored or {}).get("expectations") or []:
        kind = str(e.get("expectation") or "")
        out.append(
            {
                "what": EXPECTATIONS_VI.get(kind, kind),
                "kind": kind,
                "column": e.get("column") or "",
                "success": bool(e.get("success")),
                "unexpected": int(e.get("unexpected_count") or 0),
                "percent": float(e.get("unexpected_percent") or 0.0),
                "examples": [str(v) for v in e.get("partial_unexpected_list") or []][:5],
            }
        )
    return out


def _stations(engine: Engine, run_id: str) -> list[dict]:
    frame = quality.run_stations(engine, run_id)
    checks = {r["station"]: r for r in review.validation_results_of_run(engine, run_id)}
    rules = quality.rule_counts(engine, frame["station"].tolist())
    by_station = dict(tuple(rules.groupby("station"))) if not rules.empty else {}
    out = []
    for row in frame.to_dict("records"):
        check = checks.get(row["station"])
        station_rules = by_station.get(row["station"], rules.iloc[0:0])
        passed = None if check is None else bool(check["success"])
        out.append(
            {
                **row,
                "checks_passed": passed,
                "evaluated": int(check["evaluated"]) if check else 0,
                "checks_failed": int(check["failed"]) if check else 0,
                "expectations": _expectations(check.get("result") if check else {}),
                "rules": station_rules,
                "top_rules": _top(station_rules, TOP_RULES),
                "all_rules": _top(station_rules, len(station_rules)),
                "page": f"validations/{page_name(row['station'])}.html" if check else None,
                "verdict": verdict(
                    state=row["state"],
                    checks_passed=passed,
                    customers=row["customers"],
                    ready=row["ready"],
                    blocked=row["blocked"],
                ),
            }
        )
    return out


def _branches(stations: list[dict], names: dict[str, str]) -> list[dict]:
    out = []
    for branch in sorted({s["branch"] for s in stations}):
        items = [s for s in stations if s["branch"] == branch]
        sums = {k: sum(s[k] for s in items) for k in quality.OUTCOMES + ("customers", "drafted")}
        failing = sum(1 for s in items if s["verdict"].css == "bad")
        rules = [s["rules"] for s in items if not s["rules"].empty]
        overall = verdict(
            state=None,
            checks_passed=not any(s["checks_passed"] is False for s in items),
            customers=sums["customers"],
            ready=sums["ready"],
            blocked=sums["blocked"],
        )
        if overall.css == "ok" and failing:
            overall = Verdict("warn", "Cần xem xét")
        out.append(
            {
                "code": branch,
                "name": names.get(branch, ""),
                "stations": items,
                "failing": failing,
                "top_rules": _top(pd.concat(rules), TOP_RULES) if rules else [],
                "verdict": overall,
                **sums,
            }
        )
    return out


def build_data_docs(
    engine: Engine,
    run_id: str,
    out_dir: Path,
    *,
    wards: Sequence[str] = (),
    tz: tzinfo,
    run_started: datetime | None = None,
) -> DocsBuilt:
    """Rebuild `out_dir` as the Data Docs of `run_id`'s station batches (replaces the old site).
    `wards`: the valid 2025 wards the address expectation checks against (shown as a count)."""
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    if run_started is None:
        info = review.run_info(engine, run_id) or {}
        run_started = info.get("started_at") or datetime(1970, 1, 1, tzinfo=UTC)
    stations = _stations(engine, run_id)
    branches = _branches(stations, unit_names(engine))
    common = {
        "run_id": run_id,
        "started": run_started.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
        "wards": len(wards),
        "mostly_blocked": f"{MOSTLY_BLOCKED:.0%}",
        "ready_enough": f"{READY_ENOUGH:.0%}",
    }
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}-{uuid.uuid4().hex[:8]}"
    pages = 0
    try:
        (tmp / "validations").mkdir(parents=True)
        station_page = _env().get_template("data_docs_station.html.j2")
        for branch in branches:
            for s in branch["stations"]:
                if s["page"] is None:
                    continue
                html = station_page.render(s=s, branch=branch, **common)
                (tmp / s["page"]).write_text(html, encoding="utf-8")
                pages += 1
        index = (
            _env()
            .get_template("data_docs_index.html.j2")
            .render(
                branches=branches,
                totals={
                    k: sum(b[k] for b in branches)
                    for k in quality.OUTCOMES + ("customers", "drafted", "failing")
                },
                stations=len(stations),
                **common,
            )
        )
        (tmp / "index.html").write_text(index, encoding="utf-8")
        _swap(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return DocsBuilt(out_dir / "index.html", pages, time.perf_counter() - t0)


def _swap(new: Path, target: Path) -> None:
    old = target.parent / f".{target.name}-old-{uuid.uuid4().hex[:8]}"
    if target.exists():
        target.replace(old)
    new.replace(target)
    shutil.rmtree(old, ignore_errors=True)

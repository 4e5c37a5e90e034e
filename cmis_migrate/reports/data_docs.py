"""Data Docs for a run: an index per branch and station, and one page per station of the run.

Pages are rendered with Jinja2 (templates in data/) from what the store already holds: each
station's latest GX summary (validation_results: written by the run that last evaluated some of
its customers, so a quiet night keeps showing the checks of the data as it still is), the
station's batch state in this run, the current outcomes of its customers and the rules that hold
them back. A station whose expectations pass but whose customers are mostly blocked is shown as
failing: GX checks what the pipeline promises, the outcomes say whether the data can be
migrated. Every page is self-contained (CSS inlined, no script, no external asset): it opens
offline.

The site shows the latest run only, and is kept up to date in place (site_pages): a station page
says nothing of the run being published (the run whose checks it shows is that of its GX
summary), so it is rewritten only when what it shows changed; the index (run-level figures) is
rewritten each time; pages of stations no longer in the run are removed. Each write is atomic.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import jinja2
from jinja2 import Environment, FunctionLoader, StrictUndefined, select_autoescape
from sqlalchemy.engine import Engine

from cmis_migrate.reports.output_stamps import code_digest, digest
from cmis_migrate.reports.site_pages import Page, update_pages
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
    pages: int  # station pages in the site
    seconds: float
    written: tuple[str, ...] = ()  # station pages (re)written by this build, relative paths
    removed: tuple[str, ...] = ()  # pages of stations no longer in the run


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


def _top(rules: Iterable[tuple[str, str, int]], n: int) -> list[dict]:
    """(rule, severity, customers) summed per rule and severity, blocking first ("blocking"
    sorts before "warning"), then most customers, then rule; the first n. Plain Python: per
    station a pandas groupby cost ~4 ms, most of the province's Data Docs time."""
    sums: dict[tuple[str, str], int] = {}
    for rule, severity, customers in rules:
        sums[(rule, severity)] = sums.get((rule, severity), 0) + int(customers)
    ordered = sorted(sums.items(), key=lambda kv: (kv[0][1], -kv[1], kv[0][0]))
    return [{"rule": r, "severity": sv, "customers": c} for (r, sv), c in ordered[:n]]


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


def _stations(engine: Engine, run_id: str, tz: tzinfo) -> list[dict]:
    frame = quality.run_stations(engine, run_id)
    stations = frame["station"].tolist()
    checks = quality.latest_validations(engine, stations)
    by_station: dict[str, list[tuple[str, str, int]]] = {}
    for station, rule, severity, customers in quality.rule_counts(engine, stations):
        by_station.setdefault(station, []).append((rule, severity, customers))
    out = []
    for row in frame.to_dict("records"):
        check = checks.get(row["station"])
        station_rules = by_station.get(row["station"], [])
        passed = None if check is None else bool(check["success"])
        checked_at = check["created_at"] if check else None
        out.append(
            {
                **row,
                "checks_passed": passed,
                "evaluated": int(check["evaluated"]) if check else 0,
                "checks_failed": int(check["failed"]) if check else 0,
                "expectations": _expectations(check.get("result") if check else {}),
                "checked_run": check["run_id"] if check else None,
                "checked_at": _local(checked_at, tz) if checked_at else None,
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
                "top_rules": _top((r for s in items for r in s["rules"]), TOP_RULES),
                "verdict": overall,
                **sums,
            }
        )
    return out


def _local(at: datetime, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def station_page_context(s: dict, branch: dict, wards: int) -> dict:
    """Everything a station page is rendered from (and nothing else: its digest decides whether
    the page is rewritten). Nothing of the run being published: an unchanged station's page
    stays byte for byte the same."""
    keys = ("station", "state", "evaluated", "checks_failed", "checked_run", "checked_at")
    counts = ("customers", "drafted", *quality.OUTCOMES)
    return {
        "s": {
            **{k: s[k] for k in keys},
            **{k: int(s[k]) for k in counts},
            "verdict": asdict(s["verdict"]),
            "all_rules": s["all_rules"],
            "expectations": s["expectations"],
        },
        "branch": {"code": branch["code"], "name": branch["name"]},
        "wards": wards,
    }


def _template_files() -> list:
    data = files("cmis_migrate.data")
    names = sorted(f.name for f in data.iterdir() if f.name.startswith("data_docs_"))
    return [data.joinpath(n) for n in names]


def renderer_digest() -> str:
    """What every page is also rendered from: templates, this module (filters, labels,
    thresholds), the tool's and Jinja2's versions. A change rewrites every page."""
    return digest(code_digest(Path(__file__), *_template_files()), jinja2.__version__)


def build_data_docs(
    engine: Engine,
    run_id: str,
    out_dir: Path,
    *,
    wards: Sequence[str] = (),
    tz: tzinfo,
    run_started: datetime | None = None,
) -> DocsBuilt:
    """Bring `out_dir` up to date as the Data Docs of `run_id`'s stations: the station pages
    whose content changed are rewritten, the others kept, the index rewritten.
    `wards`: the valid 2025 wards the address expectation checks against (shown as a count)."""
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    if run_started is None:
        info = review.run_info(engine, run_id) or {}
        run_started = info.get("started_at") or datetime(1970, 1, 1, tzinfo=UTC)
    stations = _stations(engine, run_id, tz)
    branches = _branches(stations, unit_names(engine))
    common = {
        "run_id": run_id,
        "started": _local(run_started, tz),
        "wards": len(wards),
        "mostly_blocked": f"{MOSTLY_BLOCKED:.0%}",
        "ready_enough": f"{READY_ENOUGH:.0%}",
    }
    station_page = _env().get_template("data_docs_station.html.j2")
    pages = []
    for branch in branches:
        for s in branch["stations"]:
            if s["page"] is None:
                continue
            context = station_page_context(s, branch, len(wards))
            pages.append(
                Page(s["page"], digest(context), lambda c=context: station_page.render(**c))
            )
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
    # the index last: it links to the station pages
    pages.append(Page("index.html", digest(index), lambda: index))
    done = update_pages(out_dir, pages, renderer=renderer_digest())
    written = tuple(p for p in done.written if p != "index.html")
    return DocsBuilt(
        out_dir / "index.html", len(pages) - 1, time.perf_counter() - t0, written, done.removed
    )

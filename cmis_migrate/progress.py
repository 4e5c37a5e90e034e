"""Progress against the monthly plan, per branch and month. Pure: no I/O, no clock.

Inputs are three small frames: the plan (`branch, month, planned`), and the drafts and the
signed contracts counted per branch and local month (`branch, month, drafted|signed`; the
store counts them between the boundaries of `month_starts`). Months are 'YYYY-MM' strings in the company's time zone (schedule.timezone).
Cumulative figures run from the earliest month any input mentions up to the report month.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

COMPANY = "company"  # the branch label of the company-wide totals
AHEAD, ON_PLAN, BEHIND = "ahead", "on plan", "behind"
COUNTS = ("drafted", "signed", "planned")
PROGRESS_COLUMNS = (
    "branch",
    "month",
    "drafted",
    "drafted_cum",
    "signed",
    "signed_cum",
    "planned",
    "planned_cum",
    "pct_of_plan",  # cumulative drafted / cumulative plan * 100; NaN without a plan so far
    "ahead_behind",  # cumulative drafted - cumulative plan
    "status",  # ahead | on plan | behind
)

# YYYY-MM; a first-of-month date is what Excel makes of a typed "2026-09"
_MONTH = re.compile(r"(\d{4})-(\d{2})(?:-01(?:[T ]00:00(?::00)?)?)?")


def parse_month(text: object) -> str:
    """'YYYY-MM' (or the first day of that month) -> 'YYYY-MM'. ValueError says what is wrong."""
    value = "" if text is None else str(text).strip()
    m = _MONTH.fullmatch(value)
    if m is None or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        shown = repr(value) if value else "missing"
        raise ValueError(f"{shown} is not a month (write YYYY-MM, e.g. 2026-09)")
    return f"{m.group(1)}-{m.group(2)}"


def month_of(moment: datetime, tz: str | ZoneInfo) -> str:
    """The local month ('YYYY-MM') of an aware moment."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return moment.astimezone(zone).strftime("%Y-%m")


def month_starts(first: datetime, last: datetime, tz: str | ZoneInfo) -> list[tuple[str, datetime]]:
    """The local months from `first`'s to `last`'s, each with the UTC moment it starts.

    Naive moments mean UTC (as SQLite returns them). The store counts by these boundaries.
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    lo, hi = (_utc(first).astimezone(zone), _utc(last).astimezone(zone))
    months: list[tuple[str, datetime]] = []
    year, month = lo.year, lo.month
    while (year, month) <= (hi.year, hi.month):
        start = datetime(year, month, 1, tzinfo=zone).astimezone(UTC)
        months.append((f"{year:04d}-{month:02d}", start))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def empty_counts(name: str) -> pd.DataFrame:
    """An empty `branch, month, <name>` frame."""
    return pd.DataFrame(
        {
            "branch": pd.Series([], dtype="str"),
            "month": pd.Series([], dtype="str"),
            name: pd.Series([], dtype="int64"),
        }
    )


def progress_frame(
    plan: pd.DataFrame, drafted: pd.DataFrame, signed: pd.DataFrame, month: str
) -> pd.DataFrame:
    """One row per branch and month, from the earliest month of any input up to `month`.

    Branches are all those that appear in any input (a plan without drafts, drafts without a
    plan). Activity after `month` is left out, so the figures read "as at the end of `month`".
    """
    month = parse_month(month)
    sources = {"planned": plan, "drafted": drafted, "signed": signed}
    branches = sorted(set().union(*(set(df["branch"].astype("str")) for df in sources.values())))
    if not branches:
        return _typed(pd.DataFrame(columns=list(PROGRESS_COLUMNS)))
    earlier = [m for df in sources.values() for m in df["month"].astype("str") if m <= month]
    first = min([*earlier, month])
    months = pd.period_range(first, month, freq="M").strftime("%Y-%m").tolist()
    grid = pd.MultiIndex.from_product([branches, months], names=["branch", "month"])
    out = pd.DataFrame(index=grid)
    for name, df in sources.items():
        counts = (
            df.assign(branch=df["branch"].astype("str"), month=df["month"].astype("str"))
            .groupby(["branch", "month"])[name]
            .sum()
        )
        out[name] = counts.reindex(grid, fill_value=0).astype("int64")
        out[f"{name}_cum"] = out[name].groupby(level="branch").cumsum()
    out = _judge(out.reset_index())
    return _typed(out[list(PROGRESS_COLUMNS)])


def _judge(frame: pd.DataFrame) -> pd.DataFrame:
    """Add percentage of cumulative plan, ahead/behind and its word (on a copy)."""
    out = frame.copy()
    planned = out["planned_cum"].astype("float64")
    pct = out["drafted_cum"].astype("float64") / planned.where(planned > 0) * 100.0
    out["pct_of_plan"] = pct.astype("float64")
    out["ahead_behind"] = (out["drafted_cum"] - out["planned_cum"]).astype("int64")
    diff = out["ahead_behind"].to_numpy()
    out["status"] = np.select([diff > 0, diff < 0], [AHEAD, BEHIND], default=ON_PLAN)
    return out


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    ints = [c for c in PROGRESS_COLUMNS if c not in ("branch", "month", "pct_of_plan", "status")]
    return frame.astype(
        {
            "branch": "str",
            "month": "str",
            "status": "str",
            "pct_of_plan": "float64",
            **dict.fromkeys(ints, "int64"),
        }
    )


def company_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """The company-wide row per month (branch = COMPANY), judged on the summed figures."""
    sums = [c for c in PROGRESS_COLUMNS if c in (*COUNTS, *(f"{c}_cum" for c in COUNTS))]
    if frame.empty:
        return _typed(pd.DataFrame(columns=list(PROGRESS_COLUMNS)))
    totals = frame.groupby("month", sort=True)[sums].sum().reset_index()
    totals.insert(0, "branch", COMPANY)
    return _typed(_judge(totals)[list(PROGRESS_COLUMNS)])


def month_view(frame: pd.DataFrame, month: str) -> pd.DataFrame:
    """The rows of one month, by branch."""
    rows = frame[frame["month"] == parse_month(month)]
    return rows.sort_values("branch", ignore_index=True)

"""Vectorized dates (numpy datetime64[D]) and the ways paper records write them."""

from __future__ import annotations

import numpy as np

D = "datetime64[D]"
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")


def day(iso: str) -> np.datetime64:
    return np.datetime64(iso, "D")


def uniform_dates(
    rng: np.random.Generator, lo: np.ndarray | np.datetime64, hi: np.ndarray | np.datetime64, r: int
) -> np.ndarray:
    """A uniform date in [lo, hi] per row (lo/hi scalars or arrays; hi < lo gives lo)."""
    lo = np.broadcast_to(np.asarray(lo, dtype=D), (r,))
    hi = np.broadcast_to(np.asarray(hi, dtype=D), (r,))
    span = np.maximum((hi - lo).astype(np.int64), 0) + 1
    return lo + (rng.random(r) * span).astype(np.int64).astype("timedelta64[D]")


def add_years(d: np.ndarray, years: int) -> np.ndarray:
    """Roughly `years` later (365.25 days a year: good enough for age limits)."""
    return d + np.timedelta64(int(round(years * 365.25)), "D")


def ymd(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = np.asarray(d, dtype=D)
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month_start = d.astype("datetime64[M]")
    m = month_start.astype(np.int64) % 12 + 1
    dd = (d - month_start.astype(D)).astype(np.int64) + 1
    return y, m, dd


def fmt_dmy(d: np.ndarray) -> list[str]:
    """dd/mm/yyyy (the Vietnamese way)."""
    y, m, dd = ymd(d)
    return [
        f"{a:02d}/{b:02d}/{c}" for a, b, c in zip(dd.tolist(), m.tolist(), y.tolist(), strict=True)
    ]


def fmt_iso(d: np.ndarray) -> list[str]:
    return np.datetime_as_string(np.asarray(d, dtype=D), unit="D").tolist()


def fmt_styles(d: np.ndarray, style: np.ndarray) -> list[str]:
    """Per row: 0 dd/mm/yyyy, 1 d-m-yyyy, 2 dd.mm.yyyy, 3 yyyy-mm-dd, 4 Excel serial day."""
    y, m, dd = ymd(d)
    serial = (np.asarray(d, dtype=D) - EXCEL_EPOCH).astype(np.int64)
    out = []
    for a, b, c, s, e in zip(
        dd.tolist(), m.tolist(), y.tolist(), style.tolist(), serial.tolist(), strict=True
    ):
        if s == 0:
            out.append(f"{a:02d}/{b:02d}/{c}")
        elif s == 1:
            out.append(f"{a}-{b}-{c}")
        elif s == 2:
            out.append(f"{a:02d}.{b:02d}.{c}")
        elif s == 3:
            out.append(f"{c}-{b:02d}-{a:02d}")
        else:
            out.append(str(e))
    return out


def impossible_dates(rng: np.random.Generator, r: int) -> list[str]:
    """Dates no calendar has: 31/02/2019, 30/02/2015, 31/04/2020, 32/01/2016, 15/13/2018."""
    kind = rng.integers(0, 5, size=r)
    year = rng.integers(2000, 2024, size=r)
    day_ = rng.integers(1, 29, size=r)
    out = []
    for k, y, d in zip(kind.tolist(), year.tolist(), day_.tolist(), strict=True):
        if k == 0:
            out.append(f"{30 + (d % 2)}/02/{y}")
        elif k == 1:
            out.append(f"31/{(4, 6, 9, 11)[d % 4]:02d}/{y}")
        elif k == 2:
            out.append(f"32/{1 + d % 12:02d}/{y}")
        elif k == 3:
            out.append(f"{d:02d}/13/{y}")
        else:
            out.append(f"00/{1 + d % 12:02d}/{y}")
    return out

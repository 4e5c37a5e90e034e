"""Phone numbers as paper-era records hold them (docs/DOMAIN.md, "Phone numbers").

Every number written here is realistic: new mobiles use prefixes phonenumbers accepts in full
(089, 099 and 052 are only partly valid and left out), old 11-digit mobiles use the 21 prefixes
of data/mobile_prefix_2018.csv, landlines use Thanh Hóa's 7-digit 3xxxxxx numbers.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib.resources import files

import numpy as np

# 10-digit mobiles in use today, with rough market weights
NEW_MOBILE = (
    ("032", 3), ("033", 3), ("034", 3), ("035", 3), ("036", 3), ("037", 3), ("038", 3),
    ("039", 3), ("086", 4), ("096", 6), ("097", 7), ("098", 7),
    ("081", 1.5), ("082", 1.5), ("083", 1.5), ("084", 1.5), ("085", 1.5), ("088", 2),
    ("091", 6), ("094", 4),
    ("070", 1.5), ("076", 1), ("077", 1.5), ("078", 1), ("079", 1.5), ("090", 5), ("093", 3),
    ("056", 0.5), ("058", 0.5), ("092", 1), ("059", 0.3),
)  # fmt: skip
# 10-digit mobiles that already existed before the 2018 renumbering (and clash with no old
# landline area code): the only 10-digit mobiles an old-dated record can hold
PRE_2018_MOBILE = (("090", 5), ("091", 6), ("093", 3), ("094", 4), ("096", 5), ("097", 6), ("098", 7), ("092", 1))  # fmt: skip
# weights of the 21 old 11-digit prefixes (Viettel's 016x were the most common)
OLD_PREFIX_WEIGHT = {"Viettel": 6, "VinaPhone": 5, "MobiFone": 4, "Vietnamobile": 2.5, "Gmobile": 2}

RELATIVES = ("vợ", "chồng", "con", "con trai", "con gái", "bố", "mẹ", "cháu", "em")
STAFF_SHARE_OF_SHARED = 0.3  # share of shared-phone groups that carry a staff member's phone


@lru_cache(maxsize=1)
def old_prefixes() -> tuple[tuple[str, ...], np.ndarray]:
    path = files("cmis_migrate.data") / "mobile_prefix_2018.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    w = np.array([OLD_PREFIX_WEIGHT[r["carrier"]] for r in rows], dtype=float)
    return tuple(r["old_prefix"] for r in rows), w / w.sum()


@lru_cache(maxsize=1)
def staff_phones() -> tuple[tuple[str, str, str], ...]:
    """(phone, name, unit) of the demo site's fake staff list (site/staff_phones.csv)."""
    path = files("cmis_migrate.site") / "staff_phones.csv"
    with path.open(encoding="utf-8") as fh:
        return tuple((r["phone"], r["name"], r["unit"]) for r in csv.DictReader(fh))


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], r: int) -> np.ndarray:
    w = np.array([t[1] for t in table], dtype=float)
    idx = rng.choice(len(table), size=r, p=w / w.sum())
    return np.array([t[0] for t in table])[idx]


def subscriber(rng: np.random.Generator, r: int) -> list[str]:
    return [f"{x:07d}" for x in rng.integers(0, 10_000_000, size=r).tolist()]


def mobiles(rng: np.random.Generator, pre_2018: np.ndarray) -> list[str]:
    """A valid 10-digit mobile per row; only pre-2018 prefixes where `pre_2018`."""
    r = len(pre_2018)
    new = _pick(rng, NEW_MOBILE, r)
    old = _pick(rng, PRE_2018_MOBILE, r)
    prefix = np.where(pre_2018, old, new)
    return [p + s for p, s in zip(prefix.tolist(), subscriber(rng, r), strict=True)]


def old_mobiles(rng: np.random.Generator, r: int) -> list[str]:
    """11-digit mobiles, mostly written plain, some grouped."""
    prefixes, w = old_prefixes()
    pre = np.array(prefixes)[rng.choice(len(prefixes), size=r, p=w)]
    style = rng.choice(3, size=r, p=[0.8, 0.1, 0.1])
    out = []
    for p, s, st in zip(pre.tolist(), subscriber(rng, r), style.tolist(), strict=True):
        if st == 0:
            out.append(p + s)
        elif st == 1:
            out.append(f"{p} {s[:3]} {s[3:]}")
        else:
            out.append(f"{p}.{s[:3]}.{s[3:]}")
    return out


def _landline_local(rng: np.random.Generator, r: int) -> list[str]:
    """Thanh Hóa 7-digit local numbers: 3 + [5-9] + 5 digits."""
    second = rng.integers(5, 10, size=r)
    rest = rng.integers(0, 100_000, size=r)
    return [f"3{a}{b:05d}" for a, b in zip(second.tolist(), rest.tolist(), strict=True)]


def landlines_037(rng: np.random.Generator, r: int) -> list[str]:
    """Pre-2017 Thanh Hóa landlines: '037 3851234', '0373851234', '(037) 3851234', '037.3851234'."""
    style = rng.choice(4, size=r, p=[0.45, 0.35, 0.1, 0.1])
    fmt = ("037 {}", "037{}", "(037) {}", "037.{}")
    return [fmt[s].format(n) for s, n in zip(style.tolist(), _landline_local(rng, r), strict=True)]


def landlines(rng: np.random.Generator, r: int) -> list[str]:
    """Current Thanh Hóa landlines: '0237 3851234', '02373851234', '0237.3851234'."""
    style = rng.choice(3, size=r, p=[0.6, 0.3, 0.1])
    fmt = ("0237 {}", "0237{}", "0237.{}")
    return [fmt[s].format(n) for s, n in zip(style.tolist(), _landline_local(rng, r), strict=True)]


def dotted(m: str) -> str:
    return f"{m[:4]}.{m[4:7]}.{m[7:]}"


def formatted(rng: np.random.Generator, m: list[str]) -> list[str]:
    """A valid mobile written with spaces, dots, dashes or the country code."""
    style = rng.integers(0, 7, size=len(m)).tolist()
    out = []
    for s, x in zip(style, m, strict=True):
        if s == 0:
            out.append(f"{x[:4]} {x[4:7]} {x[7:]}")
        elif s == 1:
            out.append(dotted(x))
        elif s == 2:
            out.append(f"{x[:4]}-{x[4:7]}-{x[7:]}")
        elif s == 3:
            out.append("+84" + x[1:])
        elif s == 4:
            out.append(f"+84 {x[1:4]} {x[4:7]} {x[7:]}")
        elif s == 5:
            out.append("84" + x[1:])
        else:
            out.append(f"(+84) {x[1:]}")
    return out


def excel_damaged(rng: np.random.Generator, m: list[str]) -> list[str]:
    """Excel dropped the leading zero ('912345678') or stored a float ('912345678.0')."""
    style = (rng.random(len(m)) < 0.4).tolist()
    return [x[1:] + ".0" if s else x[1:] for s, x in zip(style, m, strict=True)]


def several(rng: np.random.Generator, m1: list[str], m2: list[str]) -> list[str]:
    """Several numbers in one field."""
    r = len(m1)
    land = landlines(rng, r)
    style = rng.integers(0, 6, size=r).tolist()
    out = []
    for s, a, b, ll in zip(style, m1, m2, land, strict=True):
        if s == 0:
            out.append(f"{a} - {ll}")
        elif s == 1:
            out.append(f"{dotted(a)}/{dotted(b)}")
        elif s == 2:
            out.append(f"{a}; {b}")
        elif s == 3:
            out.append(f"{a}, {ll.replace(' ', '').replace('.', '')}")
        elif s == 4:
            out.append(f"{a} hoặc {b}")
        else:
            out.append(f"{ll} / {a}")
    return out


def relative(rng: np.random.Generator, m: list[str]) -> list[str]:
    """A relative's number, annotated: '0912345678 (vợ)', 'SĐT con trai: 0912345678'."""
    r = len(m)
    who = rng.integers(0, len(RELATIVES), size=r).tolist()
    style = rng.integers(0, 5, size=r).tolist()
    out = []
    for s, w, x in zip(style, who, m, strict=True):
        rel = RELATIVES[w]
        if s == 0:
            out.append(f"{x} ({rel})")
        elif s == 1:
            out.append(f"SĐT {rel}: {x}")
        elif s == 2:
            out.append(f"{x} - {rel}")
        elif s == 3:
            out.append(f"{rel.capitalize()}: {x}")
        else:
            out.append(f"ĐT {rel} {x}")
    return out

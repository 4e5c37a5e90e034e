"""ID numbers, issue places and e-mails as paper-era records hold them (docs/DOMAIN.md,
"Identity documents")."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib.resources import files

import numpy as np

from cmis_migrate.demo.names import fold

THANH_HOA_CCCD = "038"
THANH_HOA_CMND = "17"  # [assumed] prefix of CMNDs issued by Thanh Hóa police

# issue places as typed, by the authority that issued the card
PLACE_CMND = (
    "CA Thanh Hóa", "CA tỉnh Thanh Hoá", "Công an Thanh Hoa", "Công an tỉnh Thanh Hóa",
    "CA T.Hóa", "CA Thanh Hoá", "Công an Thanh Hóa",
)  # fmt: skip
PLACE_CCCD_2016 = (  # CCCD issued before 10/2018
    "Cục Cảnh sát ĐKQL cư trú và DLQG về dân cư", "Cục CS ĐKQL CT và DLQG về DC",
    "Cục Cảnh sát ĐKQL cư trú và dữ liệu quốc gia về dân cư",
)  # fmt: skip
PLACE_CCCD_2018 = (  # CCCD from 10/2018 to 6/2024
    "Cục CS QLHC về TTXH", "Cục Cảnh sát QLHC về TTXH",
    "Cục Cảnh sát quản lý hành chính về trật tự xã hội", "Cục trưởng Cục CS QLHC về TTXH",
    "CCS QLHC về TTXH",
)  # fmt: skip
PLACE_CAN_CUOC = ("Bộ Công an", "BCA", "Bộ CA")  # căn cước from 1/7/2024

PLACEHOLDERS = ("không có", "Không có", "n/a", "N/A", "-", "0", "kco", ".", "chưa có", "x")

EMAIL_DOMAINS = (("gmail.com", 75), ("yahoo.com", 10), ("yahoo.com.vn", 5), ("hotmail.com", 4), ("outlook.com", 3), ("icloud.com", 3))  # fmt: skip
EMAIL_TYPO_DOMAINS = (
    "gmail.con", "gmai.com", "gmial.com", "gmail.co", "yaho.com", "hotmail.con", "gmail.cm",
    "gmal.com", "yahoo.con",
)  # fmt: skip


@lru_cache(maxsize=1)
def other_cccd_provinces() -> tuple[str, ...]:
    """CCCD province codes other than Thanh Hóa's (people registered at birth elsewhere)."""
    path = files("cmis_migrate.data") / "cccd_province_codes.csv"
    with path.open(encoding="utf-8") as fh:
        return tuple(r["code"] for r in csv.DictReader(fh) if r["code"] != THANH_HOA_CCCD)


def century_sex_digit(birth_year: np.ndarray, male: np.ndarray) -> np.ndarray:
    """0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s ... (Circular 07/2016/TT-BCA)."""
    return 2 * ((birth_year - 1900) // 100) + (~male).astype(np.int64)


def unique_serials(ordinal: np.ndarray, space: int, offset: int) -> np.ndarray:
    """A different number in [0, space) for each customer ordinal below `space` (an affine
    bijection: real ID numbers are unique per person; random draws would collide by the
    thousand over a province)."""
    return (ordinal.astype(np.int64) * 3_141_593 + offset) % space


def cccd_numbers(
    rng: np.random.Generator,
    ordinal: np.ndarray,
    offset: int,
    birth_year: np.ndarray,
    male: np.ndarray,
    other_province: np.ndarray,
    inconsistent: np.ndarray,
) -> list[str]:
    """12-digit CCCDs; where `inconsistent`, the century digit or the year disagrees with the
    birth date (a wrong sex alone could not be seen: CMIS keeps no sex for a customer)."""
    r = len(birth_year)
    codes = other_cccd_provinces()
    province = np.where(
        other_province,
        np.array(codes)[rng.integers(0, len(codes), size=r)],
        THANH_HOA_CCCD,
    )
    digit = century_sex_digit(birth_year, male)
    yy = birth_year % 100
    wrong_year = rng.random(r) < 0.7
    shift = rng.integers(1, 10, size=r)
    digit = np.where(inconsistent & ~wrong_year, (digit + 2) % 10, digit)  # wrong century
    yy = np.where(inconsistent & wrong_year, (yy + shift) % 100, yy)  # typo in the year
    tail = unique_serials(ordinal, 1_000_000, offset)
    return [
        f"{p}{d}{y:02d}{t:06d}"
        for p, d, y, t in zip(
            province.tolist(), digit.tolist(), yy.tolist(), tail.tolist(), strict=True
        )
    ]


def cmnd_numbers(ordinal: np.ndarray, offset: int) -> list[str]:
    return [
        f"{THANH_HOA_CMND}{x:07d}" for x in unique_serials(ordinal, 10_000_000, offset).tolist()
    ]


def lost_zero(cccd: list[str]) -> list[str]:
    """What Excel makes of a CCCD typed as a number: '038085001234' -> '38085001234'."""
    return [c.lstrip("0") for c in cccd]


def scientific(cccd: list[str]) -> list[str]:
    """... and in a narrow column: '3.8085E+10' (the last digits are gone)."""
    return [f"{int(c):.4E}" for c in cccd]


def placeholders(rng: np.random.Generator, r: int) -> list[str]:
    return [PLACEHOLDERS[i] for i in rng.integers(0, len(PLACEHOLDERS), size=r).tolist()]


def issue_places(rng: np.random.Generator, kind: np.ndarray, mismatch: np.ndarray) -> list[str]:
    """kind per row: 0 CMND, 1 CCCD before 10/2018, 2 CCCD 10/2018..6/2024, 3 căn cước.

    Where `mismatch`, a CMND gets a CCCD authority and a card gets 'CA Thanh Hóa'.
    """
    tables = (PLACE_CMND, PLACE_CCCD_2016, PLACE_CCCD_2018, PLACE_CAN_CUOC)
    kind = np.where(mismatch, np.where(kind == 0, 2, 0), kind)
    pick = rng.integers(0, 1_000_000, size=len(kind)).tolist()
    return [tables[k][p % len(tables[k])] for k, p in zip(kind.tolist(), pick, strict=True)]


def emails(
    rng: np.random.Generator,
    family: list[str],
    given: list[str],
    middle: list[str],
    birth_year: np.ndarray,
    typo: np.ndarray,
) -> list[str]:
    """Addresses built from the holder's name; a domain typo where `typo`."""
    r = len(family)
    dom_w = np.array([d[1] for d in EMAIL_DOMAINS], dtype=float)
    dom = rng.choice(len(EMAIL_DOMAINS), size=r, p=dom_w / dom_w.sum()).tolist()
    typo_dom = rng.integers(0, len(EMAIL_TYPO_DOMAINS), size=r).tolist()
    style = rng.integers(0, 5, size=r).tolist()
    num = rng.integers(1, 999, size=r).tolist()
    out = []
    for f, g, m, y, s, n, d, td, t in zip(
        family, given, middle, (birth_year % 100).tolist(), style, num, dom, typo_dom,
        typo.tolist(), strict=True,
    ):  # fmt: skip
        fam, giv, mid = _fold(f), _fold(g), _fold(m)
        if s == 0:
            local = f"{fam}{mid}{giv}{y:02d}"
        elif s == 1:
            local = f"{giv}.{fam}{n}"
        elif s == 2:
            local = f"{giv}{fam[0]}{mid[0]}{y:02d}"
        elif s == 3:
            local = f"{fam}{giv}{n}"
        else:
            local = f"{giv}_{y:02d}{n}"
        out.append(f"{local}@{EMAIL_TYPO_DOMAINS[td] if t else EMAIL_DOMAINS[d][0]}")
    return out


_fold = lru_cache(maxsize=4096)(fold)

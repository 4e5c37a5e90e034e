"""Addresses as paper-era records write them: street part + pre-2025 commune and district.

Styles (drawn per field): 0 written out, 1 abbreviated (X. / P. / TT. / H. / TX. / TP.),
2 without diacritics, 3 NFD, 4 old tone placement (always ends in "Thanh Hoá"), 5 missing.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from cmis_migrate.demo.places import (
    BRANCHES,
    HAMLET_SIDES,
    HIGHLAND_VILLAGES,
    PROVINCE,
    URBAN_STREETS,
    VILLAGE_NAMES,
    Commune,
    communes,
)
from cmis_migrate.demo.text import nfd, old_tone, strip_diacritics

CLEAN, ABBREVIATED, NO_DIACRITICS, NFD, OLD_TONE, MISSING = range(6)

_LOWER = {
    "Xã": "xã", "Phường": "phường", "Thị trấn": "thị trấn",
    "Huyện": "huyện", "Thị xã": "thị xã", "Thành phố": "thành phố",
}  # fmt: skip
_ABBREV = {
    "Xã": ("X.", "x.", "X"), "Phường": ("P.", "Ph.", "P"), "Thị trấn": ("TT.", "Tt.", "TT"),
    "Huyện": ("H.", "h.", "H"), "Thị xã": ("TX.", "Tx.", "TX"), "Thành phố": ("TP.", "Tp.", "TP"),
}  # fmt: skip
_PROVINCE_FULL = (f", tỉnh {PROVINCE}", f", Tỉnh {PROVINCE}", f", {PROVINCE}")
_PROVINCE_ABBREV = (f", T. {PROVINCE}", f", {PROVINCE}", f" - {PROVINCE}", f", T.{PROVINCE}")


def _unit(kind: str, name: str, style: int, variant: int) -> str:
    if style == CLEAN:
        return f"{kind if variant % 2 else _LOWER[kind]} {name}"
    a = _ABBREV[kind][variant % 3]
    if a.endswith(".") and variant % 2:  # "X.Quảng Tâm" as often as "X. Quảng Tâm"
        return f"{a}{name}"
    return f"{a} {name}"


@cache
def admin_tail(commune: int, old: bool, abbreviated: bool, variant: int) -> str:
    """'xã Quảng Tâm, huyện Quảng Xương' / 'X. Quảng Tâm, H. Quảng Xương' (no province)."""
    c: Commune = communes()[commune]
    if old and c.old is not None:
        wt, w, dt, d = c.old.ward_type, c.old.ward, c.old.district_type, c.old.district
    else:
        wt, w, dt, d = c.ward_type, c.ward, c.district_type, c.district
    style = ABBREVIATED if abbreviated else CLEAN
    sep = " - " if abbreviated and variant % 4 == 3 else ", "
    return f"{_unit(wt, w, style, variant)}{sep}{_unit(dt, d, style, variant // 2)}"


def streets(rng: np.random.Generator, commune_idx: np.ndarray) -> list[str | None]:
    """A street part per row: house number and street in city wards, hamlets elsewhere."""
    r = len(commune_idx)
    cs = communes()
    kind = rng.integers(0, 1000, size=r).tolist()
    a = rng.integers(1, 16, size=r).tolist()
    b = rng.integers(1, 300, size=r).tolist()
    s = rng.integers(0, 1_000_000, size=r).tolist()
    out: list[str | None] = []
    for ci, k, x, n, pick in zip(commune_idx.tolist(), kind, a, b, s, strict=True):
        c = cs[ci]
        if k < 50:  # no street part at all
            out.append(None)
            continue
        k %= 6
        if c.urban and c.ward_type == "Phường":
            street = URBAN_STREETS[pick % len(URBAN_STREETS)]
            out.append(
                (
                    f"Số nhà {n} đường {street}",
                    f"SN {n} {street}",
                    f"Số {n}, ngõ {x} {street}",
                    f"Khu phố {x}",
                    f"Tổ {x + pick % 20}",
                    f"Tổ dân phố {x}",
                )[k]
            )
        elif c.urban:  # thị trấn
            out.append(
                (f"Tiểu khu {x}", f"Khu phố {x}", f"Tổ dân phố {x}", f"Tiểu khu {x}",
                 f"SN {n} Tiểu khu {x}", f"Khu {x}")[k]
            )  # fmt: skip
        elif BRANCHES[c.branch].highland:
            village = HIGHLAND_VILLAGES[pick % len(HIGHLAND_VILLAGES)]
            out.append(
                (f"Bản {village}", f"Bản {village}", f"Thôn {x}",
                 f"Làng {VILLAGE_NAMES[pick % len(VILLAGE_NAMES)]}", f"Bản {village}",
                 f"Thôn {VILLAGE_NAMES[pick % len(VILLAGE_NAMES)]}")[k]
            )  # fmt: skip
        else:
            out.append(
                (f"Thôn {x}", f"Xóm {HAMLET_SIDES[pick % len(HAMLET_SIDES)]}",
                 f"Thôn {VILLAGE_NAMES[pick % len(VILLAGE_NAMES)]}",
                 f"Làng {VILLAGE_NAMES[pick % len(VILLAGE_NAMES)]}", f"Đội {x}", f"Xóm {x}")[k]
            )  # fmt: skip
    return out


def format_addresses(
    rng: np.random.Generator,
    street: list[str | None],
    commune_idx: np.ndarray,
    old: np.ndarray,
    style: np.ndarray,
) -> list[str | None]:
    """Write each address in its style (see the module docstring)."""
    r = len(street)
    abbreviated = (rng.random(r) < 0.35) | (style == ABBREVIATED)
    variant = rng.integers(0, 8, size=r).tolist()
    province = rng.integers(0, 10, size=r).tolist()  # 0..3 no province, else one of the forms
    out: list[str | None] = []
    for st, ci, o, sty, ab, v, p in zip(
        street, commune_idx.tolist(), old.tolist(), style.tolist(), abbreviated.tolist(),
        variant, province, strict=True,
    ):  # fmt: skip
        if sty == MISSING:
            out.append(None)
            continue
        ab = ab and sty != CLEAN
        text = admin_tail(ci, o, ab, v)
        if st is not None:
            text = f"{st}, {text}"
        if sty == OLD_TONE or p >= 4:
            forms = _PROVINCE_ABBREV if ab else _PROVINCE_FULL
            text += forms[p % len(forms)]
        if sty == NO_DIACRITICS:
            text = strip_diacritics(text)
        elif sty == NFD:
            text = nfd(text)
        elif sty == OLD_TONE:
            text = old_tone(text)
        out.append(text)
    return out

"""ID issue place -> the canonical name of the issuing authority.

Matching is on a folded key (lowercase, no diacritics, no punctuation or spaces), so case,
tone placement (Hoá/Hóa), NFD input and dots in abbreviations do not matter.
- CMND: 'CA Thanh Hóa', 'CA tỉnh Thanh Hoá', 'Công an Thanh Hóa', 'CAT Thanh Hóa', or the bare
  province name -> 'Công an tỉnh Thanh Hóa' ('Công an thành phố ...' for the five cities).
- CCCD authorities: 'Cục CS QLHC về TTXH' (and 'C06') -> 'Cục Cảnh sát quản lý hành chính về
  trật tự xã hội'; 'Cục CS ĐKQL CT và DLQG về DC' -> 'Cục Cảnh sát đăng ký, quản lý cư trú và
  dữ liệu quốc gia về dân cư'; 'BCA' -> 'Bộ Công an'.
Status: ok when only spelling/case/spacing differ from the canonical name, fixed
(PLACE_EXPANDED) when abbreviations were expanded, invalid (PLACE_UNKNOWN) when unrecognised.
`place_kind` tells a provincial police (CMND, also 12-digit CMND) from a central authority
(CCCD, căn cước): identity.py uses it to tell a 12-digit CMND from a CCCD.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

from cmis_migrate.transforms.common import (
    TEXT,
    as_text,
    clean_text,
    distinct,
    finish,
    legacy_encoding,
)
from cmis_migrate.transforms.reference import cccd_provinces
from cmis_migrate.transforms.vn_fold import fold, tone_key

PROVINCIAL, CENTRAL, UNKNOWN_PLACE = "provincial", "central", ""

QLHC = "Cục Cảnh sát quản lý hành chính về trật tự xã hội"
DKQL = "Cục Cảnh sát đăng ký, quản lý cư trú và dữ liệu quốc gia về dân cư"
BCA = "Bộ Công an"

_CITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ"}
# spellings of provinces seen on paper beside the official names (folded, spaces removed)
_PROVINCE_ALIASES = {
    "hcm": "Hồ Chí Minh",
    "tphcm": "Hồ Chí Minh",
    "thanhphohochiminh": "Hồ Chí Minh",
    "saigon": "Hồ Chí Minh",
    "hue": "Thừa Thiên Huế",
    "tthue": "Thừa Thiên Huế",
    "brvt": "Bà Rịa–Vũng Tàu",
    "vungtau": "Bà Rịa–Vũng Tàu",
    "daclac": "Đắk Lắk",
    "dacnong": "Đắk Nông",
    "hanoi": "Hà Nội",
    "thoa": "Thanh Hóa",  # 'CA T.Hóa'
}


def _compact(text: str) -> str:
    return fold(text).replace(" ", "")


def _alternatives(*parts: tuple[str, ...]) -> set[str]:
    return {"".join(_compact(p) for p in combo) for combo in itertools.product(*parts)}


@lru_cache(maxsize=1)
def _central() -> dict[str, str]:
    table: dict[str, str] = {}
    cuc = ("cục", "c", "cục trưởng cục", "")
    cs = ("cảnh sát", "cs", "")
    for key in _alternatives(
        cuc, cs, ("quản lý hành chính", "qlhc"), ("về", "và", ""), ("trật tự xã hội", "ttxh")
    ):
        table[key] = QLHC
    for key in ("c06", "cucc06", "cuccsc06"):
        table[key] = QLHC
    for key in _alternatives(
        cuc,
        cs,
        ("đăng ký quản lý", "đkql", "dkql", "đk ql"),
        ("cư trú", "ct"),
        ("và", ""),
        ("dữ liệu quốc gia", "dlqg"),
        ("về", ""),
        ("dân cư", "dc"),
    ):
        table[key] = DKQL
    for key in ("bca", "bocongan", "boca"):
        table[key] = BCA
    return table


@lru_cache(maxsize=1)
def _provinces() -> dict[str, str]:
    names = {_compact(name): name for name in cccd_provinces().values()}
    names.update(_PROVINCE_ALIASES)
    return names


def provincial_police(province: str) -> str:
    kind = "thành phố" if province in _CITIES else "tỉnh"
    return f"Công an {kind} {province}"


_POLICE = re.compile(r"^(?:giam doc |truong )?(?:cong an|ca|c a|cat|catp|cap)\b\s*(?P<rest>.*)$")
_LEVEL = re.compile(r"^(?:tinh|t|thanh pho|tp|t p)\b\s*")


@lru_cache(maxsize=8192)
def canonical_place(text: str) -> tuple[str | None, str]:
    """(canonical name or None, kind) for one cleaned issue-place text."""
    key = _compact(text)
    if key in _central():
        return _central()[key], CENTRAL
    folded = fold(text)
    m = _POLICE.match(folded)
    rest = m["rest"] if m else folded
    for candidate in (rest, _LEVEL.sub("", rest)):
        province = _provinces().get(candidate.replace(" ", ""))
        if province is not None:
            return provincial_police(province), PROVINCIAL
    return None, UNKNOWN_PLACE


def _spelling_key(text: str) -> tuple[str, ...]:
    """Equal for texts that differ only in case, spacing, punctuation or tone-mark placement
    ('Hoá' / 'Hóa'), not for missing diacritics ('Hoa')."""
    return tuple(tone_key(w) for w in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text)))


def normalize_issue_places(values: pd.Series) -> pd.DataFrame:
    """normalized (canonical authority, or the cleaned text when unknown), status, issues,
    place_kind ('provincial' | 'central' | '')."""
    cleaned, placeholder = clean_text(as_text(values))
    codes_idx, uniques = distinct(cleaned)
    results = [canonical_place(u) for u in uniques]
    take = pa.array(np.where(codes_idx < 0, len(uniques), codes_idx))
    names = [r[0] if r[0] is not None else u for r, u in zip(results, uniques, strict=True)]
    normalized = pa.array(names + [None], type=TEXT).take(take)
    idx = np.where(codes_idx < 0, len(uniques), codes_idx)
    unknown = np.asarray([r[0] is None for r in results] + [False])[idx]
    expanded = np.asarray(
        [
            r[0] is not None and _spelling_key(r[0]) != _spelling_key(u)
            for r, u in zip(results, uniques, strict=True)
        ]
        + [False]
    )[idx]
    legacy = unknown & legacy_encoding(cleaned)
    codes = {
        "VALUE_PLACEHOLDER": placeholder,
        "TEXT_LEGACY_ENCODING": legacy,
        "PLACE_EXPANDED": expanded,
        "PLACE_UNKNOWN": unknown,
    }
    out = finish(values.index, normalized, codes, codes_idx < 0)
    kinds = np.asarray([r[1] for r in results] + [UNKNOWN_PLACE], dtype=object)[idx]
    out["place_kind"] = pd.Series(kinds, index=values.index, dtype="str")
    return out

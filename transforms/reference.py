"""Reference tables shipped in cmis_migrate.data, read once (package data, not user I/O)."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib.resources import files


def _rows(name: str) -> list[dict[str, str]]:
    text = (files("cmis_migrate.data") / name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(lines)]


@lru_cache(maxsize=1)
def mobile_prefixes_2018() -> dict[str, str]:
    """Old 11-digit mobile prefix (with 0, e.g. '0168') -> new 10-digit prefix ('038')."""
    return {r["old_prefix"]: r["new_prefix"] for r in _rows("mobile_prefix_2018.csv")}


@lru_cache(maxsize=1)
def landline_codes_2017() -> dict[str, str]:
    """Old landline area code (with 0, e.g. '037') -> new code ('0237')."""
    return {r["old_code"]: r["new_code"] for r in _rows("landline_area_codes_2017.csv")}


@lru_cache(maxsize=1)
def landline_rows_2017() -> tuple[tuple[str, str, str], ...]:
    """(province as the table writes it, old code, new code) rows of the 2017 renumbering."""
    return tuple(
        (r["province"], r["old_code"], r["new_code"]) for r in _rows("landline_area_codes_2017.csv")
    )


@lru_cache(maxsize=1)
def cccd_provinces() -> dict[str, str]:
    """CCCD 3-digit province code -> province name ('038' -> 'Thanh Hóa')."""
    return {r["code"]: r["province"] for r in _rows("cccd_province_codes.csv")}


@lru_cache(maxsize=1)
def email_domain_typos() -> dict[str, str]:
    """Mistyped e-mail domain -> the intended one ('gmail.con' -> 'gmail.com')."""
    return {r["typo"].lower(): r["domain"].lower() for r in _rows("email_domain_typos.csv")}


@lru_cache(maxsize=1)
def issue_place_aliases() -> list[dict[str, str]]:
    """Rows of data/issue_place_aliases.csv: alias (any spelling), canonical, kind."""
    return _rows("issue_place_aliases.csv")

"""Render one draft contract to HTML from the Jinja2 template kept in data/."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files

from jinja2 import Environment, StrictUndefined, select_autoescape

from cmis_migrate.contracts.draft import EXTRA_FIELDS
from cmis_migrate.db import as_utc

TEMPLATE = "contract_template.html.j2"
ID_LABELS = {"CCCD": "CCCD/căn cước", "CMND9": "CMND", "CMND12": "CMND"}
SELLER = {
    "name": "Công ty Điện lực Thanh Hóa (PC Thanh Hóa) - Tổng công ty Điện lực miền Bắc",
    "branch_name": "Điện lực trực thuộc",
    "hotline": "1900 6769",
}


def vn_date(value: object) -> str:
    """ISO date -> dd/mm/yyyy (Vietnamese day-first)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def vn_phone(value: object) -> str:
    """+84912345678 -> 0912 345 678."""
    text = str(value or "")
    if text.startswith("+84"):
        text = "0" + text[3:]
    return f"{text[:4]} {text[4:7]} {text[7:]}".strip() if len(text) == 10 else text


@lru_cache(maxsize=1)
def _template():
    env = Environment(autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined)
    env.filters["vn_date"] = vn_date
    env.filters["vn_phone"] = vn_phone
    return env.from_string(
        files("cmis_migrate.data").joinpath(TEMPLATE).read_text(encoding="utf-8")
    )


def render_contract(draft: dict, seller: dict | None = None) -> str:
    drafted = (
        as_utc(draft.get("drafted_at")) if isinstance(draft.get("drafted_at"), datetime) else None
    )
    return _template().render(
        d=draft,
        seller={**SELLER, **(seller or {})},
        id_label=ID_LABELS.get(draft.get("id_type") or "", "giấy tờ tùy thân"),
        drafted_on=vn_date(drafted) if drafted else "",
        extras=[
            (s.label, draft[s.contract_column])
            for s in EXTRA_FIELDS
            if draft.get(s.contract_column)
        ],
    )

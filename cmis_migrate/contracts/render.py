"""Render one draft contract to HTML from the Jinja2 template kept in data/.

The seller (Bên A) is the customer's district branch, named as CMIS names it (D_DVIQLY, kept
in the store's units table), under the company whose details come from config (company)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files

from jinja2 import Environment, StrictUndefined, select_autoescape

from cmis_migrate.config import CompanyConfig
from cmis_migrate.contracts.draft import EXTRA_FIELDS
from cmis_migrate.db import as_utc

TEMPLATE = "contract_template.html.j2"
ID_LABELS = {"CCCD": "CCCD/căn cước", "CMND9": "CMND", "CMND12": "CMND"}


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


def seller_of(draft: dict, unit_name: str | None, company: CompanyConfig) -> dict:
    """Bên A's details: the branch by its CMIS name (its code when CMIS gave none)."""
    unit = unit_name or f"Điện lực mã {draft.get('branch') or '?'}"
    return {**company.model_dump(), "company": company.name, "unit": unit}


def render_contract(
    draft: dict, *, unit_name: str | None = None, company: CompanyConfig | None = None
) -> str:
    """One draft (a row of the store's drafts table) as a signable HTML page."""
    drafted = (
        as_utc(draft.get("drafted_at")) if isinstance(draft.get("drafted_at"), datetime) else None
    )
    return _template().render(
        d=draft,
        seller=seller_of(draft, unit_name, company or CompanyConfig()),
        id_label=ID_LABELS.get(draft.get("id_type") or "", "giấy tờ tùy thân"),
        drafted_on=vn_date(drafted) if drafted else "",
        extras=[
            (s.label, draft[s.contract_column])
            for s in EXTRA_FIELDS
            if draft.get(s.contract_column)
        ],
    )

"""`drafts export`: the current draft contracts, one row per customer, customer_code first."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from cmis_migrate.contracts.draft import DRAFT_COLUMNS
from cmis_migrate.reports.private_files import write_private

# seller_unit: the branch's name from CMIS (D_DVIQLY), the seller of the contract (Bên A)
EXPORT_COLUMNS = (*DRAFT_COLUMNS, "seller_unit", "run_id", "drafted_at", "first_drafted_at")


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    data = frame.reindex(columns=list(EXPORT_COLUMNS)).astype(object)
    return data.where(data.notna(), None)


def export_drafts(frame: pd.DataFrame, out: Path) -> Path:
    """Write CSV (UTF-8 with BOM, so Excel shows Vietnamese) or XLSX (all cells as text)."""
    data = _prepared(frame)
    suffix = Path(out).suffix.lower()
    if suffix == ".csv":
        return write_private(out, lambda p: data.to_csv(p, index=False, encoding="utf-8-sig"))
    if suffix == ".xlsx":
        return write_private(out, lambda p: _write_xlsx(data, p))
    raise ValueError(f"{out}: use a .csv or .xlsx file name")


def export_drafts_csv(chunks: Iterable[pd.DataFrame], out: Path) -> Path:
    """The CSV export_drafts writes, from the drafts in pieces (drafts_chunks): same bytes,
    bounded memory."""

    def write(path: Path) -> None:
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            header = True
            for chunk in chunks:
                _prepared(chunk).to_csv(f, index=False, header=header)
                header = False
            if header:  # no drafts: the header alone, as export_drafts writes it
                _prepared(pd.DataFrame(columns=list(EXPORT_COLUMNS))).to_csv(f, index=False)

    return write_private(out, write)


def _write_xlsx(data: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("drafts")
    ws.append(list(data.columns))
    for row in data.itertuples(index=False):
        ws.append([None if v is None else str(v) for v in row])
    wb.save(path)

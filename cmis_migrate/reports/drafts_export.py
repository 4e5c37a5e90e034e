"""`drafts export`: the current draft contracts, one row per customer, customer_code first."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from cmis_migrate.contracts.draft import DRAFT_COLUMNS
from cmis_migrate.reports.private_files import write_private
from cmis_migrate.safe_cells import cell_value

EXPORT_COLUMNS = (*DRAFT_COLUMNS, "run_id", "drafted_at", "first_drafted_at")
# with "\n" rows, a CR inside a value is written unquoted and Excel starts a new row there
CRLF = "\r\n"


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    data = frame.reindex(columns=list(EXPORT_COLUMNS)).astype(object)
    data = data.where(data.notna(), None)
    return data.map(cell_value)  # a name like '=HYPERLINK(...)' arrives as text, not a formula


def export_drafts(frame: pd.DataFrame, out: Path) -> Path:
    """Write CSV (UTF-8 with BOM, so Excel shows Vietnamese) or XLSX (all cells as text)."""
    data = _prepared(frame)
    suffix = Path(out).suffix.lower()
    if suffix == ".csv":
        return write_private(
            out, lambda p: data.to_csv(p, index=False, encoding="utf-8-sig", lineterminator=CRLF)
        )
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
                _prepared(chunk).to_csv(f, index=False, header=header, lineterminator=CRLF)
                header = False
            if header:  # no drafts: the header alone, as export_drafts writes it
                empty = pd.DataFrame(columns=list(EXPORT_COLUMNS))
                _prepared(empty).to_csv(f, index=False, lineterminator=CRLF)

    return write_private(out, write)


def _text_cell(ws, text: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # a string, never a formula
    return cell


def _write_xlsx(data: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("drafts")
    ws.append(list(data.columns))
    for row in data.itertuples(index=False):
        ws.append([None if v is None else _text_cell(ws, str(v)) for v in row])
    wb.save(path)

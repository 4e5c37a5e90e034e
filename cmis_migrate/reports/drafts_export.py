"""`drafts export`: the current draft contracts, one row per customer, customer_code first.

After each run the CSV is written, only when the drafts changed since it was last written
(export_drafts_csv_if_changed), from its kept lines and the changed drafts (drafts_lines);
export_drafts_csv streams it whole from the store in pieces."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from datetime import date, tzinfo
from pathlib import Path

import pandas as pd

from cmis_migrate import safe_cells
from cmis_migrate.contracts.draft import DRAFT_COLUMNS
from cmis_migrate.reports.output_stamps import (
    code_digest,
    digest,
    file_stamp,
    read_stamp,
    write_stamp,
)
from cmis_migrate.reports.private_files import write_private
from cmis_migrate.safe_cells import cell_value, cell_values
from cmis_migrate.store import queries

# seller_unit: the branch's name from CMIS (D_DVIQLY), the seller of the contract (Bên A)
EXPORT_COLUMNS = (*DRAFT_COLUMNS, "seller_unit", "run_id", "drafted_at", "first_drafted_at")
# Vietnamese labels of the XLSX header (each ends with its key); a column not here shows its key
LABELS = {
    "customer_code": "Mã khách hàng",
    "contract_no": "Số hợp đồng",
    "branch": "Chi nhánh",
    "station": "Mã trạm",
    "ledger": "Sổ GCS",
    "holder_name": "Họ và tên",
    "households": "Số hộ",
    "id_number": "Số CMND/CCCD",
    "id_type": "Loại giấy tờ",
    "id_issue_date": "Ngày cấp",
    "id_issue_place": "Nơi cấp",
    "address": "Địa chỉ",
    "supply_address": "Địa chỉ cấp điện",
    "metering_point": "Mã điểm đo",
    "meter_no": "Số công tơ",
    "reading_day": "Ngày ghi chỉ số",
    "otp_phone": "Điện thoại nhận OTP",
    "email": "Email",
    "paper_contract_no": "Số hợp đồng giấy",
    "seller_unit": "Đơn vị bán điện",
    "run_id": "Lần chạy",
    "drafted_at": "Lập dự thảo lúc",
    "first_drafted_at": "Lập lần đầu lúc",
}
DATE_COLUMNS = ("id_issue_date",)  # ISO text in the store: a date in the workbook
# with "\n" rows, a CR inside a value is written unquoted and Excel starts a new row there
CRLF = "\r\n"


def _columns(frame: pd.DataFrame) -> pd.DataFrame:
    data = frame.reindex(columns=list(EXPORT_COLUMNS)).astype(object)
    return data.where(data.notna(), None)


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    # a name like '=HYPERLINK(...)' arrives as text, not a formula
    return _columns(frame).map(cell_value)


def export_drafts(frame: pd.DataFrame, out: Path, tz: tzinfo | None = None) -> Path:
    """Write CSV (UTF-8 with BOM, so Excel shows Vietnamese) or XLSX (formatted like the review
    workbook: Vietnamese headers, widths, frozen header, filter, dates as dates, `tz` times)."""
    suffix = Path(out).suffix.lower()
    if suffix == ".csv":
        data = _prepared(frame)
        return write_private(
            out, lambda p: data.to_csv(p, index=False, encoding="utf-8-sig", lineterminator=CRLF)
        )
    if suffix == ".xlsx":  # its cell writer neutralizes (once) as the review workbook's does
        return write_private(out, lambda p: _write_xlsx(_columns(frame), p, tz))
    raise ValueError(f"{out}: use a .csv or .xlsx file name")


def export_drafts_csv(parts: Iterable[Iterable[Sequence]], out: Path) -> Path:
    """The CSV export_drafts writes, byte for byte (pandas writes it with the csv module, in
    this dialect), from rows in EXPORT_COLUMNS order in pieces (store.queries.drafts_rows):
    streamed, bounded memory, no frame."""

    def write(path: Path) -> None:
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f, lineterminator=CRLF)  # ",", '"', minimal quoting: to_csv's
            writer.writerow(EXPORT_COLUMNS)
            for part in parts:
                writer.writerows(cell_values(row) for row in part)

    return write_private(out, write)


def kept_lines_path(out: Path) -> Path:
    """The hidden file beside the CSV keeping its lines (drafts_lines.py)."""
    return Path(out).with_name(f".{Path(out).name}.lines.arrow")


def csv_code_key() -> str:
    """What the CSV's bytes depend on besides the drafts: its columns and the code that writes
    it (this module, drafts_lines, safe_cells, the store's queries)."""
    here = Path(__file__)
    code = code_digest(
        here, here.with_name("drafts_lines.py"), Path(safe_cells.__file__), Path(queries.__file__)
    )
    return digest(EXPORT_COLUMNS, code)


def stamp_path(out: Path) -> Path:
    """The hidden file beside the CSV saying what it was written from."""
    return Path(out).with_name(f".{Path(out).name}.stamp.json")


def export_drafts_csv_if_changed(state: object, write: Callable[[Path], object], out: Path) -> bool:
    """Write the CSV (write(out): drafts_lines.export_drafts_csv_lines) unless the file at
    `out` was written from the same drafts, `state` (store.queries.drafts_state, read BEFORE the drafts:
    drafts that change in between only cost a rewrite next time), by the same code and is
    still as written. True when written. The stamp is removed before the CSV is replaced and
    written after it, so a crash in between leaves no stamp: the next publish writes the CSV."""
    out = Path(out)
    sidecar = stamp_path(out)
    signature = digest(state, csv_code_key())
    stamp = read_stamp(sidecar)
    if stamp.get("digest") == signature and stamp.get("file") == file_stamp(out):
        return False
    sidecar.unlink(missing_ok=True)
    write(out)
    write_stamp(sidecar, {"digest": signature, "file": file_stamp(out)})
    return True


def _iso_date(value: object) -> object:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _write_xlsx(data: pd.DataFrame, path: Path, tz: tzinfo | None) -> None:
    from openpyxl import Workbook

    from cmis_migrate.reports.sheet_style import (
        header_cells,
        labelled,
        setup_table,
        value_cell,
        widths_for,
    )

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Dự thảo hợp đồng")
    heads = [labelled(c, LABELS) for c in data.columns]
    sample = data.head(200).itertuples(index=False)
    setup_table(ws, widths_for(heads, sample), len(data))
    ws.append(header_cells(ws, heads))
    dates = {data.columns.get_loc(c) for c in DATE_COLUMNS if c in data.columns}
    for row in data.itertuples(index=False):
        ws.append(
            [value_cell(ws, _iso_date(v) if j in dates else v, tz) for j, v in enumerate(row)]
        )
    wb.save(path)

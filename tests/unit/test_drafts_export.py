"""`drafts export --out x.xlsx`: formatted like the review workbook, no formula out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl import load_workbook

from cmis_migrate.reports.drafts_export import EXPORT_COLUMNS, export_drafts
from cmis_migrate.reports.review_layout import header_key


def test_xlsx_export_has_keyed_headers_dates_local_times_and_no_formulas(tmp_path) -> None:
    frame = pd.DataFrame(
        [
            {
                "customer_code": "PA07010000001",
                "holder_name": '=HYPERLINK("http://evil","x")',
                "households": 2,
                "id_issue_date": "2021-03-25",
                "otp_phone": "+84912345678",
                "drafted_at": datetime(2026, 3, 10, 17, 30, tzinfo=UTC),
            }
        ]
    )
    out = export_drafts(frame, tmp_path / "d.xlsx", ZoneInfo("Asia/Ho_Chi_Minh"))
    ws = load_workbook(out).active
    heads = [c.value for c in ws[1]]
    assert [header_key(h) for h in heads] == list(EXPORT_COLUMNS)
    assert "Họ và tên (holder_name)" in heads
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.fitToWidth == 1
    row = {header_key(h): c for h, c in zip(heads, ws[2], strict=True)}
    assert row["holder_name"].value == "'" + frame.loc[0, "holder_name"]
    assert row["holder_name"].data_type == "s"
    assert row["households"].value == 2
    assert row["otp_phone"].value == "'+84912345678"  # text, never a formula or a number
    assert row["id_issue_date"].value.date() == date(2021, 3, 25)
    assert row["id_issue_date"].number_format == "dd/mm/yyyy"
    assert row["drafted_at"].value == datetime(2026, 3, 11, 0, 30)  # local time
    assert all(ws.column_dimensions[c].width for c in "ABC")

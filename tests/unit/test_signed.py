"""Signing results: parsing signed_at, checking rows, matching them with the store (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from cmis_migrate.errors import InputFileError
from cmis_migrate.signed import check_columns, decide, parse_rows, parse_signed_at
from cmis_migrate.tabular_files import cell_text, read_table

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-10-05T14:30", datetime(2026, 10, 5, 7, 30, tzinfo=UTC)),
        ("2026-10-05 14:30:15", datetime(2026, 10, 5, 7, 30, 15, tzinfo=UTC)),
        ("2026-10-05T14:30+00:00", datetime(2026, 10, 5, 14, 30, tzinfo=UTC)),
        ("2026-10-05T14:30Z", datetime(2026, 10, 5, 14, 30, tzinfo=UTC)),
        ("2026-10-05", datetime(2026, 10, 4, 17, 0, tzinfo=UTC)),
        ("05/10/2026", datetime(2026, 10, 4, 17, 0, tzinfo=UTC)),  # day first: 5 October
        ("5/10/2026 14:30", datetime(2026, 10, 5, 7, 30, tzinfo=UTC)),
        (" 31/10/2026 23:30:00 ", datetime(2026, 10, 31, 16, 30, tzinfo=UTC)),
    ],
)
def test_parse_signed_at(text: str, utc: datetime) -> None:
    assert parse_signed_at(text, VN) == utc


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "missing"),
        ("31/02/2026", "not a real date"),
        ("2026-13-01", "not a real date"),
        ("10/5/26", "not a date and time"),
        ("20261005", "not a date and time"),
        ("yesterday", "not a date and time"),
        ("05/10/2026 25:00", "not a real date"),
    ],
)
def test_parse_signed_at_rejects(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_signed_at(text, VN)


@given(st.text(max_size=30))
def test_parse_signed_at_never_crashes(text: str) -> None:
    try:
        moment = parse_signed_at(text, VN)
    except ValueError:
        return
    assert moment.tzinfo is UTC


def table(rows: list[tuple[str, str]], start: int = 2) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_code", "signed_at"], dtype="str")
    frame.index = range(start, start + len(rows))
    return frame


def test_parse_rows_rejects_with_reasons() -> None:
    t = table(
        [
            ("PA0701000001", "05/10/2026 14:30"),
            ("", "05/10/2026"),
            ("0912345678", "05/10/2026"),  # a phone in the code column: never echoed
            ("pa0701000002", "31/02/2026"),
            ("PA0701000003", "28/11/2026 08:00"),  # tomorrow: future
            ("PA0701000001", "06/10/2026"),  # repeated customer
        ]
    )
    parsed = parse_rows(t, "s.csv", VN, NOW)
    assert parsed.valid["customer_code"].tolist() == ["PA0701000001"]
    assert parsed.valid["row"].tolist() == [2]
    rej = parsed.rejected.set_index("row")
    assert rej["field"].to_dict() == {
        3: "customer_code",
        4: "customer_code",
        5: "signed_at",
        6: "signed_at",
        7: "customer_code",
    }
    assert rej.loc[4, "customer_code"] == ""
    assert "0912345678" not in " ".join(rej["reason"])
    assert rej.loc[5, "customer_code"] == "PA0701000002"
    assert "in the future" in rej.loc[6, "reason"]
    assert "already listed in row 2" in rej.loc[7, "reason"]
    assert (rej["file"] == "s.csv").all()


def test_missing_column_is_a_file_error() -> None:
    bad = pd.DataFrame({"customer_code": ["PA0701000001"], "signed": ["x"]}, index=[2])
    with pytest.raises(InputFileError) as info:
        check_columns(bad, "s.csv")
    assert (info.value.file, info.value.row, info.value.field) == ("s.csv", 1, "signed_at")


def test_decide_against_the_store() -> None:
    t = table(
        [
            ("PA0701000001", "05/10/2026 14:30"),  # drafted: applied
            ("PA0701000002", "05/10/2026 14:30"),  # known customer, no draft
            ("PA0799999999", "05/10/2026 14:30"),  # unknown
            ("PA0701000004", "2026-10-01T09:00+07:00"),  # already signed at that time
            ("PA0701000005", "05/10/2026 14:30"),  # already signed at another time
            ("PA0701000006", "01/09/2026 08:00"),  # signed before it was drafted
        ]
    )
    parsed = parse_rows(t, "s.csv", VN, NOW)
    drafted = datetime(2026, 9, 20, 15, 0, tzinfo=UTC)
    codes = ["PA0701000001", "PA0701000004", "PA0701000005", "PA0701000006"]
    drafts = pd.DataFrame(
        {
            "customer_code": codes,
            "branch": "PA0701",
            "contract_no": [f"HD{c}" for c in codes],
            "paper_contract_no": ["12/HĐ-TPTH", None, "", "x"],
            "first_drafted_at": [drafted.replace(tzinfo=None)] * 4,  # as SQLite returns it
        }
    )
    before = pd.DataFrame(
        {
            "customer_code": ["PA0701000004", "PA0701000005"],
            "signed_at": [datetime(2026, 10, 1, 2, 0), datetime(2026, 10, 1, 2, 0)],
            "import_id": ["imp-1", "imp-1"],
        }
    )
    d = decide(
        parsed,
        "s.csv",
        VN,
        known_customers={*codes, "PA0701000002"},
        drafts=drafts,
        signed_before=before,
    )
    assert d.apply[["customer_code", "contract_no", "paper_contract_no"]].values.tolist() == [
        ["PA0701000001", "HDPA0701000001", "12/HĐ-TPTH"]
    ]
    assert d.unchanged["customer_code"].tolist() == ["PA0701000004"]
    reasons = d.rejected.set_index("customer_code")["reason"].to_dict()
    assert set(reasons) == {"PA0701000002", "PA0799999999", "PA0701000005", "PA0701000006"}
    assert "no draft contract" in reasons["PA0701000002"]
    assert "unknown customer" in reasons["PA0799999999"]
    assert "already signed at 2026-10-01 09:00 (import imp-1)" in reasons["PA0701000005"]
    assert "signed before the contract was drafted (2026-09-20 22:00)" in reasons["PA0701000006"]
    assert d.rejected["row"].tolist() == sorted(d.rejected["row"])


# ---- reading files as text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (120, "120"),
        (120.0, "120"),
        (12.5, "12.5"),
        (True, "TRUE"),
        (datetime(2026, 9, 1), "2026-09-01"),
        (datetime(2026, 10, 5, 14, 30), "2026-10-05T14:30:00"),
        (date(2026, 10, 5), "2026-10-05"),
        (time(14, 30), "14:30:00"),
        ("Hoa\u0300", "Hoà"),  # NFD -> NFC
    ],
)
def test_cell_text(value, text: str) -> None:
    assert cell_text(value) == text


def test_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text('a,b\n\n1,"two\nlines"\n3,\n', encoding="utf-8")
    frame = read_table(f)
    # Excel keeps a quoted line break inside its cell: "3," is on spreadsheet row 4
    assert frame.index.tolist() == [3, 4]
    assert frame.loc[3, "b"] == "two\nlines" and frame.loc[4, "b"] == ""

    wb = Workbook()
    ws = wb.active
    ws["B2"], ws["C2"] = "a", "b"
    ws["B4"], ws["C4"] = "PA0701000001", datetime(2026, 10, 5, 14, 30)
    wb.save(tmp_path / "s.xlsx")
    frame = read_table(tmp_path / "s.xlsx")
    assert frame.index.tolist() == [4]
    assert frame.loc[4, "b"] == "2026-10-05T14:30:00"

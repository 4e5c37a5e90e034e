from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pandas as pd
import pytest

from cmis_migrate.errors import InputFileError
from cmis_migrate.tabular_files import cell_text, read_table, write_table


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("0912345678", "0912345678"),
        (912345678, "912345678"),
        (912345678.0, "912345678"),
        (38085001234.0, "38085001234"),
        (1.5, "1.5"),
        (True, "true"),
        (Decimal("12.50"), "12.50"),
        (datetime(2021, 3, 12), "2021-03-12"),
        (datetime(2021, 3, 12, 8, 30), "2021-03-12 08:30:00"),
        (date(2021, 3, 12), "2021-03-12"),
        (time(8, 30), "08:30:00"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_csv_cells_stay_text(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text(
        "phone,id_number,d\n0912345678,038085001234,2021-03-12\n912345678.0,3.8085E+10,44231\n",
        encoding="utf-8",
    )
    df = read_table(p, expected=["phone"])
    assert df.to_dict("list") == {
        "phone": ["0912345678", "912345678.0"],
        "id_number": ["038085001234", "3.8085E+10"],
        "d": ["2021-03-12", "44231"],
    }
    assert all(str(t) == "str" for t in df.dtypes)


def test_bom_header_and_quoted_newlines(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes('\ufeffphone,address\n0912345678,"Thôn 3,\nXã Hà Bình"\n'.encode())
    df = read_table(p, expected=["phone"])
    assert list(df.columns) == ["phone", "address"]
    assert df.loc[0, "address"] == "Thôn 3,\nXã Hà Bình"


def test_ragged_rows_are_kept_and_reported(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("phone,email\n1,2,3\n4\n\n5,6\n", encoding="utf-8")
    problems: list[str] = []
    df = read_table(p, expected=["phone"], problems=problems)
    assert df["phone"].tolist() == ["1", "4", "5"]
    assert df["email"].tolist() == ["2", "", "6"]
    assert df["extra_cells"].tolist() == ["3", "", ""]
    assert len(problems) == 2 and "row 2" in problems[0] and "row 3" in problems[1]
    assert "field 'email'" in problems[1]


def test_error_names_file_and_row(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(b"phone\n0912\n\xff\n")
    with pytest.raises(InputFileError) as err:
        read_table(p, expected=["phone"])
    assert str(p) in str(err.value) and "line 3" in str(err.value)


def test_write_then_read_both_formats(tmp_path):
    df = pd.DataFrame(
        {"phone": ["0912345678", None], "ok": [True, False], "x": ["=SUM(A1)", "a\x01b"]}
    )
    for name in ("o.csv", "o.xlsx"):
        write_table(df, tmp_path / name)
        back = read_table(tmp_path / name)
        assert back["phone"].tolist() == ["0912345678", ""]
        assert back["ok"].tolist() == ["true", "false"]
        assert back["x"].iloc[0] == "=SUM(A1)"

"""normalize-file as a user runs it: CSV and XLSX round trips, malformed files."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from cmis_migrate.cli.app import _register, app
from cmis_migrate.safe_cells import unneutralize
from cmis_migrate.transforms import FIELDS

_register()
runner = CliRunner()

HEADER = [
    "customer_code", "full_name", "address", "phone", "email", "id_number",
    "id_issue_date", "id_issue_place", "birth_date", "contract_date",
]  # fmt: skip
ROWS = [
    ["PA07010000001", "đỗ đức thắng", "Thôn 3, Xã Hà Bình, Huyện Hà Trung, Tỉnh Thanh Hóa", "0373851234",
     "thang@gmail.con", "038085001234", "12/03/2021", "Cục CS QLHC về TTXH", "01/02/1985", "02/05/2016"],
    ["PA07010000002", "NGUYỄN VĂN AN", "", "0912 345 678 - 0237 3851234", "", "172345678", "44231",
     "CA Thanh Hóa", "", ""],
    ["PA07010000003", "Lê Thị Hoà", "không có", "01689876543", "n/a", "3.8085E+10", "31/02/2020", "", "", ""],
]  # fmt: skip
RESULT_COLUMNS = [f"{f}_{p}" for f in FIELDS for p in ("normalized", "status", "issues")] + [
    "phone_type", "phone_secondary", "id_type", "address_ward", "address_province", "otp_ready",
]  # fmt: skip


def run(*args: str):
    return runner.invoke(app, ["normalize-file", *map(str, args)])


def write_csv(path: Path, rows, header=HEADER, encoding="utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    """The cells as written, less the apostrophe that keeps formula-like text (E.164 phones
    start with '+') from running as a formula (checked in tests/hostile)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [{k: unneutralize(v) for k, v in r.items()} for r in csv.DictReader(f)]


def read_xlsx(path: Path) -> list[dict[str, object]]:
    book = load_workbook(path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    header = rows[0]
    return [
        {k: unneutralize(v) if isinstance(v, str) else v for k, v in zip(header, r, strict=True)}
        for r in rows[1:]
    ]


def check_result(rows: list[dict]) -> None:
    assert len(rows) == 3
    first, second, third = rows
    assert first["full_name_normalized"] == "Đỗ Đức Thắng"
    assert first["phone_normalized"] == "+842373851234"  # dated 2016: the old landline
    assert first["phone_status"] == "fixed"
    assert first["email_normalized"] == "thang@gmail.com"
    assert first["id_number_normalized"] == "038085001234"
    assert first["id_issue_date_normalized"] == "2021-03-12"
    assert first["id_issue_place_normalized"] == "Cục Cảnh sát quản lý hành chính về trật tự xã hội"
    assert first["address_province"] == "Tỉnh Thanh Hóa"
    assert first["otp_ready"] == "false"
    assert second["phone_normalized"] == "+84912345678"
    assert second["phone_secondary"] == "+842373851234"
    assert second["otp_ready"] == "true"
    assert second["id_type"] == "CMND9"
    assert second["id_issue_date_normalized"] == "2021-02-04"
    assert third["phone_normalized"] == "+84389876543"
    assert third["id_number_status"] == "invalid"
    assert third["email_status"] == "missing"
    assert third["id_issue_date_status"] == "invalid"


@pytest.mark.parametrize("out_name", ["out.csv", "out.xlsx"])
def test_csv_round_trip(tmp_path, out_name):
    src = write_csv(tmp_path / "in.csv", ROWS)
    result = run(src, "--out", tmp_path / out_name)
    assert result.exit_code == 0, result.output
    out = tmp_path / out_name
    rows = read_csv(out) if out_name.endswith(".csv") else read_xlsx(out)
    assert list(rows[0]) == HEADER + RESULT_COLUMNS
    for written, original in zip(rows, ROWS, strict=True):  # input columns unchanged
        assert [written[c] or "" for c in HEADER] == original
        assert all(isinstance(v, str) or v is None for v in written.values())
    check_result([{k: (v or "") for k, v in r.items()} for r in rows])


def test_xlsx_round_trip_keeps_numbers_as_their_digits(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([
        "PA07010000001", "đỗ đức thắng", "Thôn 3, Xã Hà Bình, Huyện Hà Trung, Tỉnh Thanh Hóa", 373851234,
        "thang@gmail.con", 38085001234, datetime(2021, 3, 12), "Cục CS QLHC về TTXH",
        datetime(1985, 2, 1), "02/05/2016",
    ])  # fmt: skip
    sheet.append([
        "PA07010000002", "NGUYỄN VĂN AN", None, "0912 345 678 - 0237 3851234", None, 172345678.0, 44231,
        "CA Thanh Hóa", None, None,
    ])  # fmt: skip
    sheet.append(
        [
            "PA07010000003",
            "Lê Thị Hoà",
            "không có",
            "01689876543",
            "n/a",
            "3.8085E+10",
            "31/02/2020",
        ]
    )
    src = tmp_path / "in.xlsx"
    book.save(src)
    result = run(src, "--out", tmp_path / "out.xlsx")
    assert result.exit_code == 0, result.output
    rows = read_xlsx(tmp_path / "out.xlsx")
    # numbers came in as the digits Excel held, dates as ISO text
    assert rows[0]["phone"] == "373851234"
    assert rows[0]["id_number"] == "38085001234"
    assert rows[0]["id_issue_date"] == "2021-03-12"
    assert rows[1]["id_number"] == "172345678"
    assert rows[1]["id_issue_date"] == "44231"
    check_result([{k: (v or "") for k, v in r.items()} for r in rows])
    # the row with fewer cells was kept, its missing cells read as empty
    assert rows[2]["contract_date"] in ("", None)


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    src = write_csv(
        tmp_path / "in.csv", [["PA1", "=1+1", "", "0912345678", "", "", "", "", "", ""]]
    )
    assert run(src, "--out", tmp_path / "out.xlsx").exit_code == 0
    book = load_workbook(tmp_path / "out.xlsx")
    cell = book.worksheets[0]["B2"]
    assert (cell.value, cell.data_type) == ("'=1+1", "s")  # visible text, never a formula
    assert read_xlsx(tmp_path / "out.xlsx")[0]["full_name"] == "=1+1"


def test_missing_optional_columns_are_allowed(tmp_path):
    src = write_csv(tmp_path / "in.csv", [["PA1", "0912345678"]], header=["customer_code", "phone"])
    result = run(src, "--out", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    row = read_csv(tmp_path / "out.csv")[0]
    assert list(row) == ["customer_code", "phone", *RESULT_COLUMNS]
    assert (row["phone_normalized"], row["full_name_status"], row["otp_ready"]) == (
        "+84912345678",
        "missing",
        "true",
    )


def test_a_bad_row_does_not_stop_the_others(tmp_path):
    rows = [ROWS[0], [*ROWS[1], "stray", "cells"], ROWS[2][:4]]
    src = write_csv(tmp_path / "in.csv", rows)
    result = run(src, "--out", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    out = read_csv(tmp_path / "out.csv")
    assert len(out) == 3
    assert out[1]["extra_cells"] == "stray | cells"
    assert out[2]["phone_normalized"] == "+84389876543"
    assert "row 3" in result.output and "row 4" in result.output
    # each row carries what was wrong with it as read, so nothing is lost downstream
    assert out[0]["row_problems"] == ""
    assert "more cells than the header" in out[1]["row_problems"]
    assert out[2]["row_problems"].startswith("email: ")


def test_legacy_font_cells_are_converted_then_normalized(tmp_path):
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.append(["customer_code", "full_name", "address"])
    sheet.append(["PA1", "nguyÔn v¨n an", "Th«n 3, x· Hµ B×nh, huyÖn Hµ Trung"])
    sheet.append(["PA2", "Nguyeãn Vaên Bình", "Thoân 3, xaõ Haø Bình, huyeän Haø Trung"])
    sheet.append(["PA3", "NguyÔn V¨n C­êng", ""])  # mojibake in a Unicode font: flagged
    for col in (2, 3):
        sheet.cell(2, col).font = Font(name=".VnTime")
        sheet.cell(3, col).font = Font(name="VNI-Times")
    book.save(tmp_path / "in.xlsx")
    result = run(tmp_path / "in.xlsx", "--out", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert "4 cells typed in TCVN3/VNI fonts" in result.output
    out = read_csv(tmp_path / "out.csv")
    assert [r["full_name"] for r in out[:2]] == ["nguyễn văn an", "Nguyễn Văn Bình"]
    assert [r["full_name_normalized"] for r in out[:2]] == ["Nguyễn Văn An", "Nguyễn Văn Bình"]
    assert out[0]["address_ward"] == out[1]["address_ward"] != ""
    assert "TEXT_LEGACY_ENCODING" not in out[0]["address_issues"]
    assert (out[2]["full_name_status"], out[2]["full_name_issues"]) == (
        "invalid",
        "TEXT_LEGACY_ENCODING",
    )


def test_semicolon_separated_csv(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("customer_code;phone\nPA1;0912345678\n", encoding="utf-8")
    assert run(src, "--out", tmp_path / "out.csv").exit_code == 0
    assert read_csv(tmp_path / "out.csv")[0]["phone_normalized"] == "+84912345678"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n\n  \n", "empty"),
        ("nohead.csv", b"PA1,0912345678\nPA2,0987654321\n", "no header row"),
        (
            "latin.csv",
            "customer_code,full_name\nPA1,Nguyễn\n".encode("cp1258", errors="replace") + b"\xff",
            "not UTF-8",
        ),
        ("broken.xlsx", b"this is not a zip file", "not a readable .xlsx"),
        ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "97-2003"),
        ("cut.xlsx", b"PK\x03\x04" + bytes(100), "damaged"),
        ("binary.csv", bytes(range(256)) + bytes(3000), "binary"),
        ("dupes.csv", b"phone,Phone\n1,2\n", "twice"),
        ("in.xls", b"whatever", "unsupported file type"),
    ],
)
def test_malformed_files_give_one_clear_line_and_exit_2(tmp_path, name, content, message):
    src = tmp_path / name
    src.write_bytes(content)
    result = run(src, "--out", tmp_path / "out.csv")
    assert result.exit_code == 2
    assert message in result.output
    assert name in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.csv").exists()


def test_missing_input_file(tmp_path):
    result = run(tmp_path / "nope.csv", "--out", tmp_path / "out.csv")
    assert result.exit_code == 2 and "not found" in result.output


def test_output_must_not_overwrite_the_input(tmp_path):
    src = write_csv(tmp_path / "in.csv", ROWS)
    result = run(src, "--out", src)
    assert result.exit_code == 2
    assert read_csv(src)[0]["phone"] == "0373851234"


def test_bad_config_is_a_clean_error(tmp_path):
    src = write_csv(tmp_path / "in.csv", ROWS)
    cfg = tmp_path / "config.yaml"
    cfg.write_text("rules: {nope: 1}\n", encoding="utf-8")
    result = runner.invoke(
        app, ["normalize-file", str(src), "--out", str(tmp_path / "o.csv"), "--config", str(cfg)]
    )
    assert result.exit_code == 2 and "nope" in result.output


def test_config_rules_are_used(tmp_path):
    src = write_csv(
        tmp_path / "in.csv", [["PA1", "", "", "0373851234", "", "", "", "", "", "2016-05-02"]]
    )
    cfg = tmp_path / "config.yaml"
    cfg.write_text("rules: {mobile_renumbering_date: 2015-01-01}\n", encoding="utf-8")
    result = runner.invoke(
        app, ["normalize-file", str(src), "--out", str(tmp_path / "o.csv"), "-c", str(cfg)]
    )
    assert result.exit_code == 0, result.output
    assert read_csv(tmp_path / "o.csv")[0]["phone_type"] == "mobile"


def test_rerun_on_a_result_file_is_refused(tmp_path):
    src = write_csv(tmp_path / "in.csv", ROWS)
    assert run(src, "--out", tmp_path / "out.csv").exit_code == 0
    result = run(tmp_path / "out.csv", "--out", tmp_path / "again.csv")
    assert result.exit_code == 2 and "already has result columns" in result.output


# ---------------------------------------------------------------- vectorized I/O, same output

DIRTY_HEADER = [*HEADER, "supply_address", "ghi chú", "", ""]  # two unnamed, empty columns
DIRTY_ROWS = [
    ["PA07010000001", "NguyÔn V¨n An", "Th«n 3, x· Hµ B×nh, huyÖn Hµ Trung", "0912 345 678",
     "", "172345678", "12/03/2011", "CA Thanh Hóa", "01/02/1985", "02/05/2016", "", "TCVN3", "", ""],
    ["PA07010000002", '=HYPERLINK("http://x","bấm")', "Thôn 3;\nXã Hà Bình, Huyện Hà Trung",
     "+84912345678", "@evil", "-038085001234", "+1", "\tCục CS", "", "", "'=1+1", "'@a", "", ""],
    ["", "", "", "", "", "", "", "", "", "", "", "", "", ""],  # an empty row, dropped
    ["PA07010000003", "Nguye\u0302\u0303n Va\u0306n B", "Xã Hà Bình, Hà Trung, Thanh Hóa",
     "0373851234 (con)", "a@b.c", "38085001234", "2021", "Cục Cảnh sát QLHC về TTXH",
     "1985", "2016-05-02", "Thôn 3", " ", "", ""],
]  # fmt: skip


def _dirty_csv(path: Path, rows=DIRTY_ROWS) -> Path:
    """Excel's 'CSV UTF-8' in a Vietnamese locale: BOM, ';' between cells, CRLF, a blank line."""
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(DIRTY_HEADER)
        w.writerows(rows[:2])
        f.write("\r\n")
        w.writerows(rows[2:])
    return path


def _old_io(monkeypatch) -> None:
    """The reader and writer as they were before Arrow: row by row, cell by cell."""
    from cmis_migrate import tabular_files as tf

    def old_text_frame(frame):
        import pandas as pd

        out = {}
        for name in frame.columns:
            col = frame[name]
            if col.dtype == bool:
                out[name] = col.map({True: "true", False: "false"}).astype("str")
            else:
                out[name] = col.astype("str").fillna("").map(tf._as_data)
        return pd.DataFrame(out, index=frame.index)

    monkeypatch.setattr(tf, "_csv_frame", lambda *a, **k: None)
    monkeypatch.setattr(
        tf, "_unneutralized", lambda f: f.apply(lambda c: c.map(unneutralize)) if len(f) else f
    )
    monkeypatch.setattr(tf, "_as_text_frame", old_text_frame)
    monkeypatch.setattr(
        tf,
        "_write_csv",
        lambda f, p: f.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\r\n"),
    )


@pytest.mark.parametrize("ragged", [False, True])
def test_vectorized_io_writes_what_the_row_by_row_io_wrote(tmp_path, monkeypatch, ragged):
    rows = DIRTY_ROWS if not ragged else [*DIRTY_ROWS, ["PA4", "x", "y"], [*DIRTY_ROWS[0], "z"]]
    src = _dirty_csv(tmp_path / "in.csv", rows)
    csv_out, xlsx_out = tmp_path / "out.csv", tmp_path / "out.xlsx"  # same names: same console

    def both() -> tuple[str, bytes, list]:
        result = run(src, "--out", csv_out)
        assert result.exit_code == 0, result.output
        assert run(src, "--out", xlsx_out).exit_code == 0
        return result.output, csv_out.read_bytes(), read_xlsx(xlsx_out)

    with monkeypatch.context() as m:
        _old_io(m)
        old = both()
    new = both()
    assert new[1] == old[1]  # the CSV, byte for byte
    assert new[2] == old[2]  # the workbook's cells
    assert new[0] == old[0]  # what the console said
    out = read_csv(csv_out)
    assert len(out) == (3 if not ragged else 5)
    assert out[0]["full_name"] == "NguyÔn V¨n An"  # CSV has no font: kept, and flagged
    assert out[0]["full_name_issues"] == "TEXT_LEGACY_ENCODING"
    assert out[1]["full_name"] == '=HYPERLINK("http://x","bấm")'
    assert out[1]["supply_address"] == "=1+1"  # the apostrophe we write is read as ours
    assert out[2]["full_name"] == "Nguyễn Văn B"  # NFC
    raw = new[1]
    assert raw.startswith(b"\xef\xbb\xbfcustomer_code,") and b"'=HYPERLINK" in raw

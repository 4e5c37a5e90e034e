"""The one reader of people's files: cells stay text, one test per malformed-file kind, and
fuzzing: whatever the bytes, the reader answers a frame or an InputFileError, nothing else."""

from __future__ import annotations

import os
import stat
import unicodedata
import zipfile
from datetime import date, datetime, time
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.styles import Font

from cmis_migrate.errors import InputFileError
from cmis_migrate.tabular_files import (
    EXTRA_CELLS,
    LEGACY_CELLS,
    MAX_CELL_CHARS,
    cell_text,
    read_table,
    rows_with_problems,
    write_table,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("0912345678", "0912345678"),
        (912345678, "912345678"),
        (912345678.0, "912345678"),
        (38085001234.0, "38085001234"),
        (1.5, "1.5"),
        (True, "TRUE"),
        (Decimal("12.50"), "12.50"),
        (datetime(2021, 3, 12), "2021-03-12"),
        (datetime(2021, 3, 12, 8, 30), "2021-03-12T08:30:00"),
        (date(2021, 3, 12), "2021-03-12"),
        (time(8, 30), "08:30:00"),
        ("Hoa\u0300", "Hoà"),  # NFD -> NFC
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def xlsx(path, rows, fonts=None):
    """A workbook whose first sheet holds `rows`; fonts: {(row, col): font name} (1-based)."""
    wb = Workbook()
    ws = wb.active
    for r, values in enumerate(rows, start=1):
        for c, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(r, c, v)
    for (r, c), name in (fonts or {}).items():
        ws.cell(r, c).font = Font(name=name)
    wb.save(path)
    return path


# ---------------------------------------------------------------- what is read


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
    assert df.index.tolist() == [2, 3] and df.index.name == "row"


def test_bom_semicolons_quoted_newlines_and_nfc(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes('\ufeffphone;address\n0912345678;"Thôn 3;\nXã Hà Bình"\n;Hoa\u0300\n'.encode())
    df = read_table(p, expected=["phone"])
    assert list(df.columns) == ["phone", "address"]
    assert df.loc[2, "address"] == "Thôn 3;\nXã Hà Bình"
    assert df.loc[3, "address"] == "Hoà"


def test_utf16_tab_separated_as_excel_saves_unicode_text(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("phone\tfull_name\r\n0912345678\tNguyễn Văn An\r\n".encode("utf-16"))
    df = read_table(p, expected=["phone"])
    assert df.loc[2].tolist() == ["0912345678", "Nguyễn Văn An"]


def test_xlsx_cells_rows_and_blank_rows(tmp_path):
    p = xlsx(
        tmp_path / "a.xlsx",
        [
            [None, None],
            ["phone", "id_number", "born"],
            [912345678, 38085001234.0, datetime(1985, 2, 1)],
            [None, None, None],
            ["0912345678", "3.8085E+10", "01/02/1985"],
        ],
    )
    df = read_table(p, expected=["phone"])
    assert df.index.tolist() == [3, 5]
    assert df.loc[3].tolist() == ["912345678", "38085001234", "1985-02-01"]
    assert df.loc[5].tolist() == ["0912345678", "3.8085E+10", "01/02/1985"]
    assert df.attrs[LEGACY_CELLS] == 0


def test_xlsx_legacy_font_cells_are_converted(tmp_path):
    rows = [
        ["full_name", "address", "note"],
        ["NguyÔn V¨n An", "Th«n 3, x· Hµ B×nh", "NguyÔn"],  # TCVN3 text
        ["Nguyeãn Vaên Bình", "Soá 12 ñöôøng Leâ Lôïi", "Vaên"],  # VNI text
        ["trÇn thÞ hoa", "Nguyễn Văn An", "x"],  # .VnTimeH capitals; real Unicode left alone
    ]
    fonts = {(2, 1): ".VnTime", (2, 2): ".VnArial", (3, 1): "VNI-Times", (3, 2): "VNI-Helve"}
    fonts |= {(4, 1): ".VnTimeH", (4, 2): ".VnTime"}
    df = read_table(xlsx(tmp_path / "a.xlsx", rows, fonts), expected=["full_name"])
    assert df.loc[2].tolist() == ["Nguyễn Văn An", "Thôn 3, xã Hà Bình", "NguyÔn"]
    assert df.loc[3].tolist() == ["Nguyễn Văn Bình", "Số 12 đường Lê Lợi", "Vaên"]
    assert df.loc[4].tolist() == ["TRẦN THỊ HOA", "Nguyễn Văn An", "x"]
    assert df.attrs[LEGACY_CELLS] == 5


# ---------------------------------------------------------------- one test per malformed kind


def error(path, **kw) -> InputFileError:
    with pytest.raises(InputFileError) as err:
        read_table(path, **kw)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)  # one clean line
    return err.value


def test_missing_file_and_unsupported_type(tmp_path):
    assert "not found" in error(tmp_path / "nope.csv").message
    (tmp_path / "a.pdf").write_text("x")
    assert "unsupported file type" in error(tmp_path / "a.pdf").message
    (tmp_path / "d.csv").mkdir()
    assert "not a file" in error(tmp_path / "d.csv").message


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n", b",,,\n,,\n", b"\xef\xbb\xbf"])
def test_empty_files(tmp_path, content):
    p = tmp_path / "a.csv"
    p.write_bytes(content)
    assert "empty" in error(p).message


def test_empty_workbook(tmp_path):
    p = xlsx(tmp_path / "a.xlsx", [])
    assert "empty" in error(p).message


def test_no_header_row(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("0912345678,Nguyễn Văn An\n0987654321,Lê Thị B\n", encoding="utf-8")
    e = error(p, expected=["phone", "full_name"])
    assert "no header row" in e.message and e.row == 1


def test_duplicate_header(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("phone,email,Phone \n1,2,3\n", encoding="utf-8")
    e = error(p)
    assert "twice" in e.message and (e.row, e.field) == (1, "Phone")


def cp1258(ch: str) -> bytes:
    """Windows-1258 as Vietnamese Windows saves it: precomposed letter + combining tone mark."""
    try:
        return ch.encode("cp1258")
    except UnicodeEncodeError:
        nfd = unicodedata.normalize("NFD", ch)
        return cp1258(unicodedata.normalize("NFC", nfd[:-1])) + nfd[-1].encode("cp1258")


def test_wrong_encoding_names_row_and_field(tmp_path):
    p = tmp_path / "a.csv"
    text = "phone,full_name\n0912,An\n0913,Nguyễn Văn Bình\n"  # saved as 'CSV' on Windows
    p.write_bytes(b"".join(cp1258(ch) for ch in text))
    e = error(p)
    assert (e.row, e.field) == (3, "full_name") and "UTF-8" in e.message


def test_binary_file_named_csv(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(bytes(range(256)) * 4 + b"\x00" * 2000)
    error(p)


def test_ragged_rows_are_kept_and_reported(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("phone,email\n1,2,3\n4\n\n5,6\n", encoding="utf-8")
    problems: list[InputFileError] = []
    df = read_table(p, expected=["phone"], problems=problems)
    assert df.index.tolist() == [2, 3, 5]
    assert df["phone"].tolist() == ["1", "4", "5"]
    assert df["email"].tolist() == ["2", "", "6"]
    assert df[EXTRA_CELLS].tolist() == ["3", "", ""]
    assert [(p.row, p.field) for p in problems] == [(2, None), (3, "email")]
    assert rows_with_problems(problems)[3].startswith("email: ")


def test_huge_cell_is_cut_and_reported_other_rows_untouched(tmp_path):
    p = tmp_path / "a.csv"
    big = "x" * 200_000  # beyond the csv module's default field limit too
    p.write_text(f"phone,address\n1,{big}\n2,ok\n", encoding="utf-8")
    problems: list[InputFileError] = []
    df = read_table(p, problems=problems)
    assert len(df.loc[2, "address"]) == MAX_CELL_CHARS and df.loc[3, "address"] == "ok"
    assert [(p.row, p.field) for p in problems] == [(2, "address")]


def test_control_characters_and_nul_are_kept_as_text(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(b"phone,name\n09\x0012,An\x07\n")
    df = read_table(p)
    assert df.loc[2].tolist() == ["09\x0012", "An\x07"]


@pytest.fixture
def good_xlsx(tmp_path):
    return xlsx(
        tmp_path / "good.xlsx", [["phone", "name"]] + [[f"09{i:08d}", "An"] for i in range(200)]
    )


def test_xlsx_not_a_zip(tmp_path):
    p = tmp_path / "a.xlsx"
    p.write_text("phone\n0912\n")
    assert "not a readable .xlsx" in error(p).message


def test_xlsx_truncated(tmp_path, good_xlsx):
    data = good_xlsx.read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 30):
        p = tmp_path / f"cut{cut}.xlsx"
        p.write_bytes(data[:cut])
        assert "damaged" in error(p).message


def test_xls_or_encrypted_workbook(tmp_path):
    p = tmp_path / "a.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "97-2003" in error(p).message


def test_zip_that_is_not_a_workbook(tmp_path):
    p = tmp_path / "a.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "not a readable .xlsx" in error(p).message


def test_xlsx_with_a_corrupt_sheet(tmp_path, good_xlsx):
    p = tmp_path / "corrupt.xlsx"
    with zipfile.ZipFile(good_xlsx) as src, zipfile.ZipFile(p, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2] + b"<<garbage"
            dst.writestr(item, data)
    assert "damaged" in error(p).message


# ---------------------------------------------------------------- fuzzing


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=600))
def test_fuzz_csv_bytes(tmp_path, data):
    p = tmp_path / "f.csv"
    p.write_bytes(data)
    problems: list[InputFileError] = []
    try:
        df = read_table(p, expected=(), problems=problems)
    except InputFileError as exc:
        assert str(p) in str(exc)
        return
    assert all(isinstance(c, str) for c in df.columns)
    assert all(isinstance(v, str) for col in df.columns for v in df[col])
    assert all(isinstance(i, int) and i >= 2 for i in df.index)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cut=st.integers(min_value=0, max_value=10**6),
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8),
)
def test_fuzz_damaged_xlsx(tmp_path, good_xlsx, cut, flips):
    data = bytearray(good_xlsx.read_bytes())
    for at, value in flips:
        data[at % len(data)] = value
    data = data[: max(1, cut % (len(data) + 1))] if cut % 3 == 0 else data
    p = tmp_path / "f.xlsx"
    p.write_bytes(bytes(data))
    try:
        df = read_table(p)
    except InputFileError as exc:
        assert str(p) in str(exc)
        return
    assert all(isinstance(v, str) for col in df.columns for v in df[col])


cell_values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=30
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(cell_values, min_size=2, max_size=2), min_size=1, max_size=6))
def test_fuzz_write_then_read_keeps_every_cell(tmp_path, rows):
    frame = pd.DataFrame(rows, columns=["phone", "name"], dtype="str")
    p = tmp_path / "o.csv"
    write_table(frame, p)
    back = read_table(p)
    kept = [r for r in rows if any(c.strip() for c in r)]  # blank rows are not rows
    assert back.values.tolist() == [[unicodedata.normalize("NFC", c) for c in r] for r in kept]


def test_written_files_are_owner_only(tmp_path):
    df = pd.DataFrame(
        {"phone": ["0912345678", None], "ok": [True, False], "x": ["=SUM(A1)", "a\x01b"]}
    )
    old = os.umask(0o022)
    try:
        for name in ("o.csv", "o.xlsx"):
            write_table(df, tmp_path / name)
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
            back = read_table(tmp_path / name)
            assert back["phone"].tolist() == ["0912345678", ""]
            assert back["ok"].tolist() == ["true", "false"]
            assert back["x"].iloc[0] == "=SUM(A1)"
    finally:
        os.umask(old)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


# ---------------------------------------------------------------- the two CSV readers agree

# csv_columns reads a well-formed file whole with Arrow; tabular_files' row-by-row reader
# (the csv module) takes every file Arrow's reader leaves. Both must give the same frame.

_CELL_CHARS = st.sampled_from(
    [",", ";", "\t", '"', "\n", "\r", "\r\n", " ", "\u00a0", "\u3000", "\x1c", "'", "=", "+",
     "-", "@", "\x00", "a", "0", "9", "é", "e\u0301", "\u1ec7", "Ô", "¨", "\u200b", "\ufeff",
     "\u037e", "\u212b", "x" * 40]
)  # fmt: skip


def _quote(cell: str, delimiter: str, how: int) -> str:
    if how == 0 and not any(c in cell for c in (delimiter, '"', "\n", "\r")):
        return cell
    if how == 2:  # a quote left as typed: what the csv module keeps is what Arrow must keep
        return cell
    return '"' + cell.replace('"', '""') + '"'


@st.composite
def csv_files(draw) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    width = draw(st.integers(1, 4))
    header = draw(st.lists(st.sampled_from(["phone", "Name", "", " id ", "a b"]), min_size=width,
                           max_size=width))  # fmt: skip
    lines = [delimiter.join(header)]
    for _ in range(draw(st.integers(0, 6))):
        n = width if draw(st.integers(0, 9)) else draw(st.integers(0, width + 2))
        cells = ["".join(draw(st.lists(_CELL_CHARS, max_size=4))) for _ in range(n)]
        lines.append(delimiter.join(_quote(c, delimiter, draw(st.integers(0, 2))) for c in cells))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = end.join(lines) + draw(st.sampled_from(["", end, end + end]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    return text.encode(encoding, errors="surrogatepass")


def _read(path, data: bytes, *, arrow: bool):
    from cmis_migrate import tabular_files

    problems: list[InputFileError] = []
    try:
        if arrow:
            frame = tabular_files._csv_frame(path, data, ())
            if frame is None:
                return None
        else:
            rows = tabular_files._csv_rows(path, data)
            frame = tabular_files._frame(path, rows, (), problems, csv_file=True)
    except InputFileError as exc:
        return ("error", str(exc))
    return ("frame", tabular_files._unneutralized(frame), [str(p) for p in problems])


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=csv_files())
def test_arrow_reader_gives_what_the_row_by_row_reader_gives(tmp_path, data):
    p = tmp_path / "f.csv"
    p.write_bytes(data)
    fast = _read(p, data, arrow=True)
    if fast is None:  # left to the row-by-row reader
        return
    slow = _read(p, data, arrow=False)
    assert fast[0] == slow[0]
    if fast[0] == "error":
        assert fast[1] == slow[1]
        return
    pd.testing.assert_frame_equal(fast[1], slow[1])
    assert fast[2] == slow[2] == []  # the files Arrow reads whole have no row problems


def test_well_formed_files_are_read_whole_by_arrow(tmp_path):
    from cmis_migrate import tabular_files

    data = '\ufeffphone;address\n0912345678;"Thôn 3;\nXã"\n\n;Hoa\u0300\n\'=1;x\n'.encode()
    p = tmp_path / "a.csv"
    p.write_bytes(data)
    frame = tabular_files._csv_frame(p, data, ())
    assert frame is not None
    assert frame.index.tolist() == [2, 4, 5]
    assert read_table(p).to_dict("list") == {
        "phone": ["0912345678", "", "=1"],
        "address": ["Thôn 3;\nXã", "Hoà", "x"],
    }


def test_blank_means_what_str_strip_says():
    from cmis_migrate.csv_columns import PY_WHITESPACE

    assert "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) == PY_WHITESPACE


# ---------------------------------------------------------------- the CSV writer

text_cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(
        st.sampled_from(["a", "b,c", "", 'q"', "phone", "x y"]), min_size=1, max_size=4, unique=True
    ),  # fmt: skip
    rows=st.lists(st.lists(text_cells, min_size=4, max_size=4), max_size=6),
)
def test_csv_writer_writes_what_to_csv_writes(tmp_path, names, rows):
    import codecs
    import csv
    import io

    import pyarrow as pa

    from cmis_migrate.csv_columns import csv_records
    from cmis_migrate.tabular_files import _write_csv

    frame = pd.DataFrame([r[: len(names)] for r in rows], columns=names, dtype="str")
    if not rows:
        frame = pd.DataFrame({n: pd.Series([], dtype="str") for n in names})
    expected = tmp_path / "pandas.csv"
    frame.to_csv(expected, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    head = io.StringIO()
    csv.writer(head, lineterminator="\r\n").writerow(names)
    columns = pa.Table.from_pandas(frame, preserve_index=False).columns
    arrow = b"".join(bytes(b) for b in csv_records(columns))  # Arrow's path itself, no fallback
    assert codecs.BOM_UTF8 + head.getvalue().encode() + arrow == expected.read_bytes()
    _write_csv(frame, tmp_path / "ours.csv")
    assert (tmp_path / "ours.csv").read_bytes() == expected.read_bytes()

"""Every CSV/XLSX the tool writes besides the review workbook (drafts export, normalize-file
and export-sample tables, signed-import lists, the progress workbook) shows formula-like text
as visible text: a leading apostrophe (OWASP), and XLSX cells typed as strings."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from cmis_migrate.reports.drafts_export import EXPORT_COLUMNS, export_drafts, export_drafts_csv
from cmis_migrate.reports.progress_excel import build_workbook
from cmis_migrate.reports.signed_import import rejected_csv
from cmis_migrate.tabular_files import write_table
from tests.hostile.cmis import FORMULA_NAME

HOSTILE = [FORMULA_NAME, "+84912345678", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def csv_cells(path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [cell for row in csv.reader(f) for cell in row]


def xlsx_cells(path) -> list:
    wb = load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def assert_visible(cells: list[str]) -> None:
    for text in HOSTILE:
        assert "'" + text in cells, text
        assert text not in cells, text


def assert_xlsx_visible(cells: list) -> None:
    assert all(c.data_type != "f" for c in cells)
    values = [c.value for c in cells if isinstance(c.value, str)]
    # XML holds no bare CR: the cell writer stores it as LF (review_layout.safe_text), and a
    # text starting with a newline is no formula; every other start gets its apostrophe
    for text in HOSTILE:
        shown = text.replace("\r", "\n")
        assert {"'" + text, "'" + shown, shown if shown[0] == "\n" else None} & set(values), text
        assert text not in values or text.startswith("\r"), text


def drafts_frame() -> pd.DataFrame:
    rows = [dict.fromkeys(EXPORT_COLUMNS, "x") | {"holder_name": t} for t in HOSTILE]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_drafts_export(tmp_path, suffix):
    out = export_drafts(drafts_frame(), tmp_path / f"drafts{suffix}")
    if suffix == ".csv":
        assert_visible(csv_cells(out))
    else:
        assert_xlsx_visible(xlsx_cells(out))


def test_drafts_export_in_chunks(tmp_path):
    rows = drafts_frame().reindex(columns=list(EXPORT_COLUMNS)).itertuples(index=False)
    out = export_drafts_csv([rows], tmp_path / "drafts.csv")
    assert_visible(csv_cells(out))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_normalize_file_and_sample_tables(tmp_path, suffix):
    out = tmp_path / f"table{suffix}"
    write_table(pd.DataFrame({"full_name": HOSTILE, "phone": HOSTILE}), out)
    if suffix == ".csv":
        assert_visible(csv_cells(out))
    else:
        assert_xlsx_visible(xlsx_cells(out))


def test_signed_import_lists(tmp_path):
    frame = pd.DataFrame({"row": range(len(HOSTILE)), "customer_code": HOSTILE, "reason": HOSTILE})
    from cmis_migrate.reports.signed_import import REJECTED_COLUMNS

    frame = frame.reindex(columns=list(REJECTED_COLUMNS)).fillna("x")
    frame["customer_code"] = HOSTILE
    path = tmp_path / "rejected.csv"
    path.write_text(rejected_csv(frame), encoding="utf-8")
    assert_visible(csv_cells(path))


def test_progress_workbook(tmp_path):
    from cmis_migrate.progress import parse_month

    frame = pd.DataFrame(
        {
            "branch": HOSTILE,
            "month": parse_month("2026-03"),
            "planned": 10,
            "drafted": 5,
            "signed": 1,
            "planned_cum": 10,
            "drafted_cum": 5,
            "signed_cum": 1,
            "pct_of_plan": 50.0,
            "ahead_behind": -5,
            "status": "behind",
        }
    )
    try:
        wb = build_workbook(
            frame,
            "2026-03",
            timezone="Asia/Ho_Chi_Minh",
            generated_at=datetime.now(UTC),
            plan_file="plan.csv",
        )
    except KeyError as exc:  # the frame's columns moved: say so rather than pass
        pytest.fail(f"progress frame columns: {exc}")
    path = tmp_path / "progress.xlsx"
    wb.save(path)
    cells = xlsx_cells(path)
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "'" + FORMULA_NAME in texts and FORMULA_NAME not in texts

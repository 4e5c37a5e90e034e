"""`cmis-migrate progress` and `cmis-migrate signed import` on a temporary config and store."""

from __future__ import annotations

import csv
import json
import stat
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from cmis_migrate.cli.app import _register, app
from cmis_migrate.db import store_engine
from cmis_migrate.progress import month_of
from cmis_migrate.reports.review_layout import header_key
from cmis_migrate.store.schema import upgrade
from cmis_migrate.store.tables import customers, drafts, imports, signed_contracts

_register()
runner = CliRunner()
VN = ZoneInfo("Asia/Ho_Chi_Minh")

CONFIG = """\
source: {url: sqlite:///cmis.sqlite}
store: {url: sqlite:///store.sqlite}
paths: {work: work, plan_file: plan.csv}
schedule: {timezone: Asia/Ho_Chi_Minh}
"""

PLAN = """\
branch,month,planned
PA0701,2026-09,2
PA0701,2026-10,2
PA0702,2026-09,1
PA0702,2026-10,4
"""


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN).astimezone(UTC)


def draft(code: str, branch: str, first: datetime, paper: str | None) -> dict:
    return {
        "customer_code": code,
        "contract_no": f"HĐ-{code}",
        "branch": branch,
        "station": f"{branch}T01",
        "ledger": f"{branch}A01",
        "holder_name": "Lê Thị B",
        "households": 1,
        "id_number": "038185001234",
        "id_type": "CCCD",
        "address": "x",
        "supply_address": "x",
        "metering_point": f"{code}001",
        "reading_day": 12,
        "otp_phone": "+84912345678",
        "paper_contract_no": paper,
        "draft_hash": "0" * 32,
        "run_id": "r1",
        "drafted_at": first,
        "first_drafted_at": first,
    }


def customer(code: str, branch: str) -> dict:
    return {
        "customer_code": code,
        "branch": branch,
        "station": f"{branch}T01",
        "ledger": f"{branch}A01",
        "content_hash": "0" * 32,
        "outcome": "ready",
        "otp_ready": True,
        "run_id": "r1",
        "changed_at": vn(2026, 9, 1, 22, 0),
    }


DRAFTS = [
    draft("PA0701000001", "PA0701", vn(2026, 9, 3, 22, 0), "101/HĐMBĐ-TPTH"),
    draft("PA0701000002", "PA0701", vn(2026, 9, 30, 23, 30), "102/HĐMBĐ-TPTH"),
    draft("PA0701000003", "PA0701", vn(2026, 10, 31, 23, 30), None),  # 16:30Z: October
    draft("PA0702000001", "PA0702", vn(2026, 10, 2, 22, 0), "7/HĐ-SS"),
]
UNDRAFTED = "PA0702000009"  # a customer the store knows, with no draft


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "plan.csv").write_text(PLAN, encoding="utf-8")
    engine = store_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(drafts), DRAFTS)
        conn.execute(
            insert(customers),
            [customer(d["customer_code"], d["branch"]) for d in DRAFTS]
            + [customer(UNDRAFTED, "PA0702")],
        )
    engine.dispose()
    return tmp_path


def cli(project: Path, *args: str):
    return runner.invoke(app, [*args, "--config", str(project / "config.yaml")])


def progress_json(project: Path, *args: str) -> dict:
    result = cli(project, "progress", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def rows_of(report: dict) -> dict[str, dict]:
    return {r["branch"]: r for r in report["branches"]}


def test_progress_json(project: Path) -> None:
    report = progress_json(project, "--month", "2026-10")
    assert report["month"] == "2026-10" and report["timezone"] == "Asia/Ho_Chi_Minh"
    rows = rows_of(report)
    a, b = rows["PA0701"], rows["PA0702"]
    assert (a["drafted"], a["drafted_cum"], a["planned"], a["planned_cum"]) == (1, 3, 2, 4)
    assert (a["pct_of_plan"], a["ahead_behind"], a["status"]) == (75.0, -1, "behind")
    assert (b["drafted_cum"], b["planned_cum"], b["pct_of_plan"], b["status"]) == (
        1,
        5,
        20.0,
        "behind",
    )
    assert report["company"] == {
        "branch": "company",
        "month": "2026-10",
        "drafted": 2,
        "drafted_cum": 4,
        "signed": 0,
        "signed_cum": 0,
        "planned": 6,
        "planned_cum": 9,
        "pct_of_plan": 44.4,
        "ahead_behind": -5,
        "status": "behind",
    }
    sept = {(r["branch"], r["month"]): r for r in report["history"]}[("PA0701", "2026-09")]
    assert (sept["drafted"], sept["status"]) == (2, "on plan")


def test_progress_default_month_is_this_month(project: Path) -> None:
    report = progress_json(project)
    assert report["month"] == month_of(datetime.now(UTC), VN)


def test_progress_console(project: Path) -> None:
    result = cli(project, "progress", "--month", "2026-09")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "PA0701" in text and "Company" in text and "on plan" in text
    assert "100.0%" in text


def test_progress_xlsx(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "progress.xlsx"
    report = progress_json(project, "--month", "2026-10", "--out", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    wb = openpyxl.load_workbook(out)
    assert {"Tiến độ", "Lịch sử", "Biểu đồ", "Số liệu biểu đồ"} <= set(wb.sheetnames)
    ws = wb["Tiến độ"]
    # Vietnamese headers ending in their key; the key finds the column
    header = [header_key(c.value) for c in ws[4]]
    assert ws["B4"].value == "Dự thảo trong tháng (drafted)"
    body = {
        r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=5, values_only=True)
    }
    assert body["PA0701"]["drafted_cum"] == 3
    assert body["PA0701"]["planned_cum"] == 4
    assert body["PA0701"]["pct_of_plan"] == pytest.approx(0.75)
    assert body["Toàn công ty"]["ahead_behind"] == report["company"]["ahead_behind"] == -5
    assert body["PA0702"]["status"] == "chậm kế hoạch"
    assert ws.freeze_panes == "B5" and ws.auto_filter.ref and ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1

    charts = wb["Biểu đồ"]._charts
    assert len(charts) == 3  # the company and each branch
    data = wb["Số liệu biểu đồ"]
    cols = {data.cell(row=1, column=j).value: j for j in range(1, data.max_column + 1)}
    months = [data.cell(row=i, column=1).value for i in range(2, data.max_row + 1)]
    assert months == ["2026-09", "2026-10"]
    assert [data.cell(row=i, column=cols["PA0701 dự thảo"]).value for i in (2, 3)] == [2, 3]
    assert [data.cell(row=i, column=cols["PA0701 kế hoạch"]).value for i in (2, 3)] == [2, 4]
    # a chart draws two series: cumulative drafted and cumulative plan of its branch
    refs = {s.val.numRef.f for c in charts for s in c.series}
    letter = openpyxl.utils.get_column_letter(cols["PA0701 dự thảo"])
    assert f"'Số liệu biểu đồ'!${letter}$2:${letter}$3" in refs
    assert all(len(c.series) == 2 for c in charts)


@pytest.mark.parametrize(
    ("plan", "words"),
    [
        ("branch,month\nPA0701,2026-09\n", "row 1, field planned: missing column"),
        ("branch,month,planned\nPA0701,2026-09,1\nPA0701,2026-9,2\n", "row 3, field month"),
        ("branch,month,planned\nPA0701,2026-09,-1\n", "row 2, field planned: -1 is negative"),
    ],
)
def test_progress_bad_plan_exits_2(project: Path, plan: str, words: str) -> None:
    (project / "plan.csv").write_text(plan, encoding="utf-8")
    result = cli(project, "progress")
    assert result.exit_code == 2
    assert words in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_progress_bad_month_and_out(project: Path) -> None:
    result = cli(project, "progress", "--month", "2026-13")
    assert result.exit_code == 2 and "not a month" in result.stderr
    result = cli(project, "progress", "--out", str(project / "x.csv"))
    assert result.exit_code == 2 and ".xlsx" in result.stderr


# ---- signed import ---------------------------------------------------------------------------

SIGNED = """\
customer_code,signed_at
PA0701000001,05/10/2026 09:15
PA0701000003,2026-10-31T23:45
PA0702000001,2026-10-20T08:00:00+07:00
PA0799999999,05/10/2026
PA0702000009,05/10/2026
PA0701000002,31/02/2026
PA0701000002,01/01/2099 08:00
"""


def signed_rows(project: Path) -> dict[str, dict]:
    engine = store_engine(f"sqlite:///{project / 'store.sqlite'}")
    with engine.connect() as conn:
        rows = {r.customer_code: r._asdict() for r in conn.execute(select(signed_contracts))}
        n_imports = conn.execute(select(func.count()).select_from(imports)).scalar_one()
    engine.dispose()
    return rows | {"_imports": n_imports}


def test_signed_import_round_trip(project: Path) -> None:
    f = project / "signed.csv"
    f.write_text(SIGNED, encoding="utf-8")
    result = cli(project, "signed", "import", str(f), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["applied"], report["rejected"], report["unchanged"]) == (3, 4, 0)
    assert not report["already_imported"]
    rejected = {(r["row"], r["field"]): r["reason"] for r in report["rejected_rows"]}
    assert set(rejected) == {
        (5, "customer_code"),
        (6, "customer_code"),
        (7, "signed_at"),
        (8, "customer_code"),
    }
    assert "unknown customer" in rejected[(5, "customer_code")]
    assert "no draft contract" in rejected[(6, "customer_code")]
    assert "not a real date" in rejected[(7, "signed_at")]
    assert "already listed in row 7" in rejected[(8, "customer_code")]
    assert all(r["file"] == str(f) for r in report["rejected_rows"])

    stored = signed_rows(project)
    assert stored.pop("_imports") == 1
    assert set(stored) == {"PA0701000001", "PA0701000003", "PA0702000001"}
    one = stored["PA0701000001"]
    assert one["signed_at"] == datetime(2026, 10, 5, 2, 15, tzinfo=UTC)  # 09:15 in Vietnam
    assert (one["contract_no"], one["paper_contract_no"]) == ("HĐ-PA0701000001", "101/HĐMBĐ-TPTH")
    assert stored["PA0702000001"]["signed_at"] == datetime(2026, 10, 20, 1, 0, tzinfo=UTC)
    assert {r["import_id"] for r in stored.values()} == {report["import_id"]}

    # the liquidation list: paper contracts of the contracts just signed
    liq = Path(report["liquidation_file"])
    assert liq == project / "work" / "reports" / f"liquidation-{report['import_id']}.csv"
    assert stat.S_IMODE(liq.stat().st_mode) == 0o600
    with liq.open(encoding="utf-8-sig", newline="") as fh:
        listed = {r["customer_code"]: r for r in csv.DictReader(fh)}
    assert {c: r["paper_contract_no"] for c, r in listed.items()} == {
        "PA0701000001": "101/HĐMBĐ-TPTH",
        "PA0701000003": "",
        "PA0702000001": "7/HĐ-SS",
    }
    assert listed["PA0701000003"]["signed_at"] == "2026-10-31T23:45"
    assert Path(report["rejected_file"]).exists()

    # the audit row
    engine = store_engine(f"sqlite:///{project / 'store.sqlite'}")
    with engine.connect() as conn:
        audit = conn.execute(select(imports)).one()._asdict()
    engine.dispose()
    assert (audit["kind"], audit["applied"], audit["rejected"]) == ("signed", 3, 4)
    assert len(audit["checksum"]) == 64 and audit["file_name"].endswith("signed.csv")
    age = datetime.now(UTC) - audit["imported_at"]
    assert abs(age.total_seconds()) < 120

    # the same file again: nothing changes, and the command says so
    again = cli(project, "signed", "import", str(f))
    assert again.exit_code == 0, again.output
    assert "already imported" in again.stdout and "nothing changed" in again.stdout
    assert signed_rows(project) == stored | {"_imports": 1}

    # progress now counts the signed contracts in their (local) month
    rows = rows_of(progress_json(project, "--month", "2026-10"))
    assert (rows["PA0701"]["signed"], rows["PA0701"]["signed_cum"]) == (2, 2)
    assert rows["PA0702"]["signed_cum"] == 1


def test_signed_import_console_and_second_file(project: Path) -> None:
    first = project / "a.csv"
    first.write_text("customer_code,signed_at\nPA0701000001,05/10/2026 09:15\n", encoding="utf-8")
    result = cli(project, "signed", "import", str(first))
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "1 marked signed" in text and "Paper contracts to liquidate" in text
    assert "101/HĐMBĐ-TPTH" in text

    # another file naming the same contract: same time -> unchanged, other time -> rejected
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Customer_Code", "Signed_At", "note"])
    ws.append(["PA0701000001", datetime(2026, 10, 5, 9, 15), "same"])
    ws.append(["PA0701000002", "06/10/2026 10:00", "new"])
    wb.save(project / "b.xlsx")
    result = cli(project, "signed", "import", str(project / "b.xlsx"), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["applied"], report["unchanged"], report["rejected"]) == (1, 1, 0)
    assert [r["customer_code"] for r in report["liquidation"]] == ["PA0701000002"]
    stored = signed_rows(project)
    assert stored.pop("_imports") == 2
    assert set(stored) == {"PA0701000001", "PA0701000002"}

    moved = project / "c.csv"
    moved.write_text("customer_code,signed_at\nPA0701000001,07/10/2026 09:15\n", encoding="utf-8")
    report = json.loads(cli(project, "signed", "import", str(moved), "--json").stdout)
    assert (report["applied"], report["rejected"]) == (0, 1)
    assert "already signed at 2026-10-05 09:15" in report["rejected_rows"][0]["reason"]


def test_signed_import_bad_file_exits_2(project: Path) -> None:
    f = project / "s.csv"
    f.write_text("customer,signed_at\nPA0701000001,05/10/2026\n", encoding="utf-8")
    result = cli(project, "signed", "import", str(f))
    assert result.exit_code == 2
    assert f"{f}, row 1, field customer_code: missing column" in " ".join(result.stderr.split())
    result = cli(project, "signed", "import", str(project / "missing.csv"))
    assert result.exit_code == 2 and "file not found" in result.stderr
    assert signed_rows(project)["_imports"] == 0


def test_signed_import_is_one_transaction(project: Path, monkeypatch) -> None:
    """A failure while writing leaves neither signed rows nor the audit row nor the list."""
    from cmis_migrate.store import signed_imports

    def boom(conn, import_row, apply):
        conn.execute(insert(imports).values(kind="signed", **import_row))
        raise RuntimeError("disk full")

    monkeypatch.setattr(signed_imports, "write_signed", boom)
    f = project / "s.csv"
    f.write_text("customer_code,signed_at\nPA0701000001,05/10/2026\n", encoding="utf-8")
    result = cli(project, "signed", "import", str(f))
    assert result.exit_code != 0
    assert signed_rows(project) == {"_imports": 0}
    assert not list((project / "work" / "reports").glob("liquidation-*.csv"))

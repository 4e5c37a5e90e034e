"""Progress against the monthly plan: the pure frame, the store counts, the plan file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import insert

from cmis_migrate.db import store_engine
from cmis_migrate.errors import InputFileError
from cmis_migrate.plan_file import PLAN_COLUMNS, parse_plan, read_plan
from cmis_migrate.progress import (
    AHEAD,
    BEHIND,
    COMPANY,
    ON_PLAN,
    company_totals,
    month_starts,
    month_view,
    parse_month,
    progress_frame,
)
from cmis_migrate.store.progress_queries import drafted_per_month, signed_per_month
from cmis_migrate.store.schema import upgrade
from cmis_migrate.store.tables import customers, drafts, signed_contracts

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TZ = "Asia/Ho_Chi_Minh"


def vn(*args: int) -> datetime:
    """A Vietnam wall-clock time as the UTC moment the store keeps."""
    return datetime(*args, tzinfo=VN).astimezone(UTC)


_seq = iter(range(1, 10**6))


def draft_row(branch: str, first_drafted_at: datetime, code: str | None = None) -> dict:
    n = next(_seq)
    code = code or f"{branch}{n:07d}"
    return {
        "customer_code": code,
        "contract_no": f"HD-{code}",
        "branch": branch,
        "station": f"{branch}T01",
        "ledger": f"{branch}A01",
        "holder_name": "Nguyễn Văn A",
        "households": 1,
        "id_number": "038085001234",
        "id_type": "CCCD",
        "address": "x",
        "supply_address": "x",
        "metering_point": f"{code}001",
        "reading_day": 10,
        "otp_phone": "+84912345678",
        "paper_contract_no": f"{n}/HĐMBĐ",
        "draft_hash": "0" * 32,
        "run_id": "r1",
        "drafted_at": first_drafted_at + timedelta(days=40),  # a later redo
        "first_drafted_at": first_drafted_at,
    }


def make_store(tmp_path: Path, draft_rows: list[dict], signed_rows: list[dict]):
    engine = store_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    with engine.begin() as conn:
        if draft_rows:
            conn.execute(insert(drafts), draft_rows)
        if signed_rows:
            conn.execute(insert(signed_contracts), signed_rows)
    return engine


def plan_frame(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["branch", "month", "planned"])


def by_key(frame: pd.DataFrame) -> dict[tuple[str, str], dict]:
    return {(r["branch"], r["month"]): r for r in frame.to_dict("records")}


# ---- month boundaries ------------------------------------------------------------------------


def test_month_starts_are_local_midnights_in_utc() -> None:
    months = month_starts(
        datetime(2026, 10, 31, 16, 30, tzinfo=UTC),  # 23:30 on 31 October in Vietnam
        datetime(2027, 1, 1, 2, 0),  # naive = UTC (as SQLite returns it)
        TZ,
    )
    assert months == [
        ("2026-10", datetime(2026, 9, 30, 17, 0, tzinfo=UTC)),
        ("2026-11", datetime(2026, 10, 31, 17, 0, tzinfo=UTC)),
        ("2026-12", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
        ("2027-01", datetime(2026, 12, 31, 17, 0, tzinfo=UTC)),
    ]
    # 17:00Z on 31 October is already November in Vietnam, but not in UTC
    assert [
        m
        for m, _ in month_starts(
            datetime(2026, 10, 31, 17, 0, tzinfo=UTC), datetime(2026, 10, 31, 17, 0, tzinfo=UTC), TZ
        )
    ] == ["2026-11"]
    assert [
        m
        for m, _ in month_starts(
            datetime(2026, 10, 31, 17, 0, tzinfo=UTC),
            datetime(2026, 10, 31, 17, 0, tzinfo=UTC),
            "UTC",
        )
    ] == ["2026-10"]


@pytest.mark.parametrize(
    ("text", "month"), [("2026-09", "2026-09"), (" 2027-12 ", "2027-12"), ("2026-09-01", "2026-09")]
)
def test_parse_month(text: str, month: str) -> None:
    assert parse_month(text) == month


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "09/2026", "2026-9", "2026-09-15", "", None]
)
def test_parse_month_rejects(text) -> None:
    with pytest.raises(ValueError, match="is not a month"):
        parse_month(text)


# ---- a crafted store -------------------------------------------------------------------------


@pytest.fixture
def crafted(tmp_path: Path):
    rows = (
        # PA0701: 2 in September, 3 in October (one at 23:30 on 31 October), 1 in November
        [draft_row("PA0701", vn(2026, 9, 5, 23, 0)), draft_row("PA0701", vn(2026, 9, 30, 23, 59))]
        + [draft_row("PA0701", vn(2026, 10, d, 22, 15)) for d in (1, 15)]
        + [draft_row("PA0701", vn(2026, 10, 31, 23, 30), code="PA0701BOUNDARY")]
        + [draft_row("PA0701", vn(2026, 11, 1, 0, 0))]
        # PA0703 has drafts but no plan
        + [draft_row("PA0703", vn(2026, 10, 2, 22, 0)) for _ in range(4)]
    )
    signed = [
        {
            "customer_code": rows[0]["customer_code"],
            "signed_at": vn(2026, 10, 3, 9, 0),
            "contract_no": rows[0]["contract_no"],
            "paper_contract_no": rows[0]["paper_contract_no"],
            "import_id": "i1",
        },
        {
            "customer_code": rows[2]["customer_code"],
            "signed_at": vn(2026, 10, 31, 23, 45),  # still October in Vietnam
            "contract_no": rows[2]["contract_no"],
            "paper_contract_no": None,
            "import_id": "i1",
        },
        {
            # a signed contract whose draft is gone: its branch comes from the customers table
            "customer_code": "PA0702GONE01",
            "signed_at": vn(2026, 11, 2, 8, 0),
            "contract_no": None,
            "paper_contract_no": None,
            "import_id": "i1",
        },
    ]
    engine = make_store(tmp_path, rows, signed)
    with engine.begin() as conn:
        conn.execute(
            insert(customers),
            [
                {
                    "customer_code": "PA0702GONE01",
                    "branch": "PA0702",
                    "station": "S",
                    "ledger": "L",
                    "content_hash": "0" * 32,
                    "outcome": "blocked",
                    "otp_ready": False,
                    "run_id": "r1",
                    "changed_at": vn(2026, 11, 2, 8, 0),
                }
            ],
        )
    plan = plan_frame(
        [
            ("PA0701", "2026-09", 3),
            ("PA0701", "2026-10", 2),
            ("PA0701", "2026-11", 4),
            ("PA0701", "2026-12", 5),
            # PA0702 has a plan but no drafts
            ("PA0702", "2026-10", 10),
            ("PA0702", "2026-11", 10),
        ]
    )
    yield engine, plan
    engine.dispose()


def test_store_counts_by_local_month(crafted) -> None:
    engine, _ = crafted
    drafted = by_key(drafted_per_month(engine, TZ))
    assert {k: v["drafted"] for k, v in drafted.items()} == {
        ("PA0701", "2026-09"): 2,
        ("PA0701", "2026-10"): 3,  # 31 October 23:30 (+07) = 16:30Z counts in October
        ("PA0701", "2026-11"): 1,
        ("PA0703", "2026-10"): 4,
    }
    signed = by_key(signed_per_month(engine, TZ))
    assert {k: v["signed"] for k, v in signed.items()} == {
        ("PA0701", "2026-10"): 2,
        ("PA0702", "2026-11"): 1,
    }
    # in UTC the boundary draft would be October too, but 1 November 00:00 (+07) would not
    utc = by_key(drafted_per_month(engine, "UTC"))
    assert utc[("PA0701", "2026-10")]["drafted"] == 4


def test_progress_numbers(crafted) -> None:
    engine, plan = crafted
    frame = progress_frame(
        plan, drafted_per_month(engine, TZ), signed_per_month(engine, TZ), "2026-11"
    )
    rows = by_key(frame)
    # every branch seen anywhere, every month from the first one to the report month
    assert sorted({b for b, _ in rows}) == ["PA0701", "PA0702", "PA0703"]
    assert sorted({m for _, m in rows}) == ["2026-09", "2026-10", "2026-11"]

    sep, oct_, nov = (rows[("PA0701", m)] for m in ("2026-09", "2026-10", "2026-11"))
    assert (sep["drafted"], sep["drafted_cum"], sep["planned"], sep["planned_cum"]) == (2, 2, 3, 3)
    assert (oct_["drafted"], oct_["drafted_cum"], oct_["planned_cum"]) == (3, 5, 5)
    assert (nov["drafted"], nov["drafted_cum"], nov["planned"], nov["planned_cum"]) == (1, 6, 4, 9)
    assert sep["pct_of_plan"] == pytest.approx(200 / 3)
    assert (sep["ahead_behind"], sep["status"]) == (-1, BEHIND)
    assert (oct_["pct_of_plan"], oct_["ahead_behind"], oct_["status"]) == (100.0, 0, ON_PLAN)
    assert (nov["ahead_behind"], nov["status"]) == (-3, BEHIND)
    assert nov["pct_of_plan"] == pytest.approx(600 / 9)
    assert (oct_["signed"], oct_["signed_cum"], nov["signed"], nov["signed_cum"]) == (2, 2, 0, 2)

    # a plan but no drafts
    p2 = rows[("PA0702", "2026-11")]
    assert (p2["drafted_cum"], p2["planned_cum"], p2["pct_of_plan"]) == (0, 20, 0.0)
    assert (p2["ahead_behind"], p2["status"], p2["signed_cum"]) == (-20, BEHIND, 1)
    # drafts but no plan: ahead, no percentage
    p3 = rows[("PA0703", "2026-11")]
    assert (p3["drafted_cum"], p3["planned_cum"], p3["ahead_behind"]) == (4, 0, 4)
    assert p3["status"] == AHEAD and pd.isna(p3["pct_of_plan"])
    assert pd.isna(rows[("PA0702", "2026-09")]["pct_of_plan"])

    company = by_key(company_totals(frame))[(COMPANY, "2026-11")]
    assert (company["drafted"], company["drafted_cum"]) == (1, 10)
    assert (company["planned"], company["planned_cum"]) == (14, 29)
    assert (company["signed_cum"], company["ahead_behind"], company["status"]) == (3, -19, BEHIND)
    assert company["pct_of_plan"] == pytest.approx(1000 / 29)


def test_report_month_cuts_later_activity(crafted) -> None:
    engine, plan = crafted
    frame = progress_frame(
        plan, drafted_per_month(engine, TZ), signed_per_month(engine, TZ), "2026-10"
    )
    assert set(frame["month"]) == {"2026-09", "2026-10"}
    oct_ = month_view(frame, "2026-10").set_index("branch")
    assert oct_.loc["PA0701", "drafted_cum"] == 5  # November's draft not counted
    assert oct_.loc["PA0702", "signed_cum"] == 0
    # a later month with no activity carries the cumulative figures on
    dec = month_view(
        progress_frame(
            plan, drafted_per_month(engine, TZ), signed_per_month(engine, TZ), "2026-12"
        ),
        "2026-12",
    ).set_index("branch")
    assert (dec.loc["PA0701", "drafted"], dec.loc["PA0701", "drafted_cum"]) == (0, 6)
    assert dec.loc["PA0701", "planned_cum"] == 14


def test_report_month_before_any_activity() -> None:
    plan = plan_frame([("PA0701", "2026-09", 5)])
    empty_d = pd.DataFrame({"branch": [], "month": [], "drafted": []})
    empty_s = pd.DataFrame({"branch": [], "month": [], "signed": []})
    frame = progress_frame(plan, empty_d, empty_s, "2026-08")
    assert frame[["branch", "month", "planned_cum", "status"]].values.tolist() == [
        ["PA0701", "2026-08", 0, ON_PLAN]
    ]
    assert progress_frame(plan.iloc[:0], empty_d, empty_s, "2026-08").empty


def counts_strategy(name: str):
    row = st.tuples(
        st.sampled_from(["PA0701", "PA0702", "PA0703"]),
        st.sampled_from(["2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]),
        st.integers(0, 1000),
    )
    return st.lists(row, max_size=12, unique_by=lambda r: r[:2]).map(
        lambda rows: pd.DataFrame(rows, columns=["branch", "month", name])
    )


@settings(max_examples=25, deadline=None)
@given(
    plan=counts_strategy("planned"),
    drafted=counts_strategy("drafted"),
    signed=counts_strategy("signed"),
    month=st.sampled_from(["2026-07", "2026-09", "2026-11", "2027-01"]),
)
def test_progress_invariants(plan, drafted, signed, month) -> None:
    before = [df.copy() for df in (plan, drafted, signed)]
    frame = progress_frame(plan, drafted, signed, month)
    for df, copy in zip((plan, drafted, signed), before, strict=True):
        pd.testing.assert_frame_equal(df, copy)  # inputs untouched
    current = month_view(frame, month).set_index("branch")
    for name, df in (("planned", plan), ("drafted", drafted), ("signed", signed)):
        upto = df[df["month"] <= month].groupby("branch")[name].sum()
        for branch in current.index:
            assert current.loc[branch, f"{name}_cum"] == upto.get(branch, 0)
    diff = frame["drafted_cum"] - frame["planned_cum"]
    assert (frame["ahead_behind"] == diff).all()
    assert (frame.loc[diff > 0, "status"] == AHEAD).all()
    assert (frame.loc[diff < 0, "status"] == BEHIND).all()
    assert (frame.loc[diff == 0, "status"] == ON_PLAN).all()
    assert frame.loc[frame["planned_cum"] == 0, "pct_of_plan"].isna().all()
    totals = company_totals(frame).set_index("month")
    sums = frame.groupby("month")[["drafted_cum", "planned_cum", "signed"]].sum()
    pd.testing.assert_frame_equal(totals[sums.columns], sums, check_names=False)


# ---- the plan file ---------------------------------------------------------------------------


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def test_read_plan_csv(tmp_path: Path) -> None:
    f = write(
        tmp_path / "plan.csv",
        "\ufeffBranch;Month;Planned;Ghi chú\npa0702;2026-10;7;Sầm Sơn\n\nPA0701;2026-09;0;\n",
    )
    plan = read_plan(f)
    assert plan.values.tolist() == [["PA0701", "2026-09", 0], ["PA0702", "2026-10", 7]]
    assert str(plan["planned"].dtype) == "int64"


def test_read_plan_xlsx_with_date_and_number_cells(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["branch", "month", "planned"])
    ws.append(["PA0701", datetime(2026, 9, 1), 120])  # Excel turned "2026-09" into a date
    ws.append(["PA0701", "2026-10", 130.0])
    wb.save(tmp_path / "plan.xlsx")
    plan = read_plan(tmp_path / "plan.xlsx")
    assert plan.values.tolist() == [["PA0701", "2026-09", 120], ["PA0701", "2026-10", 130]]


def test_shipped_sample_plan_reads() -> None:
    plan = read_plan(Path(__file__).parents[2] / "site" / "plan.csv")
    assert sorted(plan["branch"].unique()) == [f"PA07{i:02d}" for i in range(1, 28)]
    assert plan["month"].min() == "2026-09" and plan["month"].max() == "2027-08"
    assert len(plan) == 27 * 12
    assert plan["planned"].sum() == 20_000


HEADER = "branch,month,planned\n"


@pytest.mark.parametrize(
    ("content", "row", "field", "words"),
    [
        ("branch,planned\nPA0701,3\n", 1, "month", "missing column"),
        ("branch,month,plan\nPA0701,2026-09,3\n", 1, "planned", "missing column"),
        (HEADER + "PA0701,2026-09,3\nPA0701,2026-13,3\n", 3, "month", "not a month"),
        (HEADER + "PA0701,09/2026,3\n", 2, "month", "not a month"),
        (HEADER + "PA0701,,3\n", 2, "month", "missing"),
        (HEADER + "PA0701,2026-09,-4\n", 2, "planned", "negative"),
        (HEADER + "PA0701,2026-09,12.5\n", 2, "planned", "not a whole number"),
        (HEADER + 'PA0701,2026-09,"1,200"\n', 2, "planned", "not a whole number"),
        (HEADER + "PA0701,2026-09,\n", 2, "planned", "missing"),
        (HEADER + "PA0701,2026-09,3\n\nPA0702,2026-09,3\npa0701,2026-09,4\n", 5, "month",
         "already planned in row 2"),
        (HEADER + "PA07,2026-09,3\n", 2, "branch", "not a CMIS unit code"),
        (HEADER + ",2026-09,3\n", 2, "branch", "missing"),
        (HEADER + "PA0701,2026-09,3,extra\n", 2, None, "more cells than the header"),
        ("branch,month,planned,month\nPA0701,2026-09,3,x\n", 1, "month", "appears twice"),
    ],
)  # fmt: skip
def test_plan_errors_name_file_row_field(tmp_path, content, row, field, words) -> None:
    f = write(tmp_path / "plan.csv", content)
    with pytest.raises(InputFileError) as info:
        read_plan(f)
    err = info.value
    assert (err.file, err.row, err.field) == (str(f), row, field)
    assert words in err.message
    assert str(err).startswith(f"{f}, row {row}")
    assert "\n" not in str(err)


def test_plan_not_utf8_names_row_and_field(tmp_path: Path) -> None:
    # a Windows-1252 file: "Hòa" is not UTF-8
    text = "branch,month,planned,note\nPA0701,2026-09,3,\nPA0711,2026-09,3,Thiệu Hòa\n"
    f = write(tmp_path / "plan.csv", text.encode("cp1252", errors="replace"))
    with pytest.raises(InputFileError) as info:
        read_plan(f)
    assert (info.value.row, info.value.field) == (3, "note")
    assert "not UTF-8" in info.value.message


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("plan.csv", b"", "empty"),
        ("plan.csv", HEADER.encode(), "no rows"),
        ("plan.xlsx", b"not a zip", "not a readable .xlsx"),
        ("plan.xls", b"x", "unsupported file type"),
    ],
)
def test_plan_unusable_files(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    f = write(tmp_path / name, content)
    with pytest.raises(InputFileError, match=words) as info:
        read_plan(f)
    assert info.value.file == str(f)


def test_plan_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        read_plan(tmp_path / "nope.csv")


def test_parse_plan_is_pure() -> None:
    table = pd.DataFrame(
        {"branch": [" PA0701 "], "month": ["2026-09"], "planned": ["5"]}, index=[2]
    )
    copy = table.copy()
    assert parse_plan(table, "t").values.tolist() == [["PA0701", "2026-09", 5]]
    pd.testing.assert_frame_equal(table, copy)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=8), st.text(max_size=12), st.text(max_size=6)),
        min_size=1,
        max_size=6,
    )
)
def test_parse_plan_never_crashes(rows) -> None:
    table = pd.DataFrame(rows, columns=["branch", "month", "planned"], dtype="str")
    table.index = range(2, 2 + len(rows))
    try:
        plan = parse_plan(table, "p.csv")
    except InputFileError as exc:
        assert exc.file == "p.csv" and exc.row in table.index and exc.field in PLAN_COLUMNS
        return
    assert (plan["planned"] >= 0).all()
    assert plan["month"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert not plan.duplicated(["branch", "month"]).any()

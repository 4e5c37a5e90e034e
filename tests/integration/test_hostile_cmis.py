"""CMIS rows as a database we do not own may hold them: NULLs everywhere, numbers, dates and
bytes where text is expected, 10,000-character fields, control characters, TCVN3/VNI text,
SQL-looking strings, a customer listed twice, a station with no customers, a ledger with
100,000. Every station batch commits; every customer ends up stored with an outcome and the
reasons; one bad row never stops the others."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select

from cmis_migrate.config import load_config
from cmis_migrate.model import ReadStats
from cmis_migrate.run_control import begin_run, close_run, plan_run
from cmis_migrate.runtime import opened_runtime
from cmis_migrate.source.cmis import CmisSource
from cmis_migrate.source.schema import (
    D_DVIQLY,
    D_SO_GCS,
    D_TRAM,
    HDG_DIEM_DO,
    HDG_KHACH_HANG,
    HDG_YEU_CAU,
    metadata,
)
from cmis_migrate.station_group import process_station
from cmis_migrate.store.tables import batches, customer_issues, customers
from tests.conftest import GOOD_CMIS_ROW, OPEN_ALL_DAY

AT = "2026-03-10T23:00:00+07:00"
LONG = 10_000
GOOD = dict(GOOD_CMIS_ROW)
NULLS = dict.fromkeys(GOOD)
# (label, HDG_KHACH_HANG values, HDG_DIEM_DO values) of the dirty station's customers
HOSTILE = [
    ("good", GOOD, {}),
    ("all nulls", NULLS, {"DIA_CHI_SDD": None, "SO_HO": None, "SO_CTO": None}),
    (
        "numbers and dates",
        {
            **GOOD,
            "DTHOAI": 912345678,
            "SO_CMND": 38085001234.0,
            "NGAY_SINH": 31079.0,
            "NGAY_CAP": 20210312,
            "EMAIL": 3.5,
            "TEN_KHANG": 12345,
        },
        {"SO_HO": "abc", "SO_CTO": 123456789},
    ),
    (
        "bytes",
        {
            **GOOD,
            "TEN_KHANG": "Nguyễn Văn Bình".encode(),
            "DIA_CHI": "Th«n 3, x· Hµ B×nh".encode("latin-1"),  # TCVN3 bytes
            "EMAIL": b"\xff\xfe\x00\x81garbage",
            "DTHOAI": b"0912345678",
        },
        {"SO_CTO": b"\x00\x01"},
    ),
    (
        "ten thousand characters",
        {
            "TEN_KHANG": "A" * LONG,
            "DIA_CHI": "Thôn 3, " * (LONG // 8),
            "DTHOAI": "0" * LONG,
            "EMAIL": "a" * (LONG - 10) + "@gmail.com",
            "SO_CMND": "1" * LONG,
            "NGAY_CAP": "1" * LONG,
            "NOI_CAP": "x" * LONG,
            "NGAY_SINH": "2" * LONG,
            "SO_HDONG": "H" * LONG,
            "NGAY_HDONG": "3" * LONG,
        },
        {"DIA_CHI_SDD": "y" * LONG, "SO_CTO": "M" * LONG, "SO_HO": 1e30},
    ),
    (
        "control characters",
        {
            **GOOD,
            "TEN_KHANG": "Nguyễn\x00Văn\x07 Cường\r\n",
            "DIA_CHI": "\x1b[31mThôn 3\x1b[0m, Xã Hà Bình\t, Huyện Hà Trung",
            "DTHOAI": "0912\x00345678",
            "EMAIL": "an\u200b@gmail.com\u2028",
        },
        {"DIA_CHI_SDD": "\x00\x00"},
    ),
    (
        "legacy text",
        {
            **GOOD,
            "TEN_KHANG": "NguyÔn V¨n C­êng",
            "DIA_CHI": "Thoân 3, xaõ Haø Bình, huyeän Haø Trung",
            "NOI_CAP": "CA Thanh Ho¸",
        },
        {},
    ),
    (
        "sql-looking",
        {
            **GOOD,
            "TEN_KHANG": "Robert'); DROP TABLE HDG_KHACH_HANG;--",
            "DIA_CHI": "1' OR '1'='1",
            "EMAIL": "x@y.com' --",
            "DTHOAI": "0912345678; DELETE FROM customers",
            "SO_CMND": "%' UNION SELECT * FROM D_TRAM --",
        },
        {"SO_CTO": "'; --"},
    ),
]


def build_cmis(url: str, big_ledger: int = 0) -> dict[str, str]:
    """A hostile CMIS; returns customer code -> label."""
    engine = create_engine(url)
    metadata.create_all(engine)
    labels: dict[str, str] = {}
    with engine.begin() as conn:
        conn.execute(D_DVIQLY.insert(), [{"MA_DVIQLY": "PA0701", "TEN_DVIQLY": "Điện lực TP"}])
        conn.execute(
            D_TRAM.insert(),
            [
                {"MA_TRAM": t, "MA_DVIQLY": "PA0701", "TEN_TRAM": t, "CHUAN_HOA_TTKH": 0}
                for t in ("PA0701T0001", "PA0701T0002", "PA0701T0003", "PA0701T0004")
            ],
        )
        ledgers = [("PA0701T0001A", "PA0701T0001"), ("PA0701T0002A", "PA0701T0002")]
        if big_ledger:
            ledgers.append(("PA0701T0004A", "PA0701T0004"))
        conn.execute(
            D_SO_GCS.insert(),
            [
                {"MA_SOGCS": g, "MA_DVIQLY": "PA0701", "MA_TRAM": t, "NGAY_GCS": 5}
                for g, t in ledgers
            ],
        )  # T0002: a ledger with no customer; T0003: no ledger at all
        kh, dd = [], []
        for i, (label, values, point) in enumerate(HOSTILE):
            code = f"PA0701{i:07d}"
            labels[code] = label
            kh.append({"MA_KHANG": code, "MA_DVIQLY": "PA0701", **values})
            dd.append(
                {
                    "MA_DDO": code + "001",
                    "MA_KHANG": code,
                    "MA_DVIQLY": "PA0701",
                    "MA_TRAM": "PA0701T0001",
                    "MA_SOGCS": "PA0701T0001A",
                    "DIA_CHI_SDD": GOOD["DIA_CHI"],
                    "SO_HO": 1,
                    "SO_CTO": "12345",
                    **point,
                }
            )
        # the good customer has a second metering point: listed twice in the ledger
        dd.append({**dd[0], "MA_DDO": dd[0]["MA_KHANG"] + "002"})
        # a pending change request with a 10,000-character type is no change we know
        conn.execute(
            HDG_YEU_CAU.insert(),
            [
                {
                    "MA_YCAU": "PA07010000000-1",
                    "MA_KHANG": "PA07010000000",
                    "LOAI_YCAU": "Z" * LONG,
                    "TINH_TRANG": "MOI",
                }
            ],
        )
        conn.execute(HDG_KHACH_HANG.insert(), kh)
        conn.execute(HDG_DIEM_DO.insert(), dd)
        if big_ledger:
            conn.execute(
                HDG_KHACH_HANG.insert(),
                [
                    {"MA_KHANG": f"PA0701{9000000 + i}", "MA_DVIQLY": "PA0701"}
                    for i in range(big_ledger)
                ],
            )
            conn.execute(
                HDG_DIEM_DO.insert(),
                [
                    {
                        "MA_DDO": f"PA0701{9000000 + i}001",
                        "MA_KHANG": f"PA0701{9000000 + i}",
                        "MA_DVIQLY": "PA0701",
                        "MA_TRAM": "PA0701T0004",
                        "MA_SOGCS": "PA0701T0004A",
                    }
                    for i in range(big_ledger)
                ],
            )
    engine.dispose()
    return labels


@pytest.fixture
def hostile(tmp_path, make_config):
    (tmp_path / "site").mkdir()
    labels = build_cmis(f"sqlite:///{tmp_path / 'site' / 'cmis.sqlite'}")
    path = make_config(tmp_path / "site", windows=OPEN_ALL_DAY)
    with opened_runtime(load_config(path, env={})) as rt:
        yield rt, labels


def test_every_hostile_row_is_carried_through_with_reasons(hostile):
    rt, labels = hostile
    handle = begin_run(rt, kind="run", at=AT, flow_run_id=None)
    plan_run(rt, handle, stations=None, failed_only=False)
    results = [process_station(job, rt, handle.clock).as_dict() for job in handle.jobs]
    summary = close_run(rt, handle, results)
    assert summary["state"] == "succeeded"
    by_station = {r["station"]: r for r in results}
    assert set(by_station) == {"PA0701T0001", "PA0701T0002", "PA0701T0003", "PA0701T0004"}
    assert by_station["PA0701T0001"]["customers"] == len(HOSTILE)  # the twice-listed one once
    for empty in ("PA0701T0002", "PA0701T0003", "PA0701T0004"):
        assert by_station[empty]["state"] == "succeeded" and by_station[empty]["customers"] == 0

    with rt.store.connect() as conn:
        stored = dict(conn.execute(select(customers.c.customer_code, customers.c.outcome)).all())
        reasons = dict(
            conn.execute(
                select(customer_issues.c.customer_code, func.count()).group_by(
                    customer_issues.c.customer_code
                )
            ).all()
        )
        states = set(conn.execute(select(batches.c.state)).scalars())
        issue_rules = set(
            conn.execute(select(customer_issues.c.customer_code, customer_issues.c.field)).all()
        )
        legacy_rules = (
            conn.execute(
                select(
                    customers.c.full_name_rules,
                    customers.c.address_rules,
                    customers.c.id_issue_place_rules,
                ).where(customers.c.customer_code == code_of_label(labels, "legacy text"))
            )
            .one()
            ._asdict()
        )
    assert states == {"succeeded"}
    assert set(stored) == set(labels)
    code_of = {label: code for code, label in labels.items()}
    for label, code in code_of.items():
        assert stored[code] in ("ready", "needs_review", "blocked"), label
        if label != "good":
            assert reasons.get(code, 0) > 0, f"{label}: stored without a reason"
    for label in ("all nulls", "ten thousand characters", "legacy text", "sql-looking"):
        assert stored[code_of[label]] == "blocked", label
    legacy = code_of["legacy text"]
    assert {("full_name", legacy), ("address", legacy)} <= {
        (field, code) for code, field in issue_rules
    }
    assert {f: legacy_rules[f] for f in legacy_rules} == {
        "full_name_rules": "TEXT_LEGACY_ENCODING",
        "address_rules": legacy_rules["address_rules"],
        "id_issue_place_rules": "TEXT_LEGACY_ENCODING;PLACE_UNKNOWN",
    }
    assert legacy_rules["address_rules"].startswith("TEXT_LEGACY_ENCODING")


def code_of_label(labels: dict[str, str], label: str) -> str:
    return next(code for code, name in labels.items() if name == label)


def test_raw_frame_types_whatever_cmis_holds(hostile):
    rt, labels = hostile
    source = rt.source
    frames = list(
        source.read_ledger(
            "PA0701T0001", "PA0701T0001A", as_of=date(2026, 3, 10), chunk_rows=3, stats=ReadStats()
        )
    )
    raw = pd.concat(frames, ignore_index=True)
    assert len(raw) == len(HOSTILE) + 1  # chunked by 3, nothing lost, the duplicate included
    for col in raw.columns:
        if col != "households":
            assert all(isinstance(v, str) or pd.isna(v) for v in raw[col]), col
            assert not any(isinstance(v, str) and "\x00" in v for v in raw[col]), col
    by_code = raw.drop_duplicates("customer_code").set_index("customer_code")
    code_of = {label: code for code, label in labels.items()}
    row = by_code.loc[code_of["bytes"]]
    assert row["full_name"] == "Nguyễn Văn Bình" and row["address"] == "Th«n 3, x· Hµ B×nh"
    assert by_code["households"].isna().sum() == 3  # NULL, 'abc' and 10**30 are no counts
    assert by_code.loc[code_of["numbers and dates"], "phone"] == "912345678"


def test_oracle_types_become_text():
    from collections import namedtuple

    from cmis_migrate.source.cmis import RAW_COLUMNS, to_raw_frame

    Row = namedtuple("Row", RAW_COLUMNS)
    values = dict.fromkeys(RAW_COLUMNS)
    values |= {
        "customer_code": "PA07010000001",
        "phone": Decimal("912345678"),
        "birth_date": date(1985, 2, 1),
        "id_issue_date": datetime(2021, 3, 12),
        "contract_date": datetime(2016, 5, 2, 8, 30),
        "email": memoryview(b"an@gmail.com"),
        "meter_no": b"\x00\x01",
        "households": -3,
    }
    raw = to_raw_frame([Row(**values), Row(**(values | {"households": Decimal("2")}))])
    row = raw.iloc[0]
    assert (row["phone"], row["birth_date"], row["id_issue_date"]) == (
        "912345678",
        "1985-02-01",
        "2021-03-12",
    )
    assert row["contract_date"] == "2016-05-02T08:30:00" and row["email"] == "an@gmail.com"
    assert row["meter_no"] == "\ufffd\x01"
    assert raw["households"].tolist()[0] is pd.NA and raw["households"].tolist()[1] == 2


def test_a_ledger_of_100000_is_read_in_bounded_chunks(tmp_path):
    url = f"sqlite:///{tmp_path / 'cmis.sqlite'}"
    build_cmis(url, big_ledger=100_000)
    engine = create_engine(url)
    try:
        stats = ReadStats()
        sizes = [
            len(chunk)
            for chunk in CmisSource(engine).read_ledger(
                "PA0701T0004", "PA0701T0004A", as_of=date(2026, 3, 10), chunk_rows=5000, stats=stats
            )
        ]
    finally:
        engine.dispose()
    assert sum(sizes) == 100_000 and max(sizes) == 5000
    assert stats.queries <= 21  # keyset paging: one query per chunk (+1 finds the end)

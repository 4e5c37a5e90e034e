"""A CMIS as an attacker or an unlucky data entry would fill it: path-like unit and station
codes, formula-like text, 100,000-character fields, control and bidi characters, household
counts of every wrong type, codes longer than the store's columns. Every value sits in a
station (and branch) of its own where it would cut the others out, so a test can say which
stations and branches must still come through."""

from __future__ import annotations

from sqlalchemy import create_engine

from cmis_migrate.source.schema import (
    D_DVIQLY,
    D_SO_GCS,
    D_TRAM,
    HDG_DIEM_DO,
    HDG_KHACH_HANG,
    metadata,
)
from tests.conftest import GOOD_CMIS_ROW

HUGE = 100_000
FORMULA_NAME = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'
GOOD = dict(GOOD_CMIS_ROW)
# customers of the good station PA0701T0001: label -> (HDG_KHACH_HANG values, HDG_DIEM_DO values)
CUSTOMERS: dict[str, tuple[dict, dict]] = {
    "good": (GOOD, {}),
    "formula name": (
        {**GOOD, "TEN_KHANG": FORMULA_NAME, "DIA_CHI": "@SUM(1+1)*cmd|' /C calc'!A0"},
        {"DIA_CHI_SDD": "+84 Thôn 3"},
    ),
    "formula everywhere": (
        {k: "=1+1" for k in GOOD} | {"SO_CMND": "-038085001235"},
        {"SO_CTO": "=2+2", "DIA_CHI_SDD": "\t=3+3"},
    ),
    "huge fields": (
        {k: "A" * HUGE for k in GOOD},
        {"DIA_CHI_SDD": "y" * HUGE, "SO_CTO": "M" * HUGE},
    ),
    "control characters": (
        {
            **GOOD,
            "TEN_KHANG": "Nguyễn\u202eVăn\x85 An\x1b[31m",
            "DIA_CHI": "Thôn 3,\u2066 Xã Hà Bình\u2069, Huyện Hà Trung\x07",
            "NOI_CAP": "Cục\x00 CS QLHC",
        },
        {"DIA_CHI_SDD": "\x0b\x0c"},
    ),
    "households text": (GOOD, {"SO_HO": "abc"}),
    "households fraction": (GOOD, {"SO_HO": 2.5}),
    "households zero": (GOOD, {"SO_HO": 0}),
    "households negative": (GOOD, {"SO_HO": -2}),
    "households huge": (GOOD, {"SO_HO": 10**6}),
    "households null": (GOOD, {"SO_HO": None}),
    "households three": (GOOD, {"SO_HO": 3}),
}
GOOD_STATIONS = ("PA0701T0001", "PA0702T0001")
GOOD_BRANCHES = ("PA0701", "PA0702")
PATH_UNIT = "../../../../x"  # from work/reports/review_<unit>.xlsx: a file beside work/
# station code -> (unit code, ledger code, customer code): every one a data error of its own
BAD_STATIONS = {
    "PA0701T0003": (PATH_UNIT, "PA0701T0003A", "PA07010000301"),
    "../../../../evil": ("PA0701", "PA0701T0004A", "PA07010000401"),
    "PA0701T" + "9" * 30: ("PA0701", "PA0701T0005A", "PA07010000501"),
    "PA0701T0006": ("PA0701", "PA0701T0006" + "A" * 20, "PA07010000601"),
    "PA0701T0007": ("PA0701", "PA0701T0007A", "PA0701" + "7" * 20),
    "PA0701T0008": ("PA070100000000", "PA0701T0008A", "PA07010000801"),
}


def customer_code(i: int) -> str:
    return f"PA0701{i:07d}"


def build_hostile_cmis(url: str) -> dict[str, str]:
    """Write the hostile CMIS at `url`; returns customer code -> label (of PA0701T0001)."""
    engine = create_engine(url)
    metadata.create_all(engine)
    labels: dict[str, str] = {}
    stations = [
        ("PA0701T0001", "PA0701", "PA0701T0001A"),
        ("PA0702T0001", "PA0702", "PA0702T0001A"),
    ]
    stations += [(st, unit, ledger) for st, (unit, ledger, _) in BAD_STATIONS.items()]
    with engine.begin() as conn:
        conn.execute(
            D_DVIQLY.insert(),
            [
                {"MA_DVIQLY": "PA0701", "TEN_DVIQLY": "Điện lực TP"},
                {"MA_DVIQLY": "PA0702", "TEN_DVIQLY": "Điện lực Bỉm Sơn"},
            ],
        )
        conn.execute(
            D_TRAM.insert(),
            [
                {"MA_TRAM": st, "MA_DVIQLY": unit, "TEN_TRAM": "=CMD()", "CHUAN_HOA_TTKH": 0}
                for st, unit, _ in stations
            ],
        )
        conn.execute(
            D_SO_GCS.insert(),
            [
                {"MA_SOGCS": lg, "MA_DVIQLY": unit, "MA_TRAM": st, "NGAY_GCS": 5}
                for st, unit, lg in stations
            ],
        )
        kh, dd = [], []

        def add(code: str, unit: str, station: str, ledger: str, values: dict, point: dict):
            kh.append({"MA_KHANG": code, "MA_DVIQLY": unit, **values})
            dd.append(
                {
                    "MA_DDO": code + "001",
                    "MA_KHANG": code,
                    "MA_DVIQLY": unit,
                    "MA_TRAM": station,
                    "MA_SOGCS": ledger,
                    "DIA_CHI_SDD": GOOD["DIA_CHI"],
                    "SO_HO": 1,
                    "SO_CTO": "12345",
                    **point,
                }
            )

        for i, (label, (values, point)) in enumerate(CUSTOMERS.items()):
            labels[customer_code(i)] = label
            add(customer_code(i), "PA0701", "PA0701T0001", "PA0701T0001A", values, point)
        add("PA07020000001", "PA0702", "PA0702T0001", "PA0702T0001A", GOOD, {})
        for st, (unit, ledger, code) in BAD_STATIONS.items():
            add(code, unit, st, ledger, GOOD, {})
        conn.execute(HDG_KHACH_HANG.insert(), kh)
        conn.execute(HDG_DIEM_DO.insert(), dd)
    engine.dispose()
    return labels

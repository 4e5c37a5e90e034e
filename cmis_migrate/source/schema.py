"""The part of the CMIS schema cmis-migrate reads (and the demo generator writes).

Names follow CMIS (see docs/DOMAIN.md, "CMIS vocabulary"). Paper-era fields were typed in
by hand, so they are text columns even when they hold dates or numbers: that is exactly the
dirt the transforms clean. Only the demo creates these tables; against a real CMIS the
source adapter (cmis_migrate/source/cmis.py) only SELECTs.

A site whose schema, tables or columns are named differently maps them in config
(source.schema, source.tables, source.columns): `cmis_tables` builds the Table objects under
the site's names while each column keeps its CMIS name as its key, so queries read
`t.c.NGAY_GCS` whatever the site calls it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text

# (CMIS column name, type, primary key, nullable) per table, in the demo's column order
_SPEC: dict[str, tuple[tuple[str, object, bool, bool], ...]] = {
    # managing units: PA07 (PC Thanh Hoa) and its district branches PA07xx
    "D_DVIQLY": (
        ("MA_DVIQLY", String(6), True, False),
        ("TEN_DVIQLY", Text, False, False),
        ("MA_DVICTREN", String(6), False, True),  # parent unit (NULL for PA07)
    ),
    # transformer stations (TBA); CHUAN_HOA_TTKH 1 = data already standardized (goes first)
    "D_TRAM": (
        ("MA_TRAM", String(20), True, False),
        ("MA_DVIQLY", String(6), False, False),
        ("TEN_TRAM", Text, False, True),
        ("CHUAN_HOA_TTKH", Integer, False, False),
    ),
    # meter-reading ledgers (so GCS) with their reading day of the month, 1..31 (31 = last)
    "D_SO_GCS": (
        ("MA_SOGCS", String(20), True, False),
        ("MA_DVIQLY", String(6), False, False),
        ("MA_TRAM", String(20), False, False),
        ("TEN_SOGCS", Text, False, True),
        ("NGAY_GCS", Integer, False, False),
    ),
    # customer master (paper-era fields, as typed); NGAY_HLUC/NGAY_HHLUC: validity interval
    "HDG_KHACH_HANG": (
        ("MA_KHANG", String(13), True, False),
        ("MA_DVIQLY", String(6), False, False),
        *(
            (name, Text, False, True)
            for name in (
                "TEN_KHANG",
                "DIA_CHI",
                "DTHOAI",
                "EMAIL",
                "SO_CMND",
                "NGAY_CAP",
                "NOI_CAP",
                "NGAY_SINH",
                "SO_HDONG",
                "NGAY_HDONG",
                "NGAY_HLUC",
                "NGAY_HHLUC",
            )
        ),
    ),  # fmt: skip
    # metering points: supply address, households sharing the meter, station and ledger
    "HDG_DIEM_DO": (
        ("MA_DDO", String(16), True, False),
        ("MA_KHANG", String(13), False, False),
        ("MA_DVIQLY", String(6), False, False),
        ("MA_TRAM", String(20), False, False),
        ("MA_SOGCS", String(20), False, False),
        ("DIA_CHI_SDD", Text, False, True),  # supply address
        ("SO_HO", Integer, False, True),  # households sharing the meter
        ("SO_CTO", Text, False, True),  # meter serial number
    ),
    # open customer requests; a change of holder (DOI_CHU_THE), of households (DOI_SO_HO) or of
    # supply address (DOI_DC_SDD) takes the customer out of the bulk flow (docs/DOMAIN.md, "The business")
    "HDG_YEU_CAU": (
        ("MA_YCAU", String(20), True, False),
        ("MA_KHANG", String(13), False, False),
        ("LOAI_YCAU", String(20), False, False),
        ("NGAY_YCAU", Text, False, True),
        ("TINH_TRANG", String(10), False, False),  # MOI (open) | XONG (done)
    ),
}
_DEFAULTS = {("D_TRAM", "CHUAN_HOA_TTKH"): 0, ("HDG_YEU_CAU", "TINH_TRANG"): "MOI"}
_INDEXES = {
    "HDG_DIEM_DO": ("ix_ddo_sogcs", ("MA_SOGCS", "MA_TRAM")),
    "HDG_YEU_CAU": ("ix_ycau_khang", ("MA_KHANG",)),
}

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    table: tuple(spec[0] for spec in cols) for table, cols in _SPEC.items()
}
"""Every CMIS table and column a site may map (config source.tables / source.columns)."""

# What the nightly run reads, and the kinds of value each column may hold: a column of another
# type (BLOB, RAW, XML...) cannot be read as text. Codes may be numbers on some sites.
CODE, TEXT, NUMBER, DATE, BINARY = "text", "text", "number", "date", "binary"
ANY_TEXT = frozenset({TEXT, NUMBER, DATE, BINARY})  # typed by hand: read as text whatever it is
CODE_KINDS = frozenset({CODE, NUMBER})
NUMBER_KINDS = frozenset({NUMBER, TEXT})
DATE_KINDS = frozenset({DATE, TEXT})

NEEDED: dict[str, dict[str, frozenset[str]]] = {
    "D_TRAM": {"MA_TRAM": CODE_KINDS, "MA_DVIQLY": CODE_KINDS, "CHUAN_HOA_TTKH": NUMBER_KINDS},
    "D_SO_GCS": {
        "MA_SOGCS": CODE_KINDS,
        "MA_DVIQLY": CODE_KINDS,
        "MA_TRAM": CODE_KINDS,
        "NGAY_GCS": NUMBER_KINDS,
    },
    "HDG_KHACH_HANG": {
        "MA_KHANG": CODE_KINDS,
        **dict.fromkeys(
            ("TEN_KHANG", "DIA_CHI", "DTHOAI", "EMAIL", "SO_CMND", "NGAY_CAP", "NOI_CAP"),
            ANY_TEXT,
        ),
        **dict.fromkeys(("NGAY_SINH", "SO_HDONG", "NGAY_HDONG"), ANY_TEXT),
        "NGAY_HLUC": DATE_KINDS,
        "NGAY_HHLUC": DATE_KINDS,
    },
    "HDG_DIEM_DO": {
        "MA_DDO": CODE_KINDS,
        "MA_KHANG": CODE_KINDS,
        "MA_DVIQLY": CODE_KINDS,
        "MA_TRAM": CODE_KINDS,
        "MA_SOGCS": CODE_KINDS,
        "DIA_CHI_SDD": ANY_TEXT,
        "SO_HO": NUMBER_KINDS,
        "SO_CTO": ANY_TEXT,
    },
    "HDG_YEU_CAU": {"MA_KHANG": CODE_KINDS, "LOAI_YCAU": CODE_KINDS, "TINH_TRANG": CODE_KINDS},
}
"""The tables and columns the nightly run reads (check-source proves each is there)."""


@dataclass(frozen=True)
class CmisTables:
    """The CMIS tables under one site's names (attributes keep the CMIS names)."""

    metadata: MetaData
    D_DVIQLY: Table
    D_TRAM: Table
    D_SO_GCS: Table
    HDG_KHACH_HANG: Table
    HDG_DIEM_DO: Table
    HDG_YEU_CAU: Table

    def table(self, cmis_name: str) -> Table:
        return getattr(self, cmis_name)


def cmis_tables(
    schema: str | None = None,
    tables: Mapping[str, str] | None = None,
    columns: Mapping[str, Mapping[str, str]] | None = None,
) -> CmisTables:
    """The Table objects for a site: `tables` maps a CMIS table name to the site's, `columns`
    maps a CMIS table name to {CMIS column: site column}; unmapped names stay CMIS's."""
    tables, columns = tables or {}, columns or {}
    unknown = [t for t in (*tables, *columns) if t not in _SPEC] + [
        f"{t}.{c}" for t, cols in columns.items() if t in _SPEC for c in cols
        if c not in TABLE_COLUMNS[t]
    ]  # fmt: skip
    if unknown:
        raise KeyError(f"unknown CMIS table or column: {', '.join(unknown)}")
    metadata = MetaData(schema=schema)
    built = {}
    for name, spec in _SPEC.items():
        renamed = columns.get(name, {})
        cols = [
            Column(
                renamed.get(col, col),
                type_,
                key=col,
                primary_key=pk,
                nullable=nullable,
                default=_DEFAULTS.get((name, col)),
            )
            for col, type_, pk, nullable in spec
        ]
        extra = []
        if name in _INDEXES:
            ix_name, ix_cols = _INDEXES[name]
            extra.append(Index(ix_name, *ix_cols))
        built[name] = Table(tables.get(name, name), metadata, *cols, *extra)
    return CmisTables(metadata=metadata, **built)


DEFAULT_TABLES = cmis_tables()
"""The CMIS names, as the demo creates them."""

# the demo generator writes the default tables
metadata = DEFAULT_TABLES.metadata
D_DVIQLY = DEFAULT_TABLES.D_DVIQLY
D_TRAM = DEFAULT_TABLES.D_TRAM
D_SO_GCS = DEFAULT_TABLES.D_SO_GCS
HDG_KHACH_HANG = DEFAULT_TABLES.HDG_KHACH_HANG
HDG_DIEM_DO = DEFAULT_TABLES.HDG_DIEM_DO
HDG_YEU_CAU = DEFAULT_TABLES.HDG_YEU_CAU

CHANGE_REQUEST_TYPES = ("DOI_CHU_THE", "DOI_SO_HO", "DOI_DC_SDD")

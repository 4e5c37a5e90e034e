"""The part of the CMIS schema cmis-migrate reads (and the demo generator writes).

Names follow CMIS (see docs/DOMAIN.md, "CMIS vocabulary"). Paper-era fields were typed in
by hand, so they are text columns even when they hold dates or numbers: that is exactly the
dirt the transforms clean. Only the demo creates these tables; against a real CMIS the
source adapter (cmis_migrate/source/cmis.py) only SELECTs.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

# managing units: PA07 (PC Thanh Hoa) and its district branches PA07xx
D_DVIQLY = Table(
    "D_DVIQLY",
    metadata,
    Column("MA_DVIQLY", String(6), primary_key=True),
    Column("TEN_DVIQLY", Text, nullable=False),
    Column("MA_DVICTREN", String(6)),  # parent unit (NULL for PA07)
)

# transformer stations (TBA)
D_TRAM = Table(
    "D_TRAM",
    metadata,
    Column("MA_TRAM", String(20), primary_key=True),
    Column("MA_DVIQLY", String(6), nullable=False),
    Column("TEN_TRAM", Text),
    # 1 = the station's customer data was already standardized (it goes first)
    Column("CHUAN_HOA_TTKH", Integer, nullable=False, default=0),
)

# meter-reading ledgers (so GCS) with their reading day of the month
D_SO_GCS = Table(
    "D_SO_GCS",
    metadata,
    Column("MA_SOGCS", String(20), primary_key=True),
    Column("MA_DVIQLY", String(6), nullable=False),
    Column("MA_TRAM", String(20), nullable=False),
    Column("TEN_SOGCS", Text),
    Column("NGAY_GCS", Integer, nullable=False),  # reading day, 1..31 (31 = last day)
)

# customer master (paper-era fields, as typed)
HDG_KHACH_HANG = Table(
    "HDG_KHACH_HANG",
    metadata,
    Column("MA_KHANG", String(13), primary_key=True),
    Column("MA_DVIQLY", String(6), nullable=False),
    Column("TEN_KHANG", Text),
    Column("DIA_CHI", Text),
    Column("DTHOAI", Text),
    Column("EMAIL", Text),
    Column("SO_CMND", Text),
    Column("NGAY_CAP", Text),
    Column("NOI_CAP", Text),
    Column("NGAY_SINH", Text),
    Column("SO_HDONG", Text),
    Column("NGAY_HDONG", Text),
    Column("NGAY_HLUC", Text),  # validity interval of the row (ISO dates)
    Column("NGAY_HHLUC", Text),
)

# metering points: supply address, households sharing the meter, station and ledger
HDG_DIEM_DO = Table(
    "HDG_DIEM_DO",
    metadata,
    Column("MA_DDO", String(16), primary_key=True),
    Column("MA_KHANG", String(13), nullable=False),
    Column("MA_DVIQLY", String(6), nullable=False),
    Column("MA_TRAM", String(20), nullable=False),
    Column("MA_SOGCS", String(20), nullable=False),
    Column("DIA_CHI_SDD", Text),  # supply address
    Column("SO_HO", Integer),  # households sharing the meter
    Column("SO_CTO", Text),  # meter serial number
    Index("ix_ddo_sogcs", "MA_SOGCS", "MA_TRAM"),
)

# open customer requests; a change of holder (DOI_CHU_THE), of households (DOI_SO_HO) or of
# supply address (DOI_DC_SDD) takes the customer out of the bulk flow (docs/DOMAIN.md,
# "The business")
HDG_YEU_CAU = Table(
    "HDG_YEU_CAU",
    metadata,
    Column("MA_YCAU", String(20), primary_key=True),
    Column("MA_KHANG", String(13), nullable=False),
    Column("LOAI_YCAU", String(20), nullable=False),
    Column("NGAY_YCAU", Text),
    Column("TINH_TRANG", String(10), nullable=False, default="MOI"),  # MOI (open) | XONG (done)
    Index("ix_ycau_khang", "MA_KHANG"),
)

CHANGE_REQUEST_TYPES = ("DOI_CHU_THE", "DOI_SO_HO", "DOI_DC_SDD")

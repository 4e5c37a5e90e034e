"""A demo CMIS as a site may hold it: its tables in a non-default schema, some tables and
columns renamed (PostgreSQL), with the config mapping that reads it."""

from __future__ import annotations

from sqlalchemy import create_engine

SCHEMA = "cmis_site"
# {CMIS table: site table}, {CMIS table: {CMIS column: site column}}; lower-case site names
# are PostgreSQL's usual unquoted ones, upper-case ones stay quoted as in CMIS
TABLES = {"D_SO_GCS": "so_gcs", "HDG_KHACH_HANG": "KHACH_HANG"}
COLUMNS = {
    "D_SO_GCS": {"NGAY_GCS": "ngay_ghi_chi_so", "MA_TRAM": "ma_tba"},
    "HDG_KHACH_HANG": {"TEN_KHANG": "TEN_KH", "NGAY_HLUC": "HIEU_LUC_TU"},
    "HDG_DIEM_DO": {"MA_DDO": "MA_DIEM_DO", "MA_SOGCS": "SO_GCS", "SO_HO": "SO_HO_DUNG"},
}
ALL_TABLES = ("D_DVIQLY", "D_TRAM", "D_SO_GCS", "HDG_KHACH_HANG", "HDG_DIEM_DO", "HDG_YEU_CAU")


def source_mapping() -> dict:
    """The `source` config keys (besides url) that read the moved demo."""
    return {"schema": SCHEMA, "tables": TABLES, "columns": COLUMNS}


def move_demo_into_site_schema(url: str) -> None:
    """Move a seeded demo CMIS (default names, public schema) under the site's names."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
            for table in ALL_TABLES:
                conn.exec_driver_sql(f'ALTER TABLE "{table}" SET SCHEMA {SCHEMA}')
            for table, cols in COLUMNS.items():
                for old, new in cols.items():
                    conn.exec_driver_sql(
                        f'ALTER TABLE {SCHEMA}."{table}" RENAME COLUMN "{old}" TO "{new}"'
                    )
            for table, new in TABLES.items():
                conn.exec_driver_sql(f'ALTER TABLE {SCHEMA}."{table}" RENAME TO "{new}"')
    finally:
        engine.dispose()

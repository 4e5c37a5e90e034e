"""seed_demo writes exactly iter_raw_frames' customers into the CMIS tables (SQLite, and
PostgreSQL when CMIS_TEST_DATABASE_URL is set), and never overwrites a CMIS by accident."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cmis_migrate.demo.generator import (
    RAW_COLUMNS,
    DemoExistsError,
    SeedSummary,
    iter_raw_frames,
    seed_demo,
)
from cmis_migrate.demo.places import BRANCHES

N = 2_500
SEED = 44

# the raw customer frame, read back from the CMIS tables (current rows only)
READ_BACK = """
SELECT k."MA_KHANG" AS customer_code, k."MA_DVIQLY" AS branch, d."MA_TRAM" AS station,
       d."MA_SOGCS" AS ledger, d."MA_DDO" AS metering_point, d."SO_CTO" AS meter_no,
       k."TEN_KHANG" AS full_name, k."DIA_CHI" AS address, d."DIA_CHI_SDD" AS supply_address,
       k."DTHOAI" AS phone, k."EMAIL" AS email, k."SO_CMND" AS id_number,
       k."NGAY_CAP" AS id_issue_date, k."NOI_CAP" AS id_issue_place, k."NGAY_SINH" AS birth_date,
       d."SO_HO" AS households, k."SO_HDONG" AS contract_no, k."NGAY_HDONG" AS contract_date,
       y."LOAI_YCAU" AS pending_change
FROM "HDG_KHACH_HANG" k
JOIN "HDG_DIEM_DO" d ON d."MA_KHANG" = k."MA_KHANG"
LEFT JOIN "HDG_YEU_CAU" y ON y."MA_KHANG" = k."MA_KHANG" AND y."TINH_TRANG" = 'MOI'
WHERE k."NGAY_HHLUC" IS NULL
ORDER BY k."MA_KHANG"
"""


def _postgres_schema_url(base: str) -> Iterator[str]:
    """A throw-away schema in the test database (search_path points at it)."""
    schema = f"demo_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'nested' / 'cmis.sqlite'}"
        return
    base = os.environ.get("CMIS_TEST_DATABASE_URL")
    if not base:
        pytest.skip("CMIS_TEST_DATABASE_URL is not set")
    yield from _postgres_schema_url(base)


def _read(url: str, sql: str) -> pd.DataFrame:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(text(sql), conn)
    finally:
        engine.dispose()


def _comparable(df: pd.DataFrame) -> pd.DataFrame:
    out = df.sort_values("customer_code").reset_index(drop=True)
    out = out.astype({c: object for c in out.columns if c != "households"})
    out = out.where(out.notna(), None)
    out["households"] = out["households"].astype("int64")
    return out


def test_seed_demo_writes_the_rows_of_iter_raw_frames(url: str) -> None:
    steps: list[int] = []
    summary = seed_demo(url, N, SEED, progress=steps.append)
    assert isinstance(summary, SeedSummary)
    assert summary.customers == N == sum(steps)
    assert summary.seconds > 0

    written = _comparable(_read(url, READ_BACK))
    expected = _comparable(pd.concat(iter_raw_frames(N, SEED)))
    assert list(written.columns) == list(RAW_COLUMNS)
    pd.testing.assert_frame_equal(written, expected, check_dtype=False)


def test_the_network_tables(url: str) -> None:
    summary = seed_demo(url, N, SEED)
    units = _read(url, 'SELECT * FROM "D_DVIQLY" ORDER BY "MA_DVIQLY"')
    assert len(units) == 1 + len(BRANCHES)
    assert units.loc[units.MA_DVIQLY == "PA07", "MA_DVICTREN"].isna().all()
    assert (units.loc[units.MA_DVIQLY != "PA07", "MA_DVICTREN"] == "PA07").all()

    stations = _read(url, 'SELECT * FROM "D_TRAM"')
    ledgers = _read(url, 'SELECT * FROM "D_SO_GCS"')
    assert (summary.stations, summary.ledgers) == (len(stations), len(ledgers))
    assert summary.branches == stations.MA_DVIQLY.nunique() == len(BRANCHES)
    assert stations.CHUAN_HOA_TTKH.isin([0, 1]).all()
    assert stations.TEN_TRAM.str.fullmatch(r"TBA .+ \d+").all()
    assert ledgers.NGAY_GCS.between(1, 31).all()
    assert ledgers.MA_TRAM.isin(stations.MA_TRAM).all()

    points = _read(url, 'SELECT "MA_SOGCS", "MA_TRAM", "DIA_CHI_SDD" FROM "HDG_DIEM_DO"')
    joined = points.merge(ledgers[["MA_SOGCS", "MA_TRAM"]], on="MA_SOGCS", suffixes=("", "_gcs"))
    assert len(joined) == len(points) and (joined.MA_TRAM_gcs == joined.MA_TRAM).all()
    # a station's name carries the commune its customers are supplied in
    named = points.merge(stations, on="MA_TRAM")
    commune = named.TEN_TRAM.str.replace(r"^TBA (.+) \d+$", r"\1", regex=True)
    plain = named.DIA_CHI_SDD.fillna("").str.contains(
        r"^[^,]*,? ?(?:xã|phường|thị trấn) ", case=False
    )
    hits = [c in a for c, a in zip(commune[plain], named.DIA_CHI_SDD[plain], strict=True)]
    assert sum(hits) / len(hits) > 0.95  # the rest: old commune names on old records


def test_terminated_contracts_and_finished_requests(url: str) -> None:
    seed_demo(url, N, SEED, rates={"terminated_customer": 0.05, "closed_request": 0.05})
    ended = _read(url, 'SELECT * FROM "HDG_KHACH_HANG" WHERE "NGAY_HHLUC" IS NOT NULL')
    assert 0.03 * N < len(ended) < 0.07 * N
    assert (ended.NGAY_HHLUC > ended.NGAY_HLUC).all()
    points = _read(url, 'SELECT "MA_KHANG" FROM "HDG_DIEM_DO"')
    assert not ended.MA_KHANG.isin(points.MA_KHANG).any()
    current = _read(
        url, 'SELECT "MA_KHANG", "NGAY_HLUC" FROM "HDG_KHACH_HANG" WHERE "NGAY_HHLUC" IS NULL'
    )
    assert len(current) == N and current.NGAY_HLUC.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    requests = _read(url, 'SELECT * FROM "HDG_YEU_CAU"')
    assert set(requests.TINH_TRANG) == {"MOI", "XONG"}
    assert requests.MA_YCAU.is_unique
    assert 0.03 * N < (requests.TINH_TRANG == "XONG").sum() < 0.07 * N


def test_refuses_to_overwrite_without_force(url: str) -> None:
    seed_demo(url, 300, 1)
    with pytest.raises(DemoExistsError, match="force"):
        seed_demo(url, 300, 2)
    # nothing was touched
    assert len(_read(url, 'SELECT "MA_KHANG" FROM "HDG_DIEM_DO"')) == 300

    summary = seed_demo(url, 400, 2, force=True)
    assert summary.customers == 400
    written = _read(url, 'SELECT "MA_KHANG" FROM "HDG_DIEM_DO" ORDER BY "MA_KHANG"')
    expected = pd.concat(iter_raw_frames(400, 2)).customer_code.sort_values()
    assert written.MA_KHANG.tolist() == expected.tolist()


def test_a_database_with_only_some_cmis_tables_is_refused_too(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'partial.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text('CREATE TABLE "HDG_KHACH_HANG" ("MA_KHANG" TEXT)'))
        conn.execute(text("CREATE TABLE other_table (x INTEGER)"))
    engine.dispose()
    with pytest.raises(DemoExistsError, match="HDG_KHACH_HANG"):
        seed_demo(url, 50, 1)
    seed_demo(url, 50, 1, force=True)
    assert len(_read(url, 'SELECT * FROM "HDG_KHACH_HANG" WHERE "NGAY_HHLUC" IS NULL')) == 50
    assert _read(url, "SELECT count(*) AS n FROM other_table").n[0] == 0  # left alone

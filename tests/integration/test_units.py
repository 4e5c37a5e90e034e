"""Unit names: read from CMIS (D_DVIQLY) when a run plans, kept in the store for the drafts."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine

from cmis_migrate.db import store_engine
from cmis_migrate.source.schema import D_DVIQLY
from cmis_migrate.source.units import units
from cmis_migrate.store.schema import upgrade
from cmis_migrate.store.units import save_units, unit_name, unit_names

NOW = datetime(2026, 12, 1, 15, tzinfo=UTC)


def test_units_reads_codes_and_names_as_cmis_holds_them(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'cmis.sqlite'}")
    D_DVIQLY.create(engine)
    with engine.begin() as conn:
        conn.execute(
            D_DVIQLY.insert(),
            [
                {"MA_DVIQLY": "PA07", "TEN_DVIQLY": "Công ty Điện lực Thanh Hóa"},
                {"MA_DVIQLY": "PA0705 ", "TEN_DVIQLY": "  Điện lực   Hoằng Hóa ", "MA_DVICTREN": "PA07"},
                {"MA_DVIQLY": "PA0799", "TEN_DVIQLY": "   "},  # a blank name is no name
            ],
        )  # fmt: skip
    try:
        assert units(engine) == {
            "PA07": "Công ty Điện lực Thanh Hóa",
            "PA0705": "Điện lực Hoằng Hóa",
        }
    finally:
        engine.dispose()


def test_the_store_keeps_the_latest_name_of_each_unit(tmp_path) -> None:
    engine = store_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    try:
        save_units(engine, {"PA0701": "Điện lực TP", "PA0705": "Điện lực Hoằng Hóa"}, now=NOW)
        assert save_units(engine, {"PA0701": "Điện lực Thành phố Thanh Hóa"}, now=NOW) == 1
        assert save_units(engine, {}, now=NOW) == 0
        assert unit_names(engine) == {
            "PA0701": "Điện lực Thành phố Thanh Hóa",
            "PA0705": "Điện lực Hoằng Hóa",  # CMIS no longer listing a unit keeps its name
        }
        assert unit_name(engine, "PA0705") == "Điện lực Hoằng Hóa"
        assert unit_name(engine, "PA0777") is None
    finally:
        engine.dispose()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.dictionaries(
        st.text(alphabet="PA0123456789 x", min_size=1, max_size=6),
        st.text(max_size=40).filter(lambda t: "\x00" not in t),
        max_size=8,
    )
)
def test_any_unit_table_reads_without_crashing(tmp_path, names) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'cmis.sqlite'}")
    D_DVIQLY.create(engine, checkfirst=True)
    try:
        with engine.begin() as conn:
            conn.execute(D_DVIQLY.delete())
            if names:
                rows = [{"MA_DVIQLY": c, "TEN_DVIQLY": n} for c, n in names.items()]
                conn.execute(D_DVIQLY.insert(), rows)
        read = units(engine)
    finally:
        engine.dispose()
    assert set(read) <= {c.strip() for c in names}
    assert all(v and v == " ".join(v.split()) for v in read.values())

"""The GX suite on a crafted batch: which rows fail which expectation, and the stored summary."""

from __future__ import annotations

import pandas as pd
import pytest

from cmis_migrate.fields import REVIEWED_FIELDS
from cmis_migrate.validators.expectations import (
    expectation_specs,
    failing_rows,
    gx_frame,
    mask_value,
    run_expectations,
)

WARDS = ("Phường Hạc Thành", "Xã Quảng Phú")
FIELDS = REVIEWED_FIELDS  # every reviewed field (cmis_migrate/fields.py)


def good(code: str) -> dict:
    row = {"customer_code": code, "outcome": "ready", "phone_type": "mobile", "id_type": "CCCD"}
    for f in FIELDS:
        row[f"{f}_status"] = "ok"
    row.update(
        phone_normalized="+84912345678",
        id_number_normalized="038085001234",
        id_issue_date_normalized="2021-04-12",
        email_normalized="an@example.vn",
        address_ward="Xã Quảng Phú",
    )
    return row


def batch() -> pd.DataFrame:
    rows = [good(f"PA0701000000{i}") for i in range(10)]
    rows[1].update(phone_normalized="0373851234")  # ok status but not E.164: a broken promise
    rows[2].update(phone_status="invalid", phone_normalized="12ab")  # invalid: rules' business
    rows[3].update(id_number_normalized="3.8085E+10")
    rows[4].update(address_status="bogus")
    rows[5].update(outcome=None)
    rows[6].update(address_ward="Xã Quảng Trung")  # a pre-2025 commune
    rows[7].update(id_issue_date_normalized="12/04/2021")
    rows[8].update(id_type="PASSPORT", email_normalized="an at example")
    rows[9].update(customer_code="PA07010000000")  # duplicate of row 0
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def failing() -> dict[str, list[str]]:
    return failing_rows(batch(), WARDS)


def test_failing_rows_names_exactly_the_bad_rows(failing) -> None:
    assert failing == {
        "expect_column_values_to_match_regex:phone_normalized": ["PA07010000001"],
        "expect_column_values_to_match_regex:id_number_normalized": ["PA07010000003"],
        "expect_column_values_to_be_in_set:address_status": ["PA07010000004"],
        "expect_column_values_to_be_in_set:outcome": ["PA07010000005"],
        "expect_column_values_to_be_in_set:address_ward": ["PA07010000006"],
        "expect_column_values_to_match_regex:id_issue_date_normalized": ["PA07010000007"],
        "expect_column_values_to_be_in_set:id_type": ["PA07010000008"],
        "expect_column_values_to_match_regex:email_normalized": ["PA07010000008"],
        "expect_column_values_to_be_unique:customer_code": ["PA07010000000"],
    }


def test_a_clean_batch_passes_with_boolean_only() -> None:
    frame = pd.DataFrame([good(f"PA0701000000{i}") for i in range(5)])
    summary = run_expectations(frame, WARDS)
    assert summary["success"] is True
    assert summary["failed"] == 0
    assert summary["evaluated"] == len(expectation_specs(WARDS))
    assert summary["result"]["result_format"] == "BOOLEAN_ONLY"
    assert failing_rows(frame, WARDS) == {}


def test_a_failing_batch_is_summarized_with_counts_and_masked_examples() -> None:
    summary = run_expectations(batch(), WARDS)
    assert summary["success"] is False
    assert summary["result"]["result_format"] == "SUMMARY"
    assert summary["failed"] == 9
    by_column = {(e["expectation"], e["column"]): e for e in summary["result"]["expectations"]}
    phone = by_column[("expect_column_values_to_match_regex", "phone_normalized")]
    assert phone["success"] is False and phone["unexpected_count"] == 1
    # personal data is never stored in full
    assert phone["partial_unexpected_list"] == ["037****234"]
    ward = by_column[("expect_column_values_to_be_in_set", "address_ward")]
    assert ward["partial_unexpected_list"] == ["Xã Quảng Trung"]


def test_gx_frame_checks_formats_only_of_usable_values_and_catches_missing_sets() -> None:
    frame = batch()
    before = frame.copy()
    data = gx_frame(frame, WARDS)
    pd.testing.assert_frame_equal(frame, before)  # input untouched
    assert data.loc[2, "phone_normalized"] is None  # invalid: not a format question
    assert data.loc[5, "outcome"] == "<null>"


def test_mask_value_keeps_only_the_ends() -> None:
    assert mask_value("0912345678") == "091****678"
    assert mask_value("038085001234") == "038******234"
    assert mask_value("12345") == "*****"


def test_two_threads_asking_for_the_suite_at_once_build_it_once(monkeypatch) -> None:
    """Two task threads evaluate at once: the suite (and GX's import) is built by one of them,
    not by each."""
    import threading
    import time

    from cmis_migrate.validators import expectations

    built = []

    class SlowSuite:
        def __init__(self, wards):
            time.sleep(0.2)  # long enough for the other thread to ask meanwhile
            built.append(wards)

    monkeypatch.setattr(expectations, "_Suite", SlowSuite)
    wards = ("Xã chỉ của phép thử này",)  # a key no other test has cached
    got = []
    threads = [
        threading.Thread(target=lambda: got.append(expectations._suite(wards))) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert built == [wards] and got[0] is got[1]


@pytest.mark.parametrize("runner, built_before", [("local", 1), ("dask", 0)])
def test_the_suite_is_built_while_prefect_boots_for_the_batches_to_find(
    monkeypatch, tmp_path, runner, built_before
) -> None:
    """`run` builds the suite while Prefect's temporary server boots, for the very wards the
    station batches validate against: the first task group finds it built. A Dask cluster's
    workers build their own, so the command's process does not."""
    from cmis_migrate.cli.running import prepare_validation
    from cmis_migrate.config import build_config
    from cmis_migrate.reference import province_wards
    from cmis_migrate.validators import expectations

    built = []

    class CountedSuite:
        def __init__(self, wards):
            built.append(wards)

    monkeypatch.setattr(expectations, "_Suite", CountedSuite)
    expectations._built.cache_clear()
    cfg = build_config({"paths": {"work": "work"}, "runner": runner}, tmp_path, env={})
    prepare_validation(cfg)
    assert len(built) == built_before
    try:  # the wards as the runtime hands them to the batches, as they ask for the suite
        expectations._suite(tuple(sorted(province_wards(cfg.rules.province))))
    finally:
        expectations._built.cache_clear()
    assert len(built) == 1 and built[0]  # built once, for the province's wards

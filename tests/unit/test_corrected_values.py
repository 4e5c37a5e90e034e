"""A branch's corrected values go through the pipeline's own transforms before they are accepted,
and a corrected phone is read as written on the day of the correction."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from cmis_migrate.config import RulesConfig
from cmis_migrate.reports.corrections_import import check_corrected_values
from cmis_migrate.store.tables import STORED_FIELDS
from cmis_migrate.transforms import normalize_customers
from cmis_migrate.transforms.corrections import apply_corrections

NOW = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)


def stored(code: str, **over) -> dict:
    row = {"customer_code": code, "branch": "PA0701", "birth_date_original": "12/03/1985"}
    row["contract_date_original"] = "05/06/2009"  # a paper-era contract: before 2018
    for f in STORED_FIELDS:
        row[f"{f}_original"] = None
    row.update(
        full_name_original="Nguyễn Văn An",
        address_original="Thôn 1, xã Quảng Phú, huyện Thọ Xuân, Thanh Hóa",
        supply_address_original="Thôn 1, xã Quảng Phú, huyện Thọ Xuân, Thanh Hóa",
        phone_original="0912345678",
        id_number_original="172345678",
        id_issue_date_original="12/04/2010",
        id_issue_place_original="CA Thanh Hóa",
    )
    row.update(over)
    return row


def check(rows: list[dict], new: list[tuple[str, str, str]], **kw) -> dict:
    customers = pd.DataFrame(rows)
    earlier = pd.DataFrame(columns=["customer_code", "field", "new_value", "applied_at"])
    corrections = pd.DataFrame(new, columns=["customer_code", "field", "new_value"])
    return check_corrected_values(
        customers, earlier, corrections, rules=RulesConfig(), now=NOW, **kw
    )


def test_valid_corrections_are_accepted() -> None:
    bad = check(
        [stored("C1")],
        [
            ("C1", "phone", "0987 654 321"),
            ("C1", "id_number", "038085001234"),
            ("C1", "id_issue_date", "12/04/2021"),
            ("C1", "id_issue_place", "Cục Cảnh sát quản lý hành chính về trật tự xã hội"),
        ],
    )
    assert bad == {}


def test_invalid_or_unusable_corrections_are_rejected_with_a_reason() -> None:
    rows = [stored(f"C{i}") for i in range(6)]
    bad = check(
        rows,
        [
            ("C0", "phone", "12345"),  # not a number
            ("C1", "phone", "0237 3851234"),  # a landline: no OTP
            ("C2", "id_number", "3.8085E+10"),  # Excel damage
            ("C3", "id_number", "172345679"),  # still a CMND
            ("C4", "id_issue_date", "31/02/2021"),  # no such date
            ("C5", "phone", "0987654321"),  # a staff phone
        ],
        staff_phones=frozenset({"+84987654321"}),
    )
    assert set(bad) == {
        ("C0", "phone"),
        ("C1", "phone"),
        ("C2", "id_number"),
        ("C3", "id_number"),
        ("C4", "id_issue_date"),
        ("C5", "phone"),
    }
    assert "cố định" in bad[("C1", "phone")]
    assert "CMND" in bad[("C3", "id_number")]
    assert all(reason for reason in bad.values())


def test_a_corrected_037_number_is_a_mobile_not_the_old_landline() -> None:
    raw = pd.DataFrame(
        [
            {
                "customer_code": "C1",
                "phone": "0373851234",
                "contract_date": "05/06/2009",
                "full_name": "Nguyễn Văn An",
            }
        ]
    )
    before = normalize_customers(raw, today=NOW.date())
    assert before.loc[0, "phone_type"] == "fixed"  # dated 2009: the old Thanh Hóa landline
    corr = pd.DataFrame(
        [("C1", "phone", "0373851234", NOW)],
        columns=["customer_code", "field", "new_value", "applied_at"],
    )
    inputs, corrected = apply_corrections(raw, corr)
    after = normalize_customers(inputs, today=NOW.date())
    assert after.loc[0, "phone_type"] == "mobile"
    assert bool(corrected.loc[0, "phone"])
    # the correction dates the phone, not the contract: the contract date stays as checked
    assert after.loc[0, "contract_date_normalized"] == "2009-06-05"
    assert after.loc[0, "contract_date_status"] == "ok"
    assert raw.loc[0, "contract_date"] == "05/06/2009"  # input untouched


def test_an_address_is_corrected_to_its_2025_ward_or_rejected() -> None:
    rows = [stored("C1"), stored("C2")]
    bad = check(
        rows,
        [
            ("C1", "address", "Thôn 1, Xã Quảng Chính, Tỉnh Thanh Hóa"),
            ("C2", "address", "không rõ"),
        ],
    )
    assert set(bad) == {("C2", "address")}


def test_a_correction_or_confirmation_changes_the_content_hash() -> None:
    from cmis_migrate.evaluate import review_marks
    from cmis_migrate.source.cmis import RAW_COLUMNS
    from cmis_migrate.store.rows import content_hashes

    raw = pd.DataFrame([{c: None for c in RAW_COLUMNS} | {"customer_code": "C1", "reading_day": 5}])
    none = pd.DataFrame(columns=["customer_code", "field", "new_value"])
    one = pd.DataFrame([("C1", "phone", "0987654321")], columns=none.columns)
    base = content_hashes(raw, review_marks(raw["customer_code"], none, {}))
    corrected = content_hashes(raw, review_marks(raw["customer_code"], one, {}))
    confirmed = content_hashes(
        raw, review_marks(raw["customer_code"], none, {("C1", "ADDRESS_AMBIGUOUS"): "x"})
    )
    assert len({base[0], corrected[0], confirmed[0]}) == 3

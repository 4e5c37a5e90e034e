"""Each business rule on crafted customers: the rule fires, with its severity, and only then."""

from __future__ import annotations

import pandas as pd
import pytest

from cmis_migrate.fields import REVIEWED_FIELDS
from cmis_migrate.validators.context import ValidationContext
from cmis_migrate.validators.keys import count_holders, identity_keys
from cmis_migrate.validators.rules import RULES, rule_masks
from cmis_migrate.validators.validate import validate_customers

FIELDS = REVIEWED_FIELDS  # every reviewed field (cmis_migrate/fields.py)


def customer(code: str = "PA07010000001", **over) -> dict:
    row = {"customer_code": code, "station": "T1", "pending_change": None}
    for f in FIELDS:
        row[f"{f}_status"] = "ok"
        row[f"{f}_issues"] = ""
    row.update(
        full_name_normalized="Nguyễn Văn An",
        phone_normalized="+84912345678",
        phone_type="mobile",
        otp_ready=True,
        id_number_normalized="038085001234",
        id_type="CCCD",
        address_normalized="Thôn 1, Xã Quảng Phú, Tỉnh Thanh Hóa",
        address_ward="Xã Quảng Phú",
        email_normalized=None,
        email_status="missing",
        email_original=None,
        birth_date_normalized=None,
    )
    row.update(over)
    return row


def run(rows: list[dict], **ctx) -> tuple[pd.Series, pd.DataFrame]:
    frame = pd.DataFrame(rows)
    frame = frame.join(identity_keys(frame))
    v = validate_customers(frame, ValidationContext(**ctx))
    return v.outcomes, v.issues


def rules_of(issues: pd.DataFrame, code: str) -> set[str]:
    return set(issues.loc[issues["customer_code"] == code, "rule"])


def test_a_clean_customer_is_ready() -> None:
    outcomes, issues = run([customer()])
    assert outcomes.to_dict() == {"PA07010000001": "ready"}
    assert issues.empty


# the transform decided the CMND cut-off (transforms/identity.py): the code, status ambiguous
EXPIRED = {"id_number_status": "ambiguous", "id_number_issues": "ID_CMND_EXPIRED"}
CASES = [
    ({"phone_status": "missing", "phone_normalized": None}, "OTP_PHONE_MISSING", "blocked"),
    ({"phone_status": "invalid"}, "OTP_PHONE_INVALID", "blocked"),
    ({"phone_type": "unknown"}, "OTP_PHONE_INVALID", "blocked"),
    (
        {"phone_type": "fixed", "phone_normalized": "+842373851234"},
        "OTP_PHONE_LANDLINE",
        "blocked",
    ),
    (
        {"phone_status": "ambiguous", "phone_type": "unknown"},
        "OTP_PHONE_AMBIGUOUS",
        "needs_review",
    ),
    (
        {
            "phone_status": "ambiguous",
            "phone_issues": "PHONE_SEVERAL_NUMBERS;PHONE_PRIMARY_GUESSED",
        },
        "OTP_PHONE_CHOOSE",
        "needs_review",
    ),
    ({"phone_issues": "PHONE_OF_OTHER_PERSON"}, "PHONE_NOT_HOLDER", "blocked"),
    ({"phone_issues": "PHONE_OF_RELATIVE"}, "PHONE_RELATIVE_CONSENT", "needs_review"),
    ({"id_number_status": "missing"}, "ID_MISSING", "blocked"),
    ({"id_number_status": "invalid"}, "ID_INVALID", "blocked"),
    ({"id_type": "unknown"}, "ID_INVALID", "blocked"),
    (
        {**EXPIRED, "id_type": "CMND9", "id_number_normalized": "172345678"},
        "ID_CMND_EXPIRED",
        "blocked",
    ),
    ({**EXPIRED, "id_type": "CMND12"}, "ID_CMND_EXPIRED", "blocked"),
    (
        {**EXPIRED, "id_type": "CMND9", "id_number_normalized": "172345678"},
        "ID_ISSUE_DATE_OLD_CARD",
        "blocked",
    ),
    (
        {**EXPIRED, "id_type": "CMND9", "id_number_normalized": "172345678"},
        "ID_ISSUE_PLACE_OLD_CARD",
        "blocked",
    ),
    ({"id_number_status": "ambiguous"}, "ID_AMBIGUOUS", "needs_review"),
    ({"id_issue_date_status": "invalid"}, "ID_ISSUE_DATE_MISSING", "blocked"),
    ({"id_issue_date_status": "ambiguous"}, "ID_ISSUE_DATE_AMBIGUOUS", "needs_review"),
    ({"id_issue_place_status": "missing"}, "ID_ISSUE_PLACE_MISSING", "blocked"),
    ({"id_issue_place_status": "ambiguous"}, "ID_ISSUE_PLACE_AMBIGUOUS", "needs_review"),
    ({"address_status": "invalid", "address_ward": None}, "ADDRESS_UNRESOLVED", "blocked"),
    ({"address_status": "fixed", "address_ward": None}, "ADDRESS_UNRESOLVED", "blocked"),
    ({"address_status": "ambiguous"}, "ADDRESS_AMBIGUOUS", "needs_review"),
    (
        {"supply_address_status": "invalid", "supply_address_normalized": "xyz"},
        "SUPPLY_ADDRESS_UNRESOLVED",
        "blocked",
    ),
    (
        {"supply_address_status": "ambiguous", "supply_address_normalized": "Thôn 2, Xã X"},
        "SUPPLY_ADDRESS_AMBIGUOUS",
        "needs_review",
    ),
    ({"full_name_status": "missing"}, "NAME_MISSING", "blocked"),
    ({"full_name_status": "ambiguous"}, "NAME_AMBIGUOUS", "needs_review"),
    ({"email_status": "invalid", "email_normalized": "an@@x"}, "EMAIL_INVALID", "needs_review"),
    (
        {"email_status": "ambiguous", "email_normalized": "a@b.vn"},
        "EMAIL_AMBIGUOUS",
        "needs_review",
    ),
    ({"pending_change": "DOI_CHU_THE"}, "CHANGE_OUT_OF_BULK", "blocked"),
    ({"pending_change": "DOI_SO_HO"}, "CHANGE_OUT_OF_BULK", "blocked"),
    ({"pending_change": "DOI_DC_SDD"}, "CHANGE_OUT_OF_BULK", "blocked"),
    ({"households": None}, "HOUSEHOLDS_INVALID", "blocked"),
    ({"households": 0}, "HOUSEHOLDS_INVALID", "blocked"),
    ({"households": 2.5}, "HOUSEHOLDS_INVALID", "blocked"),
    ({"text_too_long": "TEN_KHANG, DIA_CHI"}, "TEXT_TOO_LONG", "blocked"),
    ({"text_controls": "TEN_KHANG"}, "TEXT_CONTROL_CHARS", "needs_review"),
    (
        {"birth_date_status": "invalid", "birth_date_issues": "DATE_IMPOSSIBLE"},
        "BIRTH_DATE_INVALID",
        "needs_review",
    ),
    (
        {"contract_date_status": "invalid", "contract_date_issues": "CONTRACT_BEFORE_BIRTH"},
        "CONTRACT_DATE_INVALID",
        "needs_review",
    ),
]
# rules that need context (other customers, the staff list): tested one by one below
CONTEXT_RULES = {"PHONE_SHARED", "PHONE_STAFF", "ID_DUPLICATE", "PERSON_DUPLICATE"}


def test_every_rule_has_a_crafted_case() -> None:
    assert {rule for _, rule, _ in CASES} | CONTEXT_RULES == set(RULES)


def test_every_rule_has_a_vietnamese_message_and_a_known_severity() -> None:
    for rule in RULES.values():
        assert rule.severity in ("blocking", "warning")
        assert rule.field in (*FIELDS, "customer")
        assert any(
            ch in rule.message for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
        )
        if rule.confirmable:
            assert rule.value_column is not None


@pytest.mark.parametrize(("over", "rule", "outcome"), CASES)
def test_each_rule_on_a_crafted_customer(over: dict, rule: str, outcome: str) -> None:
    outcomes, issues = run([customer(**over)])
    assert rule in rules_of(issues, "PA07010000001")
    assert outcomes["PA07010000001"] == outcome
    hit = issues[issues["rule"] == rule].iloc[0]
    assert hit["severity"] == RULES[rule].severity
    assert hit["field"] == RULES[rule].field
    assert hit["message"] and "{" not in hit["message"]
    # the clean customer does not trip it: the rule fires because of `over`, only then
    _, clean = run([customer()])
    assert rule not in rules_of(clean, "PA07010000001")


def test_the_address_ward_must_be_a_2025_ward_of_the_province() -> None:
    wards = frozenset({"Xã Quảng Phú", "Phường Hạc Thành"})
    outcomes, _ = run([customer()], wards=wards)
    assert outcomes["PA07010000001"] == "ready"
    outcomes, issues = run([customer(address_ward="Xã Quảng Trung")], wards=wards)
    assert outcomes["PA07010000001"] == "blocked"
    assert rules_of(issues, "PA07010000001") == {"ADDRESS_UNRESOLVED"}


def test_an_ambiguous_field_of_any_kind_is_never_ready() -> None:
    for f in (*FIELDS, "supply_address"):
        over = {f"{f}_status": "ambiguous"}
        if f == "supply_address":
            over["supply_address_normalized"] = "Thôn 9, Xã Y, Tỉnh Thanh Hóa"
        outcomes, _ = run([customer(**over)])
        assert outcomes["PA07010000001"] != "ready", f


def test_staff_phone_is_blocking_and_cannot_be_confirmed() -> None:
    staff = frozenset({"+84912345678"})
    confirmations = {("PA07010000001", "PHONE_STAFF"): None}
    outcomes, issues = run([customer()], staff_phones=staff, confirmations=confirmations)
    assert "PHONE_STAFF" in rules_of(issues, "PA07010000001")
    assert outcomes["PA07010000001"] == "blocked"


def test_staff_phone_only_hits_the_otp_phone() -> None:
    staff = frozenset({"+84987654321"})
    outcomes, issues = run([customer()], staff_phones=staff)
    assert outcomes["PA07010000001"] == "ready" and issues.empty


def test_a_shared_phone_confirmed_by_the_branch_lets_the_customer_through() -> None:
    row = customer()
    confirmed = {("PA07010000001", "PHONE_SHARED"): "+84912345678"}
    outcomes, issues = run([row], phone_holders={"+84912345678": 5}, confirmations=confirmed)
    assert outcomes["PA07010000001"] == "ready", issues
    # the confirmation was for that phone: a new phone shared as widely needs a new "yes"
    row2 = customer(phone_normalized="+84912000000")
    outcomes, _ = run([row2], phone_holders={"+84912000000": 5}, confirmations=confirmed)
    assert outcomes["PA07010000001"] == "blocked"


def test_a_confirmation_never_lifts_a_rule_that_needs_a_correction() -> None:
    row = customer(phone_status="invalid")
    confirmed = {("PA07010000001", "OTP_PHONE_INVALID"): None}
    outcomes, _ = run([row], confirmations=confirmed)
    assert outcomes["PA07010000001"] == "blocked"


def test_holders_of_a_phone_are_counted_by_name_or_id_number() -> None:
    pairs = [
        ("+84911", "nguyen van an|038085001234"),
        ("+84911", "nguyen van an|"),  # same name, no ID: the same holder
        ("+84911", "nguyen van anh|038085001234"),  # typo in the name, same ID: same holder
        ("+84911", "le thi binh|038190001111"),
        ("+84922", "tran van c|038070002222"),
        ("", "x|1"),
        (None, "y|2"),
    ]
    assert count_holders(pairs) == {"+84911": 2, "+84922": 1}
    four = [("+84933", f"nguoi {i}|03808500123{i}") for i in range(4)]
    assert count_holders(four) == {"+84933": 4}


def test_a_phone_shared_by_more_holders_than_allowed_blocks_them_all() -> None:
    rows = [
        customer(
            f"PA0701000000{i}",
            full_name_normalized=f"Người {i}",
            id_number_normalized=f"03808500123{i}",
        )
        for i in range(4)
    ]
    outcomes, issues = run(rows, phone_holders={"+84912345678": 4}, max_holders_per_phone=3)
    assert set(outcomes) == {"blocked"}
    assert "4 chủ hợp đồng" in issues.loc[issues["rule"] == "PHONE_SHARED", "message"].iloc[0]
    outcomes, _ = run(rows, phone_holders={"+84912345678": 3}, max_holders_per_phone=3)
    assert set(outcomes) == {"ready"}


def test_a_branch_confirmation_lifts_a_warning_only_for_the_confirmed_value() -> None:
    row = customer(phone_status="ambiguous", phone_normalized="+84373851234")
    confirmed = {("PA07010000001", "OTP_PHONE_AMBIGUOUS"): "+84373851234"}
    outcomes, _ = run([row], confirmations=confirmed)
    assert outcomes["PA07010000001"] == "ready"
    other = {("PA07010000001", "OTP_PHONE_AMBIGUOUS"): "+84373859999"}
    outcomes, _ = run([row], confirmations=other)
    assert outcomes["PA07010000001"] == "needs_review"


def test_same_id_on_several_customer_codes_goes_to_review() -> None:
    rows = [customer("PA07010000001"), customer("PA07010000002")]
    outcomes, issues = run(rows, id_customers={"038085001234": 2})
    assert set(outcomes) == {"needs_review"}
    assert rules_of(issues, "PA07010000002") == {"ID_DUPLICATE"}


def test_same_person_twice_goes_to_review() -> None:
    rows = [
        customer(
            "PA07010000001", birth_date_normalized="1985-03-12", id_number_normalized="038085001234"
        ),
        customer(
            "PA07010000002", birth_date_normalized="1985-03-12", id_number_normalized="038085009999"
        ),
    ]
    frame = pd.DataFrame(rows).join(identity_keys(pd.DataFrame(rows)))
    key = frame["person_key"].iloc[0]
    assert key == frame["person_key"].iloc[1] and key
    outcomes, issues = run(rows, person_customers={key: 2})
    assert "PERSON_DUPLICATE" in rules_of(issues, "PA07010000001")
    assert outcomes["PA07010000001"] == "needs_review"
    # without a birth date there is no person key: no hit
    rows = [customer("PA07010000001"), customer("PA07010000002")]
    assert identity_keys(pd.DataFrame(rows))["person_key"].isna().all()


def test_same_id_is_not_also_reported_as_the_same_person() -> None:
    rows = [
        customer("PA07010000001", birth_date_normalized="1985-03-12"),
        customer("PA07010000002", birth_date_normalized="1985-03-12"),
    ]
    key = identity_keys(pd.DataFrame(rows))["person_key"].iloc[0]
    _, issues = run(rows, id_customers={"038085001234": 2}, person_customers={key: 2})
    assert rules_of(issues, "PA07010000001") == {"ID_DUPLICATE"}


def test_holder_key_ignores_an_unusable_id_number() -> None:
    rows = [customer(id_number_status="invalid", id_number_normalized="3.8E+10")]
    assert identity_keys(pd.DataFrame(rows))["holder_key"].iloc[0] == "nguyen van an|"


def test_rule_masks_cover_every_rule_on_an_empty_frame() -> None:
    frame = pd.DataFrame({"customer_code": pd.Series(dtype=object)})
    masks = rule_masks(frame, ValidationContext())
    assert set(masks) == set(RULES)
    v = validate_customers(frame, ValidationContext())
    assert v.issues.empty and v.outcomes.empty


def test_all_issues_of_a_customer_are_listed() -> None:
    row = customer(phone_status="invalid", id_number_status="missing", pending_change="DOI_SO_HO")
    _, issues = run([row])
    assert {"OTP_PHONE_INVALID", "ID_MISSING", "CHANGE_OUT_OF_BULK"} <= rules_of(
        issues, "PA07010000001"
    )


def test_input_frame_is_not_mutated() -> None:
    frame = pd.DataFrame([customer(phone_status="invalid")])
    frame = frame.join(identity_keys(frame))
    before = frame.copy()
    validate_customers(frame, ValidationContext())
    pd.testing.assert_frame_equal(frame, before)


def test_a_year_alone_is_no_date_issue_but_a_date_that_is_not_one_says_why() -> None:
    """The birth and contract dates are checked like the issue date; a year alone (normal on
    paper-era records) is not an issue, a date that is no date says which check failed."""
    year_only = {"birth_date_status": "invalid", "birth_date_issues": "DATE_YEAR_ONLY"}
    outcomes, issues = run([customer(**year_only)])
    assert outcomes["PA07010000001"] == "ready" and issues.empty
    future = {"contract_date_status": "invalid", "contract_date_issues": "DATE_IN_FUTURE"}
    outcomes, issues = run([customer(**future)])
    assert outcomes["PA07010000001"] == "needs_review"
    (message,) = issues.loc[issues["rule"] == "CONTRACT_DATE_INVALID", "message"]
    assert "Ngày ở tương lai" in message

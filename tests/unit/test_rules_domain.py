"""Issue 12/13: the CMND cut-off is decided once (transforms) and the nightly rules follow it;
the rules that decide OTP readiness agree with the transform's otp_ready."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cmis_migrate.config import RulesConfig
from cmis_migrate.transforms import normalize_customers
from cmis_migrate.validators.context import ValidationContext
from cmis_migrate.validators.keys import identity_keys
from cmis_migrate.validators.validate import validate_customers

GOOD = {
    "customer_code": "PA07010000001",
    "full_name": "Nguyễn Văn An",
    "address": "Thôn 3, Xã Hà Bình, Huyện Hà Trung, Tỉnh Thanh Hóa",
    "phone": "0912345678",
    "email": "",
    "id_number": "172345678",
    "id_issue_date": "05/06/2010",
    "id_issue_place": "CA Thanh Hóa",
    "birth_date": "01/02/1985",
    "contract_date": "02/05/2016",
}


def nightly(row: dict, *, today: date, rules: RulesConfig) -> tuple[pd.Series, pd.DataFrame]:
    raw = pd.DataFrame([row], dtype=object)
    frame = pd.concat([raw, normalize_customers(raw, rules=rules, today=today)], axis=1)
    frame = frame.join(identity_keys(frame))
    v = validate_customers(frame, ValidationContext(rules=rules))
    return frame.iloc[0], v.issues


@pytest.mark.parametrize(
    ("today", "until", "blocked"),
    [
        (date(2024, 12, 31), date(2024, 12, 31), False),
        (date(2025, 1, 1), date(2024, 12, 31), True),
        (date(2026, 3, 1), date(2027, 6, 30), False),
        (date(2027, 7, 1), date(2027, 6, 30), True),
    ],
)
def test_the_nightly_rule_follows_the_transforms_cmnd_cutoff(today, until, blocked):
    rules = RulesConfig(cmnd_valid_until=until)
    row, issues = nightly(GOOD, today=today, rules=rules)
    hits = issues.set_index("rule")["message"].to_dict()
    assert ("ID_CMND_EXPIRED" in hits) is blocked
    assert (row["id_number_status"] == "ambiguous") is blocked
    # before the cut-off a CMND is accepted by both; after, blocked once (not also ID_AMBIGUOUS)
    assert "ID_AMBIGUOUS" not in hits
    assert ("ID_ISSUE_DATE_OLD_CARD" in hits) is blocked
    if blocked:
        assert until.strftime("%d/%m/%Y") in hits["ID_CMND_EXPIRED"]


@pytest.mark.parametrize(
    ("phone", "rule"),
    [
        ("0912345678 (hàng xóm)", "PHONE_NOT_HOLDER"),
        ("0912345678 (vợ)", "PHONE_RELATIVE_CONSENT"),
        ("0912345678 - 0987654321", "OTP_PHONE_CHOOSE"),
        ("0373851234", "OTP_PHONE_AMBIGUOUS"),
        ("3851234", "OTP_PHONE_LANDLINE"),
        ("9.12E+08", "OTP_PHONE_INVALID"),
    ],
)
def test_a_phone_not_otp_ready_always_has_a_nightly_rule(phone, rule):
    row, issues = nightly(
        {**GOOD, "phone": phone, "contract_date": ""}, today=date(2024, 6, 1), rules=RulesConfig()
    )
    assert not row["otp_ready"]
    assert rule in set(issues["rule"])


def test_an_otp_ready_phone_has_no_phone_rule():
    row, issues = nightly(GOOD, today=date(2024, 6, 1), rules=RulesConfig())
    assert row["otp_ready"]
    assert not (issues["field"] == "phone").any()


@pytest.mark.parametrize("name", ["Nguyen Van Binh", "(đã chết)"])
def test_a_name_with_nothing_proposed_blocks(name):
    _, issues = nightly({**GOOD, "full_name": name}, today=date(2024, 6, 1), rules=RulesConfig())
    assert "NAME_MISSING" in set(issues["rule"]) and "NAME_AMBIGUOUS" not in set(issues["rule"])


def test_a_name_with_a_note_asks_the_branch():
    row, issues = nightly(
        {**GOOD, "full_name": "Nguyễn Văn An (đã mất)"}, today=date(2024, 6, 1), rules=RulesConfig()
    )
    assert row["full_name_normalized"] == "Nguyễn Văn An"
    assert "NAME_AMBIGUOUS" in set(issues["rule"])

"""A generic rule (ID_INVALID, OTP_PHONE_INVALID, ...) says in its message which check failed,
from the issue codes the transform emitted: a clerk knows what to look at on the card."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cmis_migrate.transforms.customer import normalize_customers
from cmis_migrate.validators.context import ValidationContext
from cmis_migrate.validators.keys import identity_keys
from cmis_migrate.validators.validate import validate_customers

GENERIC = "Số giấy tờ tùy thân không hợp lệ"


def id_message(id_number: str, birth_date: str = "1985-03-01") -> str:
    raw = pd.DataFrame(
        {
            "customer_code": ["PA07010000001"],
            "station": ["T1"],
            "pending_change": [None],
            "full_name": ["Nguyễn Văn An"],
            "phone": ["0912345678"],
            "address": ["Thôn 1, Xã Quảng Phú, Thanh Hóa"],
            "id_number": [id_number],
            "birth_date": [birth_date],
        }
    )
    frame = pd.concat([raw, normalize_customers(raw, today=date(2026, 12, 1))], axis=1)
    frame["birth_date_normalized"] = birth_date
    frame = frame.join(identity_keys(frame))
    issues = validate_customers(frame, ValidationContext()).issues
    (message,) = issues.loc[issues["rule"] == "ID_INVALID", "message"]
    return message


@pytest.mark.parametrize(
    ("id_number", "said"),
    [
        ("12345", "9 hoặc 12 chữ số"),  # length
        ("3.8E+10", "3,8E+10"),  # scientific notation
        ("999085001234", "mã tỉnh"),  # province code
        ("038A85001234", "chữ hoặc ký tự lạ"),  # not digits
    ],
)
def test_id_invalid_says_which_check_failed(id_number: str, said: str) -> None:
    message = id_message(id_number)
    assert message.startswith(GENERIC)
    assert "Lỗi cụ thể:" in message and said in message


def test_the_century_digit_against_the_birth_year_is_named() -> None:
    message = id_message("038285001234", birth_date="1985-03-01")  # 2085: impossible
    assert "thế kỷ" in message or "năm sinh" in message.split("Lỗi cụ thể:")[1]

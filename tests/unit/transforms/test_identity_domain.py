"""Issue 13, ID cards: the CMND cut-off, the type from number + issuer + date, the issuer/date
cross-checks, placeholders. One row per example of the issue, plus the reverse cases."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cmis_migrate.config import RulesConfig
from cmis_migrate.transforms import normalize_customers

from .helpers import TODAY, codes

QLHC = "Cục Cảnh sát quản lý hành chính về trật tự xã hội"
DKQL = "Cục CS ĐKQL cư trú và DLQG về dân cư"


def ident(number, place="", issued="", *, today=TODAY, rules=None) -> dict:
    raw = pd.DataFrame(
        [{"id_number": number, "id_issue_place": place, "id_issue_date": issued}], dtype=object
    )
    r = normalize_customers(raw, rules=rules, today=today).iloc[0]
    return {
        "status": r["id_number_status"],
        "codes": codes(r["id_number_issues"]),
        "type": r["id_type"],
    }


@pytest.mark.parametrize(
    ("today", "until", "status", "expired"),
    [
        (date(2024, 12, 31), date(2024, 12, 31), "ok", False),  # the last valid day
        (date(2025, 1, 1), date(2024, 12, 31), "ambiguous", True),
        (TODAY, date(2024, 12, 31), "ambiguous", True),
        (TODAY, date(2030, 1, 1), "ok", False),  # the configured date, not a constant
    ],
)
def test_one_cmnd_cutoff_from_the_config(today, until, status, expired):
    rules = RulesConfig(cmnd_valid_until=until)
    for number, place, issued in (
        ("172345678", "CA Thanh Hóa", "05/06/2010"),
        ("038085001234", "CA Thanh Hóa", "05/06/2015"),  # a 12-digit CMND
    ):
        r = ident(number, place, issued, today=today, rules=rules)
        assert r["type"] in ("CMND9", "CMND12")
        assert (r["status"], "ID_CMND_EXPIRED" in r["codes"]) == (status, expired)


def test_a_cccd_is_never_expired():
    assert ident("038085001234", QLHC, "12/03/2021")["status"] == "ok"


# number, issuer as written, issue date -> id_type, status, code naming the conflict (or None)
TYPES = [
    ("038085001234", "Cục CS QLHC về TTXH", "12/03/2021", "CCCD", "ok", None),
    ("038085001234", "Cục Cảnh sát QLHC về trật tự xã hội", "12/03/2021", "CCCD", "ok", None),
    ("038085001234", "BCA", "01/08/2024", "CCCD", "ok", None),
    ("038085001234", DKQL, "05/06/2017", "CCCD", "ok", None),
    ("038085001234", "CA Thanh Hóa", "05/06/2015", "CMND12", "ambiguous", "ID_CMND_EXPIRED"),
    ("038085001234", "CA Thanh Hóa", "05/06/2023", "CCCD", "ambiguous", "ID_PROVINCIAL_ISSUER_CONFLICT"),
    ("038085001234", "CA Thanh Hóa", "05/06/2009", "CCCD", "ambiguous", "ID_PROVINCIAL_ISSUER_CONFLICT"),
    ("038085001234", "CA Thanh Hóa", "", "CCCD", "ambiguous", "ID_PROVINCIAL_ISSUER_CONFLICT"),
    ("172345678", "Cục CS QLHC về TTXH", "12/03/2019", "CMND9", "ambiguous", "ID_CMND_NATIONAL_ISSUER"),
    ("038085001234", "Cục CS QLHC về TTXH", "12/03/2017", "CCCD", "ambiguous", "ID_ISSUER_NOT_YET_ISSUING"),
    ("038085001234", DKQL, "12/03/2015", "CCCD", "ambiguous", "ID_ISSUER_NOT_YET_ISSUING"),
    ("038085001234", "Bộ Công an", "12/03/2022", "CCCD", "ambiguous", "ID_ISSUER_NOT_YET_ISSUING"),
    ("038085001234", "Cục CS QLHC về TTXH", "12/08/2024", "CCCD", "ambiguous", "ID_ISSUER_NO_LONGER_ISSUING"),
    ("038085001234", DKQL, "12/08/2024", "CCCD", "ambiguous", "ID_ISSUER_NO_LONGER_ISSUING"),
]  # fmt: skip
CONFLICTS = {
    "ID_PROVINCIAL_ISSUER_CONFLICT",
    "ID_CMND_NATIONAL_ISSUER",
    "ID_ISSUER_NOT_YET_ISSUING",
    "ID_ISSUER_NO_LONGER_ISSUING",
}


@pytest.mark.parametrize(("number", "place", "issued", "type_", "status", "code"), TYPES)
def test_type_follows_number_issuer_and_date(number, place, issued, type_, status, code):
    r = ident(number, place, issued)
    assert (r["type"], r["status"]) == (type_, status)
    if code:
        assert code in r["codes"]
    assert not (r["codes"] & CONFLICTS) - {code}


def test_issuer_dates_and_cmnd12_years_are_config():
    rules = RulesConfig(cmnd12_last_year=2023, bca_first_issue_date=date(2025, 1, 1))
    assert ident("038085001234", "CA Thanh Hóa", "05/06/2023", rules=rules)["type"] == "CMND12"
    r = ident("038085001234", "Bộ Công an", "01/08/2024", rules=rules)
    assert "ID_ISSUER_NOT_YET_ISSUING" in r["codes"]
    with pytest.raises(ValueError, match="cmnd12_first_year"):
        RulesConfig(cmnd12_first_year=2022, cmnd12_last_year=2021)


@pytest.mark.parametrize(
    "value", ["000000000", "0000000000", "123456789", "0123456789", "111111111111", "000000000000"]
)
def test_placeholders_are_missing(value):
    r = ident(value, QLHC, "12/03/2021")
    assert (r["status"], r["codes"]) == ("missing", {"VALUE_PLACEHOLDER"})


@pytest.mark.parametrize("value", ["172345678", "038085001234"])
def test_real_numbers_are_not_placeholders(value):
    assert ident(value, QLHC, "12/03/2021")["status"] != "missing"

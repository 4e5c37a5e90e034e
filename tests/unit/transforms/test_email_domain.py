"""Issue 13, e-mail: no trailing word glued onto the domain; TLD typos fixed or flagged."""

from __future__ import annotations

import pandas as pd
import pytest

from cmis_migrate.transforms.email import normalize_emails


def email(value) -> tuple:
    r = normalize_emails(pd.Series([value], dtype=object)).iloc[0]
    return r["normalized"], r["status"], r["issues"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc@ gmail.com x", ("abc@gmail.com", "ambiguous", "EMAIL_TRAILING_TEXT")),
        ("abc@gmail.com (con trai)", ("abc@gmail.com", "ambiguous", "EMAIL_TRAILING_TEXT")),
        ("abc@gmail.comx", ("abc@gmail.com", "fixed", "EMAIL_DOMAIN_TYPO")),
        ("abc@gmail.con", ("abc@gmail.com", "fixed", "EMAIL_DOMAIN_TYPO")),
        ("abc@gmail.cmo", ("abc@gmail.com", "fixed", "EMAIL_DOMAIN_TYPO")),
        ("abc@vnpt.vnn", ("abc@vnpt.vnn", "ambiguous", "EMAIL_DOMAIN_SUSPECT")),
        ("abc@congty.con", ("abc@congty.con", "ambiguous", "EMAIL_DOMAIN_SUSPECT")),
        ("abc@congty.comx", ("abc@congty.comx", "ambiguous", "EMAIL_DOMAIN_SUSPECT")),
        ("abc@congty.cmo", ("abc@congty.cmo", "ambiguous", "EMAIL_DOMAIN_SUSPECT")),
        # reverse: spaces inside an address still go, real domains stay as they are
        ("abc@ gmail.com", ("abc@gmail.com", "ok", "")),
        ("abc @ gmail . com", ("abc@gmail.com", "ok", "")),
        ("abc@evn.com.vn", ("abc@evn.com.vn", "ok", "")),
        ("abc@congty.vn", ("abc@congty.vn", "ok", "")),
        ("abc@congty.net", ("abc@congty.net", "ok", "")),
    ],
)
def test_trailing_text_and_tld_typos(value, expected):
    assert email(value) == expected

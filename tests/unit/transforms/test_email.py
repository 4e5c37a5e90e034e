from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmis_migrate.transforms.email import check_email, normalize_emails

from .helpers import one


def email(value) -> dict:
    return one(normalize_emails(pd.Series([value], dtype=object)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc@gmail.com", "abc@gmail.com"),
        ("  abc@gmail.com ", "abc@gmail.com"),
        ("ABC@Gmail.COM", "ABC@gmail.com"),
        ("abc @ gmail.com", "abc@gmail.com"),
        ("mailto:abc@gmail.com", "abc@gmail.com"),
        ("<abc@gmail.com>", "abc@gmail.com"),
        ("abc@gmail.com.", "abc@gmail.com"),
        ("nguyen.van-a_1+tag@yahoo.com.vn", "nguyen.van-a_1+tag@yahoo.com.vn"),
        ("a!b@gmail.com", "a!b@gmail.com"),
    ],
)
def test_formatting_is_ok(value, expected):
    r = email(value)
    assert (r["normalized"], r["status"], r["issues"]) == (expected, "ok", "")


@pytest.mark.parametrize(
    ("typo", "domain"),
    [
        ("gmail.con", "gmail.com"),
        ("gmai.com", "gmail.com"),
        ("gmial.com", "gmail.com"),
        ("gmail.co", "gmail.com"),
        ("gmail.cm", "gmail.com"),
        ("gamil.com", "gmail.com"),
        ("gmail", "gmail.com"),
        ("yaho.com", "yahoo.com"),
        ("yahoo.con", "yahoo.com"),
        ("hotmail.con", "hotmail.com"),
        ("hotmai.com", "hotmail.com"),
        ("outlook.con", "outlook.com"),
        ("GMAIL.CON", "gmail.com"),
    ],
)
def test_domain_typos_from_the_table(typo, domain):
    r = email(f"nguyen.an@{typo}")
    assert (r["normalized"], r["status"], r["issues"]) == (
        f"nguyen.an@{domain}",
        "fixed",
        "EMAIL_DOMAIN_TYPO",
    )


def test_unknown_domain_is_not_guessed():
    r = email("abc@gmaik.com")
    assert (r["normalized"], r["status"]) == ("abc@gmaik.com", "ok")


def test_spaces_inside_a_word_are_a_fix():
    r = email("nguyen an@gmail.com")
    assert (r["normalized"], r["issues"]) == ("nguyenan@gmail.com", "EMAIL_SPACES_REMOVED")


def test_several_addresses_keep_the_first():
    r = email("a@gmail.com; b@yahoo.com")
    assert (r["normalized"], r["status"], r["issues"]) == ("a@gmail.com", "fixed", "EMAIL_SEVERAL")


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "abc@",
        "@gmail.com",
        "a@@gmail.com",
        "a..b@gmail.com",
        "nguyễn@gmail.com",
        "abc@localhost",
        "a b c",
    ],
)
def test_invalid_syntax(value):
    r = email(value)
    assert (r["status"], r["issues"]) == ("invalid", "EMAIL_SYNTAX")


@pytest.mark.parametrize("value", [None, "", "-", "không có", "n/a", "0"])
def test_missing(value):
    assert email(value)["status"] == "missing"


local = st.text(alphabet="abcXYZ019._+-!#'", min_size=0, max_size=70)
domain = st.sampled_from(
    [
        "gmail.com",
        "yahoo.com.vn",
        "x.y",
        "EXAMPLE.ORG",
        "a-b.vn",
        "-bad.com",
        "a..b",
        "localhost",
        "t\u00e9st.vn",
    ]
)


@settings(max_examples=400, deadline=None)
@given(local, domain)
def test_fast_path_agrees_with_email_validator(loc, dom):
    address = f"{loc}@{dom}"
    r = email(address)
    if r["status"] == "missing":
        return
    expected = (
        check_email(address.strip(".,;:<>()[]'\"").replace(" ", "")) if "@" in address else None
    )
    if r["issues"] == "EMAIL_DOMAIN_TYPO":
        return
    assert (r["status"] != "invalid") == (expected is not None)
    if expected is not None:
        assert r["normalized"] == expected

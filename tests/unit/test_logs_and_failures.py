from __future__ import annotations

import logging

import pytest
from sqlalchemy import exc as sa_exc

from cmis_migrate.failures import TransientSourceError, describe, is_transient
from cmis_migrate.logs import PersonalDataFilter, mask_digits


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("phone 0912345678 ok", "0912345678", "091****678"),
        ("id 038085001234", "038085001234", "038******234"),
        ("cmnd 172345678", "172345678", "172***678"),
        ("e164 +84912345678", "912345678", "849*****678"),
        ("born 03/12/1985", "03/12/1985", "**/**/****"),
        ("born 1985-12-03", "1985-12-03", "**/**/****"),
        ("spaced 0912 345 678", "0912 345 678", "091****678"),
    ],
)
def test_mask_digits_hides_personal_numbers(text: str, hidden: str, kept: str) -> None:
    masked = mask_digits(text)
    assert hidden not in masked
    assert kept in masked


def test_short_numbers_stay(caplog) -> None:
    assert mask_digits("station 12, 250 customers") == "station 12, 250 customers"


def test_filter_masks_args_of_a_log_record() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "customer phone %s", ("0912345678",), None
    )
    PersonalDataFilter().filter(record)
    assert "0912345678" not in record.getMessage()


def test_transient_errors_are_recognised() -> None:
    locked = sa_exc.OperationalError("UPDATE x", {}, Exception("database is locked"))
    assert is_transient(locked)
    assert is_transient(TransientSourceError("connection lost"))
    assert not is_transient(ValueError("bad data"))
    assert not is_transient(sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key")))


def test_describe_drops_sql_parameters_and_masks_digits() -> None:
    err = sa_exc.IntegrityError(
        "INSERT INTO t VALUES (?)", {"phone": "0912345678"}, Exception("duplicate 0912345678")
    )
    kind, message = describe(err)
    assert kind == "IntegrityError/Exception"
    assert "0912345678" not in message
    assert "INSERT" not in message


@pytest.mark.parametrize(
    "text",
    [
        "run 20261203-000000-e35978 finished",
        "View at http://127.0.0.1:4200/runs/flow-run/3f2a9c1e-1234-4abc-9def-123456789012",
        "customer PA07010001234, meter CT123456789012",
        "station PA0710T0001B deferred; next open 2026-12-05 00:00+07:00",
        "lease until 2026-12-04T17:00:00",
    ],
)
def test_identifiers_and_timestamps_stay_readable(text: str) -> None:
    assert mask_digits(text) == text


def test_free_text_around_identifiers_is_still_masked() -> None:
    masked = mask_digits("customer PA07010001234 phone 0912345678 born 03/12/1985")
    assert "PA07010001234" in masked
    assert "0912345678" not in masked and "03/12/1985" not in masked


def test_readable_args_are_kept_whole_other_args_masked() -> None:
    from cmis_migrate.logs import Readable

    reason = Readable("closed: invoice issuance after reading day 2 (2026-12-02 to 2026-12-04)")
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "station %s deferred: %s (%s)",
        ("S1", reason, "0912345678"),
        None,
    )
    PersonalDataFilter().filter(record)
    message = record.getMessage()
    assert "(2026-12-02 to 2026-12-04)" in message
    assert "0912345678" not in message


def test_describe_keeps_the_identifiers_of_an_error() -> None:
    _, message = describe(ValueError("run 20261203-000000-e35978: customer PA07010001234 bad"))
    assert "20261203-000000-e35978" in message and "PA07010001234" in message

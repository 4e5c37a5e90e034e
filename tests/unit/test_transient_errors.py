"""Which database errors a station batch retries (transient) and which fail it at once."""

from __future__ import annotations

import pytest
from sqlalchemy import exc as sa_exc

from cmis_migrate.failures import is_transient


@pytest.mark.parametrize(
    "message",
    [
        "database is locked",  # SQLite busy past busy_timeout
        "canceling statement due to lock timeout",  # PostgreSQL lock_timeout
        "deadlock detected",
        "could not serialize access due to concurrent update",
        'connection to server at "10.0.0.5", port 5432 failed: Connection refused',
        "server closed the connection unexpectedly",
        "SSL connection has been closed unexpectedly",
        "could not receive data from server: Connection timed out",
        "terminating connection due to administrator command",
    ],
)
def test_lost_connections_and_lock_timeouts_are_transient(message: str) -> None:
    assert is_transient(sa_exc.OperationalError("SELECT 1", {}, Exception(message)))


@pytest.mark.parametrize(
    "error",
    [
        sa_exc.OperationalError("SELECT 1", {}, Exception('no such column: "MA_KHANG"')),
        sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key value")),
        sa_exc.DataError("INSERT", {}, Exception("value too long for type character varying(20)")),
        ValueError("ledger PA0701T0001A: bad reading day"),
        KeyError("customer_code"),
    ],
)
def test_data_and_schema_errors_are_not(error: Exception) -> None:
    assert not is_transient(error)


def test_a_connection_sqlalchemy_invalidated_is_transient() -> None:
    err = sa_exc.DBAPIError("SELECT 1", {}, Exception("boom"), connection_invalidated=True)
    assert is_transient(err)

"""Which errors are worth retrying, and how to describe an error without personal data."""

from __future__ import annotations

import errno

from sqlalchemy import exc as sa_exc

from cmis_migrate.logs import mask_digits
from cmis_migrate.store.slots import SlotTimeout

_TRANSIENT_WORDS = (
    "database is locked",
    "could not connect",
    "connection refused",
    "server closed the connection",
    "connection reset",
    "terminating connection",
    "lock timeout",
    "deadlock detected",
    "could not serialize access",
    "timeout expired",
    "the connection is closed",
    "ssl connection has been closed",
    "could not receive data from server",
    "no connection to the server",
    "connection timed out",
)


class TransientSourceError(ConnectionError):
    """Raised by sources that know the failure is temporary (used by tests and adapters)."""


def is_transient(exc: BaseException) -> bool:
    """Connection lost, lock or statement timeouts, deadlocks: retry. Anything else: don't."""
    if isinstance(exc, TransientSourceError | SlotTimeout | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.OperationalError | sa_exc.TimeoutError | sa_exc.DisconnectionError):
        text = str(getattr(exc, "orig", exc)).lower()
        return any(w in text for w in _TRANSIENT_WORDS) or isinstance(exc, sa_exc.TimeoutError)
    return False


_DISK_FULL_WORDS = (
    "database or disk is full",  # SQLite
    "no space left on device",  # PostgreSQL (could not extend file ...), any OS error text
    "disk quota exceeded",
)


def is_disk_full(exc: BaseException | None) -> bool:
    """The disk (or the user's quota) is full, for a file we write or for the store: not worth
    retrying at once, and no fault of the station being written. Looks down the cause chain."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        orig = getattr(exc, "orig", None)
        text = str(orig if orig is not None else exc).lower()
        if getattr(orig, "sqlstate", None) == "53100" or any(w in text for w in _DISK_FULL_WORDS):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def not_the_stations(exc: BaseException) -> bool:
    """An error that is no fault of the station being processed, raised past it instead of
    failing it: transient trouble (retried) and a full disk (stops the run; the station's
    transaction is rolled back, the next run redoes it)."""
    return is_transient(exc) or is_disk_full(exc)


def describe(exc: BaseException) -> tuple[str, str]:
    """(error type, message) safe to store and log: no SQL parameters, digits masked."""
    if isinstance(exc, sa_exc.StatementError) and exc.orig is not None:
        kind = f"{type(exc).__name__}/{type(exc.orig).__name__}"
        message = str(exc.orig).split("\n")[0]
    else:
        kind = type(exc).__name__
        message = str(exc).split("\n")[0] or kind
    return kind, mask_digits(message)[:500]

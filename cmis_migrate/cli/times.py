"""Moments on the console: in the configured time zone, short (the store keeps UTC)."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

SHORT = "%d/%m %H:%M"


def local(value: str | datetime | None, tz: tzinfo, fmt: str = SHORT) -> str:
    """An ISO moment (or aware datetime) as local time, e.g. '05/12 00:00'; '' for none."""
    if value is None or value == "":
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.astimezone(tz).strftime(fmt)


def took(seconds: float) -> str:
    """'1 min 29 s', '12 s', '2 h 05 min'."""
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def deferral_reason(reason: str | None) -> str:
    """A batch's deferred_reason without the per-ledger 'closed:' and 'next open …' parts
    (the next open window is shown on its own): 'LEDGER: invoice issuance …'."""
    text = re.sub(r"; next open [^;]*", "", reason or "")
    return text.replace(": closed: ", ": ").strip() or "closed"

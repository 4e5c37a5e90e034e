"""Codes from CMIS (unit, station, ledger, customer) are data, never paths: before a code names a
file or fills a store column it must match a strict pattern and fit the store's column. A code
that does not is a data error of its station (or customer), named with the column."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from cmis_migrate.model import Station
from cmis_migrate.store.tables import batches, customers


@dataclass(frozen=True)
class CodeKind:
    cmis_column: str  # where CMIS holds it
    label: str  # Vietnamese, for the message
    pattern: re.Pattern[str]
    width: int  # the store column's size

    def problem(self, value: object) -> str | None:
        """None when `value` is a usable code, else why not (Vietnamese, value escaped)."""
        if isinstance(value, str) and self.pattern.fullmatch(value) and len(value) <= self.width:
            return None
        shown = ascii(value)[:60]
        return (
            f"{self.label} ({self.cmis_column}) không hợp lệ: {shown} - cần chữ in hoa và số, "
            f"tối đa {self.width} ký tự"
        )


def _width(column) -> int:
    return int(column.type.length)


UNIT = CodeKind("MA_DVIQLY", "Mã đơn vị", re.compile(r"[A-Z0-9]{2,16}"), _width(batches.c.branch))
STATION = CodeKind("MA_TRAM", "Mã trạm", re.compile(r"[A-Z0-9]{2,20}"), _width(batches.c.station))
LEDGER = CodeKind(
    "MA_SOGCS", "Mã sổ ghi chỉ số", re.compile(r"[A-Z0-9]{2,20}"), _width(customers.c.ledger)
)
CUSTOMER = CodeKind(
    "MA_KHANG",
    "Mã khách hàng",
    re.compile(r"[A-Z0-9]{2,20}"),
    _width(customers.c.customer_code),
)
METERING_POINT = CodeKind(
    "MA_DDO", "Mã điểm đo", re.compile(r"[A-Z0-9]{2,24}"), _width(customers.c.metering_point)
)


class UnsafeCode(ValueError):
    """A CMIS value was about to name a file it must not name."""


def station_problem(station: Station) -> str | None:
    """Why the station cannot be planned under its codes (None: it can)."""
    for kind, value in (
        (STATION, station.station),
        (UNIT, station.branch),
        *((LEDGER, lg.ledger) for lg in station.ledgers),
        *((UNIT, lg.branch) for lg in station.ledgers),
    ):
        problem = kind.problem(value)
        if problem:
            return problem
    return None


def stored_label(kind: CodeKind, value: object) -> str:
    """The code itself when usable, else a stand-in that fits the column ('?' and a digest)."""
    if kind.problem(value) is None:
        return str(value)
    digest = hashlib.sha1(repr(value).encode("utf-8", "backslashreplace")).hexdigest()
    return "?" + digest[: kind.width - 1]


def file_in(folder: Path, kind: CodeKind, code: object, *, prefix: str, suffix: str) -> Path:
    """folder/<prefix><code><suffix>, only for a usable code, and only inside `folder`."""
    problem = kind.problem(code)
    if problem:
        raise UnsafeCode(problem)
    base = Path(folder).resolve()
    path = (base / f"{prefix}{code}{suffix}").resolve()
    if path.parent != base:
        raise UnsafeCode(f"{ascii(code)[:60]}: tên tệp ra ngoài thư mục {base}")
    return path

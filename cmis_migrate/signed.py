"""Signing results coming back: which rows of a `customer_code, signed_at` file to apply.

Pure: the file arrives as text (index = spreadsheet row number), the store's facts arrive as
frames, "now" is passed in. Every row ends up applied, unchanged (already signed at that very
time) or rejected with a reason naming file, row and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from cmis_migrate.errors import InputFileError

SIGNED_COLUMNS = ("customer_code", "signed_at")
REJECTED_COLUMNS = ("file", "row", "field", "customer_code", "reason")
# what the store knows about the customers a file names
DRAFT_COLUMNS = ("customer_code", "branch", "contract_no", "paper_contract_no", "first_drafted_at")
SIGNED_BEFORE_COLUMNS = ("customer_code", "signed_at", "import_id")

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?")
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
# CMIS customer codes start with the unit code (PA07...): a bare number (a phone, an ID) is not
# one, and is never echoed back
_CODE = re.compile(r"[A-Z]{2}[A-Z0-9]{4,18}")


def parse_signed_at(text: object, tz: ZoneInfo) -> datetime:
    """ISO datetime/date, or day-first 'dd/mm/yyyy [HH:MM[:SS]]' -> aware UTC datetime.

    Without an offset the time is read in `tz`. ValueError says what is wrong.
    """
    value = "" if text is None else str(text).strip()
    if not value:
        raise ValueError("missing (a date and time, e.g. 2026-10-05T14:30 or 05/10/2026 14:30)")
    moment: datetime | None = None
    try:
        if _ISO.fullmatch(value):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif m := _DAY_FIRST.fullmatch(value):
            day, month, year, hh, mm, ss = m.groups()
            moment = datetime(
                int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0)
            )
    except ValueError:
        raise ValueError(f"{value!r} is not a real date and time") from None
    if moment is None:
        raise ValueError(
            f"{value!r} is not a date and time (write 2026-10-05T14:30 or 05/10/2026 14:30, "
            "day first)"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def check_columns(table: pd.DataFrame, file: str) -> dict[str, str]:
    """The file's column name for each required column; InputFileError when one is missing."""
    columns = {str(c).strip().lower(): c for c in table.columns}
    for col in SIGNED_COLUMNS:
        if col not in columns:
            raise InputFileError(
                file,
                "missing column (the header must have customer_code,signed_at)",
                row=1,
                field=col,
            )
    return {col: columns[col] for col in SIGNED_COLUMNS}


@dataclass(frozen=True)
class ParsedRows:
    valid: pd.DataFrame  # row, customer_code, signed_at (aware UTC)
    rejected: pd.DataFrame  # REJECTED_COLUMNS


def parse_rows(table: pd.DataFrame, file: str, tz: ZoneInfo, now: datetime) -> ParsedRows:
    """Check each row on its own: code present, signed_at a real past moment, no repeats."""
    names = check_columns(table, file)
    valid: list[tuple[int, str, datetime]] = []
    rejected: list[tuple] = []
    first_row: dict[str, int] = {}
    for row, code_text, at_text in zip(
        table.index, table[names["customer_code"]], table[names["signed_at"]], strict=True
    ):
        code = str(code_text).strip().upper()
        if not code:
            rejected.append((file, row, "customer_code", "", "missing customer code"))
            continue
        if not _CODE.fullmatch(code):
            reason = "not a CMIS customer code (e.g. PA07010012345)"
            rejected.append((file, row, "customer_code", "", reason))
            continue
        if code in first_row:
            reason = f"customer already listed in row {first_row[code]}"
            rejected.append((file, row, "customer_code", code, reason))
            continue
        first_row[code] = row
        try:
            at = parse_signed_at(at_text, tz)
        except ValueError as exc:
            rejected.append((file, row, "signed_at", code, str(exc)))
            continue
        if at > now:
            shown = at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            rejected.append((file, row, "signed_at", code, f"{shown} is in the future"))
            continue
        valid.append((int(row), code, at))
    return ParsedRows(
        valid=pd.DataFrame(valid, columns=["row", "customer_code", "signed_at"]).astype(
            {"row": "int64", "customer_code": "str"}
        ),
        rejected=rejected_frame(rejected),
    )


def rejected_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(REJECTED_COLUMNS))
    return frame.astype({"row": "int64"})


@dataclass(frozen=True)
class Decision:
    apply: pd.DataFrame  # row, customer_code, signed_at, branch, contract_no, paper_contract_no
    unchanged: pd.DataFrame  # row, customer_code, signed_at, import_id (signed before, same time)
    rejected: pd.DataFrame  # REJECTED_COLUMNS, sorted by row


def decide(
    parsed: ParsedRows,
    file: str,
    tz: ZoneInfo,
    *,
    known_customers: set[str],
    drafts: pd.DataFrame,
    signed_before: pd.DataFrame,
) -> Decision:
    """Match the file's valid rows with the store: `known_customers` (codes in the store),
    `drafts` (DRAFT_COLUMNS for the file's codes), `signed_before` (SIGNED_BEFORE_COLUMNS)."""
    draft_of = drafts.set_index("customer_code").to_dict("index") if not drafts.empty else {}
    before = (
        signed_before.set_index("customer_code").to_dict("index") if not signed_before.empty else {}
    )
    apply: list[dict] = []
    unchanged: list[dict] = []
    rejected: list[tuple] = list(parsed.rejected.itertuples(index=False, name=None))
    for rec in parsed.valid.to_dict("records"):
        code, row, at = rec["customer_code"], rec["row"], rec["signed_at"]
        draft = draft_of.get(code)
        if draft is None:
            reason = (
                "no draft contract for this customer (not drafted yet, or left the bulk flow)"
                if code in known_customers
                else "unknown customer (not in the migration store)"
            )
            rejected.append((file, row, "customer_code", code, reason))
            continue
        if code in before:
            earlier = before[code]
            if _same_moment(earlier["signed_at"], at):
                unchanged.append({**rec, "import_id": earlier["import_id"]})
            else:
                shown = _local(earlier["signed_at"], tz)
                reason = (
                    f"already signed at {shown} (import {earlier['import_id']}); "
                    "a contract is signed once"
                )
                rejected.append((file, row, "signed_at", code, reason))
            continue
        drafted = _aware(draft["first_drafted_at"])
        if drafted is not None and at < drafted:
            reason = f"signed before the contract was drafted ({_local(drafted, tz)})"
            rejected.append((file, row, "signed_at", code, reason))
            continue
        apply.append(
            {
                **rec,
                "branch": draft["branch"],
                "contract_no": draft["contract_no"],
                "paper_contract_no": _text_or_none(draft["paper_contract_no"]),
            }
        )
    apply_cols = ["row", "customer_code", "signed_at", "branch", "contract_no", "paper_contract_no"]
    return Decision(
        apply=pd.DataFrame(apply, columns=apply_cols),
        unchanged=pd.DataFrame(
            unchanged, columns=["row", "customer_code", "signed_at", "import_id"]
        ),
        rejected=rejected_frame(rejected).sort_values("row", kind="stable", ignore_index=True),
    )


def _aware(value: object) -> datetime | None:
    """A stored moment (SQLite hands back naive UTC) as an aware UTC datetime."""
    if value is None or (not isinstance(value, datetime) and pd.isna(value)):
        return None
    moment = pd.Timestamp(value).to_pydatetime()
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _same_moment(stored: object, at: datetime) -> bool:
    earlier = _aware(stored)
    return earlier is not None and abs((earlier - at).total_seconds()) < 1


def _local(value: object, tz: ZoneInfo) -> str:
    moment = _aware(value)
    return "?" if moment is None else moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _text_or_none(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None

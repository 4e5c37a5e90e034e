"""The branch review workbook's contract, shared by the writer (`report`) and the reader
(`corrections import`): sheet names, columns, what a branch may edit, how personal values are
shown, and the checksum that ties a returned file to the report we issued. Pure."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache

from cmis_migrate.fields import E164_VN, FIELD_SPECS, ISO_DATE, REVIEWED_FIELDS
from cmis_migrate.safe_cells import neutralize
from cmis_migrate.statuses import Severity
from cmis_migrate.validators.rules import RULES

TEMPLATE_VERSION = "cmis-migrate-review-2"
GUIDE_SHEET = "Hướng dẫn"
SUMMARY_SHEET = "Tổng hợp"
ISSUES_SHEET = "Rà soát"
IDENTITY_SHEET = "_report"  # veryHidden and protected: identifies the report

# (stable key, Vietnamese label): the header reads "label (key)"; the importer reads the key
ISSUE_HEADERS = (
    ("customer_code", "Mã khách hàng"),
    ("full_name", "Họ và tên"),
    ("address", "Địa chỉ"),
    ("station", "Mã trạm"),
    ("station_name", "Tên trạm"),
    ("ledger", "Sổ GCS"),
    ("phone", "Điện thoại"),
    ("blockers", "Số lỗi chặn"),
    ("field", "Thông tin"),
    ("severity", "Mức độ"),
    ("rule", "Mã lỗi"),
    ("message", "Nội dung"),
    ("original_value", "Giá trị trong CMIS"),
    ("proposed_value", "Giá trị đề xuất"),
    ("corrected_value", "Giá trị sửa"),
    ("confirmed", "Xác nhận"),
    ("row_key", "Khoá dòng"),  # hidden: a digest per fixed cell, to name the cell that changed
)
ISSUE_COLUMNS = tuple(k for k, _ in ISSUE_HEADERS)
EDITABLE_COLUMNS = ("corrected_value", "confirmed")
ROW_KEY = "row_key"
FIXED_COLUMNS = tuple(c for c in ISSUE_COLUMNS if c not in (*EDITABLE_COLUMNS, ROW_KEY))
REJECTED_COLUMN = "rejected_reason"
REJECTED_HEADER = "Lý do không nhận (rejected_reason)"
# `field` names a branch can correct (those of `normalize-file`); `customer` rows only confirm
EDITABLE_FIELDS = tuple(s.name for s in FIELD_SPECS if s.editable)
FIELD_LABELS = {**{s.name: s.label for s in FIELD_SPECS}, "customer": "Khách hàng"}
SEVERITY_LABELS = {Severity.BLOCKING: "Chặn", Severity.WARNING: "Cảnh báo"}
YES, NO = "có", "không"
YES_WORDS = {"yes", "y", "có", "co", "x", "1", "true"}
NO_WORDS = {"no", "n", "không", "khong", "0", "false"}
EXCEL_MAX_CHARS = 32_767
_HEADER_KEY = re.compile(r"\(([a-z_]+)\)\s*$")
# not XML 1.0 characters (and DEL): shown as U+FFFD
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_TOO_LONG = "… [cắt bớt: quá dài cho Excel]"


def header(key: str) -> str:
    """The header cell of a column: 'Giá trị sửa (corrected_value)'."""
    return f"{dict(ISSUE_HEADERS)[key]} ({key})"


def header_key(cell: object) -> str:
    """The stable key at the end of a header cell ('' when there is none)."""
    m = _HEADER_KEY.search(text(cell))
    return m.group(1) if m else text(cell).strip()


def field_name(shown: str) -> str:
    """The field key of a `field` cell (its Vietnamese label or the key itself)."""
    for name, label in FIELD_LABELS.items():
        if shown in (name, label):
            return name
    return shown


def severity_name(shown: str) -> str:
    for name, label in SEVERITY_LABELS.items():
        if shown in (name, label):
            return str(name)
    return shown


def safe_text(value: object) -> str:
    """A value as the workbook writes it: text, no formula start, no character XML cannot hold
    (control characters, lone surrogates, U+FFFE/U+FFFF: shown as U+FFFD), CR as LF (XML would
    turn it so on reading), at most Excel's 32,767 characters. The checksum is computed over
    this, so an untouched file always matches."""
    return _safe_str(text(value))


@lru_cache(maxsize=1 << 16)  # a branch's sheet repeats names, labels, rules and messages
def _safe_str(s: str) -> str:
    if not s:
        return s
    s = _ILLEGAL.sub("\ufffd", s.replace("\r\n", "\n").replace("\r", "\n"))
    s = neutralize(s)
    if len(s) > EXCEL_MAX_CHARS:
        s = s[: EXCEL_MAX_CHARS - len(_TOO_LONG)] + _TOO_LONG
    return s


def safe_column(values: Sequence[object]) -> list[str]:
    """safe_text of every value of a column, each distinct value made once (a branch's sheet
    repeats labels, rules and messages over ~100,000 rows)."""
    made = {v: safe_text(v) for v in set(values)}
    return [made[v] for v in values]


def local_form(value: str) -> str:
    """A proposal as a clerk writes it: '+84912345678' -> '0912 345 678', ISO date -> dd/mm/yyyy."""
    if re.match(E164_VN, value):
        national = "0" + value[3:]  # 4-3-3 (mobile) or 4-3-4 (landline)
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    if re.match(ISO_DATE, value):
        y, m, d = value.split("-")
        return f"{d}/{m}/{y}"
    return value


IDENTITY_KEYS = (
    "template_version",
    "report_id",
    "branch",
    "run_id",
    "generated_at",
    "issues_rows",
    "checksum",
)
_NUMBER = re.compile(r"\+?\d(?:[ .\-]?\d)*")


def mask_digits(text: object) -> str:
    """Mask the middle digits of every phone/ID-like number in a text, keeping 3 digits at each
    end: '0912 345 678 (vợ)' -> '091* *** 678 (vợ)', '038085001234' -> '038******234'."""
    if text is None:
        return ""
    s = str(text)

    def one(m: re.Match) -> str:
        chunk = m.group(0)
        n_digits = sum(ch.isdigit() for ch in chunk)
        if n_digits < 7:
            return chunk
        seen, out = 0, []
        for ch in chunk:
            if ch.isdigit():
                seen += 1
                out.append(ch if seen <= 3 or seen > n_digits - 3 else "*")
            else:
                out.append(ch)
        return "".join(out)

    return _NUMBER.sub(one, s)


def text(value: object) -> str:
    """A stored or cell value as the text the workbook shows ('' for nothing)."""
    if type(value) is str:  # most calls: cells already made text
        return value
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def subject_of(rule: str, field: str) -> str | None:
    """The stored field whose value a row of the Issues sheet shows."""
    known = RULES.get(rule)
    if known is not None:
        return known.subject
    return field if field in REVIEWED_FIELDS else None


def display_values(rule: str, field: str, customer: Mapping[str, object]) -> tuple[str, str]:
    """(original_value, proposed_value) as the review sheet shows them for this customer.

    Only the value the issue is about appears on its row, in full: the branch sees its own
    customers (as in CMIS) and must check the very digits to confirm or fix them; masking stays
    in logs and console lines. The proposal is in the local form a clerk writes.
    """
    subject = subject_of(rule, field)
    if subject is None:
        if rule == "CHANGE_OUT_OF_BULK":
            return text(customer.get("pending_change")), ""
        return "", ""
    original = text(customer.get(f"{subject}_original"))
    proposed = local_form(text(customer.get(f"{subject}_proposed")))
    return original, proposed


def parse_confirmed(value: str) -> bool | None:
    """'có'/'yes'/'x' -> True, 'không'/'no' -> False, '' -> None; else ValueError."""
    v = value.strip().lower()
    if not v:
        return None
    if v in YES_WORDS:
        return True
    if v in NO_WORDS:
        return False
    raise ValueError(value)


def row_key(cells: Sequence[str]) -> str:
    """4 hex digits per fixed cell: tells which cell of a returned row changed."""
    return "".join([_cell_digest(text(c)) for c in cells])


def key_parts(column: Sequence[str]) -> list[str]:
    """row_key's part for each cell of one column: "".join of a row's parts, in FIXED_COLUMNS
    order, is its row_key."""
    made = {v: _cell_digest(text(v)) for v in set(column)}
    return [made[v] for v in column]


@lru_cache(maxsize=1 << 16)
def _cell_digest(cell: str) -> str:
    return hashlib.sha256(cell.encode("utf-8")).hexdigest()[:4]


def changed_columns(cells: Sequence[str], key: str) -> list[str] | None:
    """The fixed columns whose cell no longer matches the row's key (None: key unreadable)."""
    if len(key) != 4 * len(FIXED_COLUMNS):
        return None
    now = row_key(cells)
    return [
        c for i, c in enumerate(FIXED_COLUMNS) if now[4 * i : 4 * i + 4] != key[4 * i : 4 * i + 4]
    ]


def row_digest(cells: Sequence[object]) -> str:
    """One Issues row's part of issues_checksum: sha256 over its non-editable cells."""
    return hashlib.sha256("\x1f".join(text(c) for c in cells).encode("utf-8")).hexdigest()


def issues_checksum(
    *,
    template_version: str,
    report_id: str,
    branch: str,
    run_id: str,
    rows: Iterable[Sequence[str]],
) -> str:
    """sha256 over the identity and the non-editable cells of every Issues row.

    Row order does not count (a branch may sort or filter the sheet); every cell does.
    """
    return checksum_of_digests(
        template_version=template_version,
        report_id=report_id,
        branch=branch,
        run_id=run_id,
        digests=[row_digest(row) for row in rows],
    )


def checksum_of_digests(
    *, template_version: str, report_id: str, branch: str, run_id: str, digests: Iterable[str]
) -> str:
    """issues_checksum from the rows' row_digest (a workbook built from kept rows has only
    those)."""
    head = "\x1e".join((template_version, report_id, branch, run_id))
    return hashlib.sha256("\n".join([head, *sorted(digests)]).encode("utf-8")).hexdigest()

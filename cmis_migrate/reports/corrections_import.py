"""`corrections import`: a branch's review workbook comes back.

The file is checked whole first: within the size limits (bytes, unpacked bytes and ratio,
rows, cell length; before any XML is parsed), readable, ours (template version, a report id
this store issued, its branch and run), not altered outside the two editable columns (the
checksum over the other cells must equal the one recorded when the report was issued; the
refusal names the sheet, row and column), from the branch the caller expects. Any failure
refuses the whole file and nothing is applied. Columns are found by the key ending each header.

Then every row a branch filled is checked: no formula, a known customer of that branch, an
editable field, a corrected value that passes the field's normalization (the same transforms
the pipeline runs; with `confirmed` filled too it is still a correction), `confirmed = có` only
on a rule a branch may confirm and only for the value the report showed. Valid rows are applied
in one transaction with the audit record, once per (report, file); rejected rows are listed
with their reason (Vietnamese, for the clerk) in a copy of the workbook with a
`rejected_reason` column, written before that transaction commits.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from cmis_migrate.config import ReturnedFilesConfig, RulesConfig
from cmis_migrate.reports.private_files import write_private
from cmis_migrate.reports.review_layout import (
    EDITABLE_FIELDS,
    FIELD_LABELS,
    FIXED_COLUMNS,
    IDENTITY_KEYS,
    IDENTITY_SHEET,
    ISSUE_COLUMNS,
    ISSUES_SHEET,
    REJECTED_HEADER,
    ROW_KEY,
    TEMPLATE_VERSION,
    changed_columns,
    display_values,
    field_name,
    header,
    header_key,
    issues_checksum,
    mask_digits,
    parse_confirmed,
    safe_text,
    text,
)
from cmis_migrate.safe_cells import unneutralize
from cmis_migrate.statuses import Status
from cmis_migrate.store import lookups, review
from cmis_migrate.transforms import normalize_customers
from cmis_migrate.transforms.codes import CODES
from cmis_migrate.transforms.corrections import apply_corrections
from cmis_migrate.validators.rules import RULES


class RefusedWorkbook(Exception):
    """The whole file is refused; nothing was applied. str() is one line for the user."""


@dataclass(frozen=True)
class ReturnedRow:
    row_number: int  # in the review sheet (header = 1)
    cells: dict[str, str]
    formulas: tuple[str, ...] = ()  # columns whose cell holds a formula (never used)


@dataclass(frozen=True)
class ReturnedWorkbook:
    path: Path
    sha256: str
    identity: dict[str, str]
    rows: list[ReturnedRow]


@dataclass(frozen=True)
class RowResult:
    row_number: int
    customer_code: str
    field: str
    rule: str
    result: str  # corrected | confirmed | unchanged | rejected
    reason: str = ""


@dataclass
class ImportResult:
    import_id: str
    branch: str
    run_id: str
    rows: list[RowResult] = field(default_factory=list)
    rejected_copy: Path | None = None

    def count(self, result: str) -> int:
        return sum(1 for r in self.rows if r.result == result)

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.result == "rejected"]


# --- reading and verifying the file --------------------------------------------------------

ZIP_RATIO_FLOOR = 1_000_000  # a part smaller than this uncompressed is never a bomb


def check_bounds(path: Path, limits: ReturnedFilesConfig) -> bytes:
    """The file's bytes, once its size and its zip parts are within `limits`; RefusedWorkbook
    before any XML is parsed otherwise (a zip bomb is refused by its declared sizes)."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise RefusedWorkbook(
                f"{name}: {size:,} bytes, over the limit of {limits.max_file_bytes:,} "
                "(returned_files.max_file_bytes): nothing applied"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise RefusedWorkbook(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise RefusedWorkbook(
            f"{name}: not a readable Excel workbook (damaged, truncated or not .xlsx): "
            "nothing applied"
        ) from None
    total = sum(p.file_size for p in parts)
    if total > limits.max_unzipped_bytes:
        raise RefusedWorkbook(
            f"{name}: unpacks to {total:,} bytes, over the limit of "
            f"{limits.max_unzipped_bytes:,} (returned_files.max_unzipped_bytes): nothing applied"
        )
    for p in parts:
        if p.file_size > ZIP_RATIO_FLOOR and p.file_size > limits.max_zip_ratio * max(
            p.compress_size, 1
        ):
            raise RefusedWorkbook(
                f"{name}: part {p.filename} unpacks {p.file_size // max(p.compress_size, 1):,} "
                f"times its size (limit {limits.max_zip_ratio:g}, a zip bomb?): nothing applied"
            )
    return data


def _columns(header: list[object], name: str) -> dict[str, int]:
    keys = [header_key(c) for c in header]
    index = {k: i for i, k in enumerate(keys) if k}
    missing = [k for k in ISSUE_COLUMNS if k not in index]
    if missing:
        raise RefusedWorkbook(
            f"{name}: the {ISSUES_SHEET!r} sheet's header lacks {', '.join(missing)} "
            "(columns removed or renamed): nothing applied"
        )
    return index


def read_returned_workbook(
    path: Path, limits: ReturnedFilesConfig | None = None
) -> ReturnedWorkbook:
    """Open and parse a returned workbook; RefusedWorkbook when it is not one of ours at all,
    or over a size limit. A formula cell is read as its formula, never its cached value."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    limits = limits or ReturnedFilesConfig()
    path = Path(path)
    name = path.name
    data = check_bounds(path, limits)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, EOFError):
        raise RefusedWorkbook(
            f"{name}: not a readable Excel workbook (damaged, truncated or not .xlsx): "
            "nothing applied"
        ) from None
    try:
        if IDENTITY_SHEET not in wb.sheetnames or ISSUES_SHEET not in wb.sheetnames:
            raise RefusedWorkbook(
                f"{name}: not a cmis-migrate review workbook (no {ISSUES_SHEET!r} sheet or no "
                "report identity): nothing applied"
            )
        identity: dict[str, str] = {}
        for row in wb[IDENTITY_SHEET].iter_rows(values_only=True, max_col=2):
            if row and row[0] is not None:
                identity[text(row[0])] = text(row[1] if len(row) > 1 else None)
        rows_iter = wb[ISSUES_SHEET].iter_rows()
        index = _columns([c.value for c in next(rows_iter, ())], name)
        rows: list[ReturnedRow] = []
        for i, cells in enumerate(rows_iter, start=2):
            if i - 1 > limits.max_rows:
                raise RefusedWorkbook(
                    f"{name}: more than {limits.max_rows:,} rows (returned_files.max_rows): "
                    "nothing applied"
                )
            values: dict[str, str] = {}
            formulas: list[str] = []
            for key, j in index.items():
                cell = cells[j] if j < len(cells) else None
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(key)
                    value = None
                shown = text(value)
                if len(shown) > limits.max_cell_chars:
                    raise RefusedWorkbook(
                        f"{name}: sheet {ISSUES_SHEET!r}, row {i}, column {header(key)!r} holds "
                        f"{len(shown):,} characters (limit {limits.max_cell_chars:,}): "
                        "nothing applied"
                    )
                values[key] = shown
            if not any(values.values()) and not formulas:
                continue
            rows.append(ReturnedRow(i, values, tuple(formulas)))
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise RefusedWorkbook(
            f"{name}: the workbook is damaged or truncated ({type(exc).__name__}): nothing applied"
        ) from None
    finally:
        wb.close()
    missing = [k for k in IDENTITY_KEYS if not identity.get(k)]
    if missing:
        raise RefusedWorkbook(
            f"{name}: not a cmis-migrate review workbook (identity lacks {', '.join(missing)}): "
            "nothing applied"
        )
    if identity["template_version"] != TEMPLATE_VERSION:
        raise RefusedWorkbook(
            f"{name}: review template {identity['template_version']!r} is not the current "
            f"{TEMPLATE_VERSION!r}: ask for a new report; nothing applied"
        )
    return ReturnedWorkbook(path, sha256, identity, rows)


def _first_change(wb: ReturnedWorkbook) -> str:
    """Where a returned file differs from what was written: sheet, row, column."""
    from openpyxl.utils import get_column_letter

    for r in wb.rows:
        fixed = [r.cells[c] for c in FIXED_COLUMNS]
        changed = changed_columns(fixed, r.cells[ROW_KEY])
        if changed is None:
            return f"sheet {ISSUES_SHEET!r}, row {r.row_number} (its hidden row key was changed)"
        if changed:
            col = get_column_letter(ISSUE_COLUMNS.index(changed[0]) + 1)
            return (
                f"sheet {ISSUES_SHEET!r}, row {r.row_number}, column {col} {header(changed[0])!r}"
            )
    return f"sheet {ISSUES_SHEET!r}: rows were added, removed or copied"


def verify_workbook(
    engine: Engine, wb: ReturnedWorkbook, *, expect_branch: str | None = None
) -> dict:
    """The issued report this file came from; RefusedWorkbook when it does not check out."""
    name = wb.path.name
    ident = wb.identity
    issued = review.issued_report(engine, ident["report_id"])
    if issued is None:
        raise RefusedWorkbook(
            f"{name}: report {ident['report_id']} was not issued by this migration store: "
            "nothing applied"
        )
    if (issued["branch"], issued["run_id"], issued["checksum"]) != (
        ident["branch"],
        ident["run_id"],
        ident["checksum"],
    ):
        raise RefusedWorkbook(
            f"{name}: the report's identity does not match what was issued (branch, run or "
            "checksum changed): nothing applied"
        )
    if expect_branch is not None and expect_branch.upper() != issued["branch"].upper():
        raise RefusedWorkbook(
            f"{name}: this is branch {issued['branch']}'s report, not {expect_branch}'s: "
            "nothing applied"
        )
    checksum = issues_checksum(
        template_version=ident["template_version"],
        report_id=ident["report_id"],
        branch=ident["branch"],
        run_id=ident["run_id"],
        rows=([r.cells[c] for c in FIXED_COLUMNS] for r in wb.rows),
    )
    if len(wb.rows) != int(issued["applied"] or 0):
        raise RefusedWorkbook(
            f"{name}: rows were added or removed ({len(wb.rows)} rows, {issued['applied']} "
            "issued): nothing applied"
        )
    if checksum != issued["checksum"]:
        raise RefusedWorkbook(
            f"{name}: {_first_change(wb)} was changed; only corrected_value and confirmed may "
            "be filled: nothing applied"
        )
    earlier = review.import_of_file(engine, wb.sha256)
    if earlier is not None:
        raise RefusedWorkbook(already_imported(name, earlier))
    return issued


def already_imported(name: str, earlier: dict | None) -> str:
    """The one message of a second import of the same file, sequential or concurrent."""
    if earlier is None:
        return f"{name}: this very file was already imported: nothing applied"
    return (
        f"{name}: this very file was already imported ({earlier['import_id']}, "
        f"{earlier['imported_at']:%Y-%m-%d %H:%M}): nothing applied"
    )


# --- checking the rows ---------------------------------------------------------------------

RAW_FIELDS = (*EDITABLE_FIELDS, "supply_address")


def _raw_from_store(customers: pd.DataFrame) -> pd.DataFrame:
    """The CMIS values of these customers, as the raw frame the transforms read."""
    raw = pd.DataFrame({"customer_code": customers["customer_code"].astype(object)})
    for f in RAW_FIELDS:
        raw[f] = customers[f"{f}_original"].astype(object).to_numpy()
    return raw.reset_index(drop=True)


def _reason_of(status: str, issues: str) -> str:
    codes = [c for c in str(issues or "").split(";") if c]
    messages = [CODES[c].vi for c in codes if c in CODES]
    if status == Status.MISSING and not messages:
        messages = ["Giá trị sửa để trống hoặc không có nội dung."]
    return "; ".join(messages) or f"giá trị không hợp lệ ({status})"


def check_corrected_values(
    customers: pd.DataFrame,
    earlier: pd.DataFrame,
    new: pd.DataFrame,
    *,
    rules: RulesConfig,
    now: datetime,
    staff_phones: frozenset[str] = frozenset(),
) -> dict[tuple[str, str], str]:
    """(customer_code, field) -> reason, for every corrected value the pipeline would not accept.

    The customers' CMIS values get their earlier corrections and then the new ones (dated now),
    and go through normalize_customers exactly as the next run will read them.
    """
    if new.empty:
        return {}
    raw = _raw_from_store(customers)
    inputs, _ = apply_corrections(raw, earlier)
    inputs, _ = apply_corrections(inputs, new.assign(applied_at=now))
    norm = normalize_customers(inputs, rules=rules, today=now.date())
    norm.index = inputs["customer_code"].to_numpy()
    bad: dict[tuple[str, str], str] = {}
    for code, fld in new[["customer_code", "field"]].itertuples(index=False):
        row = norm.loc[code]
        status = text(row[f"{fld}_status"])
        issues = text(row[f"{fld}_issues"])
        if status in (Status.INVALID, Status.MISSING):
            bad[(code, fld)] = _reason_of(status, issues)
        elif fld == "phone" and text(row["phone_type"]) == "fixed":
            bad[(code, fld)] = "Số cố định không nhận được OTP: cần số di động của chủ hợp đồng."
        elif fld == "phone" and "PHONE_OF_OTHER_PERSON" in issues.split(";"):
            bad[(code, fld)] = "Số ghi chú là của người khác: cần số của chủ hợp đồng."
        elif fld == "phone" and text(row["phone_normalized"]) in staff_phones:
            bad[(code, fld)] = "Số thuộc danh sách nhân viên điện lực: không dùng nhận OTP."
        elif fld == "id_number" and text(row["id_type"]) in ("CMND9", "CMND12"):
            bad[(code, fld)] = (
                "Số mới vẫn được hiểu là CMND (đã hết hạn): cần số CCCD/căn cước; nếu là CCCD "
                "12 số, sửa cả ngày cấp và nơi cấp theo thẻ mới."
            )
    return bad


@dataclass
class _Plan:
    results: list[RowResult] = field(default_factory=list)
    corrections: list[dict] = field(default_factory=list)
    confirmations: list[dict] = field(default_factory=list)


def plan_rows(
    engine: Engine,
    wb: ReturnedWorkbook,
    *,
    branch: str,
    rules: RulesConfig,
    now: datetime,
    staff_phones: frozenset[str] = frozenset(),
) -> _Plan:
    """Decide every filled row: correction, confirmation, unchanged or rejected (with reason)."""
    plan = _Plan()
    filled = [
        r for r in wb.rows if r.cells["corrected_value"] or r.cells["confirmed"] or r.formulas
    ]
    codes = sorted({r.cells["customer_code"] for r in filled})
    customers = review.customers_by_code(engine, codes)
    known = customers.set_index("customer_code", drop=False).to_dict("index")
    confirmed_now = review.current_confirmations(engine, codes)
    candidates: dict[tuple[str, str], list[ReturnedRow]] = {}

    def reject(r: ReturnedRow, reason: str) -> None:
        c = r.cells
        plan.results.append(
            RowResult(
                r.row_number,
                c["customer_code"],
                field_name(c["field"]),
                c["rule"],
                "rejected",
                reason,
            )
        )

    for r in filled:
        c = r.cells
        code, fld, rule_code = c["customer_code"], field_name(c["field"]), c["rule"]
        editable_formulas = [k for k in r.formulas if k in ("corrected_value", "confirmed")]
        if editable_formulas:
            reject(
                r,
                f"Ô {header(editable_formulas[0])} chứa công thức: chỉ gõ giá trị "
                "(không bắt đầu bằng =).",
            )
            continue
        customer = known.get(code)
        if customer is None:
            reject(r, f"Không có khách hàng {code} trong dữ liệu chuyển đổi.")
            continue
        if customer["branch"] != branch:
            reject(
                r, f"Khách hàng {code} thuộc chi nhánh {customer['branch']}, không phải {branch}."
            )
            continue
        try:
            yes = parse_confirmed(c["confirmed"])
        except ValueError:
            reject(r, "Cột Xác nhận chỉ nhận: có, không, x, yes, no.")
            continue
        corrected = unneutralize(c["corrected_value"].strip())
        if corrected:  # with or without "có": the clerk confirms the value typed
            if fld not in EDITABLE_FIELDS:
                allowed = ", ".join(FIELD_LABELS[f] for f in EDITABLE_FIELDS)
                reject(
                    r,
                    f"Không sửa được «{FIELD_LABELS.get(fld, fld)}» ở đây (sửa được: {allowed}); "
                    "lỗi này được xác nhận, hoặc sửa trong CMIS.",
                )
                continue
            candidates.setdefault((code, fld), []).append(
                ReturnedRow(r.row_number, {**c, "field": fld, "corrected_value": corrected})
            )
            continue
        if yes is None or yes is False:
            continue  # "no" or nothing: the issue stays
        rule = RULES.get(rule_code)
        if rule is None or not rule.confirmable:
            reject(r, f"Lỗi {rule_code} không xác nhận được: cần điền giá trị sửa.")
            continue
        _, shown_now = display_values(rule_code, fld, customer)
        if safe_text(shown_now) != c["proposed_value"]:
            reject(
                r,
                "Giá trị đã thay đổi từ khi lập báo cáo này: xác nhận trên báo cáo mới nhất.",
            )
            continue
        value = customer.get(f"{rule.subject}_proposed") if rule.subject else None
        value = None if value is None else str(value)
        if confirmed_now.get((code, rule_code), object()) == value:
            plan.results.append(RowResult(r.row_number, code, fld, rule_code, "unchanged"))
            continue
        plan.confirmations.append({"customer_code": code, "rule": rule_code, "value": value})
        plan.results.append(RowResult(r.row_number, code, fld, rule_code, "confirmed"))
    _plan_corrections(
        plan, candidates, customers, engine, rules=rules, now=now, staff_phones=staff_phones
    )
    plan.results.sort(key=lambda x: x.row_number)
    return plan


def _plan_corrections(
    plan: _Plan,
    candidates: dict[tuple[str, str], list[ReturnedRow]],
    customers: pd.DataFrame,
    engine: Engine,
    *,
    rules: RulesConfig,
    now: datetime,
    staff_phones: frozenset[str],
) -> None:
    wanted: dict[tuple[str, str], str] = {}
    for key, rows in candidates.items():
        values = {r.cells["corrected_value"].strip() for r in rows}
        if len(values) > 1:
            for r in rows:
                plan.results.append(
                    RowResult(
                        r.row_number,
                        key[0],
                        key[1],
                        r.cells["rule"],
                        "rejected",
                        "Các dòng của cùng khách hàng có giá trị sửa khác nhau cho "
                        f"«{FIELD_LABELS.get(key[1], key[1])}».",
                    )
                )
            continue
        wanted[key] = values.pop()
    if not wanted:
        return
    codes = sorted({c for c, _ in wanted})
    earlier = lookups.latest_corrections(engine, codes)
    in_effect = {
        (c, f): v
        for c, f, v in earlier[["customer_code", "field", "new_value"]].itertuples(index=False)
    }
    new = pd.DataFrame(
        [(c, f, v) for (c, f), v in wanted.items()], columns=["customer_code", "field", "new_value"]
    )
    subset = customers[customers["customer_code"].isin(codes)]
    bad = check_corrected_values(
        subset, earlier, new, rules=rules, now=now, staff_phones=staff_phones
    )
    originals = subset.set_index("customer_code").to_dict("index")
    for (code, fld), value in wanted.items():
        old = in_effect.get((code, fld), originals[code].get(f"{fld}_original"))
        for r in candidates[(code, fld)]:
            if (code, fld) in bad:
                result, reason = "rejected", bad[(code, fld)]
            elif text(old).strip() == value:
                result, reason = "unchanged", ""
            else:
                result, reason = "corrected", ""
            plan.results.append(RowResult(r.row_number, code, fld, r.cells["rule"], result, reason))
        if (code, fld) not in bad and text(old).strip() != value:
            plan.corrections.append(
                {
                    "customer_code": code,
                    "field": fld,
                    "old_value": None if old is None else str(old),
                    "new_value": value,
                }
            )


# --- the whole import ----------------------------------------------------------------------


def import_corrections(
    engine: Engine,
    path: Path,
    *,
    rules: RulesConfig,
    now: datetime,
    reports_dir: Path,
    expect_branch: str | None = None,
    staff_phones: frozenset[str] = frozenset(),
    limits: ReturnedFilesConfig | None = None,
) -> ImportResult:
    """Verify, check and apply a returned review workbook (see the module docstring).

    Once only and all or nothing: the rejected rows' copy is written (atomically) before the
    transaction that applies the rest commits, and that transaction starts by claiming
    (report id, file checksum), so a concurrent import of the same file applies nothing and
    gets the same message as a sequential one.
    """
    wb = read_returned_workbook(path, limits)
    issued = verify_workbook(engine, wb, expect_branch=expect_branch)
    branch, run_id = issued["branch"], issued["run_id"]
    plan = plan_rows(engine, wb, branch=branch, rules=rules, now=now, staff_phones=staff_phones)
    result = ImportResult(
        import_id=uuid.uuid4().hex, branch=branch, run_id=run_id, rows=plan.results
    )
    note = (
        f"report {wb.identity['report_id']}: {len(plan.corrections)} corrections, "
        f"{len(plan.confirmations)} confirmations, {result.count('unchanged')} unchanged, "
        f"{len(result.rejected)} rejected"
    )
    if result.rejected:
        result.rejected_copy = write_rejected_copy(wb.path, result.rejected, reports_dir)
    try:
        review.apply_review_import(
            engine,
            review.ReviewImport(
                import_id=result.import_id,
                file_name=wb.path.name,
                sha256=wb.sha256,
                branch=branch,
                run_id=run_id,
                at=now,
                rejected=len(result.rejected),
                note=note,
                report_id=wb.identity["report_id"],
                corrections=plan.corrections,
                confirmations=plan.confirmations,
            ),
        )
    except review.AlreadyImported as exc:
        raise RefusedWorkbook(already_imported(wb.path.name, exc.earlier)) from None
    return result


def rejected_copy_path(path: Path, reports_dir: Path) -> Path:
    """Beside the input when that folder is writable, else in the reports folder."""
    name = f"{path.stem}.rejected.xlsx"
    beside = path.parent / name
    try:
        probe = path.parent / f".{path.stem}.probe"
        probe.touch()
        probe.unlink()
        return beside
    except OSError:
        return Path(reports_dir) / name


def write_rejected_copy(path: Path, rejected: list[RowResult], reports_dir: Path) -> Path:
    """The returned workbook with a rejected_reason column on its review sheet (0600)."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    out = rejected_copy_path(path, reports_dir)
    reasons = {r.row_number: r.reason for r in rejected}
    # an import killed while writing leaves write_private's temp file: no partial file stays
    for stale in out.parent.glob(f".{out.stem}-*{out.suffix}"):
        stale.unlink(missing_ok=True)

    def write(tmp: Path) -> None:
        wb = load_workbook(path)
        ws = wb[ISSUES_SHEET]
        col = len(ISSUE_COLUMNS) + 1
        letter = get_column_letter(col)
        head = ws.cell(row=1, column=col, value=REJECTED_HEADER)
        head.font = Font(bold=True, color="C00000")
        head.number_format = "@"
        ws.column_dimensions[letter].width = 60
        for row_number, reason in reasons.items():
            c = ws.cell(row=row_number, column=col, value=safe_text(reason))
            c.number_format = "@"
            c.alignment = Alignment(wrap_text=True, vertical="top")
        if ws.auto_filter.ref:
            first = ws.auto_filter.ref.split(":")[0]
            ws.auto_filter.ref = f"{first}:{letter}{max(ws.max_row, 2)}"
        wb.save(tmp)

    return write_private(out, write)


def masked(value: str) -> str:
    """For console lines: never print a phone or ID in full."""
    return mask_digits(value)

"""`corrections import`: a branch's review workbook comes back.

The file is checked whole first: readable, ours (template version, a report id this store
issued, its branch and run), not altered outside the two editable columns (the checksum over
the other cells must equal the one recorded when the report was issued), from the branch the
caller expects. Any failure refuses the whole file and nothing is applied.

Then every row a branch filled is checked: a known customer of that branch, an editable field,
a corrected value that passes the field's normalization (the same transforms the pipeline
runs), `confirmed = yes` only on a rule a branch may confirm and only for the value the report
showed. Valid rows are applied in one transaction with the audit record; rejected rows are
listed with their reason and written to a copy of the workbook with a `rejected_reason` column.
"""

from __future__ import annotations

import hashlib
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from cmis_migrate.config import RulesConfig
from cmis_migrate.reports.private_files import write_private
from cmis_migrate.reports.review_layout import (
    EDITABLE_FIELDS,
    FIXED_COLUMNS,
    IDENTITY_KEYS,
    IDENTITY_SHEET,
    ISSUE_COLUMNS,
    ISSUES_SHEET,
    REJECTED_COLUMN,
    TEMPLATE_VERSION,
    display_values,
    issues_checksum,
    mask_digits,
    parse_confirmed,
    text,
)
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
    row_number: int  # in the Issues sheet (header = 1)
    cells: dict[str, str]


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


def read_returned_workbook(path: Path) -> ReturnedWorkbook:
    """Open and parse a returned workbook; RefusedWorkbook when it is not one of ours at all."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RefusedWorkbook(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
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
        for row in wb[IDENTITY_SHEET].iter_rows(values_only=True):
            if row and row[0] is not None:
                identity[text(row[0])] = text(row[1] if len(row) > 1 else None)
        rows_iter = wb[ISSUES_SHEET].iter_rows(values_only=True)
        header = [text(c) for c in next(rows_iter, ())]
        if tuple(header[: len(ISSUE_COLUMNS)]) != ISSUE_COLUMNS:
            raise RefusedWorkbook(
                f"{name}: the {ISSUES_SHEET!r} sheet's header is not "
                f"{', '.join(ISSUE_COLUMNS)} (columns moved or renamed): nothing applied"
            )
        rows: list[ReturnedRow] = []
        for i, values in enumerate(rows_iter, start=2):
            cells = {
                c: text(values[j]) if j < len(values) else "" for j, c in enumerate(ISSUE_COLUMNS)
            }
            if not any(cells.values()):
                continue
            rows.append(ReturnedRow(i, cells))
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
    if expect_branch is not None and expect_branch != issued["branch"]:
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
    if checksum != issued["checksum"] or len(wb.rows) != int(issued["applied"] or 0):
        raise RefusedWorkbook(
            f"{name}: cells outside corrected_value/confirmed were changed, or rows added or "
            f"removed ({len(wb.rows)} rows, {issued['applied']} issued): nothing applied"
        )
    earlier = review.import_of_file(engine, wb.sha256)
    if earlier is not None:
        raise RefusedWorkbook(
            f"{name}: this very file was already imported ({earlier['import_id']}, "
            f"{earlier['imported_at']:%Y-%m-%d %H:%M}): nothing applied"
        )
    return issued


# --- checking the rows ---------------------------------------------------------------------

RAW_FIELDS = (*EDITABLE_FIELDS, "supply_address", "birth_date", "contract_date")


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
    filled = [r for r in wb.rows if r.cells["corrected_value"] or r.cells["confirmed"]]
    codes = sorted({r.cells["customer_code"] for r in filled})
    customers = review.customers_by_code(engine, codes)
    known = customers.set_index("customer_code", drop=False).to_dict("index")
    confirmed_now = review.current_confirmations(engine, codes)
    candidates: dict[tuple[str, str], list[ReturnedRow]] = {}

    def reject(r: ReturnedRow, reason: str) -> None:
        c = r.cells
        plan.results.append(
            RowResult(r.row_number, c["customer_code"], c["field"], c["rule"], "rejected", reason)
        )

    for r in filled:
        c = r.cells
        code, fld, rule_code = c["customer_code"], c["field"], c["rule"]
        customer = known.get(code)
        if customer is None:
            reject(r, f"unknown customer {code}")
            continue
        if customer["branch"] != branch:
            reject(r, f"customer {code} belongs to branch {customer['branch']}, not {branch}")
            continue
        try:
            yes = parse_confirmed(c["confirmed"])
        except ValueError:
            reject(r, "confirmed must be yes or no")
            continue
        if c["corrected_value"] and yes:
            reject(r, "fill either corrected_value or confirmed = yes, not both")
            continue
        if c["corrected_value"]:
            if fld not in EDITABLE_FIELDS:
                reject(
                    r,
                    f"field {fld!r} cannot be corrected here (correct {', '.join(EDITABLE_FIELDS)};"
                    " a rule across fields is confirmed, or fixed in CMIS)",
                )
                continue
            candidates.setdefault((code, fld), []).append(r)
            continue
        if yes is None or yes is False:
            continue  # "no" or nothing: the issue stays
        rule = RULES.get(rule_code)
        if rule is None or not rule.confirmable:
            reject(r, f"rule {rule_code} cannot be confirmed: the value must be corrected")
            continue
        _, shown_now = display_values(rule_code, fld, customer)
        if shown_now != c["proposed_value"]:
            reject(
                r,
                "the value changed since this report was made: confirm it on the latest report",
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
                        f"different corrected values for the same customer and field {key[1]}",
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
) -> ImportResult:
    """Verify, check and apply a returned review workbook (see the module docstring)."""
    wb = read_returned_workbook(path)
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
            corrections=plan.corrections,
            confirmations=plan.confirmations,
        ),
    )
    if result.rejected:
        result.rejected_copy = write_rejected_copy(wb.path, result.rejected, reports_dir)
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
    """The returned workbook with a rejected_reason column on its Issues sheet (0600)."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    out = rejected_copy_path(path, reports_dir)
    reasons = {r.row_number: r.reason for r in rejected}

    def write(tmp: Path) -> None:
        wb = load_workbook(path)
        ws = wb[ISSUES_SHEET]
        col = len(ISSUE_COLUMNS) + 1
        letter = get_column_letter(col)
        head = ws.cell(row=1, column=col, value=REJECTED_COLUMN)
        head.font = Font(bold=True, color="C00000")
        head.number_format = "@"
        ws.column_dimensions[letter].width = 60
        for row_number, reason in reasons.items():
            c = ws.cell(row=row_number, column=col, value=reason)
            c.number_format = "@"
        if ws.auto_filter.ref:
            first = ws.auto_filter.ref.split(":")[0]
            ws.auto_filter.ref = f"{first}:{letter}{max(ws.max_row, 2)}"
        wb.save(tmp)

    return write_private(out, write)


def masked(value: str) -> str:
    """For console lines: never print a phone or ID in full."""
    return mask_digits(value)

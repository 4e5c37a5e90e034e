"""Business rules beyond single fields: each has a code, a severity and a Vietnamese message.

`blocking` stops the draft; `warning` sends the customer to branch review. A rule marked
`confirmable` is lifted by a branch's recorded confirmation (``confirmed = yes`` in the review
workbook: a consent, "same person", "this ward is right"...) for the value that was confirmed;
the others need a correction (in the workbook, or in CMIS). Pure: frames in, frames out;
cross-station facts come in through ValidationContext.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from cmis_migrate.fields import FIELD_SPECS, REVIEWED_FIELDS
from cmis_migrate.statuses import USABLE, Severity
from cmis_migrate.validators.context import ValidationContext

BLOCKING = Severity.BLOCKING
WARNING = Severity.WARNING


@dataclass(frozen=True)
class Rule:
    code: str
    field: str  # the reviewed field the branch corrects, or "customer" for rules across fields
    severity: str
    message: str  # Vietnamese, for a branch clerk; {n} / {change} filled per row
    confirmable: bool = False
    # the stored field whose value the issue is about: shown in the review workbook, and a
    # confirmation holds for that field's proposed value only. None: no single value.
    subject: str | None = None

    @property
    def value_column(self) -> str | None:
        """The normalized-frame column a confirmation is tied to."""
        return f"{self.subject}_normalized" if self.subject else None


def _r(
    code: str,
    field: str,
    severity: str,
    message: str,
    *,
    confirmable: bool = False,
    subject: str | None = None,
) -> Rule:
    if subject is None and field != "customer":
        subject = field
    return Rule(code, field, severity, message, confirmable, subject)


_B, _W = BLOCKING, WARNING
RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        # --- the OTP phone: a valid mobile of the holder, nobody else's
        _r(
            "OTP_PHONE_MISSING",
            "phone",
            _B,
            "Chưa có số điện thoại di động của chủ hợp đồng để nhận mã OTP.",
        ),
        _r(
            "OTP_PHONE_INVALID",
            "phone",
            _B,
            "Số điện thoại không hợp lệ: cần cập nhật số di động của chủ hợp đồng.",
        ),
        _r(
            "OTP_PHONE_LANDLINE",
            "phone",
            _B,
            "Số cố định không nhận được tin nhắn OTP: cần số di động của chủ hợp đồng.",
        ),
        _r(
            "OTP_PHONE_CHOOSE",
            "phone",
            _W,
            "Ô số điện thoại có nhiều số di động, không ghi rõ số nào của chủ hợp đồng: chọn số "
            "nhận OTP (xác nhận nếu số đề xuất đúng là số của chủ hợp đồng).",
            confirmable=True,
        ),
        _r(
            "OTP_PHONE_AMBIGUOUS",
            "phone",
            _W,
            "Số điện thoại có thể là số cố định cũ hoặc số di động mới: cần hỏi lại khách hàng "
            "(xác nhận nếu đúng là số di động của chủ hợp đồng).",
            confirmable=True,
        ),
        _r(
            "PHONE_NOT_HOLDER",
            "phone",
            _B,
            "Số điện thoại ghi chú là của người khác (hàng xóm, người quen...): cần số di động "
            "của chính chủ hợp đồng.",
        ),
        _r(
            "PHONE_SHARED",
            "phone",
            _B,
            "Số điện thoại đang dùng cho {n} chủ hợp đồng khác nhau: chỉ xác nhận khi là người "
            "thân trong hộ và chủ hợp đồng đồng ý; số của nhân viên hoặc người ngoài thì sửa số.",
            confirmable=True,
        ),
        _r(
            "PHONE_RELATIVE_CONSENT",
            "phone",
            _W,
            "Số điện thoại của người thân (vợ/chồng/con...): chỉ xác nhận khi chủ hợp đồng đã "
            "được thông báo và đồng ý nhận OTP qua số này.",
            confirmable=True,
        ),
        _r(
            "PHONE_STAFF",
            "phone",
            _B,
            "Số điện thoại thuộc danh sách nhân viên điện lực: không được dùng nhận OTP của "
            "khách hàng, cần số của chủ hợp đồng.",
        ),
        # --- the identity document: present, valid, current
        _r(
            "ID_MISSING",
            "id_number",
            _B,
            "Chưa có số giấy tờ tùy thân (CCCD/căn cước) của chủ hợp đồng.",
        ),
        _r(
            "ID_INVALID",
            "id_number",
            _B,
            "Số giấy tờ tùy thân không hợp lệ: cần kiểm tra lại trên thẻ CCCD/căn cước.",
        ),
        _r(
            "ID_CMND_EXPIRED",
            "id_number",
            _B,
            "CMND hết giá trị sử dụng sau ngày {until}: cần số CCCD/căn cước hiện tại "
            "(kèm ngày cấp, nơi cấp mới).",
        ),
        _r(
            "ID_AMBIGUOUS",
            "id_number",
            _W,
            "Số giấy tờ có nhiều cách hiểu: cần đối chiếu với thẻ của khách hàng.",
            confirmable=True,
        ),
        _r(
            "ID_ISSUE_DATE_MISSING",
            "id_issue_date",
            _B,
            "Thiếu hoặc sai ngày cấp giấy tờ tùy thân: cần cập nhật theo thẻ.",
        ),
        _r(
            "ID_ISSUE_DATE_AMBIGUOUS",
            "id_issue_date",
            _W,
            "Ngày cấp có nhiều cách đọc: cần đối chiếu với thẻ.",
            confirmable=True,
        ),
        _r(
            "ID_ISSUE_DATE_OLD_CARD",
            "id_issue_date",
            _B,
            "Ngày cấp đang là của CMND cũ: cập nhật ngày cấp trên thẻ CCCD/căn cước mới.",
        ),
        _r(
            "ID_ISSUE_PLACE_MISSING",
            "id_issue_place",
            _B,
            "Thiếu hoặc không đọc được nơi cấp giấy tờ tùy thân.",
        ),
        _r(
            "ID_ISSUE_PLACE_AMBIGUOUS",
            "id_issue_place",
            _W,
            "Nơi cấp cần kiểm tra lại theo thẻ.",
            confirmable=True,
        ),
        _r(
            "ID_ISSUE_PLACE_OLD_CARD",
            "id_issue_place",
            _B,
            "Nơi cấp đang là của CMND cũ: cập nhật nơi cấp trên thẻ CCCD/căn cước mới.",
        ),
        # --- the other dates: a year alone is normal on paper-era records; a date that is
        # not one (31/02, in the future, before 1900, before the birth) must be corrected
        _r(
            "BIRTH_DATE_INVALID",
            "birth_date",
            _W,
            "Ngày sinh không hợp lệ: cần sửa theo giấy tờ của khách hàng.",
        ),
        _r(
            "CONTRACT_DATE_INVALID",
            "contract_date",
            _W,
            "Ngày ký hợp đồng cũ không hợp lệ: cần sửa theo hợp đồng giấy (ngày này còn dùng "
            "để xác định số điện thoại cố định/di động theo thời điểm).",
        ),
        # --- the same holder or person on several customer codes
        _r(
            "ID_DUPLICATE",
            "customer",
            _W,
            "Cùng số giấy tờ với {n} mã khách hàng khác: kiểm tra trùng khách hàng "
            "(xác nhận nếu đúng một người đứng tên nhiều công tơ).",
            confirmable=True,
            subject="id_number",
        ),
        _r(
            "PERSON_DUPLICATE",
            "customer",
            _W,
            "Cùng họ tên và ngày sinh với {n} mã khách hàng khác (khác số giấy tờ): kiểm tra có "
            "phải một người.",
            confirmable=True,
            subject="full_name",
        ),
        # --- the address: a 2025 ward
        _r(
            "ADDRESS_UNRESOLVED",
            "address",
            _B,
            "Địa chỉ chưa xác định được phường/xã theo đơn vị hành chính mới (2025): cần sửa "
            "địa chỉ.",
        ),
        _r(
            "ADDRESS_AMBIGUOUS",
            "address",
            _W,
            "Xã/phường cũ đã tách vào nhiều đơn vị mới: cần xác nhận phường/xã mới của khách "
            "hàng (hoặc sửa địa chỉ ghi rõ phường/xã mới).",
            confirmable=True,
        ),
        _r(
            "SUPPLY_ADDRESS_UNRESOLVED",
            "customer",
            _B,
            "Địa chỉ sử dụng điện chưa xác định được phường/xã mới (2025): cần chuẩn hóa "
            "trong CMIS.",
            subject="supply_address",
        ),
        _r(
            "SUPPLY_ADDRESS_AMBIGUOUS",
            "customer",
            _W,
            "Địa chỉ sử dụng điện thuộc xã/phường cũ đã tách: cần xác nhận phường/xã mới.",
            confirmable=True,
            subject="supply_address",
        ),
        # --- the name, the e-mail
        _r("NAME_MISSING", "full_name", _B, "Thiếu hoặc sai họ tên chủ hợp đồng."),
        _r(
            "NAME_AMBIGUOUS",
            "full_name",
            _W,
            "Họ tên cần kiểm tra lại.",
            confirmable=True,
        ),
        _r(
            "EMAIL_INVALID",
            "email",
            _W,
            "Email không hợp lệ: sửa lại, hoặc xác nhận để bỏ trống email trên hợp đồng.",
            confirmable=True,
        ),
        _r(
            "EMAIL_AMBIGUOUS",
            "email",
            _W,
            "Email cần kiểm tra lại.",
            confirmable=True,
        ),
        # --- what the bulk flow must not do
        _r(
            "CHANGE_OUT_OF_BULK",
            "customer",
            _B,
            "Khách hàng có yêu cầu thay đổi ({change}): không xử lý hàng loạt, chuyển quy trình "
            "riêng.",
        ),
    )
}
# rules on one field's status alone, declared in the field's spec (cmis_migrate/fields.py)
FIELD_RULES = {r.code: (f.name, r) for f in FIELD_SPECS for r in f.rules}
assert FIELD_RULES.keys().isdisjoint(RULES), "a field rule reuses a rule code"
RULES |= {code: _r(code, name, r.severity, r.message) for code, (name, r) in FIELD_RULES.items()}

# --- what CMIS itself holds wrong (cmis_migrate/source_values.py bounds it at the read)
RULES |= {
    r.code: r
    for r in (
        _r(
            "HOUSEHOLDS_INVALID",
            "customer",
            _B,
            "Số hộ dùng chung (SO_HO) trong CMIS không phải số nguyên hợp lệ (từ 1 đến mức tối "
            "đa cho phép): cần sửa trong CMIS.",
        ),
        _r(
            "TEXT_TOO_LONG",
            "customer",
            _B,
            "Trường {n} trong CMIS dài quá giới hạn: đã cắt bớt để xử lý, cần sửa trong CMIS.",
        ),
        _r(
            "TEXT_CONTROL_CHARS",
            "customer",
            _W,
            "Trường {n} trong CMIS có ký tự điều khiển hoặc ký tự ẩn: đã bỏ, cần kiểm tra lại "
            "trong CMIS.",
        ),
    )
}


def _source_masks(frame: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series | None]]:
    households = pd.to_numeric(_col(frame, "households"), errors="coerce")
    bad_households = households.isna() | (households < 1) | (households != households.round())
    if "households" not in frame:  # frames built by hand in tests, not a CMIS read
        bad_households = pd.Series(False, index=frame.index)
    long, controls = _col(frame, "text_too_long"), _col(frame, "text_controls")
    return {
        "HOUSEHOLDS_INVALID": (bad_households, None),
        "TEXT_TOO_LONG": (_present(long), long),
        "TEXT_CONTROL_CHARS": (_present(controls), controls),
    }


def _not_a_date(frame: pd.DataFrame, field: str) -> pd.Series:
    """An invalid (or ambiguous) date that is more than a year alone (DATE_YEAR_ONLY)."""
    year_only = _col(frame, f"{field}_issues", "").astype(str) == "DATE_YEAR_ONLY"
    return _status(frame, field).isin(["invalid", "ambiguous"]) & ~year_only


CHANGE_NAMES = {
    "DOI_CHU_THE": "đổi chủ thể hợp đồng",
    "DOI_SO_HO": "thay đổi số hộ dùng chung",
    "DOI_DC_SDD": "thay đổi địa chỉ sử dụng điện",
}

RELATIVE_CODES = ("PHONE_OF_RELATIVE",)
GUESSED_CODES = ("PHONE_PRIMARY_GUESSED",)
# decided once, by the transform (transforms/identity.py cmnd_expired)
CMND_EXPIRED_CODES = ("ID_CMND_EXPIRED",)
OTHER_PERSON_CODES = ("PHONE_OF_OTHER_PERSON",)
CMND_TYPES = ("CMND9", "CMND12")
ID_TYPES = ("CMND9", "CMND12", "CCCD")


def _status(frame: pd.DataFrame, field: str) -> pd.Series:
    col = f"{field}_status"
    if col not in frame:
        return pd.Series("missing", index=frame.index, dtype=object)
    return frame[col].astype(object).where(frame[col].notna(), "missing")


def _col(frame: pd.DataFrame, name: str, default: object = None) -> pd.Series:
    if name in frame:
        return frame[name].astype(object).where(frame[name].notna(), default)
    return pd.Series(default, index=frame.index, dtype=object)


def _has_code(frame: pd.DataFrame, field: str, codes: tuple[str, ...]) -> pd.Series:
    """Does the field's `;`-joined issue list hold one of `codes`?"""
    issues = _col(frame, f"{field}_issues", "")
    wanted = set(codes)
    return issues.map(lambda s: not wanted.isdisjoint(str(s).split(";")))


def _counts(values: pd.Series, table: dict[str, int]) -> pd.Series:
    return values.map(lambda v: table.get(v, 0) if isinstance(v, str) and v else 0)


def _present(values: pd.Series) -> pd.Series:
    return values.map(lambda v: isinstance(v, str) and v != "")


def rule_masks(
    frame: pd.DataFrame, ctx: ValidationContext
) -> dict[str, tuple[pd.Series, pd.Series | None]]:
    """For every rule: (mask of customers it hits, optional per-row detail for the message)."""
    fields = REVIEWED_FIELDS
    s = {f: _status(frame, f) for f in fields}
    usable = {f: s[f].isin(USABLE) for f in fields}
    phone = _col(frame, "phone_normalized")
    phone_type = _col(frame, "phone_type", "unknown")
    id_type = _col(frame, "id_type", "unknown")
    expired = _has_code(frame, "id_number", CMND_EXPIRED_CODES) & id_type.isin(CMND_TYPES)
    guessed = _has_code(frame, "phone", GUESSED_CODES)
    until = pd.Series(ctx.rules.cmnd_valid_until.strftime("%d/%m/%Y"), index=frame.index)
    # a phone the pipeline would use for the OTP (possibly after a branch's confirmation)
    otp_phone = s["phone"].isin(["ok", "fixed", "ambiguous"])
    holders = _counts(phone, ctx.phone_holders)
    id_dups = (_counts(_col(frame, "id_number_normalized"), ctx.id_customers) - 1).clip(lower=0)
    person_dups = (_counts(_col(frame, "person_key"), ctx.person_customers) - 1).clip(lower=0)
    id_dup = usable["id_number"] & (id_dups > 0)
    pending = _col(frame, "pending_change")
    ward = _col(frame, "address_ward")
    ward_bad = usable["address"] & ~_present(ward)
    if ctx.wards:
        ward_bad |= usable["address"] & _present(ward) & ~ward.isin(list(ctx.wards))
    supply = _status(frame, "supply_address") if "supply_address_status" in frame else None
    supply_differs = _col(frame, "supply_address_normalized") != _col(frame, "address_normalized")
    no = pd.Series(False, index=frame.index)
    out: dict[str, tuple[pd.Series, pd.Series | None]] = {
        "OTP_PHONE_MISSING": (s["phone"] == "missing", None),
        "OTP_PHONE_INVALID": (
            (s["phone"] == "invalid") | (usable["phone"] & ~phone_type.isin(["mobile", "fixed"])),
            None,
        ),
        "OTP_PHONE_LANDLINE": (usable["phone"] & (phone_type == "fixed"), None),
        "OTP_PHONE_CHOOSE": ((s["phone"] == "ambiguous") & guessed, None),
        "OTP_PHONE_AMBIGUOUS": ((s["phone"] == "ambiguous") & ~guessed, None),
        "PHONE_NOT_HOLDER": (otp_phone & _has_code(frame, "phone", OTHER_PERSON_CODES), None),
        "PHONE_SHARED": (otp_phone & (holders > ctx.max_holders_per_phone), holders),
        "PHONE_RELATIVE_CONSENT": (otp_phone & _has_code(frame, "phone", RELATIVE_CODES), None),
        "PHONE_STAFF": (otp_phone & phone.isin(list(ctx.staff_phones)), None),
        "ID_MISSING": (s["id_number"] == "missing", None),
        "ID_INVALID": (
            (s["id_number"] == "invalid") | (usable["id_number"] & ~id_type.isin(ID_TYPES)),
            None,
        ),
        "ID_CMND_EXPIRED": (expired, until),
        "ID_AMBIGUOUS": ((s["id_number"] == "ambiguous") & ~expired, None),
        "ID_ISSUE_DATE_MISSING": (s["id_issue_date"].isin(["invalid", "missing"]), None),
        "ID_ISSUE_DATE_AMBIGUOUS": (s["id_issue_date"] == "ambiguous", None),
        "ID_ISSUE_DATE_OLD_CARD": (expired & usable["id_issue_date"], None),
        "ID_ISSUE_PLACE_MISSING": (s["id_issue_place"].isin(["invalid", "missing"]), None),
        "ID_ISSUE_PLACE_AMBIGUOUS": (s["id_issue_place"] == "ambiguous", None),
        "ID_ISSUE_PLACE_OLD_CARD": (expired & usable["id_issue_place"], None),
        "ID_DUPLICATE": (id_dup, id_dups),
        # the same person under another ID number (the same ID is ID_DUPLICATE's business)
        "PERSON_DUPLICATE": ((person_dups > 0) & ~id_dup, person_dups),
        "ADDRESS_UNRESOLVED": (s["address"].isin(["invalid", "missing"]) | ward_bad, None),
        "ADDRESS_AMBIGUOUS": (s["address"] == "ambiguous", None),
        # an ambiguous supply address equal to the address is ADDRESS_AMBIGUOUS's business
        "SUPPLY_ADDRESS_UNRESOLVED": ((supply == "invalid") if supply is not None else no, None),
        "SUPPLY_ADDRESS_AMBIGUOUS": (
            ((supply == "ambiguous") & supply_differs) if supply is not None else no,
            None,
        ),
        # a name with nothing proposed (a note alone, no diacritics) cannot go on a contract
        "NAME_MISSING": (
            s["full_name"].isin(["invalid", "missing"])
            | ~_present(_col(frame, "full_name_normalized")),
            None,
        ),
        "NAME_AMBIGUOUS": (
            (s["full_name"] == "ambiguous") & _present(_col(frame, "full_name_normalized")),
            None,
        ),
        "EMAIL_INVALID": (s["email"] == "invalid", None),
        "EMAIL_AMBIGUOUS": (s["email"] == "ambiguous", None),
        "CHANGE_OUT_OF_BULK": (_present(pending), pending),
        "BIRTH_DATE_INVALID": (_not_a_date(frame, "birth_date"), None),
        "CONTRACT_DATE_INVALID": (_not_a_date(frame, "contract_date"), None),
    }
    out |= {code: (s[name].isin(r.statuses), None) for code, (name, r) in FIELD_RULES.items()}
    out |= _source_masks(frame)
    for code, fld in EXPLAINED.items():  # a generic rule says which check failed
        if code in out and out[code][1] is None:
            out[code] = (out[code][0], failed_checks(frame, fld))
    missing = set(RULES) - set(out)
    assert not missing, f"rules without a mask: {missing}"
    return out


# generic rules -> the field whose transform's issue codes say which check failed (length,
# province code, century digit vs birth year, scientific notation...)
EXPLAINED = {
    "OTP_PHONE_INVALID": "phone",
    "ID_INVALID": "id_number",
    "ID_ISSUE_DATE_MISSING": "id_issue_date",
    "ID_ISSUE_PLACE_MISSING": "id_issue_place",
    "BIRTH_DATE_INVALID": "birth_date",
    "CONTRACT_DATE_INVALID": "contract_date",
    "ADDRESS_UNRESOLVED": "address",
    "NAME_MISSING": "full_name",
    "EMAIL_INVALID": "email",
}


def failed_checks(frame: pd.DataFrame, field: str) -> pd.Series:
    """Per row, the Vietnamese text of the field's issue codes that make a value unusable
    (status invalid or missing in the transforms' registry), '; '-joined; '' when none."""
    from cmis_migrate.transforms.codes import CODES, INVALID, MISSING

    def texts(issues: object) -> str:
        codes = [c for c in str(issues or "").split(";") if c]
        found = [CODES[c] for c in codes if c in CODES]
        return "; ".join(dict.fromkeys(k.vi for k in found if k.status in (INVALID, MISSING)))

    return _col(frame, f"{field}_issues", "").map(texts)


def _message(rule: Rule) -> Callable[[object], str]:
    def fmt(detail: object) -> str:
        if "{n}" in rule.message:
            return rule.message.format(n=detail)
        if "{until}" in rule.message:
            return rule.message.format(until=detail)
        if "{change}" in rule.message:
            return rule.message.format(change=CHANGE_NAMES.get(str(detail), str(detail)))
        if isinstance(detail, str) and detail:  # which check failed (EXPLAINED)
            return f"{rule.message} Lỗi cụ thể: {detail}."
        return rule.message

    return fmt


ISSUE_COLUMNS = ["customer_code", "field", "rule", "severity", "message"]


def evaluate_rules(frame: pd.DataFrame, ctx: ValidationContext) -> pd.DataFrame:
    """One row per customer and rule hit: customer_code, field, rule, severity, message.

    Hits lifted by a matching branch confirmation are left out.
    """
    parts = []
    for code, (mask, detail) in rule_masks(frame, ctx).items():
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            continue
        rule = RULES[code]
        hit = frame.loc[mask, ["customer_code"]].astype(object)
        if rule.confirmable and ctx.confirmations:
            value = _col(frame.loc[mask], rule.value_column or "")
            keep = [
                not ctx.is_confirmed(c, code, v)
                for c, v in zip(hit["customer_code"], value, strict=True)
            ]
            hit = hit.loc[keep]
            if hit.empty:
                continue
        fmt = _message(rule)
        details = detail.loc[hit.index] if detail is not None else pd.Series(None, index=hit.index)
        hit["field"] = rule.field
        hit["rule"] = code
        hit["severity"] = rule.severity
        hit["message"] = [fmt(d) for d in details]
        parts.append(hit)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS})
    return pd.concat(parts, ignore_index=True)[ISSUE_COLUMNS]


def outcomes(customer_codes: pd.Series, issues: pd.DataFrame) -> pd.Series:
    """ready | needs_review | blocked per customer code (index = customer_code)."""
    out = pd.Series("ready", index=pd.Index(customer_codes, name="customer_code"), dtype=object)
    if issues.empty:
        return out
    warn = issues.loc[issues["severity"] == WARNING, "customer_code"].unique()
    block = issues.loc[issues["severity"] == BLOCKING, "customer_code"].unique()
    out.loc[out.index.isin(warn)] = "needs_review"
    out.loc[out.index.isin(block)] = "blocked"
    return out

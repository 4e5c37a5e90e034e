"""Business rules beyond single fields: each has a code, a severity and a Vietnamese message.

`blocking` stops the draft; `warning` sends the customer to branch review. A rule marked
`confirmable` is lifted by a branch's recorded confirmation (``confirmed = yes`` in the review
workbook, or a recorded consent) for the value that was confirmed; the others need a correction.
Pure: frames in, frames out; cross-station facts come in through ValidationContext.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from cmis_migrate.validators.context import ValidationContext

BLOCKING = "blocking"
WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    code: str
    field: str  # a reviewed field name, or "customer" for rules across fields
    severity: str
    message: str  # Vietnamese, for a branch clerk; {n} etc. filled per row
    confirmable: bool = False
    value_column: str | None = None  # what a confirmation is tied to


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "OTP_PHONE_MISSING",
            "phone",
            BLOCKING,
            "Chưa có số điện thoại di động của chủ hợp đồng để nhận mã OTP.",
        ),
        Rule(
            "OTP_PHONE_INVALID",
            "phone",
            BLOCKING,
            "Số điện thoại không hợp lệ: cần cập nhật số di động của chủ hợp đồng.",
        ),
        Rule(
            "OTP_PHONE_LANDLINE",
            "phone",
            BLOCKING,
            "Số cố định không nhận được tin nhắn OTP: cần số di động của chủ hợp đồng.",
        ),
        Rule(
            "OTP_PHONE_AMBIGUOUS",
            "phone",
            WARNING,
            "Số điện thoại có thể là số cố định cũ hoặc số di động mới: cần xác nhận với khách hàng.",
            confirmable=True,
            value_column="phone_normalized",
        ),
        Rule(
            "PHONE_SHARED",
            "phone",
            BLOCKING,
            "Số điện thoại đang dùng cho {n} chủ hợp đồng khác nhau: chỉ chấp nhận khi là người thân "
            "trong hộ và chủ hợp đồng đồng ý; số của nhân viên thì từ chối.",
            confirmable=True,
            value_column="phone_normalized",
        ),
        Rule(
            "PHONE_RELATIVE_CONSENT",
            "phone",
            WARNING,
            "Số điện thoại của người thân (vợ/chồng/con): cần ghi nhận sự đồng ý của chủ hợp đồng.",
            confirmable=True,
            value_column="phone_normalized",
        ),
        Rule(
            "PHONE_STAFF",
            "phone",
            BLOCKING,
            "Số điện thoại thuộc danh sách nhân viên điện lực: không được dùng nhận OTP của khách hàng.",
        ),
        Rule(
            "ID_MISSING",
            "id_number",
            BLOCKING,
            "Chưa có số giấy tờ tùy thân (CCCD/căn cước) của chủ hợp đồng.",
        ),
        Rule(
            "ID_INVALID",
            "id_number",
            BLOCKING,
            "Số giấy tờ tùy thân không hợp lệ: cần kiểm tra lại trên thẻ CCCD/căn cước.",
        ),
        Rule(
            "ID_CMND_EXPIRED",
            "id_number",
            BLOCKING,
            "CMND hết giá trị sử dụng từ 01/01/2025: cần bổ sung số CCCD/căn cước hiện tại.",
        ),
        Rule(
            "ID_AMBIGUOUS",
            "id_number",
            WARNING,
            "Số giấy tờ có nhiều cách hiểu: cần đối chiếu với thẻ của khách hàng.",
            confirmable=True,
            value_column="id_number_normalized",
        ),
        Rule(
            "ID_DUPLICATE",
            "customer",
            WARNING,
            "Cùng số giấy tờ với {n} mã khách hàng khác: kiểm tra trùng khách hàng.",
            confirmable=True,
            value_column="id_number_normalized",
        ),
        Rule(
            "PERSON_DUPLICATE",
            "customer",
            WARNING,
            "Cùng họ tên và ngày sinh với {n} mã khách hàng khác: kiểm tra có phải một người.",
            confirmable=True,
            value_column="full_name_normalized",
        ),
        Rule(
            "ADDRESS_UNRESOLVED",
            "address",
            BLOCKING,
            "Địa chỉ chưa xác định được phường/xã theo đơn vị hành chính mới (2025): cần sửa địa chỉ.",
        ),
        Rule(
            "ADDRESS_AMBIGUOUS",
            "address",
            WARNING,
            "Xã/phường cũ đã tách vào nhiều đơn vị mới: cần xác nhận phường/xã mới của khách hàng.",
            confirmable=True,
            value_column="address_normalized",
        ),
        Rule("NAME_MISSING", "full_name", BLOCKING, "Thiếu họ tên chủ hợp đồng."),
        Rule(
            "NAME_AMBIGUOUS",
            "full_name",
            WARNING,
            "Họ tên cần kiểm tra lại.",
            confirmable=True,
            value_column="full_name_normalized",
        ),
        Rule(
            "ID_ISSUE_DATE_MISSING",
            "id_issue_date",
            BLOCKING,
            "Thiếu hoặc sai ngày cấp giấy tờ tùy thân: cần cập nhật theo thẻ.",
        ),
        Rule(
            "ID_ISSUE_DATE_AMBIGUOUS",
            "id_issue_date",
            WARNING,
            "Ngày cấp có nhiều cách đọc: cần đối chiếu với thẻ.",
            confirmable=True,
            value_column="id_issue_date_normalized",
        ),
        Rule(
            "ID_ISSUE_PLACE_MISSING",
            "id_issue_place",
            BLOCKING,
            "Thiếu hoặc không đọc được nơi cấp giấy tờ tùy thân.",
        ),
        Rule(
            "ID_ISSUE_PLACE_AMBIGUOUS",
            "id_issue_place",
            WARNING,
            "Nơi cấp cần kiểm tra lại theo thẻ.",
            confirmable=True,
            value_column="id_issue_place_normalized",
        ),
        Rule(
            "EMAIL_INVALID",
            "email",
            WARNING,
            "Email không hợp lệ: sửa lại hoặc xác nhận để bỏ trống email trên hợp đồng.",
            confirmable=True,
            value_column="email_original",
        ),
        Rule(
            "EMAIL_AMBIGUOUS",
            "email",
            WARNING,
            "Email cần kiểm tra lại.",
            confirmable=True,
            value_column="email_normalized",
        ),
        Rule(
            "CHANGE_OUT_OF_BULK",
            "customer",
            BLOCKING,
            "Khách hàng có yêu cầu thay đổi ({change}): không xử lý hàng loạt, chuyển quy trình riêng.",
        ),
    )
}

CHANGE_NAMES = {
    "DOI_CHU_THE": "đổi chủ thể hợp đồng",
    "DOI_SO_HO": "thay đổi số hộ dùng chung",
    "DOI_DC_SDD": "thay đổi địa chỉ sử dụng điện",
}

RELATIVE_CODES = ("PHONE_OF_RELATIVE", "PHONE_RELATIVE")
CMND_TYPES = ("CMND9", "CMND12")


def _status(frame: pd.DataFrame, field: str) -> pd.Series:
    col = f"{field}_status"
    if col not in frame:
        return pd.Series("missing", index=frame.index, dtype=object)
    return frame[col].astype(object).fillna("missing")


def _has_code(frame: pd.DataFrame, field: str, codes: tuple[str, ...]) -> pd.Series:
    col = f"{field}_issues"
    if col not in frame:
        return pd.Series(False, index=frame.index)
    issues = frame[col].astype(object).fillna("").map(lambda s: set(str(s).split(";")))
    return issues.map(lambda s: bool(s.intersection(codes)))


def _col(frame: pd.DataFrame, name: str, default: object = None) -> pd.Series:
    if name in frame:
        return frame[name].astype(object)
    return pd.Series(default, index=frame.index, dtype=object)


def _counts(values: pd.Series, table: dict[str, int]) -> pd.Series:
    return values.map(lambda v: table.get(v, 0) if isinstance(v, str) and v else 0)


def rule_masks(
    frame: pd.DataFrame, ctx: ValidationContext
) -> dict[str, tuple[pd.Series, pd.Series | None]]:
    """For every rule: (mask of customers it hits, optional per-row detail for the message)."""
    s = {
        f: _status(frame, f)
        for f in (
            "phone",
            "id_number",
            "address",
            "full_name",
            "id_issue_date",
            "id_issue_place",
            "email",
        )
    }
    phone = _col(frame, "phone_normalized")
    phone_type = _col(frame, "phone_type", "unknown")
    id_type = _col(frame, "id_type", "unknown")
    holders = _counts(phone, ctx.phone_holders)
    id_dups = _counts(_col(frame, "id_number_normalized"), ctx.id_customers) - 1
    person_dups = _counts(_col(frame, "person_key"), ctx.person_customers) - 1
    pending = _col(frame, "pending_change")
    usable_phone = s["phone"].isin(["ok", "fixed", "ambiguous"])
    out: dict[str, tuple[pd.Series, pd.Series | None]] = {
        "OTP_PHONE_MISSING": (s["phone"] == "missing", None),
        "OTP_PHONE_INVALID": (s["phone"] == "invalid", None),
        "OTP_PHONE_LANDLINE": (
            usable_phone & (phone_type == "fixed") & (s["phone"] != "ambiguous"),
            None,
        ),
        "OTP_PHONE_AMBIGUOUS": (s["phone"] == "ambiguous", None),
        "PHONE_SHARED": (usable_phone & (holders > ctx.max_holders_per_phone), holders),
        "PHONE_RELATIVE_CONSENT": (usable_phone & _has_code(frame, "phone", RELATIVE_CODES), None),
        "PHONE_STAFF": (usable_phone & phone.isin(list(ctx.staff_phones)), None),
        "ID_MISSING": (s["id_number"] == "missing", None),
        "ID_INVALID": (s["id_number"] == "invalid", None),
        "ID_CMND_EXPIRED": (s["id_number"].isin(["ok", "fixed"]) & id_type.isin(CMND_TYPES), None),
        "ID_AMBIGUOUS": (s["id_number"] == "ambiguous", None),
        "ID_DUPLICATE": (s["id_number"].isin(["ok", "fixed"]) & (id_dups > 0), id_dups),
        "PERSON_DUPLICATE": (person_dups > 0, person_dups),
        "ADDRESS_UNRESOLVED": (s["address"].isin(["invalid", "missing"]), None),
        "ADDRESS_AMBIGUOUS": (s["address"] == "ambiguous", None),
        "NAME_MISSING": (s["full_name"].isin(["invalid", "missing"]), None),
        "NAME_AMBIGUOUS": (s["full_name"] == "ambiguous", None),
        "ID_ISSUE_DATE_MISSING": (s["id_issue_date"].isin(["invalid", "missing"]), None),
        "ID_ISSUE_DATE_AMBIGUOUS": (s["id_issue_date"] == "ambiguous", None),
        "ID_ISSUE_PLACE_MISSING": (s["id_issue_place"].isin(["invalid", "missing"]), None),
        "ID_ISSUE_PLACE_AMBIGUOUS": (s["id_issue_place"] == "ambiguous", None),
        "EMAIL_INVALID": (s["email"] == "invalid", None),
        "EMAIL_AMBIGUOUS": (s["email"] == "ambiguous", None),
        "CHANGE_OUT_OF_BULK": (pending.notna() & (pending.astype(object) != ""), pending),
    }
    return out


def _message(rule: Rule) -> Callable[[object], str]:
    def fmt(detail: object) -> str:
        if "{n}" in rule.message:
            return rule.message.format(n=detail)
        if "{change}" in rule.message:
            return rule.message.format(change=CHANGE_NAMES.get(str(detail), str(detail)))
        return rule.message

    return fmt


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
        hit = frame.loc[mask, ["customer_code"]].copy()
        if rule.confirmable and ctx.confirmations:
            value = (
                frame.loc[mask, rule.value_column].astype(object)
                if rule.value_column in frame
                else pd.Series(None, index=hit.index, dtype=object)
            )
            confirmed = [
                ctx.is_confirmed(c, code, v)
                for c, v in zip(hit["customer_code"], value, strict=True)
            ]
            hit = hit.loc[[not c for c in confirmed]]
            if hit.empty:
                continue
        fmt = _message(rule)
        details = detail.loc[hit.index] if detail is not None else pd.Series(None, index=hit.index)
        hit["field"] = rule.field
        hit["rule"] = code
        hit["severity"] = rule.severity
        hit["message"] = [fmt(d) for d in details]
        parts.append(hit)
    cols = ["customer_code", "field", "rule", "severity", "message"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


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

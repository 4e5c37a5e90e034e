"""The statuses and the registry of issue codes every transform may emit.

Each code says, in English for developers and in Vietnamese for a branch clerk, what was found
or done, and which status it implies at least. A field's status is the most severe status
implied by its codes (ok < fixed < ambiguous < invalid); `missing` when there is no value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Final

from cmis_migrate.statuses import STATUSES, Status
from cmis_migrate.transforms.address_codes import ADDRESS_CODES

OK: Final = Status.OK
FIXED: Final = Status.FIXED
AMBIGUOUS: Final = Status.AMBIGUOUS
INVALID: Final = Status.INVALID
MISSING: Final = Status.MISSING
SEVERITY: Final = {s: i for i, s in enumerate(STATUSES)}  # ok < fixed < ... < missing


@dataclass(frozen=True)
class IssueCode:
    code: str
    status: str  # the status this code implies (at least); "" when the transform decides
    en: str
    vi: str


def _c(code: str, status: str, en: str, vi: str) -> IssueCode:
    return IssueCode(code, status, en, vi)


_ALL: tuple[IssueCode, ...] = (
    # shared
    _c(
        "VALUE_PLACEHOLDER",
        MISSING,
        "placeholder text instead of a value ('không có', 'n/a', '-', '0')",
        'Ô ghi giá trị giả ("không có", "-", "0"...): coi như chưa có thông tin',
    ),
    _c(
        "TEXT_LEGACY_ENCODING",
        INVALID,
        "text looks like TCVN3/VNI mojibake",
        "Chữ bị lỗi phông (TCVN3/VNI): cần gõ lại bằng Unicode",
    ),
    # phone
    _c(
        "PHONE_EXCEL_DECIMAL",
        OK,
        "trailing '.0' added by Excel removed",
        'Số bị Excel thêm đuôi ".0": đã bỏ',
    ),
    _c(
        "PHONE_LEADING_ZERO_RESTORED",
        FIXED,
        "leading 0 lost by Excel restored",
        "Số bị mất số 0 ở đầu (do Excel): đã thêm lại",
    ),
    _c(
        "PHONE_PREFIX_2018",
        FIXED,
        "old 11-digit mobile mapped to its 10-digit prefix (2018)",
        "Số di động 11 số cũ: đã đổi sang đầu số 10 số theo quy định năm 2018",
    ),
    _c(
        "PHONE_AREA_CODE_2017",
        FIXED,
        "old landline area code mapped to the 2017 code",
        "Số cố định mã vùng cũ: đã đổi sang mã vùng mới (năm 2017)",
    ),
    _c(
        "PHONE_LANDLINE_BY_DATE",
        FIXED,
        "reads as old landline or new mobile; the record predates the 2018 renumbering: landline",
        "Số có thể là số cố định mã vùng cũ hoặc số di động mới; hồ sơ lập trước khi đổi đầu số "
        "di động (2018) nên xác định là số cố định",
    ),
    _c(
        "PHONE_MOBILE_BY_DATE",
        OK,
        "reads as old landline or new mobile; the record is dated after the renumbering: mobile",
        "Số có thể là số cố định mã vùng cũ hoặc số di động; hồ sơ lập sau khi đổi đầu số nên là số di động",
    ),
    _c(
        "PHONE_OTHER_PROVINCE_CODE",
        OK,
        "also reads as an old landline of another province: taken as the mobile",
        "Số cũng có thể đọc là số cố định mã vùng cũ của tỉnh khác; khách hàng ở tỉnh nên xác "
        "định là số di động",
    ),
    _c(
        "PHONE_LOCAL_AREA_CODE_ADDED",
        FIXED,
        "a bare 7-digit landline: the province's area code added",
        "Số cố định 7 số không có mã vùng: đã thêm mã vùng của tỉnh",
    ),
    _c(
        "PHONE_SCIENTIFIC_COMPLETE",
        FIXED,
        "Excel scientific notation that still holds every digit: number restored",
        "Số bị Excel đổi sang dạng 9,15286431E+8 nhưng còn đủ chữ số: đã ghi lại dạng số",
    ),
    _c(
        "PHONE_PRIMARY_GUESSED",
        AMBIGUOUS,
        "several mobiles and nothing says which is the holder's: the first is a guess",
        "Ô có nhiều số di động, không ghi rõ số nào của chủ hợp đồng: chi nhánh cần chọn số "
        "nhận OTP (các số khác ở cột số phụ)",
    ),
    _c(
        "PHONE_LANDLINE_OR_MOBILE",
        AMBIGUOUS,
        "undated record: old landline or new mobile cannot be told apart",
        "Không rõ là số cố định mã vùng cũ hay số di động mới (hồ sơ không có ngày): cần hỏi lại "
        "khách hàng, không dùng gửi OTP",
    ),
    _c(
        "PHONE_INVALID",
        INVALID,
        "not a valid Vietnamese phone number",
        "Số điện thoại không hợp lệ (sai độ dài hoặc đầu số): cần hỏi lại khách hàng",
    ),
    _c(
        "PHONE_SCIENTIFIC_NOTATION",
        INVALID,
        "Excel scientific notation: digits lost",
        "Số bị Excel đổi sang dạng 9,12E+8 nên đã mất chữ số: cần nhập lại",
    ),
    _c(
        "PHONE_FOREIGN",
        INVALID,
        "not a Vietnamese (+84) number",
        "Không phải số điện thoại Việt Nam (+84): không dùng gửi OTP",
    ),
    _c(
        "PHONE_NO_NUMBER",
        INVALID,
        "the field holds text but no number",
        "Ô số điện thoại có chữ nhưng không có số",
    ),
    _c(
        "PHONE_SERVICE_NUMBER",
        INVALID,
        "a service number (1800/1900/...), not a subscriber's",
        "Là số dịch vụ (1800, 1900...), không phải số của khách hàng",
    ),
    _c(
        "PHONE_NOT_MOBILE",
        OK,
        "the primary number is a landline: it cannot receive an OTP",
        "Số chính là số cố định, không nhận được OTP: cần bổ sung số di động của chủ hợp đồng",
    ),
    _c(
        "PHONE_SEVERAL_NUMBERS",
        OK,
        "several numbers: the first mobile is primary, others secondary",
        "Ô có nhiều số: lấy số di động đầu tiên làm số chính, các số khác lưu là số phụ",
    ),
    _c(
        "PHONE_SECONDARY_INVALID",
        OK,
        "an additional number in the field is not valid (dropped)",
        "Có số phụ không hợp lệ: đã bỏ qua, cần kiểm tra lại",
    ),
    _c(
        "PHONE_SECONDARY_AMBIGUOUS",
        OK,
        "an additional number may be an old landline or a new mobile (undated record)",
        "Có số phụ không rõ là số cố định mã vùng cũ hay số di động: cần hỏi lại khách hàng",
    ),
    _c(
        "PHONE_OF_RELATIVE",
        OK,
        "annotated as a relative's number (spouse, child, parent...)",
        "Số ghi chú là của người thân (vợ/chồng/con...): chưa gửi OTP cho đến khi ghi nhận chủ "
        "hợp đồng đã được thông báo và đồng ý",
    ),
    _c(
        "PHONE_OF_OTHER_PERSON",
        OK,
        "annotated as another person's number (neighbour, friend...)",
        "Số ghi chú là của người khác (hàng xóm, người quen...): cần lấy số của chủ hợp đồng",
    ),
    # e-mail
    _c(
        "EMAIL_DOMAIN_TYPO",
        FIXED,
        "common e-mail domain typo fixed (gmail.con -> gmail.com)",
        "Tên miền email gõ sai (vd gmail.con): đã sửa",
    ),
    _c(
        "EMAIL_SPACES_REMOVED",
        FIXED,
        "spaces inside the address removed",
        "Email có dấu cách: đã bỏ dấu cách",
    ),
    _c(
        "EMAIL_SEVERAL",
        FIXED,
        "several addresses: the first is kept",
        "Ô có nhiều email: lấy email đầu tiên",
    ),
    _c(
        "EMAIL_TRAILING_TEXT",
        AMBIGUOUS,
        "text after a complete address: not glued onto the domain",
        "Sau địa chỉ email còn chữ khác: cần kiểm tra lại email",
    ),
    _c(
        "EMAIL_DOMAIN_SUSPECT",
        AMBIGUOUS,
        "the top-level domain looks like a typo (.comx, .con, .cmo, .vnn) not in the typo table",
        "Đuôi tên miền email có vẻ gõ sai (vd .con, .comx): cần kiểm tra lại email",
    ),
    _c(
        "EMAIL_SYNTAX",
        INVALID,
        "not a valid e-mail address",
        "Email sai định dạng: cần hỏi lại khách hàng",
    ),
    # identity documents
    _c(
        "ID_EXCEL_DECIMAL",
        OK,
        "trailing '.0' added by Excel removed",
        'Số giấy tờ bị Excel thêm đuôi ".0": đã bỏ',
    ),
    _c(
        "ID_LEADING_ZERO_RESTORED",
        FIXED,
        "leading 0 lost by Excel restored (valid CCCD)",
        "Số CCCD bị mất số 0 ở đầu (do Excel): đã thêm lại",
    ),
    _c(
        "ID_SCIENTIFIC_NOTATION",
        INVALID,
        "Excel scientific notation: digits lost, cannot repair",
        "Số giấy tờ bị Excel đổi sang dạng 3,8E+10 nên đã mất chữ số: cần nhập lại theo thẻ",
    ),
    _c(
        "ID_NOT_DIGITS",
        INVALID,
        "letters or symbols in the ID number",
        "Số giấy tờ có chữ hoặc ký tự lạ (không phải số CMND/CCCD)",
    ),
    _c(
        "ID_BAD_LENGTH",
        INVALID,
        "an ID number has 9 (CMND) or 12 (CMND/CCCD) digits",
        "Số CMND/CCCD phải có 9 hoặc 12 chữ số",
    ),
    _c(
        "ID_CCCD_PROVINCE_UNKNOWN",
        INVALID,
        "the first 3 digits are not a CCCD province code",
        "3 số đầu của số CCCD không phải mã tỉnh hợp lệ",
    ),
    _c(
        "ID_CCCD_BIRTH_YEAR_IMPOSSIBLE",
        INVALID,
        "century/sex digit and year give an impossible year",
        "Mã thế kỷ và năm sinh trong số CCCD không hợp lý",
    ),
    _c(
        "ID_BIRTH_YEAR_MISMATCH",
        INVALID,
        "birth year in the CCCD differs from the birth date",
        "Năm sinh trong số CCCD khác năm sinh trong hồ sơ: cần đối chiếu thẻ",
    ),
    _c(
        "ID_CMND_EXPIRED",
        AMBIGUOUS,
        "a CMND (old ID card) is no longer valid after rules.cmnd_valid_until",
        "CMND đã hết giá trị sử dụng: đề nghị khách hàng cung cấp thẻ căn cước/CCCD hiện tại",
    ),
    _c(
        "ID_CMND_NATIONAL_ISSUER",
        AMBIGUOUS,
        "a 9-digit CMND with a national issuer (only provincial police issued CMNDs)",
        "Số CMND 9 số nhưng nơi cấp là cơ quan cấp CCCD/căn cước: cần đối chiếu thẻ",
    ),
    _c(
        "ID_PROVINCIAL_ISSUER_CONFLICT",
        AMBIGUOUS,
        "12 digits issued by a provincial police outside the 12-digit CMND years (or undated)",
        "Số 12 chữ số do Công an tỉnh cấp nhưng ngày cấp không thuộc thời kỳ cấp CMND 12 số: "
        "cần đối chiếu thẻ (CMND hay CCCD)",
    ),
    _c(
        "ID_ISSUER_NOT_YET_ISSUING",
        AMBIGUOUS,
        "the issue date is before the issuer started issuing this card",
        "Ngày cấp trước thời điểm cơ quan ghi ở nơi cấp bắt đầu cấp loại thẻ này: cần đối chiếu thẻ",
    ),
    _c(
        "ID_ISSUER_NO_LONGER_ISSUING",
        AMBIGUOUS,
        "a national department as issuer on/after the date Bộ Công an took over",
        "Nơi cấp là Cục Cảnh sát nhưng ngày cấp từ khi Bộ Công an cấp thẻ căn cước: cần đối chiếu thẻ",
    ),
    _c(
        "ID_TYPE_ASSUMED_CCCD",
        OK,
        "12 digits with no issue place or date to tell CMND from CCCD: taken as CCCD",
        "Số 12 chữ số không có nơi cấp/ngày cấp để phân biệt CMND 12 số với CCCD: tạm coi là CCCD",
    ),
    _c(
        "ID_ISSUE_BEFORE_BIRTH",
        INVALID,
        "the ID issue date is before the birth date",
        "Ngày cấp giấy tờ trước ngày sinh",
    ),
    _c(
        "CONTRACT_BEFORE_BIRTH",
        INVALID,
        "the contract date is before the holder's birth date",
        "Ngày ký hợp đồng trước ngày sinh của chủ hộ",
    ),
    # dates
    _c(
        "DATE_EXCEL_SERIAL",
        FIXED,
        "Excel serial number converted to a date",
        "Ngày bị Excel lưu dạng số (vd 44231): đã đổi sang ngày",
    ),
    _c(
        "DATE_TWO_DIGIT_YEAR",
        FIXED,
        "two-digit year expanded (pivot: the current year)",
        "Năm ghi 2 chữ số: đã ghi đủ 4 chữ số",
    ),
    _c(
        "DATE_IMPOSSIBLE",
        INVALID,
        "no such date (e.g. 31/02, month 13)",
        "Ngày không tồn tại (vd 31/02, tháng 13)",
    ),
    _c("DATE_IN_FUTURE", INVALID, "date in the future", "Ngày ở tương lai"),
    _c("DATE_TOO_OLD", INVALID, "date before 1900", "Ngày trước năm 1900"),
    _c(
        "DATE_UNREADABLE",
        INVALID,
        "not a date",
        "Không đọc được ngày (ghi theo dạng ngày/tháng/năm)",
    ),
    _c("DATE_YEAR_ONLY", INVALID, "only a year is given", "Chỉ ghi năm, thiếu ngày và tháng"),
    _c("DATE_INCOMPLETE", INVALID, "day or month missing", "Thiếu ngày hoặc tháng"),
    # issue place
    _c(
        "PLACE_EXPANDED",
        FIXED,
        "issuing authority written in full (canonical name)",
        "Nơi cấp viết tắt hoặc chưa chuẩn: đã ghi lại đúng tên cơ quan cấp",
    ),
    _c(
        "PLACE_UNKNOWN",
        INVALID,
        "issuing authority not recognised",
        'Không nhận ra cơ quan cấp: ghi rõ, vd "Công an tỉnh Thanh Hóa" hoặc '
        '"Cục Cảnh sát quản lý hành chính về trật tự xã hội"',
    ),
    # names
    _c("NAME_HAS_DIGITS", INVALID, "digits in a person's name", "Họ tên có chữ số"),
    _c("NAME_BAD_CHARS", INVALID, "symbols in a person's name", "Họ tên có ký tự lạ"),
    _c(
        "NAME_NOTE_DECEASED",
        AMBIGUOUS,
        "a note in the name field says the holder died ('đã chết', 'đã mất'): removed",
        'Ô họ tên có ghi chú "đã chết/đã mất": đã bỏ ghi chú; cần làm thủ tục đổi chủ hợp đồng',
    ),
    _c(
        "NAME_NOTE_FORMER_HOLDER",
        AMBIGUOUS,
        "a note in the name field says former holder ('chủ cũ', 'cũ'): removed",
        'Ô họ tên có ghi chú "chủ cũ/cũ": đã bỏ ghi chú; cần xác định chủ hợp đồng hiện tại',
    ),
    _c(
        "NAME_NOTE_REPRESENTATIVE",
        AMBIGUOUS,
        "a note names a representative or c/o ('đại diện ...', 'c/o ...'): removed",
        'Ô họ tên có ghi chú "đại diện.../c/o...": đã bỏ ghi chú; cần xác định chủ hợp đồng',
    ),
    _c(
        "NAME_NOTE_SPOUSE",
        AMBIGUOUS,
        "a note names a spouse ('chồng ...', 'vợ ...'): removed",
        'Ô họ tên có ghi chú "chồng.../vợ...": đã bỏ ghi chú; cần xác định chủ hợp đồng',
    ),
    _c(
        "NAME_NOTE",
        AMBIGUOUS,
        "a note in parentheses in the name field: removed",
        "Ô họ tên có ghi chú trong ngoặc: đã bỏ ghi chú, cần kiểm tra lại họ tên",
    ),
    _c(
        "NAME_NO_DIACRITICS",
        AMBIGUOUS,
        "written without any Vietnamese diacritic: cannot be matched to the ID card",
        "Họ tên viết không dấu: không đối chiếu được với thẻ CCCD, cần ghi lại đúng họ tên có dấu",
    ),
    _c(
        "NAME_SINGLE_WORD",
        AMBIGUOUS,
        "a single word: surname or given name missing",
        "Họ tên chỉ có một chữ: thiếu họ hoặc tên",
    ),
)


def _address_codes() -> tuple[IssueCode, ...]:
    # the address transform decides its statuses itself: "" (not used by `finish`)
    return tuple(IssueCode(code, "", en, vi) for code, (en, vi) in ADDRESS_CODES.items())


class _Registry(Mapping[str, IssueCode]):
    """Every issue code: the tables above, the address codes, and those a field spec declares in
    its own module (fields.FieldSpec.codes). Built once, on first use, never added to: a spec's
    module imports this one, so its codes cannot be collected while this module loads."""

    @cached_property
    def _codes(self) -> Mapping[str, IssueCode]:
        from cmis_migrate.fields import FIELD_SPECS

        declared = [c for spec in FIELD_SPECS for c in spec.load_codes()]
        codes = {c.code: c for c in (*_ALL, *_address_codes(), *declared)}
        if len(codes) != len(_ALL) + len(ADDRESS_CODES) + len(declared):
            raise RuntimeError("an issue code is defined twice")
        return MappingProxyType(codes)

    def __getitem__(self, code: str) -> IssueCode:
        return self._codes[code]

    def __iter__(self):
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)


CODES: Final[Mapping[str, IssueCode]] = _Registry()


def describe(code: str) -> IssueCode:
    """The registered definition of `code` (KeyError names an unregistered code)."""
    try:
        return CODES[code]
    except KeyError:
        raise KeyError(f"unregistered issue code {code!r}") from None


def messages_vi(issues: str) -> list[str]:
    """Vietnamese messages for a ';'-joined issue string, in order."""
    return [describe(c).vi for c in issues.split(";") if c]

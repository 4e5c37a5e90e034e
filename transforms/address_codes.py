"""Issue codes of the address transform: code -> (English description, message for a clerk)."""

from __future__ import annotations

ADDR_MISSING = "ADDR_MISSING"
ADDR_MAPPED_2025 = "ADDR_MAPPED_2025"
ADDR_SPLIT_COMMUNE = "ADDR_SPLIT_COMMUNE"
ADDR_COMMUNE_AMBIGUOUS = "ADDR_COMMUNE_AMBIGUOUS"
ADDR_COMMUNE_NOT_IN_DISTRICT = "ADDR_COMMUNE_NOT_IN_DISTRICT"
ADDR_FORMER_DISTRICT = "ADDR_FORMER_DISTRICT"
ADDR_COMMUNE_UNKNOWN = "ADDR_COMMUNE_UNKNOWN"
ADDR_NO_COMMUNE = "ADDR_NO_COMMUNE"
ADDR_OUTSIDE_PROVINCE = "ADDR_OUTSIDE_PROVINCE"
ADDR_DISTRICT_UNKNOWN = "ADDR_DISTRICT_UNKNOWN"
ADDR_UNIT_TYPE_MISMATCH = "ADDR_UNIT_TYPE_MISMATCH"

ADDRESS_CODES: dict[str, tuple[str, str]] = {
    ADDR_MISSING: (
        "Address is empty or a placeholder",
        "Chưa có địa chỉ (ô trống hoặc ghi 'không có'); cần bổ sung.",
    ),
    ADDR_MAPPED_2025: (
        "Pre-2025 commune mapped to its 2025 ward (district dropped)",
        "Đã chuyển xã/phường/thị trấn cũ sang xã/phường mới theo sắp xếp từ 01/7/2025.",
    ),
    ADDR_SPLIT_COMMUNE: (
        "The old commune was split across several 2025 wards: the default one is proposed "
        "and must be confirmed",
        "Xã/phường cũ được chia về nhiều xã/phường mới; đã đề xuất xã/phường mặc định, "
        "chi nhánh cần xác nhận đúng nơi khách hàng ở.",
    ),
    ADDR_COMMUNE_AMBIGUOUS: (
        "The commune name fits several units (several old districts, an old and a new name, "
        "or a district name): a person must choose",
        "Tên xã/phường trùng với nhiều đơn vị (nhiều huyện cũ, tên cũ và tên mới, hoặc tên "
        "huyện); cần ghi rõ huyện cũ hoặc xác nhận xã/phường mới.",
    ),
    ADDR_COMMUNE_NOT_IN_DISTRICT: (
        "The commune is not in the stated district",
        "Xã/phường không thuộc huyện/thị xã/thành phố đã ghi; cần kiểm tra lại địa chỉ.",
    ),
    ADDR_FORMER_DISTRICT: (
        "The commune is written with the district it belonged to before a boundary change "
        "(its name carries that district's stem, e.g. Hoằng Quang / Hoằng Hóa)",
        "Xã/phường ghi theo huyện cũ trước khi điều chỉnh địa giới; đã xác định theo đơn vị "
        "hiện hành.",
    ),
    ADDR_COMMUNE_UNKNOWN: (
        "Commune name not found in the pre-2025 or 2025 lists of the province",
        "Không tìm thấy tên xã/phường trong danh mục hành chính (cũ hoặc mới) của tỉnh; "
        "cần kiểm tra lại.",
    ),
    ADDR_NO_COMMUNE: (
        "No commune/ward in the address",
        "Địa chỉ thiếu xã/phường/thị trấn; cần bổ sung.",
    ),
    ADDR_OUTSIDE_PROVINCE: (
        "The address is in another province",
        "Địa chỉ thuộc tỉnh/thành phố khác; cần kiểm tra lại.",
    ),
    ADDR_DISTRICT_UNKNOWN: (
        "District name not found; ignored",
        "Không tìm thấy tên huyện/thị xã/thành phố đã ghi; đã bỏ qua khi xác định xã/phường.",
    ),
    ADDR_UNIT_TYPE_MISMATCH: (
        "Unit type (xã / phường / thị trấn) differs from the official list",
        "Loại đơn vị (xã/phường/thị trấn) ghi khác danh mục; đã sửa theo danh mục.",
    ),
}

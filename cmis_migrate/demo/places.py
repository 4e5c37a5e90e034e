"""Where the demo's customers live: PC Thanh Hóa's branches and Thanh Hóa's legacy communes.

Communes and districts come from vietnamadminunits' own data (`data/dataset.db`, table
`admin_units_legacy`: the 547 pre-2025 communes of Thanh Hóa). Its network geocoder is never
called. The dataset already folds Đông Sơn district into Thanh Hóa city (1/1/2025); paper
records predate that, so the demo gives Đông Sơn its own branch and writes its 14 communes
with their pre-2025 district and type (e.g. "thị trấn Rừng Thông, huyện Đông Sơn").
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

PROVINCE = "Thanh Hóa"
PC_CODE = "PA07"
PC_NAME = "Công ty Điện lực Thanh Hóa"


@dataclass(frozen=True)
class Branch:
    code: str  # MA_DVIQLY, 6 chars
    name: str  # TEN_DVIQLY
    district: str  # district (short name) as the branch knew it before 2025
    district_type: str  # Huyện | Thị xã | Thành phố
    population: int  # thousands, approximate (2019 census, rounded): weights only
    abbrev: str  # used in paper contract numbers (ĐLQX)
    highland: bool  # mountain district: "Bản ..." villages and more Thái/Mường family names


# Branch codes PA0701..PA0727 are invented for the demo (PC Thanh Hóa's real numbering is not
# public); one branch per pre-2025 district-level unit.
BRANCHES: tuple[Branch, ...] = (
    Branch("PA0701", "Điện lực Thành phố Thanh Hóa", "Thanh Hóa", "Thành phố", 360, "TPTH", False),
    Branch("PA0702", "Điện lực Sầm Sơn", "Sầm Sơn", "Thành phố", 109, "SS", False),
    Branch("PA0703", "Điện lực Bỉm Sơn", "Bỉm Sơn", "Thị xã", 58, "BS", False),
    Branch("PA0704", "Điện lực Nghi Sơn", "Nghi Sơn", "Thị xã", 255, "NS", False),
    Branch("PA0705", "Điện lực Hoằng Hóa", "Hoằng Hóa", "Huyện", 247, "HH", False),
    Branch("PA0706", "Điện lực Quảng Xương", "Quảng Xương", "Huyện", 200, "QX", False),
    Branch("PA0707", "Điện lực Đông Sơn", "Đông Sơn", "Huyện", 77, "ĐS", False),
    Branch("PA0708", "Điện lực Nông Cống", "Nông Cống", "Huyện", 185, "NC", False),
    Branch("PA0709", "Điện lực Triệu Sơn", "Triệu Sơn", "Huyện", 205, "TS", False),
    Branch("PA0710", "Điện lực Thọ Xuân", "Thọ Xuân", "Huyện", 230, "TX", False),
    Branch("PA0711", "Điện lực Thiệu Hóa", "Thiệu Hóa", "Huyện", 175, "TH", False),
    Branch("PA0712", "Điện lực Yên Định", "Yên Định", "Huyện", 165, "YĐ", False),
    Branch("PA0713", "Điện lực Vĩnh Lộc", "Vĩnh Lộc", "Huyện", 86, "VL", False),
    Branch("PA0714", "Điện lực Hà Trung", "Hà Trung", "Huyện", 112, "HT", False),
    Branch("PA0715", "Điện lực Nga Sơn", "Nga Sơn", "Huyện", 146, "NgS", False),
    Branch("PA0716", "Điện lực Hậu Lộc", "Hậu Lộc", "Huyện", 170, "HL", False),
    Branch("PA0717", "Điện lực Thạch Thành", "Thạch Thành", "Huyện", 147, "TT", True),
    Branch("PA0718", "Điện lực Cẩm Thủy", "Cẩm Thủy", "Huyện", 113, "CT", True),
    Branch("PA0719", "Điện lực Ngọc Lặc", "Ngọc Lặc", "Huyện", 142, "NL", True),
    Branch("PA0720", "Điện lực Lang Chánh", "Lang Chánh", "Huyện", 51, "LC", True),
    Branch("PA0721", "Điện lực Bá Thước", "Bá Thước", "Huyện", 107, "BT", True),
    Branch("PA0722", "Điện lực Quan Hóa", "Quan Hóa", "Huyện", 48, "QH", True),
    Branch("PA0723", "Điện lực Quan Sơn", "Quan Sơn", "Huyện", 39, "QS", True),
    Branch("PA0724", "Điện lực Mường Lát", "Mường Lát", "Huyện", 39, "ML", True),
    Branch("PA0725", "Điện lực Thường Xuân", "Thường Xuân", "Huyện", 91, "TX", True),
    Branch("PA0726", "Điện lực Như Xuân", "Như Xuân", "Huyện", 68, "NX", True),
    Branch("PA0727", "Điện lực Như Thanh", "Như Thanh", "Huyện", 95, "NT", True),
)

# Đông Sơn's communes merged into Thanh Hóa city on 1/1/2025, with the type they had before
DONG_SON_COMMUNES: dict[str, str] = {
    "Rừng Thông": "Thị trấn",
    **{
        name: "Xã"
        for name in (
            "Đông Hoàng", "Đông Ninh", "Đông Hòa", "Đông Yên", "Đông Minh", "Đông Thanh",
            "Đông Tiến", "Đông Khê", "Đông Thịnh", "Đông Văn", "Đông Phú", "Đông Nam",
            "Đông Quang",
        )
    },
}  # fmt: skip


@dataclass(frozen=True)
class OldName:
    """How a commune was written before a reform (for records dated before `until_year`)."""

    ward_type: str
    ward: str
    district_type: str
    district: str
    until_year: int


# Reforms a paper record may predate [assumed from public resolutions; demo data only]:
# 2012 extension of Thanh Hóa city (Nghị quyết 05/NQ-CP), 2015 extension of Sầm Sơn and its
# city status (2017), Tĩnh Gia district -> Nghi Sơn town (2020).
_CITY_2012 = {
    "Quảng Tâm": ("Quảng Tâm", "Quảng Xương"),
    "Quảng Phú": ("Quảng Phú", "Quảng Xương"),
    "Quảng Cát": ("Quảng Cát", "Quảng Xương"),
    "Quảng Thịnh": ("Quảng Thịnh", "Quảng Xương"),
    "Quảng Đông": ("Quảng Đông", "Quảng Xương"),
    "Đông Lĩnh": ("Đông Lĩnh", "Đông Sơn"),
    "Đông Tân": ("Đông Tân", "Đông Sơn"),
    "Đông Vinh": ("Đông Vinh", "Đông Sơn"),
    "An Hưng": ("Đông Hưng", "Đông Sơn"),
    "Thiệu Khánh": ("Thiệu Khánh", "Thiệu Hóa"),
    "Thiệu Dương": ("Thiệu Dương", "Thiệu Hóa"),
    "Thiệu Vân": ("Thiệu Vân", "Thiệu Hóa"),
    "Hoằng Quang": ("Hoằng Quang", "Hoằng Hóa"),
    "Hoằng Đại": ("Hoằng Đại", "Hoằng Hóa"),
    "Tào Xuyên": ("Hoằng Lý", "Hoằng Hóa"),
    "Long Anh": ("Hoằng Long", "Hoằng Hóa"),
}
_SAM_SON_2015 = ("Quảng Minh", "Quảng Thọ", "Quảng Châu", "Quảng Vinh")


@dataclass(frozen=True)
class Commune:
    code: str  # legacy ward code (vietnamadminunits wardCode)
    ward: str  # short name, as the legacy dataset spells it
    ward_type: str  # Xã | Phường | Thị trấn, as written on paper before 2025
    district: str  # district short name as written on paper before 2025
    district_type: str
    legacy_district: str  # districtShort in admin_units_legacy
    branch: int  # index into BRANCHES
    old: OldName | None  # an older name a pre-reform record may carry
    urban: bool


def _old_name(branch: Branch, ward: str, ward_type: str) -> OldName | None:
    if branch.code == "PA0701" and ward in _CITY_2012:
        old_ward, old_district = _CITY_2012[ward]
        return OldName("Xã", old_ward, "Huyện", old_district, 2012)
    if branch.code == "PA0702":
        if ward in _SAM_SON_2015:
            return OldName("Xã", ward, "Huyện", "Quảng Xương", 2015)
        return OldName(ward_type, ward, "Thị xã", "Sầm Sơn", 2017)
    if branch.code == "PA0704":
        return OldName("Xã", ward, "Huyện", "Tĩnh Gia", 2020)
    return None


def _dataset_path() -> str:
    return str(files("vietnamadminunits") / "data" / "dataset.db")


@lru_cache(maxsize=1)
def legacy_units() -> tuple[tuple[str, str, str, str, str], ...]:
    """(ward code, ward, ward type, district, district type) of Thanh Hóa's legacy communes."""
    uri = f"file:{_dataset_path()}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        rows = db.execute(
            "SELECT wardCode, wardShort, wardType, districtShort, districtType "
            "FROM admin_units_legacy WHERE provinceShort = ? ORDER BY wardCode",
            (PROVINCE,),
        ).fetchall()
    if not rows:
        raise RuntimeError(f"vietnamadminunits' dataset has no communes for {PROVINCE}")
    return tuple(tuple(r) for r in rows)


@lru_cache(maxsize=1)
def communes() -> tuple[Commune, ...]:
    """Every legacy commune, attached to the branch that serves it."""
    by_district = {b.district: i for i, b in enumerate(BRANCHES)}
    dong_son = by_district["Đông Sơn"]
    out = []
    for code, ward, ward_type, district, district_type in legacy_units():
        if district == "Thanh Hóa" and ward in DONG_SON_COMMUNES:
            b = dong_son
            ward_type_written, district_written, dtype_written = (
                DONG_SON_COMMUNES[ward],
                "Đông Sơn",
                "Huyện",
            )
        else:
            b = by_district[district]
            ward_type_written, district_written, dtype_written = ward_type, district, district_type
        branch = BRANCHES[b]
        out.append(
            Commune(
                code=code,
                ward=ward,
                ward_type=ward_type_written,
                district=district_written,
                district_type=dtype_written,
                legacy_district=district,
                branch=b,
                old=_old_name(branch, ward, ward_type_written),
                urban=ward_type_written in ("Phường", "Thị trấn"),
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def communes_by_branch() -> tuple[tuple[int, ...], ...]:
    """For each branch (index into BRANCHES), the indices of its communes in communes()."""
    groups: list[list[int]] = [[] for _ in BRANCHES]
    for i, c in enumerate(communes()):
        groups[c.branch].append(i)
    return tuple(tuple(g) for g in groups)


# -- street parts ------------------------------------------------------------------------------

URBAN_STREETS = (
    "Lê Lai", "Lê Hoàn", "Trần Phú", "Bà Triệu", "Quang Trung", "Phan Chu Trinh", "Lê Lợi",
    "Nguyễn Trãi", "Hạc Thành", "Tống Duy Tân", "Trường Thi", "Dương Đình Nghệ",
    "Lý Thường Kiệt", "Nguyễn Chí Thanh", "Hàm Nghi", "Triệu Quốc Đạt", "Lê Thánh Tông",
    "Hải Thượng Lãn Ông", "Tô Vĩnh Diện", "Mật Sơn", "Đinh Công Tráng", "Nguyễn Du",
    "Hoàng Hoa Thám", "Trần Hưng Đạo", "Lê Văn Hưu", "Cao Sơn", "Bà Huyện Thanh Quan",
    "Phú Thọ", "Nguyễn Trường Tộ", "Hồ Xuân Hương",
)  # fmt: skip
VILLAGE_NAMES = (
    "Yên Khang", "Phú Thọ", "Trung Hòa", "Đông Tác", "Nghĩa Trang", "Bình Hòa", "Thượng Đình",
    "Hạ Vũ", "Kim Sơn", "Phúc Lộc", "An Thái", "Tân Thành", "Đồng Lạc", "Mỹ Thượng",
    "Quyết Thắng", "Hưng Thịnh", "Thọ Khang", "Xuân Thủy", "Hòa Bình", "Đại Đồng",
)  # fmt: skip
HAMLET_SIDES = ("Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Chùa", "Đình", "Mới")
HIGHLAND_VILLAGES = (
    "Khe", "Sại", "Lở", "Poọng", "Mường", "Pù Nhi", "Na Hồ", "Chiềng", "Hạ", "Xía", "Táu",
    "Lốc", "Đồng Tâm", "Piềng Vang", "Co Cọc", "Na Khà", "Sa Ná", "Pá Búa", "Chiềng Lằn", "Ho",
)  # fmt: skip

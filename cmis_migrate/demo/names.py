"""Vietnamese personal names with rough frequencies (demo data; weights are assumptions).

Lowland Thanh Hóa: Nguyễn and Lê dominate, Trịnh, Mai, Hoàng are far commoner than nationally.
Highland districts (Thái, Mường): Hà, Lò, Lương, Phạm, Bùi, Quách, Cầm, Vi, Lường are common.
"""

from __future__ import annotations

import numpy as np

from cmis_migrate.demo.text import strip_diacritics


def _table(pairs: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], np.ndarray]:
    names = tuple(p[0] for p in pairs)
    w = np.array([p[1] for p in pairs], dtype=float)
    return names, w / w.sum()


FAMILY_LOWLAND = _table((
    ("Nguyễn", 30), ("Lê", 17), ("Trịnh", 6), ("Trần", 6), ("Phạm", 5), ("Hoàng", 4),
    ("Mai", 3), ("Đỗ", 3), ("Bùi", 2.5), ("Vũ", 2), ("Đặng", 2), ("Ngô", 2), ("Hà", 1.5),
    ("Lương", 1.2), ("Đào", 1.2), ("Cao", 1), ("Tống", 1), ("Đinh", 1), ("Phan", 0.8),
    ("Dương", 0.8), ("Hồ", 0.6), ("Võ", 0.5), ("Huỳnh", 0.2), ("Lại", 0.5), ("Thiều", 0.4),
    ("Vương", 0.4), ("Tào", 0.3), ("Mạc", 0.3), ("Quách", 0.4), ("Lưu", 0.5),
))  # fmt: skip
FAMILY_HIGHLAND = _table((
    ("Hà", 12), ("Lò", 6), ("Lương", 7), ("Phạm", 8), ("Bùi", 9), ("Quách", 4), ("Cầm", 3),
    ("Vi", 3), ("Lường", 3), ("Lục", 1), ("Ngân", 2), ("Lữ", 1.5), ("Đinh", 4), ("Nguyễn", 14),
    ("Lê", 9), ("Trương", 2), ("Trịnh", 2), ("Hoàng", 2), ("Trần", 3),
))  # fmt: skip

MIDDLE_MALE = _table((
    ("Văn", 50), ("Đình", 8), ("Xuân", 6), ("Hữu", 6), ("Minh", 5), ("Quang", 4), ("Đức", 4),
    ("Ngọc", 3), ("Thế", 3), ("Công", 3), ("Bá", 2), ("Trọng", 2), ("Tiến", 2), ("Anh", 1),
    ("Mạnh", 1),
))  # fmt: skip
MIDDLE_FEMALE = _table((
    ("Thị", 70), ("Ngọc", 5), ("Thu", 4), ("Minh", 3), ("Thanh", 4), ("Kim", 3), ("Hồng", 3),
    ("Phương", 2), ("Bích", 2), ("Thúy", 2),
))  # fmt: skip
GIVEN_MALE = _table(tuple((n, 1.0) for n in (
    "Hùng", "Dũng", "Tuấn", "Hải", "Nam", "Thắng", "Long", "Cường", "Sơn", "Hưng", "Bình",
    "Minh", "Quang", "Tùng", "Thành", "Trung", "Đức", "Hiếu", "Lâm", "Phong", "Toàn", "Tiến",
    "Việt", "Khánh", "Huy", "An", "Hòa", "Lợi", "Thanh", "Vinh", "Chiến", "Thuận", "Hoàng",
    "Tài", "Thụy", "Lực", "Quý", "Đông", "Tư", "Khỏe",
)))  # fmt: skip
GIVEN_FEMALE = _table(tuple((n, 1.0) for n in (
    "Lan", "Hương", "Hoa", "Hà", "Mai", "Hằng", "Thủy", "Nga", "Huyền", "Linh", "Trang",
    "Thảo", "Nhung", "Loan", "Dung", "Yến", "Hạnh", "Phương", "Ngọc", "Hiền", "Thúy", "Hồng",
    "Liên", "Thanh", "Vân", "Oanh", "Tuyết", "Xuân", "Hòa", "Thu", "Lý", "Tâm", "Chúc",
)))  # fmt: skip
SECOND_MIDDLE_FEMALE = ("Thu", "Thanh", "Minh", "Ngọc", "Hồng", "Kim", "Phương")
SECOND_MIDDLE_MALE = ("Minh", "Quang", "Đức", "Ngọc", "Xuân", "Anh")

MALE_SHARE = 0.62  # paper contracts were mostly signed by the (male) head of household


def fold(name: str) -> str:
    """Lower-case ASCII without spaces (for e-mail local parts)."""
    return strip_diacritics(name).lower().replace(" ", "")


def draw_names(
    rng: np.random.Generator, highland: np.ndarray
) -> tuple[np.ndarray, list[str], list[str], list[str], list[str]]:
    """Sex (True = male) and family / middle / given / full name for each row."""
    r = len(highland)
    male = rng.random(r) < MALE_SHARE
    fam_lo = rng.choice(len(FAMILY_LOWLAND[0]), size=r, p=FAMILY_LOWLAND[1])
    fam_hi = rng.choice(len(FAMILY_HIGHLAND[0]), size=r, p=FAMILY_HIGHLAND[1])
    mid_m = rng.choice(len(MIDDLE_MALE[0]), size=r, p=MIDDLE_MALE[1])
    mid_f = rng.choice(len(MIDDLE_FEMALE[0]), size=r, p=MIDDLE_FEMALE[1])
    giv_m = rng.integers(0, len(GIVEN_MALE[0]), size=r)
    giv_f = rng.integers(0, len(GIVEN_FEMALE[0]), size=r)
    second = rng.random(r) < 0.12
    sec_m = rng.integers(0, len(SECOND_MIDDLE_MALE), size=r)
    sec_f = rng.integers(0, len(SECOND_MIDDLE_FEMALE), size=r)

    fl, fh = FAMILY_LOWLAND[0], FAMILY_HIGHLAND[0]
    family = [fh[b] if h else fl[a] for a, b, h in zip(fam_lo, fam_hi, highland, strict=True)]
    mm, mf = MIDDLE_MALE[0], MIDDLE_FEMALE[0]
    middle = [mm[a] if m else mf[b] for a, b, m in zip(mid_m, mid_f, male, strict=True)]
    middle = [
        f"{mid} {SECOND_MIDDLE_MALE[a] if m else SECOND_MIDDLE_FEMALE[b]}" if s else mid
        for mid, a, b, m, s in zip(middle, sec_m, sec_f, male, second, strict=True)
    ]
    gm, gf = GIVEN_MALE[0], GIVEN_FEMALE[0]
    given = [gm[a] if m else gf[b] for a, b, m in zip(giv_m, giv_f, male, strict=True)]
    full = [f"{f} {m} {g}" for f, m, g in zip(family, middle, given, strict=True)]
    return male, family, middle, given, full

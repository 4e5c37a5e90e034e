"""How a station looks in Data Docs: green only when its checks pass and nearly all its
customers are ready; GX passing alone is not enough."""

from __future__ import annotations

import pytest

from cmis_migrate.reports.data_docs import page_name, verdict, vn_number, vn_percent


@pytest.mark.parametrize(
    ("state", "passed", "customers", "ready", "blocked", "css", "label"),
    [
        ("succeeded", True, 100, 95, 0, "ok", "Đạt"),
        ("succeeded", True, 100, 89, 1, "warn", "Cần xem xét"),
        ("succeeded", True, 100, 40, 50, "bad", "Phần lớn bị chặn"),
        ("succeeded", False, 100, 100, 0, "bad", "Kiểm tra không đạt"),
        ("failed", None, 0, 0, 0, "bad", "Lỗi xử lý"),
        ("deferred", None, 10, 10, 0, "muted", "Hoãn"),
        ("deferred", None, 10, 2, 8, "bad", "Phần lớn bị chặn"),  # last known counts count
        ("pending", None, 0, 0, 0, "muted", "Chưa có kết quả"),
        ("succeeded", True, 0, 0, 0, "ok", "Đạt"),  # checked, nobody to migrate
    ],
)
def test_verdict(state, passed, customers, ready, blocked, css, label) -> None:
    v = verdict(
        state=state, checks_passed=passed, customers=customers, ready=ready, blocked=blocked
    )
    assert (v.css, v.label) == (css, label)


def test_page_names_and_numbers() -> None:
    assert page_name("PA0701T0001") == "PA0701T0001"
    assert page_name("../x y") == "_x_y"
    assert vn_number(1234567) == "1.234.567"
    assert vn_percent(1, 3) == "33%" and vn_percent(1, 0) == "-"

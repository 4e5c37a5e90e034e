"""`schedule` prints when the next run starts: schedule.cron read in schedule.timezone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from cmis_migrate.cli.schedule import next_run

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_next_run_is_tonight_before_the_hour_and_tomorrow_after_it() -> None:
    assert next_run("0 22 * * *", TZ, datetime(2026, 12, 2, 10, 0, tzinfo=UTC)) == datetime(
        2026, 12, 2, 22, 0, tzinfo=TZ
    )  # 17:00 local
    assert next_run("0 22 * * *", TZ, datetime(2026, 12, 2, 23, 0, tzinfo=TZ)) == datetime(
        2026, 12, 3, 22, 0, tzinfo=TZ
    )


def test_next_run_follows_the_cron_fields() -> None:
    got = next_run("30 1 * * 1", TZ, datetime(2026, 12, 2, 12, 0, tzinfo=TZ))  # Mondays 01:30
    assert got == datetime(2026, 12, 7, 1, 30, tzinfo=TZ) and got.weekday() == 0

"""A night's changes in the demo CMIS: some customers moved house or took a new phone.

Used by the nightly benchmark (a second night after ~1% of customers changed) and by the tests
that compare stores over several nights. Each changed customer's row gets a new mobile number,
a house number before its address, and its validity start (NGAY_HLUC) set to the day of the
change, as CMIS does when a record is edited.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import bindparam, select, update

from cmis_migrate.demo.sink import demo_engine
from cmis_migrate.source.schema import HDG_KHACH_HANG


def change_customers(url: str, fraction: float, *, seed: int, on: date) -> list[str]:
    """Change `fraction` of the customers still under contract (at least one when any);
    return their codes, sorted. The same database, fraction and seed pick the same customers."""
    k = HDG_KHACH_HANG
    engine = demo_engine(url)
    try:
        with engine.begin() as conn:
            rows = conn.execute(
                select(k.c.MA_KHANG, k.c.DIA_CHI)
                .where(k.c.NGAY_HHLUC.is_(None))
                .order_by(k.c.MA_KHANG)
            ).all()
            if not rows:
                return []
            rng = random.Random(seed)
            picked = rng.sample(rows, max(1, round(len(rows) * fraction)))
            params = [
                {
                    "code": code,
                    "phone": f"09{rng.randrange(10**8):08d}",
                    "address": f"Số {rng.randint(1, 300)}, {address or ''}".rstrip(", "),
                    "valid_from": on.isoformat(),
                }
                for code, address in picked
            ]
            conn.execute(
                update(k)
                .where(bindparam("code") == k.c.MA_KHANG)
                .values(
                    DTHOAI=bindparam("phone"),
                    DIA_CHI=bindparam("address"),
                    NGAY_HLUC=bindparam("valid_from"),
                ),
                params,
            )
    finally:
        engine.dispose()
    return sorted(p["code"] for p in params)

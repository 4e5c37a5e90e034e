"""One GX run over several stations gives each station the result it would get alone."""

from __future__ import annotations

import pandas as pd

from cmis_migrate.fields import REVIEWED_FIELDS
from cmis_migrate.validators.expectations import run_expectations
from cmis_migrate.validators.station_expectations import run_expectations_by_station


def row(code: str, station: str, **over) -> dict:
    out = {"customer_code": code, "station": station, "outcome": "ready"}
    out |= {"phone_type": "mobile", "id_type": "CCCD", "address_ward": None}
    out |= {f"{f}_status": "ok" for f in REVIEWED_FIELDS}
    out |= {
        "phone_normalized": "+84912345678",
        "id_number_normalized": "038085001234",
        "id_issue_date_normalized": "2021-04-12",
        "email_normalized": "an@example.vn",
    }
    return out | over


def test_each_station_gets_its_own_counts_and_masked_examples():
    frame = pd.DataFrame(
        [
            row("PA1", "S1"),
            row("PA2", "S1", phone_normalized="0373851234"),  # ok but not E.164
            row("PA3", "S2"),
            row("PA4", "S2", outcome=None),
        ]
    )
    by_station = run_expectations_by_station(frame)
    assert set(by_station) == {"S1", "S2"}
    for station, result in by_station.items():
        alone = run_expectations(frame.loc[frame["station"] == station])
        assert (result["success"], result["failed"]) == (alone["success"], alone["failed"])
    s1 = {e["column"]: e for e in by_station["S1"]["result"]["expectations"]}
    phone = s1["phone_normalized"]
    assert not phone["success"] and phone["unexpected_count"] == 1
    assert phone["partial_unexpected_list"] == ["037****234"]  # personal: masked
    assert phone["unexpected_percent"] == 50.0
    s2 = {e["column"]: e for e in by_station["S2"]["result"]["expectations"]}
    assert not s2["outcome"]["success"] and s2["phone_normalized"]["success"]

"""A nightly run over the hostile CMIS: every bad code is a data error of its own station,
named with its CMIS column in the store (what `status` shows) and in the run summary; every
other station succeeds, every other branch gets its workbook, and no file lands outside
paths.work."""

from __future__ import annotations

import re

from sqlalchemy import select

from cmis_migrate.reports.publish import publish
from cmis_migrate.run_control import begin_run, close_run, plan_run
from cmis_migrate.station_group import process_group
from cmis_migrate.store.tables import batches, customer_issues, customers, drafts
from tests.hostile.cmis import BAD_STATIONS, GOOD_STATIONS

AT = "2026-03-10T23:00:00+07:00"
COLUMN_OF_BAD = {
    "PA0701T0003": "MA_DVIQLY",
    "../../../../evil": "MA_TRAM",
    "PA0701T" + "9" * 30: "MA_TRAM",
    "PA0701T0006": "MA_SOGCS",
    "PA0701T0007": "MA_KHANG",
    "PA0701T0008": "MA_DVIQLY",
}


def nightly(rt):
    handle = begin_run(rt, kind="run", at=AT, flow_run_id=None)
    plan_run(rt, handle, stations=None, failed_only=False)
    results = [s.as_dict() for s in process_group(handle.jobs, rt, handle.clock)]
    summary = close_run(rt, handle, results)
    written = publish(rt, handle.run_id)
    return handle, summary, written


def test_bad_codes_fail_their_station_alone_and_write_nothing_outside_work(hostile_site, tmp_path):
    rt, _ = hostile_site
    handle, summary, written = nightly(rt)
    work = rt.cfg.paths.work.resolve()

    outside = [
        p
        for p in tmp_path.rglob("*")
        if p.is_file() and work not in p.resolve().parents and p.parent.name != "site"
    ]
    assert outside == []
    assert not any(p.name.startswith(("x.", "evil")) for p in tmp_path.rglob("*"))
    assert all(work in p.resolve().parents for p in written)
    reports = rt.cfg.paths.reports
    assert sorted(p.name for p in reports.glob("review_*.xlsx")) == [
        "review_PA0701.xlsx",
        "review_PA0702.xlsx",
    ]

    with rt.store.connect() as conn:
        rows = conn.execute(
            select(batches.c.station, batches.c.state, batches.c.error_message).where(
                batches.c.run_id == handle.run_id
            )
        ).all()
    by_state = {}
    for station, state, message in rows:
        by_state.setdefault(state, []).append((station, message))
    assert sorted(s for s, _ in by_state["succeeded"]) == sorted(GOOD_STATIONS)
    failed = by_state["failed"]
    assert len(failed) == len(BAD_STATIONS)
    columns = sorted(
        next(c for c in ("MA_DVIQLY", "MA_TRAM", "MA_SOGCS", "MA_KHANG") if c in m)
        for _, m in failed
    )
    assert columns == sorted(COLUMN_OF_BAD.values())
    assert all(len(s) <= 20 and "/" not in s for s, _ in failed)
    assert summary["batches"] == {"succeeded": len(GOOD_STATIONS), "failed": len(BAD_STATIONS)}


def test_hostile_customers_are_blocked_or_flagged_never_defaulted(hostile_site):
    rt, labels = hostile_site
    handle, _, _ = nightly(rt)
    code_of = {label: code for code, label in labels.items()}
    with rt.store.connect() as conn:
        outcome = dict(conn.execute(select(customers.c.customer_code, customers.c.outcome)).all())
        rules = {}
        for code, rule in conn.execute(
            select(customer_issues.c.customer_code, customer_issues.c.rule)
        ):
            rules.setdefault(code, set()).add(rule)
        drafted = set(conn.execute(select(drafts.c.customer_code)).scalars())
        counts = dict(conn.execute(select(customers.c.customer_code, customers.c.households)).all())
        originals = conn.execute(
            select(customers.c.full_name_original, customers.c.address_original)
        ).all()
    for label in labels.values():
        if label.startswith("households") and label != "households three":
            code = code_of[label]
            assert outcome[code] == "blocked", label
            assert "HOUSEHOLDS_INVALID" in rules[code], label
            assert code not in drafted, label
    three = code_of["households three"]
    assert counts[three] == 3 and "HOUSEHOLDS_INVALID" not in rules.get(three, set())
    assert counts[code_of["households fraction"]] is None  # not 2, and never 1
    assert "TEXT_TOO_LONG" in rules[code_of["huge fields"]]
    assert outcome[code_of["huge fields"]] == "blocked"
    assert "TEXT_CONTROL_CHARS" in rules[code_of["control characters"]]
    controls = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
    for row in originals:
        for value in row:
            assert value is None or (not controls.search(value) and len(value) <= 400)

"""The branch review loop on the real flow: a demo CMIS, a run, the branch's workbook (CLI),
cells edited with openpyxl as a branch would, `corrections import` (CLI), a rerun of the
station, the customers ready and drafted. And every way a returned file is refused whole, with
nothing applied. SQLite always; PostgreSQL too when CMIS_TEST_DATABASE_URL is set."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

import cmis_migrate.cli.corrections  # noqa: F401  (registers the commands)
import cmis_migrate.cli.report  # noqa: F401
from cmis_migrate.cli.app import app
from cmis_migrate.config import load_config
from cmis_migrate.db import store_engine
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.reports.review_layout import (
    IDENTITY_SHEET,
    ISSUE_COLUMNS,
    ISSUES_SHEET,
    REJECTED_COLUMN,
    SEVERITY_LABELS,
    SUMMARY_SHEET,
    header,
    header_key,
)
from cmis_migrate.store.tables import (
    confirmations,
    corrections,
    customer_issues,
    customers,
    drafts,
    imports,
    validation_results,
)
from cmis_migrate.validators.rules import RULES
from tests.conftest import OPEN_ALL_DAY

pytestmark = pytest.mark.slow

N = 700
SEED = 11
runner = CliRunner()
COL = {c: i for i, c in enumerate(ISSUE_COLUMNS)}


def _pg_databases(base_url: str, n: int) -> list[str]:
    base = make_url(base_url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    names = [f"cmis_rv_{uuid.uuid4().hex[:10]}" for _ in range(n)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return [base.set(database=name).render_as_string(hide_password=False) for name in names]


def _drop_pg(base_url: str, urls: list[str]) -> None:
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for url in urls:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory, prefect_server, pg_base_url):
    """A demo CMIS, its config, and one run of the real flow (shared by this module's tests)."""
    folder = tmp_path_factory.mktemp(f"review-{request.param}")
    if request.param == "postgresql":
        if pg_base_url is None:
            pytest.skip("CMIS_TEST_DATABASE_URL not set: PostgreSQL variant not run")
        source, store = _pg_databases(pg_base_url, 2)
    else:
        source, store = (
            f"sqlite:///{folder / 'cmis.sqlite'}",
            f"sqlite:///{folder / 'store.sqlite'}",
        )
    seed_demo(source, N, SEED)
    data = {
        "source": {"url": source},
        "store": {"url": store},
        "paths": {"work": "work", "staff_phones_file": None},
        "windows": OPEN_ALL_DAY,
        "load": {"max_ledgers_at_once": 2, "parallel_batches": 2},
    }
    (folder / "config.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    cfg = load_config(folder / "config.yaml", env={})
    first = run_flow(cfg, at="2026-03-10T23:00:00+07:00")
    assert first["state"] == "succeeded"
    yield {"cfg": cfg, "folder": folder, "run_id": first["run_id"]}
    if request.param == "postgresql":
        _drop_pg(pg_base_url, [source, store])


def run_flow(cfg, **kw) -> dict:
    from cmis_migrate.flows.nightly import run_nightly

    return run_nightly(cfg, **kw)


def cli(cfg, *args: str):
    return runner.invoke(app, [*args, "--config", str(cfg.config_path)])


def engine_of(cfg):
    return store_engine(cfg.store.url)


def store_state(cfg) -> dict:
    """What an import may change, as comparable values."""
    engine = engine_of(cfg)
    try:
        with engine.connect() as conn:
            return {
                "corrections": conn.execute(select(corrections).order_by(corrections.c.id)).all(),
                "confirmations": sorted(conn.execute(select(confirmations)).all()),
                "imports": sorted(
                    conn.execute(
                        select(imports.c.import_id).where(imports.c.kind == "corrections")
                    ).scalars()
                ),
                "customers": sorted(
                    conn.execute(select(customers.c.customer_code, customers.c.content_hash)).all()
                ),
            }
    finally:
        engine.dispose()


def make_report(cfg, branch: str, out: Path) -> Path:
    result = cli(cfg, "report", "--branch", branch, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def issue_rows(path: Path) -> list[tuple]:
    ws = load_workbook(path, read_only=True)[ISSUES_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert tuple(header_key(h) for h in rows[0][: len(ISSUE_COLUMNS)]) == ISSUE_COLUMNS
    return rows[1:]


def by_customer(path: Path) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = defaultdict(list)
    for r in issue_rows(path):
        out[r[COL["customer_code"]]].append(r)
    return out


def edit(path: Path, values: dict[tuple[str, str], tuple[str, str]]) -> None:
    """Fill (customer_code, rule) rows' corrected_value / confirmed as a branch clerk would."""
    wb = load_workbook(path)
    ws = wb[ISSUES_SHEET]
    for row in ws.iter_rows(min_row=2):
        key = (row[COL["customer_code"]].value, row[COL["rule"]].value)
        if key in values:
            corrected, confirmed = values[key]
            if corrected:
                row[COL["corrected_value"]].value = corrected
            if confirmed:
                row[COL["confirmed"]].value = confirmed
    wb.save(path)


def pick(rows: dict[str, list[tuple]], allowed: set[str], *, exactly: bool = False) -> str:
    """A customer whose issues are all among `allowed` (exactly those with exactly=True)."""
    for code, rs in sorted(rows.items()):
        found = {r[COL["rule"]] for r in rs}
        if (found == allowed) if exactly else (found <= allowed):
            return code
    raise AssertionError(f"the demo has no customer with issues among {allowed}")


PHONE_FIXES = {"OTP_PHONE_MISSING", "OTP_PHONE_INVALID", "OTP_PHONE_LANDLINE"}
CARD = {  # a CMND holder's new card: number, issue date, issue place
    "ID_CMND_EXPIRED": "038085001239",
    "ID_ISSUE_DATE_OLD_CARD": "12/04/2021",
    "ID_ISSUE_PLACE_OLD_CARD": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
}
CONFIRMABLE_WARNINGS = {
    code for code, rule in RULES.items() if rule.confirmable and rule.severity == "warning"
}


def branches_by_size(cfg) -> list[str]:
    engine = engine_of(cfg)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("select branch, count(*) from customers group by branch order by 2 desc, 1")
            ).all()
    finally:
        engine.dispose()
    return [r[0] for r in rows]


def biggest_branch(cfg) -> str:
    return branches_by_size(cfg)[0]


def is_private(path: Path) -> bool:
    return stat.S_IMODE(os.stat(path).st_mode) == 0o600


# --- after each run -----------------------------------------------------------------------


def test_a_run_publishes_one_private_workbook_per_branch_and_data_docs(site) -> None:
    cfg = site["cfg"]
    engine = engine_of(cfg)
    try:
        with engine.connect() as conn:
            branches = set(conn.execute(select(customers.c.branch).distinct()).scalars())
            stations = set(
                conn.execute(
                    select(validation_results.c.station).where(
                        validation_results.c.run_id == site["run_id"]
                    )
                ).scalars()
            )
    finally:
        engine.dispose()
    reports = cfg.paths.reports
    assert {p.name for p in reports.glob("review_*.xlsx")} == {f"review_{b}.xlsx" for b in branches}
    assert all(is_private(p) for p in reports.glob("review_*.xlsx"))
    index = cfg.paths.data_docs / "index.html"
    page = index.read_text(encoding="utf-8")
    pages = list((cfg.paths.data_docs / "validations").rglob("*.html"))
    assert {p.stem for p in pages} == stations and len(stations) > 1
    assert all(s in page for s in stations)
    assert "http" not in page  # the index needs no network


def test_a_branch_report_holds_only_that_branchs_customers(site, tmp_path) -> None:
    cfg = site["cfg"]
    branch = biggest_branch(cfg)
    out = make_report(cfg, branch, tmp_path / "r.xlsx")
    assert is_private(out)
    rows = issue_rows(out)
    engine = engine_of(cfg)
    try:
        with engine.connect() as conn:
            owner = dict(conn.execute(select(customers.c.customer_code, customers.c.branch)).all())
            expected = conn.execute(
                select(customer_issues.c.customer_code)
                .join(customers, customers.c.customer_code == customer_issues.c.customer_code)
                .where(customers.c.branch == branch)
            ).all()
    finally:
        engine.dispose()
    codes = {r[COL["customer_code"]] for r in rows}
    assert codes and {owner[c] for c in codes} == {branch}
    assert len(rows) == len(expected)  # every issue of the branch, one row each
    assert all(isinstance(v, str) for r in rows for v in r if v is not None)
    summary = list(load_workbook(out, read_only=True)[SUMMARY_SHEET].iter_rows(values_only=True))
    assert any(r[0] == "Chi nhánh (branch)" and r[1] == branch for r in summary)
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Hướng dẫn"
    assert wb[IDENTITY_SHEET].sheet_state == "veryHidden"
    ws = wb[ISSUES_SHEET]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref and ws.protection.sheet
    assert [d.formula1 for d in ws.data_validations.dataValidation] == ['"có,không"']
    # who each row is about: the name, address and station name as CMIS holds them
    first = next(ws.iter_rows(min_row=2, max_row=2))
    assert first[COL["full_name"]].value and first[COL["address"]].value
    assert first[COL["station_name"]].value  # D_TRAM.TEN_TRAM, kept when the run planned


def test_report_errors_are_one_clear_line(site, tmp_path) -> None:
    cfg = site["cfg"]
    result = cli(cfg, "report", "--branch", "PA0799", "--out", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2
    assert "unknown branch 'PA0799'" in result.output
    assert "Traceback" not in result.output
    branch = biggest_branch(cfg)
    result = cli(
        cfg, "report", "--branch", branch, "--run", "nope", "--out", str(tmp_path / "x.xlsx")
    )
    assert result.exit_code == 2 and "no run 'nope'" in result.output
    assert not (tmp_path / "x.xlsx").exists()


# --- refused whole, nothing applied -----------------------------------------------------------


@pytest.fixture
def filled_report(site, tmp_path) -> tuple[Path, str]:
    """A report of the biggest branch with one valid correction filled in."""
    cfg = site["cfg"]
    branch = biggest_branch(cfg)
    out = make_report(cfg, branch, tmp_path / "report.xlsx")
    rows = by_customer(out)
    code = pick(rows, PHONE_FIXES)
    edit(out, {(code, r[COL["rule"]]): ("0912 345 670", "") for r in rows[code]})
    return out, branch


def refused(cfg, path: Path, *extra: str) -> str:
    before = store_state(cfg)
    result = cli(cfg, "corrections", "import", str(path), *extra)
    assert result.exit_code == 2, result.output
    assert "nothing applied" in result.output and "Traceback" not in result.output
    assert store_state(cfg) == before
    return result.output


def test_a_foreign_workbook_is_refused(site, tmp_path, filled_report) -> None:
    cfg = site["cfg"]
    plain = Workbook()
    ws = plain.active
    ws.title = ISSUES_SHEET
    ws.append([header(c) for c in ISSUE_COLUMNS])
    ws.append(["PA07010000001", "A", "B", "T", "", "L", "", "1", "phone", "Chặn", "R", "m"])
    plain.save(tmp_path / "foreign.xlsx")
    assert "not a cmis-migrate review workbook" in refused(cfg, tmp_path / "foreign.xlsx")
    (tmp_path / "notes.xlsx").write_text("hello", encoding="utf-8")
    assert "not a readable Excel workbook" in refused(cfg, tmp_path / "notes.xlsx")


def test_another_branchs_workbook_is_refused(site, filled_report) -> None:
    path, branch = filled_report
    other = "PA0702" if branch != "PA0702" else "PA0703"
    assert f"not {other}'s" in refused(site["cfg"], path, "--branch", other)


def test_a_truncated_workbook_is_refused(site, tmp_path, filled_report) -> None:
    path, _ = filled_report
    data = path.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) * 2 // 3])
    refused(site["cfg"], cut)


def test_a_tampered_workbook_is_refused(site, tmp_path, filled_report) -> None:
    cfg = site["cfg"]
    path, _ = filled_report
    # a blocking issue turned into a warning
    t1 = tmp_path / "t1.xlsx"
    shutil.copy(path, t1)
    wb = load_workbook(t1)
    ws = wb[ISSUES_SHEET]
    for row in ws.iter_rows(min_row=2):
        if row[COL["severity"]].value == SEVERITY_LABELS["blocking"]:
            row[COL["severity"]].value = SEVERITY_LABELS["warning"]
            changed_row = row[0].row
            break
    wb.save(t1)
    said = " ".join(refused(cfg, t1).split())
    # the refusal names the sheet, the row and the column that changed
    assert f"sheet '{ISSUES_SHEET}', row {changed_row}, column J '{header('severity')}'" in said
    # a row removed
    t2 = tmp_path / "t2.xlsx"
    shutil.copy(path, t2)
    wb = load_workbook(t2)
    wb[ISSUES_SHEET].delete_rows(3)
    wb.save(t2)
    refused(cfg, t2)
    # the hidden identity edited to another branch
    t3 = tmp_path / "t3.xlsx"
    shutil.copy(path, t3)
    wb = load_workbook(t3)
    for row in wb["_report"].iter_rows():
        if row[0].value == "branch":
            row[1].value = "PA0702"
    wb.save(t3)
    assert "identity does not match" in refused(cfg, t3)
    # an identity of a report this store never issued
    t4 = tmp_path / "t4.xlsx"
    shutil.copy(path, t4)
    wb = load_workbook(t4)
    for row in wb["_report"].iter_rows():
        if row[0].value == "report_id":
            row[1].value = uuid.uuid4().hex
    wb.save(t4)
    assert "was not issued by this migration store" in refused(cfg, t4)


# --- the round trip ---------------------------------------------------------------------------


def test_report_edit_import_rerun_makes_the_customers_ready(site, tmp_path) -> None:
    cfg = site["cfg"]
    # a branch with a customer blocked only by its phone, one by an old CMND, one with warnings
    for branch in branches_by_size(cfg):
        path = make_report(cfg, branch, tmp_path / f"review_{branch}.xlsx")
        rows = by_customer(path)
        try:
            phone_blocked = pick(rows, PHONE_FIXES)
            cmnd = pick(rows, set(CARD), exactly=True)
            warned = pick(rows, CONFIRMABLE_WARNINGS)
            break
        except AssertionError:
            continue
    else:
        raise AssertionError("no branch of the demo has all three kinds of customers")
    bad = next(c for c in sorted(rows) if c not in (phone_blocked, cmnd, warned))
    bad_rule = rows[bad][0][COL["rule"]]
    # a corrected value with "có": the clerk confirms the new value, it is applied
    edits = {(phone_blocked, r[COL["rule"]]): ("0912 345 670", "có") for r in rows[phone_blocked]}
    edits.update({(cmnd, rule): (value, "") for rule, value in CARD.items()})
    edits.update({(warned, r[COL["rule"]]): ("", "yes") for r in rows[warned]})
    # a value the transforms do not accept (or a field that cannot be corrected)
    edits[(bad, bad_rule)] = ("x@@ 12", "")
    edit(path, edits)
    n_confirmed = len(rows[warned])
    result = cli(cfg, "corrections", "import", str(path), "--branch", branch)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    # one phone correction (however many phone rows it was written on), three for the card
    assert f"4 corrections and {n_confirmed} confirmations applied" in said, said
    assert "1 rows rejected" in said
    copy = tmp_path / f"review_{branch}.rejected.xlsx"
    assert copy.exists() and is_private(copy)
    ws = load_workbook(copy)[ISSUES_SHEET]
    heads = [c.value for c in ws[1]]
    assert header_key(heads[-1]) == REJECTED_COLUMN
    reasons = [
        (r[COL["customer_code"]].value, r[-1].value) for r in ws.iter_rows(min_row=2) if r[-1].value
    ]
    assert [c for c, _ in reasons] == [bad] and reasons[0][1]

    engine = engine_of(cfg)
    try:
        with engine.connect() as conn:
            audit = conn.execute(select(imports).where(imports.c.kind == "corrections")).all()
            audit = [a for a in audit if a.branch == branch and a.rejected == 1]
            assert audit and audit[-1].checksum == hashlib.sha256(path.read_bytes()).hexdigest()
            olds = dict(
                conn.execute(
                    select(corrections.c.field, corrections.c.old_value).where(
                        corrections.c.customer_code == cmnd
                    )
                ).all()
            )
            stations = set(
                conn.execute(
                    select(customers.c.station).where(
                        customers.c.customer_code.in_([phone_blocked, cmnd, warned])
                    )
                ).scalars()
            )
    finally:
        engine.dispose()
    assert set(olds) == {"id_number", "id_issue_date", "id_issue_place"}
    assert olds["id_number"]  # the CMND it replaces, kept in the audit
    # the import ends by naming the stations to redo and the command that redoes them
    assert f"cmis-migrate rerun --station {' '.join(sorted(stations))}" in said, said

    # the very same file again: refused, nothing applied twice
    assert "already imported" in refused(cfg, path)

    again = run_flow(cfg, at="2026-03-11T23:00:00+07:00", stations=sorted(stations))
    assert again["state"] == "succeeded"
    engine = engine_of(cfg)
    try:
        with engine.connect() as conn:
            outcome = dict(
                conn.execute(
                    select(customers.c.customer_code, customers.c.outcome).where(
                        customers.c.customer_code.in_([phone_blocked, cmnd, warned])
                    )
                ).all()
            )
            drafted = {
                r.customer_code: r
                for r in conn.execute(
                    select(drafts).where(drafts.c.customer_code.in_([phone_blocked, cmnd, warned]))
                )
            }
    finally:
        engine.dispose()
    assert outcome == {phone_blocked: "ready", cmnd: "ready", warned: "ready"}
    assert drafted[phone_blocked].otp_phone == "+84912345670"
    assert drafted[cmnd].id_number == "038085001239" and drafted[cmnd].id_type == "CCCD"
    assert set(drafted) == {phone_blocked, cmnd, warned}
    # the rerun rewrote the workbook of the station's branch only, labelled with the rerun
    assert {p.name for p in cfg.paths.reports.glob("review_*.xlsx")} >= {f"review_{branch}.xlsx"}
    ident = dict(load_workbook(cfg.paths.reports / f"review_{branch}.xlsx")["_report"].values)
    assert ident["run_id"] == again["run_id"]
    other = next(b for b in branches_by_size(cfg) if b != branch)
    ident = dict(load_workbook(cfg.paths.reports / f"review_{other}.xlsx")["_report"].values)
    assert ident["run_id"] == site["run_id"]  # untouched by the rerun
    # the branch's next report no longer lists them
    after = by_customer(make_report(cfg, branch, tmp_path / "after.xlsx"))
    assert not {phone_blocked, cmnd, warned} & set(after)


# --- hostile returns: formulas in, the same file twice at the same moment ----------------------


def test_a_formula_typed_in_a_returned_workbook_rejects_its_row(site, tmp_path) -> None:
    cfg = site["cfg"]
    branch = biggest_branch(cfg)
    path = make_report(cfg, branch, tmp_path / "formula.xlsx")
    rows = by_customer(path)
    code = pick(rows, PHONE_FIXES)
    rule = rows[code][0][COL["rule"]]
    edit(path, {(code, rule): ('=HYPERLINK("http://evil","0912345670")', "")})
    wb = load_workbook(path)
    typed = [
        r[COL["corrected_value"]]
        for r in wb[ISSUES_SHEET].iter_rows(min_row=2)
        if r[0].value == code
    ]
    assert typed[0].data_type == "f"  # openpyxl stored it as a formula, as Excel would
    before = store_state(cfg)
    result = cli(cfg, "corrections", "import", str(path))
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "0 corrections" in said and "1 rows rejected" in said
    assert store_state(cfg)["corrections"] == before["corrections"]
    copy = load_workbook(tmp_path / "formula.rejected.xlsx")[ISSUES_SHEET]
    reasons = [r[-1].value for r in copy.iter_rows(min_row=2) if r[-1].value]
    assert len(reasons) == 1 and "công thức" in reasons[0]


def test_two_imports_of_the_same_file_at_the_same_moment_apply_once(site, tmp_path) -> None:
    import threading

    from cmis_migrate.db import utcnow
    from cmis_migrate.reports.corrections_import import RefusedWorkbook, import_corrections

    cfg = site["cfg"]
    branch = biggest_branch(cfg)
    path = make_report(cfg, branch, tmp_path / "twice.xlsx")
    rows = by_customer(path)
    code = pick(rows, PHONE_FIXES)
    edit(path, {(code, r[COL["rule"]]): ("0912 345 671", "có") for r in rows[code]})
    before = len(store_state(cfg)["corrections"])
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def one() -> None:
        engine = engine_of(cfg)
        try:
            start.wait()
            outcomes.append(
                import_corrections(
                    engine, path, rules=cfg.rules, now=utcnow(), reports_dir=tmp_path
                )
            )
        except RefusedWorkbook as exc:
            outcomes.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refusals = [o for o in outcomes if isinstance(o, RefusedWorkbook)]
    applied = [o for o in outcomes if not isinstance(o, RefusedWorkbook)]
    assert len(applied) == 1 and len(refusals) == 1, outcomes
    assert "this very file was already imported" in str(refusals[0])
    after = store_state(cfg)
    assert len(after["corrections"]) == before + 1  # one phone, once
    # a sequential third import says the same
    assert "this very file was already imported" in refused(cfg, path)


def test_an_import_killed_before_commit_applies_nothing_and_leaves_no_partial_file(
    site, tmp_path, monkeypatch
) -> None:
    from cmis_migrate.db import utcnow
    from cmis_migrate.reports import corrections_import
    from cmis_migrate.store import review

    cfg = site["cfg"]
    branch = biggest_branch(cfg)
    path = make_report(cfg, branch, tmp_path / "killed.xlsx")
    rows = by_customer(path)
    good = pick(rows, PHONE_FIXES)
    bad = next(c for c in sorted(rows) if c != good)
    edits = {(good, r[COL["rule"]]): ("0912 345 672", "") for r in rows[good]}
    edits[(bad, rows[bad][0][COL["rule"]])] = ("", "maybe")  # one rejected row
    edit(path, edits)
    # a stale temp file of an earlier import killed while writing its rejected list
    (tmp_path / ".killed.rejected-abc123.xlsx").write_bytes(b"partial")
    before = store_state(cfg)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies between the rejected list and the commit

    monkeypatch.setattr(review, "_apply_review_import", killed)
    engine = engine_of(cfg)
    try:
        with pytest.raises(KeyboardInterrupt):
            corrections_import.import_corrections(
                engine, path, rules=cfg.rules, now=utcnow(), reports_dir=tmp_path
            )
    finally:
        engine.dispose()
    assert store_state(cfg) == before  # nothing applied
    # the rejected list was complete before the commit; no temp file is left
    assert (tmp_path / "killed.rejected.xlsx").exists()
    assert not list(tmp_path.glob(".killed*"))
    monkeypatch.undo()
    result = cli(cfg, "corrections", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "1 corrections" in " ".join(result.output.split())

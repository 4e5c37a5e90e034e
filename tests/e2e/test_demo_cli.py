"""The CLI as a new user runs it: `demo`, then `status --json`, `drafts export`, `drafts render`,
in an empty folder of their own (the demo writes config.yaml and the site files there), with
Prefect's temporary server started by the command itself. The numbers the demo prints must
agree with status and the export."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cmis_migrate.safe_cells import unneutralize

pytestmark = pytest.mark.slow


def cli(site: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.pop("CMIS_SOURCE_URL", None)
    env.pop("CMIS_STORE_URL", None)
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "cmis_migrate", *args],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("user-site")  # empty: no config.yaml, no site files


@pytest.fixture(scope="module")
def demo_run(site: Path) -> subprocess.CompletedProcess:
    result = cli(site, "demo", "--customers", "400")
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_demo_seeds_runs_and_summarizes(site: Path, demo_run) -> None:
    out = demo_run.stdout
    assert "wrote a demo site" in out
    assert (site / "config.yaml").exists() and (site / "site" / "staff_phones.csv").exists()
    assert "seeding a demo CMIS with 400 customers" in out
    assert "off-peak window" in out
    assert "customers per branch" in out and "drafts:" in out
    assert (site / "work" / "cmis_demo.sqlite").exists()
    assert (site / "work" / "store.sqlite").exists()
    # no Prefect noise or tracebacks on the user's console
    assert "Traceback" not in out + demo_run.stderr
    assert "CancelledError" not in out + demo_run.stderr


def _total_row(stdout: str) -> list[int]:
    line = next(ln for ln in stdout.splitlines() if "total" in ln)
    return [int(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", line)]


def test_summary_agrees_with_status_and_drafts_export(site: Path, demo_run, tmp_path: Path) -> None:
    status = cli(site, "status", "--json")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    t = data["totals"]
    assert t["customers"] == 400
    assert t["ready"] + t["needs_review"] + t["blocked"] + t["deferred"] == t["customers"]
    stations, customers, read, ready, review, blocked, drafted, deferred = _total_row(
        demo_run.stdout
    )
    assert (customers, ready, review, blocked, drafted, deferred) == (
        t["customers"],
        t["ready"],
        t["needs_review"],
        t["blocked"],
        t["drafted"],
        t["deferred"],
    )
    assert stations == len(data["batches"])
    assert {"id", "started_at", "finished_at", "state"} <= set(data["runs"][0])
    for b in data["batches"]:
        assert {"station", "branch", "state", "attempts", "customers", "drafted", "error"} <= set(b)
        assert b["state"] in ("pending", "running", "succeeded", "failed", "deferred")

    out = tmp_path / "drafts.csv"
    export = cli(site, "drafts", "export", "--out", str(out))
    assert export.returncode == 0, export.stderr
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == t["drafted"]
    assert list(rows[0])[0] == "customer_code" if rows else True
    assert len({r["customer_code"] for r in rows}) == len(rows)
    assert oct(out.stat().st_mode & 0o777) == "0o600"

    if rows:
        html = tmp_path / "c.html"
        render = cli(site, "drafts", "render", rows[0]["customer_code"], "--out", str(html))
        assert render.returncode == 0, render.stderr
        text = html.read_text(encoding="utf-8")
        assert "HỢP ĐỒNG MUA BÁN ĐIỆN" in text and rows[0]["holder_name"] in text
        assert "Điều 3. Ghi chỉ số công tơ" in text


def test_the_contract_names_its_seller_from_cmis_and_can_be_signed(
    site: Path, demo_run, tmp_path: Path
) -> None:
    from cmis_migrate.demo.places import BRANCHES
    from tests.html_text import parse

    names = {b.code: b.name for b in BRANCHES}
    with (site / "work" / "drafts" / "drafts.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["seller_unit"] == names[r["branch"]] for r in rows)
    row = rows[0]
    html = tmp_path / "c.html"
    render = cli(site, "drafts", "render", row["customer_code"], "--out", str(html))
    assert render.returncode == 0, render.stderr
    page = parse(html.read_text(encoding="utf-8"))
    text = page.text
    seller = text[text.index("BÊN BÁN ĐIỆN (Bên A)") : text.index("BÊN MUA ĐIỆN (Bên B)")]
    assert names[row["branch"]] in seller  # the demo CMIS's D_DVIQLY name
    assert "2800000000-000" in seller and "Tổng công ty Điện lực miền Bắc" in seller  # config
    phone = unneutralize(row["otp_phone"]).replace("+84", "0")  # the CSV keeps '+84… as text
    assert f"Xác nhận bằng mã OTP gửi tới số {phone[:4]} {phone[4:7]} {phone[7:]}, lúc" in text
    assert "ĐẠI DIỆN BÊN A" in text and f"Vị trí chữ ký số của {names[row['branch']]}" in text
    assert row["run_id"] not in text and page.metas["cmis-run-id"] == row["run_id"]


def test_data_docs_count_per_branch_and_open_offline(site: Path, demo_run) -> None:
    from cmis_migrate.demo.places import BRANCHES
    from tests.html_text import parse

    status = json.loads(cli(site, "status", "--json").stdout)["totals"]
    docs = site / "work" / "data_docs"
    pages = [docs / "index.html", *(docs / "validations").glob("*.html")]
    assert len(pages) > 1
    for p in pages:
        refs = parse(p.read_text(encoding="utf-8")).refs
        assert not [r for r in refs if re.match(r"\s*(https?:)?//", r, re.I)], p
    index = parse((docs / "index.html").read_text(encoding="utf-8"))
    names = {b.code: b.name for b in BRANCHES}
    branch_rows = [r for r in index.rows if r and r[0][:6] in names and " " in r[0]]
    assert branch_rows and all(r[0] == f"{r[0][:6]} {names[r[0][:6]]}" for r in branch_rows)

    def total(col: int) -> int:
        return sum(int(r[col].replace(".", "")) for r in branch_rows)

    assert (total(2), total(3), total(4), total(5)) == (
        status["ready"] + status["needs_review"] + status["blocked"],
        status["ready"],
        status["needs_review"],
        status["blocked"],
    )


def test_errors_are_one_clean_line(site: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("load: {max_ledgers_at_once: zero}\n", encoding="utf-8")
    result = cli(site, "status", "--config", str(bad))
    assert result.returncode == 2
    assert "load.max_ledgers_at_once" in result.stderr
    assert "Traceback" not in result.stderr
    missing = cli(site, "drafts", "render", "PA07NOPE", "--out", str(tmp_path / "x.html"))
    assert missing.returncode == 2 and "no draft contract" in missing.stderr

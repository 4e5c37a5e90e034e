"""The demo as a user runs it, in a fresh folder, with every outbound connection refused:
nothing but this machine is contacted (Prefect, GX, vietnamadminunits do not phone home), no
log (ours or Prefect's, files or Prefect's database) holds a customer's full phone, ID number
or birth date, every file written is owner-only, and the store URL's password is never shown.

With CMIS_TEST_DATABASE_URL set, the store is a PostgreSQL database reached through a URL that
carries a password (trust auth ignores it), so the password check is a real one."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.slow

NETGUARD = Path(__file__).parent / "netguard"
PASSWORD = "S3cret-pw-4711"


def guarded_env(site: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CMIS_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NETGUARD), env.get("PYTHONPATH")]))
    env["NETGUARD_LOG"] = str(site / "netguard-blocked.log")
    env["NETGUARD_ACTIVE"] = str(site / "netguard-active.log")
    env["COLUMNS"] = "200"
    return env


def test_the_guard_refuses_and_records(tmp_path):
    code = (
        "import socket\n"
        "for call in (lambda: socket.getaddrinfo('example.invalid', 443),\n"
        "             lambda: socket.create_connection(('192.0.2.1', 80), timeout=1)):\n"
        "    try:\n"
        "        call()\n"
        "    except ConnectionRefusedError:\n"
        "        pass\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
        "socket.create_connection(s.getsockname(), timeout=2).close()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=guarded_env(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    blocked = (tmp_path / "netguard-blocked.log").read_text()
    assert "example.invalid" in blocked and "192.0.2.1" in blocked
    assert "127.0.0.1" not in blocked


@pytest.fixture(scope="module")
def site(tmp_path_factory, request) -> dict:
    folder = tmp_path_factory.mktemp("offline-site")
    store = {"url": "sqlite:///store.sqlite"}
    base = os.environ.get("CMIS_TEST_DATABASE_URL")
    if base:
        db = request.getfixturevalue("pg_database")
        store = {"url": make_url(db).set(password=PASSWORD).render_as_string(hide_password=False)}
    config = {
        "source": {"url": "sqlite:///cmis.sqlite"},
        "store": store,
        "paths": {"work": "work", "staff_phones_file": None},
    }
    (folder / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "cmis_migrate", "demo", "--customers", "300"],
        cwd=folder,
        env=guarded_env(folder),
        capture_output=True,
        text=True,
        timeout=900,
    )
    return {"folder": folder, "result": result, "postgres": bool(base)}


@pytest.fixture(scope="module")
def pg_database(pg_base_url):
    """A fresh PostgreSQL database for this module's one demo run (dropped afterwards)."""
    from sqlalchemy import create_engine, text

    base = make_url(pg_base_url)
    name = f"cmis_t_offline_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_demo_succeeds_offline(site):
    result = site["result"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "succeeded" in result.stdout
    console = result.stdout + result.stderr
    assert "Traceback" not in console and "Error logging to API" not in console
    folder = site["folder"]
    assert (folder / "netguard-active.log").read_text().split(), "the guard was not loaded"
    blocked = folder / "netguard-blocked.log"
    assert not blocked.exists(), blocked.read_text()[:3000]


def sensitive_values(cmis: Path) -> set[str]:
    """Every phone, ID number and birth date of the demo customers, as typed and as digits."""
    with sqlite3.connect(cmis) as conn:
        rows = conn.execute(
            'SELECT "DTHOAI", "SO_CMND", "NGAY_SINH" FROM "HDG_KHACH_HANG"'
        ).fetchall()
    values: set[str] = set()
    for phone, id_number, birth in rows:
        for text in (phone, id_number):
            for run in re.findall(r"\d[\d .\-]{7,}\d", str(text or "")):
                digits = re.sub(r"\D", "", run)
                if len(digits) >= 9:
                    values |= {run, digits, digits[-9:]}  # 0912345678, 912345678, +84912345678
        m = re.search(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", str(birth or ""))
        if m:
            d, mo, y = (int(x) for x in m.groups())
            values |= {m[0], f"{y:04d}-{mo:02d}-{d:02d}", f"{d:02d}/{mo:02d}/{y:04d}"}
    return values


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("netguard")]


def test_no_full_personal_data_in_any_log(site):
    folder = site["folder"]
    assert site["result"].returncode == 0
    values = sensitive_values(folder / "cmis.sqlite")
    assert len(values) > 300
    logs = files_under(folder / "work" / "logs")
    assert logs, "no log file written"
    # Prefect keeps flow and task run logs in its own database too
    prefect_db = list((folder / "work" / "prefect").glob("prefect.db*"))
    found = {}
    for path in logs + prefect_db:
        text = path.read_bytes().decode("utf-8", errors="replace")
        hits = [v for v in values if v in text]
        if hits:
            found[path.name] = hits[:5]
    assert found == {}


def test_everything_written_is_owner_only(site):
    folder = site["folder"]
    assert site["result"].returncode == 0
    written = files_under(folder / "work") + [p for p in folder.glob("*.sqlite*")]
    assert any(p.name == "drafts.csv" for p in written)
    loose = {str(p.relative_to(folder)): oct(stat.S_IMODE(p.stat().st_mode)) for p in written}
    loose = {k: v for k, v in loose.items() if int(v, 8) & 0o077}
    assert loose == {}
    folders = [p for p in (folder / "work").rglob("*") if p.is_dir()] + [folder / "work"]
    assert [p for p in folders if stat.S_IMODE(p.stat().st_mode) & 0o077] == []


def test_the_store_password_is_never_shown(site):
    if not site["postgres"]:
        pytest.skip("CMIS_TEST_DATABASE_URL not set: the store URL has no password to leak")
    folder = site["folder"]
    result = site["result"]
    assert PASSWORD not in result.stdout + result.stderr
    leaked = [p.name for p in files_under(folder / "work") if PASSWORD.encode() in p.read_bytes()]
    assert leaked == []

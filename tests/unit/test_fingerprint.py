"""Every input that changes a customer's outcome changes the pipeline fingerprint (and so makes
the next run re-evaluate the customer instead of skipping it as unchanged)."""

from __future__ import annotations

import ast
import importlib.util
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import pytest

from cmis_migrate import fingerprint
from cmis_migrate.config import RulesConfig
from cmis_migrate.fingerprint import covered_files, digest, pipeline_fingerprint

DAY = date(2026, 3, 10)
STAFF = ["+84912000001"]
# modules of ours the pure stages import that cannot change a stored result, and why
NOT_DECIDING = {
    "cmis_migrate.config": "its rules values enter the fingerprint by value",
    "cmis_migrate.demo.rates": "imported by config only",
    "cmis_migrate.db": "as_utc, used when a draft is rendered, never stored",
    "cmis_migrate.source.cmis": "RAW_COLUMNS: the columns read, hashed by value",
    "cmis_migrate.source.schema": "the CMIS table definitions behind RAW_COLUMNS",
}


def _changed(name: str, value: object) -> object:
    """A valid value of rules.<name> different from `value`."""
    candidates: list[object] = []
    if isinstance(value, date):
        candidates = [value + timedelta(days=1), value - timedelta(days=1)]
    elif isinstance(value, bool):
        candidates = [not value]
    elif isinstance(value, int):
        candidates = [value + 1, value - 1]
    elif isinstance(value, str):
        candidates = [value + " x", "Nghệ An"]
    elif isinstance(value, dict):
        candidates = [{**value, "address": 600}, {}]
    elif value is None or isinstance(value, tuple | list):
        candidates = [("099",), ["099"], 1, "x", date(2020, 1, 1)]
    base = RulesConfig().model_dump()
    for candidate in candidates:
        try:
            changed = RulesConfig.model_validate({**base, name: candidate})
        except ValueError:
            continue
        if getattr(changed, name) != value:
            return candidate
    raise AssertionError(f"give test_fingerprint a changed value for rules.{name}")


@pytest.mark.parametrize("name", sorted(RulesConfig.model_fields))
def test_every_rules_value_changes_the_fingerprint(name: str) -> None:
    rules = RulesConfig()
    other = RulesConfig.model_validate(
        {**rules.model_dump(), name: _changed(name, getattr(rules, name))}
    )
    assert pipeline_fingerprint(rules, STAFF, DAY) != pipeline_fingerprint(other, STAFF, DAY)


def test_staff_phones_change_the_fingerprint() -> None:
    rules = RulesConfig()
    base = pipeline_fingerprint(rules, STAFF, DAY)
    assert base == pipeline_fingerprint(rules, list(reversed(STAFF)), DAY)
    assert base != pipeline_fingerprint(rules, ["+84912000002"], DAY)
    assert base != pipeline_fingerprint(rules, [], DAY)
    assert base != pipeline_fingerprint(rules, [*STAFF, "+84912000002"], DAY)


def test_the_date_enters_as_its_year_and_the_cmnd_cut_off() -> None:
    rules = RulesConfig(cmnd_valid_until=date(2026, 6, 30))
    base = pipeline_fingerprint(rules, STAFF, DAY)
    assert base == pipeline_fingerprint(rules, STAFF, date(2026, 6, 30))
    assert base != pipeline_fingerprint(rules, STAFF, date(2026, 7, 1))  # CMNDs expired
    assert base != pipeline_fingerprint(RulesConfig(), STAFF, date(2027, 1, 1))


def _names() -> list[str]:
    return [name for name, _ in covered_files()]


@pytest.mark.parametrize("name", _names())
def test_each_covered_file_changes_the_digest(name: str) -> None:
    files = covered_files()
    base = digest(files)
    target = dict(files)[name]

    def read(path) -> bytes:
        data = path.read_bytes()
        return data + b"\n# changed" if path == target else data

    assert digest(files, read) != base


def test_the_inputs_read_besides_the_row_are_covered() -> None:
    names = set(_names())
    # every reference table of data/ (site files are not there)
    tables = {
        f"data/{p.name}"
        for p in resources.files("cmis_migrate.data").iterdir()
        if p.name.endswith((".csv", ".json"))
    }
    assert {"data/mobile_prefix_2018.csv", "data/cccd_province_codes.csv"} <= tables <= names
    # the wards (rules.province) and the old -> new commune map come from these files
    assert {"vietnamadminunits/dataset.db", "vietnamadminunits/converter_2025.json"} <= names
    # the birth-date policy (which birth dates enter the person key) lives in normalize_rows
    from cmis_migrate.evaluate import normalize_rows

    assert normalize_rows.__module__ in names


def test_library_versions_change_the_digest(monkeypatch) -> None:
    files = covered_files()
    base = digest(files)
    real = fingerprint.metadata.version
    for library in ("phonenumbers", "email-validator"):  # phone metadata, e-mail syntax
        monkeypatch.setattr(
            fingerprint.metadata,
            "version",
            lambda name, lib=library: "0.0" if name == lib else real(name),
        )
        assert digest(files) != base, library
    monkeypatch.setattr(fingerprint.metadata, "version", real)
    monkeypatch.setattr(fingerprint.unicodedata, "unidata_version", "0.0.0")
    assert digest(files) != base


def _imports(module: str) -> set[str]:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    package = module if spec.submodule_search_locations else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            candidates = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        found |= {
            name for name in candidates if name.startswith("cmis_migrate.") and _is_module(name)
        }
    return found


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a name imported from a module, not a module
        return False


def test_the_pure_stages_import_nothing_of_ours_outside_the_fingerprint() -> None:
    covered = set(_names())
    todo = [n for n in covered if n.startswith(fingerprint.PURE_PACKAGES)]
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen or module in NOT_DECIDING:
            continue
        seen.add(module)
        todo += _imports(module.removesuffix(".__init__"))
    outside = {m.removesuffix(".__init__") for m in seen} - {
        n.removesuffix(".__init__") for n in covered
    }
    assert not outside, (
        f"{sorted(outside)}: add to fingerprint.DECIDING_MODULES, or to NOT_DECIDING here "
        "with the reason it cannot change a stored result"
    )

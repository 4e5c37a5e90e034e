"""What a customer's stored result depends on besides its own data: the code that decides it,
the reference data it reads, the rules config, the staff phone list and the few facts of the
date that flip results for many rows. It goes into every content hash, so changing any of them
makes the next run re-evaluate every customer instead of skipping it as unchanged."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path

from cmis_migrate import __version__
from cmis_migrate.config import RulesConfig

# packages whose source decides a customer's proposed values, outcome, issues and draft
PURE_PACKAGES = ("cmis_migrate.transforms", "cmis_migrate.validators", "cmis_migrate.contracts")
# modules outside them that decide a result too (tests/unit/test_fingerprint.py checks that the
# pure packages import no other module of ours that could)
DECIDING_MODULES = (
    "cmis_migrate.fields",  # the reviewed fields' specs (normalizer, rules, contract column)
    "cmis_migrate.statuses",  # the status, severity and outcome vocabularies
    "cmis_migrate.hashing",  # draft and content digests
    "cmis_migrate.store.rows",  # what is stored per customer
    "cmis_migrate.store.tables",
    "cmis_migrate.evaluate",  # the pure core: birth-date policy, identity keys, the skip rule
)
# every file of data/ of these kinds is a reference table (site files live in site/)
REFERENCE_SUFFIXES = (".csv", ".json")
# libraries whose bundled data decides validity: phone metadata, e-mail syntax
LIBRARIES = ("phonenumbers", "email-validator")
# vietnamadminunits' data files the address transforms and the ward list read
ADMIN_UNIT_FILES = ("converter_2025.json", "dataset.db")


def _module_file(name: str) -> Traversable:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"fingerprint: module {name} not found")
    return Path(spec.origin)


def covered_files() -> list[tuple[str, Traversable]]:
    """(name, file) of every source file and data file whose bytes enter the fingerprint."""
    out: list[tuple[str, Traversable]] = []
    for package in PURE_PACKAGES:
        folder = resources.files(package)
        out += [(f"{package}.{p.name[:-3]}", p) for p in folder.iterdir() if p.name.endswith(".py")]
    out += [(name, _module_file(name)) for name in DECIDING_MODULES]
    data = resources.files("cmis_migrate.data")
    out += [(f"data/{p.name}", p) for p in data.iterdir() if p.name.endswith(REFERENCE_SUFFIXES)]
    admin = Path(_module_file("vietnamadminunits")).parent / "data"  # found, not imported
    out += [(f"vietnamadminunits/{n}", admin / n) for n in ADMIN_UNIT_FILES]
    return sorted(out, key=lambda item: item[0])


def digest(
    files: Iterable[tuple[str, Traversable]],
    read: Callable[[Traversable], bytes] = lambda p: p.read_bytes(),
) -> str:
    md5 = hashlib.md5()
    for name, path in files:
        md5.update(name.encode())
        md5.update(read(path))
    for library in LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):  # a dependency: always there
            md5.update(f"{library}={metadata.version(library)}".encode())
    md5.update(unicodedata.unidata_version.encode())  # NFC and folding follow it
    return md5.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """md5 of the deciding code and reference data (computed once per process)."""
    return digest(covered_files())


def pipeline_fingerprint(rules: RulesConfig, staff_phones: Iterable[str], today: date) -> str:
    """One short text for everything outside a customer's record that its result depends on.

    `today` enters only as its year (two-digit years are read against it) and as whether CMND
    cards have expired: a date rejected as lying in the future is re-read when the customer's
    record changes or the year turns, not every night. The wards come from rules.province and
    vietnamadminunits' data, both covered.
    """
    parts = (
        __version__,
        code_digest(),
        rules.model_dump_json(),
        ",".join(sorted(staff_phones)),
        str(today.year),
        str(today > rules.cmnd_valid_until),
    )
    return hashlib.md5("\x1f".join(parts).encode()).hexdigest()

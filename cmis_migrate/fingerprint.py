"""What a customer's stored result depends on besides its own data: the code of the pure stages,
their reference tables, the rules config, the staff phone list and the few facts of the date
that flip results for many rows. It goes into every content hash, so changing any of them makes
the next run re-evaluate every customer instead of skipping it as unchanged."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from importlib import metadata, resources

from cmis_migrate import __version__
from cmis_migrate.config import RulesConfig

# packages whose source decides a customer's proposed values, outcome, issues and draft
PURE_PACKAGES = ("cmis_migrate.transforms", "cmis_migrate.validators", "cmis_migrate.contracts")
PURE_MODULES = ("rows.py",)  # cmis_migrate/store/rows.py: what is stored per customer


def _digest_files(md5, folder, names: Iterable[str]) -> None:
    for name in sorted(names):
        md5.update(name.encode())
        md5.update((folder / name).read_bytes())


@lru_cache(maxsize=1)
def code_digest() -> str:
    """md5 of the pure stages' source and reference tables (computed once per process)."""
    md5 = hashlib.md5()
    for package in PURE_PACKAGES:
        folder = resources.files(package)
        _digest_files(md5, folder, (p.name for p in folder.iterdir() if p.name.endswith(".py")))
    _digest_files(md5, resources.files("cmis_migrate.store"), PURE_MODULES)
    data = resources.files("cmis_migrate.data")
    tables = [p.name for p in data.iterdir() if p.name.endswith((".csv", ".json"))]
    _digest_files(md5, data, tables)
    with contextlib.suppress(metadata.PackageNotFoundError):  # a dependency: always there
        md5.update(metadata.version("vietnamadminunits").encode())
    return md5.hexdigest()


def pipeline_fingerprint(rules: RulesConfig, staff_phones: Iterable[str], today: date) -> str:
    """One short text for everything outside a customer's record that its result depends on.

    `today` enters only as its year (two-digit years are read against it) and as whether CMND
    cards have expired: a date rejected as lying in the future is re-read when the customer's
    record changes or the year turns, not every night.
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

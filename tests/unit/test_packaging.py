"""What pyproject.toml installs: every sub-package, and every data file of the mapped folders
(a file the globs miss would be absent from a wheel while the editable install still has it)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SETUPTOOLS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "setuptools"
]


def _folder(package: str) -> Path:
    mapping = SETUPTOOLS["package-dir"]
    for prefix in sorted(mapping, key=len, reverse=True):
        if package == prefix or package.startswith(prefix + "."):
            rest = package[len(prefix) :].lstrip(".").replace(".", "/")
            return REPO / mapping[prefix] / rest
    raise AssertionError(f"{package} is not under a package-dir mapping")


def test_every_package_folder_is_listed() -> None:
    listed = set(SETUPTOOLS["packages"])
    assert set(SETUPTOOLS["package-dir"]) <= listed  # flows/, transforms/, data/, site/ ...
    for package in listed:
        assert (_folder(package) / "__init__.py").is_file(), package
    found = {
        "cmis_migrate." + ".".join(p.parent.relative_to(REPO / "cmis_migrate").parts)
        for p in (REPO / "cmis_migrate").rglob("__init__.py")
        if p.parent != REPO / "cmis_migrate"
    }
    assert found <= listed, sorted(found - listed)


def test_every_data_file_is_shipped() -> None:
    globs = SETUPTOOLS["package-data"]
    for package in ("cmis_migrate.data", "cmis_migrate.site"):
        folder = _folder(package)
        files = [
            p.name for p in folder.iterdir() if p.is_file() and p.suffix not in (".py", ".pyc")
        ]
        assert files, package
        missed = [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs[package])]
        assert not missed, (package, missed)

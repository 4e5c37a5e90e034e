"""`cmis-migrate demo` in an empty folder: the config it writes behaves as the repository's
config.yaml, and the site files it copies are the ones the config names."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmis_migrate.config import load_config
from cmis_migrate.demo.site_files import write_demo_site
from cmis_migrate.reference import load_staff_phones

REPO = Path(__file__).resolve().parents[3]
PER_FOLDER = {"source", "store", "paths"}  # resolved against the config's own folder


def test_written_config_is_the_repository_config(tmp_path: Path) -> None:
    written = write_demo_site(tmp_path / "config.yaml")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "config.yaml",
        "site/plan.csv",
        "site/staff_phones.csv",
    ]
    ours = load_config(tmp_path / "config.yaml", env={})
    repo = load_config(REPO / "config.yaml", env={})
    assert ours.model_dump(exclude=PER_FOLDER) == repo.model_dump(exclude=PER_FOLDER)
    for cfg, folder in ((ours, tmp_path), (repo, REPO)):
        assert cfg.paths.plan_file == (folder / "site" / "plan.csv").resolve()
        assert cfg.paths.staff_phones_file == (folder / "site" / "staff_phones.csv").resolve()
        assert cfg.paths.work == (folder / "work").resolve()
    assert (tmp_path / "site" / "plan.csv").read_bytes() == (
        REPO / "site" / "plan.csv"
    ).read_bytes()
    assert load_staff_phones(ours.paths.staff_phones_file) == load_staff_phones(
        repo.paths.staff_phones_file
    )
    assert len(load_staff_phones(ours.paths.staff_phones_file)) > 0


def test_existing_site_files_are_kept_and_a_config_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "plan.csv").write_text("branch,month,planned\n", encoding="utf-8")
    written = write_demo_site(tmp_path / "config.yaml")
    assert tmp_path / "site" / "plan.csv" not in written
    assert (tmp_path / "site" / "plan.csv").read_text(encoding="utf-8") == "branch,month,planned\n"
    with pytest.raises(FileExistsError):
        write_demo_site(tmp_path / "config.yaml")

"""A folder for the demo: config.yaml and the demo site's own files (plan, staff phones), so
that `cmis-migrate demo` works in an empty folder as it does in the repository."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SITE_FOLDER = "site"
SITE_FILES = ("plan.csv", "staff_phones.csv")
# every key left out has its default, which is what the repository's config.yaml sets
DEMO_CONFIG = f"""\
# cmis-migrate configuration, written by `cmis-migrate demo`: a key not set here has its default
# (README, "Configuration"). Relative paths resolve against this file's folder.
paths:
  work: work
  plan_file: {SITE_FOLDER}/plan.csv           # monthly plan per branch
  staff_phones_file: {SITE_FOLDER}/staff_phones.csv   # staff phones never get a customer's OTP
"""


def write_demo_site(config_path: Path) -> list[Path]:
    """Write config_path (which must not exist) and the site files missing beside it; return
    the files written. Existing site files are kept."""
    folder = config_path.parent
    (folder / SITE_FOLDER).mkdir(parents=True, exist_ok=True)
    written = []
    with config_path.open("x", encoding="utf-8") as fh:  # never over a config written meanwhile
        fh.write(DEMO_CONFIG)
    written.append(config_path)
    shipped = files("cmis_migrate.site")
    for name in SITE_FILES:
        target = folder / SITE_FOLDER / name
        if not target.exists():
            target.write_bytes((shipped / name).read_bytes())
            written.append(target)
    return written

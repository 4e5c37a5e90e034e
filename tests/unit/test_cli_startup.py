"""Commands start at once: what `cmis-migrate --help` loads (every command module, registered)
must not pull in the heavy libraries; each command imports them when it runs. Structural, not
timed (the time is measured in bench/, README)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cmis_migrate.cli.common import DEFAULT_CONFIG_PATH
from cmis_migrate.config import DEFAULT_CONFIG, Config, DatabaseConfig, SourceConfig

HEAVY = ("prefect", "great_expectations", "sqlalchemy", "pandas", "cmis_migrate.demo")

PROBE = """
import json, sys
import cmis_migrate.cli.app as cli
cli._register()  # what main() does before --help: every command module imported
print(json.dumps(sorted(sys.modules)))
"""


# what normalize-file without config.yaml loads: the transforms and the built-in rules
TRANSFORMS_PROBE = """
import json, sys
import cmis_migrate.transforms
from cmis_migrate.config import Config
Config()
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(probe: str = PROBE) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout)


def _heavy(loaded: list[str], names=HEAVY) -> list[str]:
    return sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in names))


def test_registering_every_command_imports_nothing_heavy() -> None:
    loaded = _loaded()
    assert "cmis_migrate.cli.normalize_file" in loaded  # the probe did register the commands
    heavy = _heavy(loaded)
    assert heavy == [], f"--help imports {heavy[:10]}: import them inside the command"


def test_the_transforms_and_the_built_in_rules_need_no_database_library() -> None:
    loaded = _loaded(TRANSFORMS_PROBE)
    assert "cmis_migrate.transforms.customer" in loaded
    heavy = _heavy(
        loaded, ("prefect", "great_expectations", "sqlalchemy", "cmis_migrate.demo.generator")
    )
    assert heavy == [], f"the transforms import {heavy[:10]}"


def test_the_default_urls_pass_the_url_check() -> None:
    built_in = Config()  # its two URLs are set without the check (no SQLAlchemy import)
    assert built_in.source == SourceConfig(url=built_in.source.url)
    assert built_in.store == DatabaseConfig(url=built_in.store.url)


def test_version_still_answers() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cmis_migrate", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("cmis-migrate ")


def test_the_default_config_path_is_configs_own() -> None:
    assert DEFAULT_CONFIG_PATH == DEFAULT_CONFIG

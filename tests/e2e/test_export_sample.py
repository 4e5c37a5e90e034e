"""`export-sample`: refuses a plain export; an anonymized sample is owner-only, holds none of
the sampled customers' own values and has the same kinds of dirt."""

from __future__ import annotations

import stat
import unicodedata
from datetime import datetime

import pytest
import yaml
from typer.testing import CliRunner

from cmis_migrate.anonymize import COMPARED, anonymize_sample
from cmis_migrate.cli.app import _register, app
from cmis_migrate.cli.export_sample import read_sample
from cmis_migrate.config import load_config
from cmis_migrate.db import source_engine
from cmis_migrate.demo.generator import seed_demo
from cmis_migrate.source.cmis import RAW_COLUMNS, CmisSource
from cmis_migrate.tabular_files import read_table
from cmis_migrate.transforms import normalize_customers
from cmis_migrate.transforms.common import PLACEHOLDERS

_register()
runner = CliRunner()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    seed_demo(f"sqlite:///{folder / 'cmis.sqlite'}", 400, 3)
    config = {
        "source": {"url": "sqlite:///cmis.sqlite"},
        "store": {"url": "sqlite:///store.sqlite"},
        "paths": {"work": "work", "staff_phones_file": None},
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def export(config, *args):
    return runner.invoke(app, ["export-sample", "--config", str(config), *map(str, args)])


def test_refuses_without_anonymize(site, tmp_path):
    result = export(site, "--out", tmp_path / "s.csv")
    assert result.exit_code == 2 and "--anonymize" in result.output
    assert not (tmp_path / "s.csv").exists()


@pytest.mark.parametrize("name", ["s.csv", "s.xlsx"])
def test_anonymized_sample(site, tmp_path, name):
    out = tmp_path / name
    result = export(site, "--anonymize", "--customers", 150, "--salt", "k", "--out", out)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    sample = read_table(out)
    cfg = load_config(site, env={})
    engine = source_engine(cfg.source.url)
    try:
        raw = read_sample(
            CmisSource(engine),
            customers=150,
            station=None,
            as_of=datetime.now(cfg.tz).date(),
            chunk=min(cfg.load.max_rows_per_query, 150),
        )
    finally:
        engine.dispose()
    today = datetime.now(cfg.tz).date()
    expected, left = anonymize_sample(raw, salt=b"k", today=today, rules=cfg.rules)
    assert len(sample) == len(expected) >= 145
    written = sample[list(RAW_COLUMNS)].replace("", None)

    def nfc(rows: list[list]) -> list[list[str]]:  # the reader reads NFC
        return [
            [unicodedata.normalize("NFC", v if isinstance(v, str) else "") for v in r] for r in rows
        ]

    assert written.astype(object).fillna("").values.tolist() == nfc(
        expected[list(RAW_COLUMNS)].astype(object).fillna("").astype(str).values.tolist()
    )
    # none of the sampled customers' own phones, ID numbers, names or birth dates is in it
    kept = raw.loc[expected.index]  # the sample's rows are shuffled: pair them by label
    content = " ".join(str(v) for v in sample.to_numpy().ravel())
    for col in ("phone", "id_number"):
        numbers = [str(v) for v in kept[col].dropna() if sum(c.isdigit() for c in str(v)) >= 9]
        assert [v for v in numbers if v in content] == [], col
    for col in ("full_name", "birth_date", "customer_code"):
        original = kept[col].map(
            lambda v: unicodedata.normalize("NFC", v) if isinstance(v, str) else ""
        )
        same = (original.to_numpy() == sample[col].to_numpy()) & kept[col].notna()
        same &= ~kept[col].astype(str).str.strip().str.lower().isin(list(PLACEHOLDERS))
        assert not same.any(), col
    # the same kinds of dirt, row by row
    before = normalize_customers(kept.reset_index(drop=True), rules=cfg.rules, today=today)
    after = normalize_customers(written.reset_index(drop=True), rules=cfg.rules, today=today)
    cols = [c for c in COMPARED if c in before.columns]
    assert before[cols].fillna("").equals(after[cols].fillna(""))


def test_unknown_station_and_bad_output(site, tmp_path):
    result = export(site, "--anonymize", "--station", "NOPE", "--out", tmp_path / "s.csv")
    assert result.exit_code == 2 and "no such station" in result.output
    result = export(site, "--anonymize", "--out", tmp_path / "s.pdf")
    assert result.exit_code == 2 and "unsupported file type" in result.output

"""A reviewed field is declared once (cmis_migrate/fields.py): the specs are consistent, and a
new field given only as a spec (plus its normalizer) reaches every consumer."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from cmis_migrate.anonymize import KINDS
from cmis_migrate.fields import FIELD_SPECS, REVIEWED_FIELDS, field_spec
from cmis_migrate.store.tables import customers, drafts
from cmis_migrate.transforms import FIELDS, output_columns
from cmis_migrate.validators.expectations import FORMATS, PERSONAL_COLUMNS


def test_specs_are_consistent_and_the_store_has_their_columns():
    assert REVIEWED_FIELDS == FIELDS == tuple(s.name for s in FIELD_SPECS)
    assert len(set(REVIEWED_FIELDS)) == len(REVIEWED_FIELDS)
    for spec in FIELD_SPECS:
        assert field_spec(spec.name) is spec
        assert spec.anonymizer is None or spec.anonymizer in KINDS
        if spec.gx_format:
            re.compile(spec.gx_format)
        if spec.normalizer:
            assert callable(spec.load_normalizer())
        for part in ("original", "proposed", "status", "rules"):
            assert f"{spec.name}_{part}" in customers.c
        assert f"{spec.name}_status" in output_columns()
        if spec.contract_column:
            assert spec.contract_column in drafts.c
    assert set(FORMATS) == {"phone_normalized", "id_number_normalized",
                            "id_issue_date_normalized", "email_normalized",
                            "birth_date_normalized", "contract_date_normalized"}  # fmt: skip
    assert set(PERSONAL_COLUMNS) == {"phone_normalized", "id_number_normalized",
                                     "email_normalized", "birth_date_normalized"}  # fmt: skip
    with pytest.raises(KeyError, match="tax_code"):
        field_spec("tax_code")


# Run in a fresh interpreter: the consumers read the specs when they are imported, so the
# extra spec is put in place before any of them is.
NEW_FIELD = textwrap.dedent(
    """
    from datetime import UTC, date, datetime
    from pathlib import Path

    import pandas as pd
    import pyarrow.compute as pc

    import cmis_migrate.fields as fields
    from cmis_migrate.statuses import Severity, Status

    TAX = fields.FieldSpec(
        "tax_code",
        "MA_SO_THUE",
        "Mã số thuế",
        normalizer="__main__:normalize_tax_codes",
        codes="__main__:TAX_CODES",
        rules=(
            fields.FieldRule(
                "TAX_CODE_MISSING",
                Severity.WARNING,
                (Status.INVALID, Status.MISSING),
                "Chưa có mã số thuế hợp lệ.",
            ),
        ),
        gx_format=r"^[0-9]{10}(?:-[0-9]{3})?$",
        personal=True,
        masked_in_workbook=True,
        anonymizer="digits",
        contract_column="tax_code",
    )
    fields.FIELD_SPECS = (*fields.FIELD_SPECS, TAX)
    fields.REVIEWED_FIELDS = (*fields.REVIEWED_FIELDS, "tax_code")

    from cmis_migrate.transforms.codes import IssueCode
    from cmis_migrate.transforms.common import as_text, clean_text, finish, lengths

    TAX_CODES = (IssueCode("TAX_CODE_BAD_LENGTH", "invalid", "not 10 or 13 digits", "Sai độ dài"),)


    def normalize_tax_codes(values):
        cleaned, placeholder = clean_text(as_text(values))
        digits = pc.replace_substring_regex(cleaned, "[^0-9]", "")
        n = lengths(digits)
        bad = ~pd.isna(cleaned.to_pandas()).to_numpy() & (n != 10) & (n != 13)
        missing = pd.isna(cleaned.to_pandas()).to_numpy() | placeholder
        return finish(values.index, digits, {"TAX_CODE_BAD_LENGTH": bad}, missing)


    from cmis_migrate.anonymize import anonymize_rows
    from cmis_migrate.cli.normalize_file import INPUT_COLUMNS, normalize_table
    from cmis_migrate.config import Config
    from cmis_migrate.contracts.draft import build_drafts
    from cmis_migrate.contracts.render import render_contract
    from cmis_migrate.reports import review_layout
    from cmis_migrate.reports.branch_report import FIELD_ORDER
    from cmis_migrate.reports.corrections_import import RAW_FIELDS
    from cmis_migrate.store.tables import customers, drafts
    from cmis_migrate.transforms import normalize_customers
    from cmis_migrate.transforms.corrections import apply_corrections
    from cmis_migrate.validators import expectations
    from cmis_migrate.validators.context import ValidationContext
    from cmis_migrate.validators.rules import evaluate_rules

    raw = pd.DataFrame({
        "customer_code": ["PA07010000001", "PA07010000002", "PA07010000003"],
        "full_name": ["Lê Văn An", "Trần Thị Bình", "Lê Thị Cúc"],
        "phone": ["0912345678", "0987654321", None],
        "tax_code": ["2801234567", "12345", None],
    })
    today = date(2026, 11, 30)

    # normalize-file: its input and result columns
    assert "tax_code" in INPUT_COLUMNS
    table = normalize_table(raw, Config(), today, Path("in.csv"))
    assert list(table["tax_code_status"]) == ["ok", "invalid", "missing"]
    assert list(table["tax_code_issues"]) == ["", "TAX_CODE_BAD_LENGTH", ""]

    # the GX suite: its status in the allowed set, its usable values in its format, masked
    norm = normalize_customers(raw, today=today).assign(customer_code=raw["customer_code"])
    specs = expectations.expectation_specs(())
    assert ("ExpectColumnValuesToMatchRegex",
            {"column": "tax_code_normalized", "regex": TAX.gx_format}) in specs
    assert any(k.get("column") == "tax_code_status" for _, k in specs)
    assert "tax_code_normalized" in expectations.PERSONAL_COLUMNS
    gx = expectations.gx_frame(norm)
    assert list(gx["tax_code_normalized"]) == ["2801234567", None, None]

    # its rule
    issues = evaluate_rules(norm, ValidationContext())
    hit = issues.loc[issues["rule"] == "TAX_CODE_MISSING"]
    assert list(hit["customer_code"]) == ["PA07010000002", "PA07010000003"]
    assert set(hit["field"]) == {"tax_code"} and set(hit["severity"]) == {"warning"}

    # the store, the review workbook and corrections import
    assert {"tax_code_original", "tax_code_proposed", "tax_code_status", "tax_code_rules"} <= set(
        customers.c.keys())
    assert "tax_code" in drafts.c
    assert "tax_code" in review_layout.EDITABLE_FIELDS and "tax_code" in RAW_FIELDS
    assert FIELD_ORDER["tax_code"] < FIELD_ORDER["customer"]
    stored = {"tax_code_original": "2801234567", "tax_code_proposed": "2801234567",
              "tax_code_status": "ok"}
    # the branch sees its own customers' digits in its workbook (issue 14); logs stay masked
    assert review_layout.display_values("TAX_CODE_MISSING", "tax_code", stored) == (
        "2801234567", "2801234567")
    corrections = pd.DataFrame({"customer_code": ["PA07010000002"], "field": ["tax_code"],
                                "new_value": ["2801234568"]})
    inputs, corrected = apply_corrections(raw, corrections)
    assert inputs.loc[1, "tax_code"] == "2801234568" and bool(corrected.loc[1, "tax_code"])

    # the anonymizer: other digits, same shape
    fake = anonymize_rows(raw, salt=b"test")["tax_code"]
    assert fake[0] != "2801234567" and len(fake[0]) == 10 and fake[0].isdigit()
    assert pd.isna(fake[2])

    # the draft and the contract
    ready = norm.assign(outcome="ready", branch="PA07", station="S1", ledger="L1",
                        households=1, metering_point="M1", meter_no="X", reading_day=5,
                        contract_no=None, id_type="CCCD")
    draft = build_drafts(ready, run_id="r1", now=datetime(2026, 11, 30, tzinfo=UTC))
    assert list(draft["tax_code"]) == ["2801234567", None, None]
    html = render_contract(draft.iloc[0].to_dict())
    assert "<dt>Mã số thuế:</dt><dd>2801234567</dd>" in html
    assert render_contract(draft.iloc[1].to_dict()).count("<dt>Mã số thuế:</dt>") == 1  # Bên A only
    print("tax_code reached every consumer")
    """
)


def test_a_field_declared_only_in_a_spec_reaches_every_consumer(tmp_path):
    script = tmp_path / "new_field.py"
    script.write_text(NEW_FIELD, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "tax_code reached every consumer" in done.stdout


def test_the_specs_are_part_of_the_fingerprint():
    # a spec decides rules and contract columns: changing it must re-evaluate every customer
    from cmis_migrate.fingerprint import covered_files

    names = {name for name, _ in covered_files()}
    assert {
        "cmis_migrate.fields",
        "cmis_migrate.statuses",
        "cmis_migrate.transforms.customer",
        "cmis_migrate.validators.rules",
    } <= names

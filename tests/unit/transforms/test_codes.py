"""Every code a transform can emit is registered with an English and a Vietnamese text."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import cmis_migrate.transforms as transforms_pkg
from cmis_migrate.demo.generator import iter_raw_frames
from cmis_migrate.transforms import FIELDS, normalize_customers
from cmis_migrate.transforms.codes import CODES, SEVERITY, describe, messages_vi

from .helpers import TODAY
from .test_customer import messy_frame

_OWN_MODULES = ["common", "phone", "email", "identity", "dates", "issue_place", "names", "customer"]
_LITERAL = re.compile(r"\"((?:VALUE|TEXT|PHONE|EMAIL|ID|DATE|PLACE|NAME)_[A-Z0-9_]+)\"")


def test_each_code_has_both_texts_and_a_known_status():
    for c in CODES.values():
        assert c.en.strip() and c.vi.strip(), c.code
        assert c.status in SEVERITY or c.status == "", c.code


def test_vietnamese_messages_are_vietnamese():
    # at least one Vietnamese letter with a diacritic in every message
    for c in CODES.values():
        assert re.search(
            r"[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]", c.vi.lower()
        ), c.code


def test_every_code_literal_in_the_transform_sources_is_registered():
    root = Path(transforms_pkg.__file__).parent
    found = set()
    for name in _OWN_MODULES:
        found |= set(_LITERAL.findall((root / f"{name}.py").read_text(encoding="utf-8")))
    assert len(found) > 30
    assert found - set(CODES) == set()


def test_every_code_emitted_on_messy_data_is_registered():
    demo = next(iter_raw_frames(3000, 11, chunk_size=3000))
    out = normalize_customers(pd.concat([messy_frame(), demo], ignore_index=True), today=TODAY)
    emitted = set()
    for f in FIELDS:
        for issues in out[f"{f}_issues"]:
            emitted |= {c for c in issues.split(";") if c}
    assert len(emitted) > 25
    for code in emitted:
        describe(code)


def test_messages_vi():
    assert messages_vi("PHONE_PREFIX_2018;PHONE_NOT_MOBILE") == [
        CODES["PHONE_PREFIX_2018"].vi,
        CODES["PHONE_NOT_MOBILE"].vi,
    ]
    with pytest.raises(KeyError):
        messages_vi("NOPE")

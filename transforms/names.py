"""A person's name -> NFC, single spaces, each word capitalized ("đỗ đức thắng" -> "Đỗ Đức Thắng").

Tone placement is kept as written (Hoà stays Hoà): a person's name is theirs. Case, spacing
and Unicode form are formatting (status ok). Digits or symbols make the name invalid; text
that looks like TCVN3/VNI mojibake is invalid (TEXT_LEGACY_ENCODING); a single word is
ambiguous (surname or given name missing).
"""

from __future__ import annotations

import pandas as pd
import pyarrow.compute as pc

from cmis_migrate.transforms.common import (
    as_text,
    clean_text,
    finish,
    legacy_encoding,
    mask,
    matches,
    where,
)

_BAD_CHARS = r"[^\pL\pM .'\-(),]"


def normalize_names(values: pd.Series) -> pd.DataFrame:
    """normalized, status, issues (same index)."""
    cleaned, placeholder = clean_text(as_text(values))
    present = ~mask(pc.is_null(cleaned))
    legacy = present & legacy_encoding(cleaned)
    digits = present & matches(cleaned, "[0-9]")
    bad = present & ~legacy & ~digits & matches(cleaned, _BAD_CHARS)
    single = present & ~mask(pc.match_substring(cleaned, " "))
    titled = pc.utf8_title(cleaned)
    normalized = where(legacy | digits | bad, cleaned, titled)
    codes = {
        "VALUE_PLACEHOLDER": placeholder,
        "TEXT_LEGACY_ENCODING": legacy,
        "NAME_HAS_DIGITS": digits,
        "NAME_BAD_CHARS": bad,
        "NAME_SINGLE_WORD": single & ~legacy & ~digits & ~bad,
    }
    return finish(values.index, normalized, codes, ~present | placeholder)


__all__ = ["normalize_names"]

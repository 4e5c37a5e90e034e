"""E-mail -> trimmed, domain lowercased, known domain typos fixed, syntax-checked.

- 'mailto:', surrounding <>/() and trailing punctuation go (formatting); spaces inside a word
  go (EMAIL_SPACES_REMOVED, fixed); several addresses in one cell: the first is kept
  (EMAIL_SEVERAL, fixed).
- Domain typos come from data/email_domain_typos.csv (a table of typos, never edit distance):
  EMAIL_DOMAIN_TYPO, fixed.
- Text after a complete address ('abc@ gmail.com x') is never glued onto the domain: the
  address is kept without it and flagged (EMAIL_TRAILING_TEXT, ambiguous).
- A top-level domain one typing slip from com/vn/net/org and not a real one ('.comx', '.con',
  '.cmo', '.vnn') that the typo table does not fix is flagged (EMAIL_DOMAIN_SUSPECT,
  ambiguous), never accepted as is.
- Syntax: email_validator.validate_email(check_deliverability=False, allow_smtputf8=False):
  no network. It runs once per DISTINCT domain (as 'a@<domain>'); a local part made only of
  letters, digits and _ + - separated by single dots (the common case, a subset of what
  email_validator accepts) is checked by one vectorized pattern; any other local part goes
  through validate_email whole, once per distinct address. Tests check both paths agree.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from email_validator import EmailNotValidError, validate_email

from cmis_migrate.transforms.common import (
    TEXT,
    as_text,
    clean_text,
    concat,
    finish,
    fullmatch,
    lengths,
    lookup,
    mask,
    matches,
    per_distinct,
    replace_where,
    where,
)
from cmis_migrate.transforms.reference import email_domain_typos

_SAFE_LOCAL = r"[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*"
_ASCII_DOMAIN = r"[a-z0-9.\-]+"
_SPLIT = re.compile(r"[;,|/\s]+")


@lru_cache(maxsize=65536)
def check_email(address: str) -> str | None:
    """email_validator's normalized form of `address`, or None when it is not valid."""
    try:
        return validate_email(address, check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError:
        return None


@lru_cache(maxsize=65536)
def _check_domain(domain: str) -> str | None:
    ok = check_email(f"a@{domain}")
    return ok.split("@", 1)[1] if ok else None


# a complete address (local@name.tld) followed by more words
_TRAILING = r"(@\s*[^\s@]*[^\s@.]\.[A-Za-z]{2,})\s+[^\s].*$"
_KNOWN_TLDS = frozenset(
    [
        "com",
        "vn",
        "net",
        "org",
        "edu",
        "gov",
        "info",
        "biz",
        "io",
        "co",
        "me",
        "us",
        "uk",
        "jp",
        "kr",
        "cn",
        "de",
        "fr",
        "au",
        "ca",
        "ru",
        "app",
        "dev",
        "xyz",
        "top",
    ]
)
_COMMON_TLDS = ("com", "vn", "net", "org")


def _one_slip(a: str, b: str) -> bool:
    """a and b differ by one inserted, deleted, replaced or swapped letter."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@lru_cache(maxsize=4096)
def _suspect_domain(domain: str) -> str | None:
    tld = domain.rsplit(".", 1)[-1]
    if tld in _KNOWN_TLDS or not any(_one_slip(tld, good) for good in _COMMON_TLDS):
        return None
    return domain


def _first_address(text: str) -> str:
    for token in _SPLIT.split(text):
        if "@" in token:
            return token
    return text


def normalize_emails(values: pd.Series) -> pd.DataFrame:
    """normalized, status, issues (same index)."""
    cleaned, placeholder = clean_text(as_text(values))
    present = ~mask(pc.is_null(cleaned))
    text = pc.replace_substring_regex(cleaned, r"(?i)^mailto:\s*", "")
    at_count = np.asarray(
        pc.fill_null(pc.count_substring(text, "@"), 0).to_numpy(zero_copy_only=False)
    )
    several = present & (at_count > 1) & matches(text, r"[;,|/ ]")
    text = replace_where(text, several, lambda a: per_distinct(a, _first_address))
    trailing = present & ~several & (at_count == 1) & matches(text, _TRAILING)
    text = replace_where(text, trailing, lambda a: pc.replace_substring_regex(a, _TRAILING, r"\1"))
    in_word_space = present & matches(text, r"[\pL\pN] +[\pL\pN]")
    text = replace_where(
        text, mask(pc.match_substring(text, " ")), lambda a: pc.replace_substring(a, " ", "")
    )
    text = pc.utf8_trim(text, ".,;:<>()[]'\"")
    parts = pc.extract_regex(text, r"^(?P<local>.*)@(?P<domain>[^@]*)$")
    has_at = present & mask(pc.is_valid(parts))
    local = pc.struct_field(parts, "local")
    domain = pc.utf8_lower(pc.struct_field(parts, "domain"))
    fixed_domain = lookup(domain, email_domain_typos())
    typo = has_at & mask(pc.is_valid(fixed_domain))
    domain = pc.coalesce(fixed_domain, domain)
    suspect = has_at & ~typo & mask(pc.is_valid(per_distinct(domain, _suspect_domain)))

    # fast path: safe local part + ASCII domain checked once per distinct domain
    address = concat(local, "@", domain)
    safe = (
        has_at
        & fullmatch(local, _SAFE_LOCAL)
        & (lengths(local) <= 64)
        & (lengths(address) <= 254)
        & fullmatch(domain, _ASCII_DOMAIN)
    )
    checked_domain = per_distinct(where(safe, domain, None), _check_domain)
    fast = concat(local, "@", checked_domain)
    slow_rows = has_at & ~safe
    slow = replace_where(
        pa.nulls(len(text), type=TEXT),
        slow_rows,
        lambda _: per_distinct(address.filter(pa.array(slow_rows)), check_email),
    )
    normalized_ok = pc.coalesce(where(safe, fast, None), slow)
    valid = present & mask(pc.is_valid(normalized_ok))
    normalized = where(valid, normalized_ok, cleaned)
    codes = {
        "VALUE_PLACEHOLDER": placeholder,
        "EMAIL_SEVERAL": several & valid,
        "EMAIL_SPACES_REMOVED": in_word_space & ~several & valid,
        "EMAIL_DOMAIN_TYPO": typo & valid,
        "EMAIL_TRAILING_TEXT": trailing & valid,
        "EMAIL_DOMAIN_SUSPECT": suspect & valid,
        "EMAIL_SYNTAX": present & ~valid,
    }
    return finish(values.index, normalized, codes, ~present | placeholder)

"""A row's values as one text the database makes: what a kept output compares to tell whether
the row changed (reports/review_rows.py, reports/drafts_lines.py), with no value parsed or
converted in Python on the way."""

from __future__ import annotations

from sqlalchemy import String, cast, func, literal


def joined_text(columns):
    """Each column as text (NULL as ''), joined with U+001F."""
    out = None
    for col in columns:
        part = func.coalesce(cast(col, String), "")
        out = part if out is None else out + literal("\x1f") + part
    return out

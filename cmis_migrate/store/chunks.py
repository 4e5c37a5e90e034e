"""The one way the store splits a long list of keys for `column IN (...)` look-ups."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

# keys per IN-list: Oracle refuses more than 1,000, and SQLite's bound parameters are limited
IN_LIST_SIZE = 500


def chunked(values: Sequence, size: int = IN_LIST_SIZE) -> Iterator[list]:
    """`values` in consecutive lists of at most `size` (none for an empty sequence)."""
    for i in range(0, len(values), size):
        yield list(values[i : i + size])

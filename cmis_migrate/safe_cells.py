"""The one rule for text written into a spreadsheet cell (XLSX or CSV): data, never a formula.

OWASP's CSV-injection rule: a text starting with `=`, `+`, `-`, `@`, tab or carriage return
gets a leading apostrophe, so Excel/LibreOffice show it as typed instead of evaluating it.
Every writer of XLSX or CSV cells calls `neutralize` (or `cell_value` for mixed values).
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read this text as a formula (or DDE payload)."""
    return text.startswith(FORMULA_STARTS)


def _core_is_formula_like(text: str) -> bool:
    # "'=x" gets a second apostrophe too, so that unneutralize gives back exactly what was given
    return is_formula_like(text.lstrip(PREFIX))


def neutralize(text: str) -> str:
    """`text` prefixed with an apostrophe when it starts like a formula; else unchanged."""
    return PREFIX + text if _core_is_formula_like(text) else text


def unneutralize(text: str) -> str:
    """The text `neutralize` was given (a cell read back from a file we wrote)."""
    if text.startswith(PREFIX) and _core_is_formula_like(text):
        return text[len(PREFIX) :]
    return text


def cell_value(value: object) -> object:
    """A value ready for a cell: strings neutralized, numbers/dates/None as they are."""
    return neutralize(value) if isinstance(value, str) else value


# neutralize changes a text only when it starts with one of these (every formula start is one
# character; an apostrophe may hide one): the others need no closer look
_FIRST = frozenset((*FORMULA_STARTS, PREFIX))
assert all(len(s) == 1 for s in FORMULA_STARTS)


def cell_values(values: Iterable[object]) -> list[object]:
    """[cell_value(v) for v in values], without a call per value (millions in an export)."""
    return [neutralize(v) if isinstance(v, str) and v[:1] in _FIRST else v for v in values]


__all__ = [
    "FORMULA_STARTS",
    "cell_value",
    "cell_values",
    "is_formula_like",
    "neutralize",
    "unneutralize",
]

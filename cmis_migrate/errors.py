"""Errors that carry what a user needs to fix bad input: the file, and the row and field."""

from __future__ import annotations

from pathlib import Path


class InputFileError(Exception):
    """A file given to a command cannot be read as expected.

    The message names the file and, when known, the row (as a spreadsheet shows it: the
    header is row 1) and the field (column)."""

    def __init__(
        self, path: Path | str, message: str, *, row: int | None = None, field: str | None = None
    ) -> None:
        self.path = Path(path)
        self.file = str(path)
        self.row = row
        self.field = field
        self.message = message
        where = [str(self.path)]
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field}")
        super().__init__(f"{', '.join(where)}: {message}")


class OutputFileError(Exception):
    """A result file cannot be written (message names the file)."""


class SourceDataError(ValueError):
    """CMIS holds a value the run cannot work with (a ledger without a valid reading day):
    the station batch it belongs to fails alone with this message; the others go on."""

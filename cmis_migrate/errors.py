"""Errors a user can act on: each names where the problem is."""

from __future__ import annotations


class InputFileError(Exception):
    """A file given to cmis-migrate is unusable: names the file, and the row and field if known."""

    def __init__(self, file: str, row: int | None, field: str | None, message: str):
        self.file, self.row, self.field, self.message = file, row, field, message
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if field:
            where.append(f"field {field}")
        super().__init__(f"{', '.join(where)}: {message}")

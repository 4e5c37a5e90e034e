"""Files that keep what an output was made of, for the next one (reports/review_rows.py,
reports/drafts_lines.py): Arrow IPC, zstd, owner-only, each stamped with the key of the code
that made it. A file from other code, or one that cannot be read, is as if there were none:
the output is then made whole, never an error."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

log = logging.getLogger(__name__)

KEY_FIELD = b"cmis_migrate.code_key"
OPTIONS = ipc.IpcWriteOptions(compression="zstd")


def stamped(schema: pa.Schema, key: str) -> pa.Schema:
    """`schema` with the key of the code writing it."""
    return schema.with_metadata({KEY_FIELD: key.encode()})


def read_kept(path: Path, key: str, what: str) -> pa.Table | None:
    """The table kept at `path` when the code of `key` made it; else None (logged, naming
    `what` it keeps)."""
    if not path.exists():
        return None
    try:
        with pa.memory_map(str(path)) as source:
            table = ipc.open_file(source).read_all()
    except (OSError, pa.ArrowException) as exc:
        log.warning("kept %s unreadable (%s): made whole", what, type(exc).__name__)
        return None
    if (table.schema.metadata or {}).get(KEY_FIELD) != key.encode():
        log.info("kept %s were made by other code: made whole", what)
        return None
    return table

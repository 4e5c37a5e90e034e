"""What a published file was last written from, so that an unchanged output is not rewritten.

A stamp is a small JSON file beside the output(s) it describes: the digest of what an output was
written from (its inputs, and the code and templates that write it) and, per written file, its
size and modification time as written. An output is kept only when its digest is the same AND
the file on disk still matches its recorded size and time (a file edited, replaced or deleted
since is written again). A stamp is written atomically, only after the files it describes, and
the entries of files about to change are dropped from it before they are rewritten: a crash
anywhere costs a rewrite at the next publish, never an out-of-date file kept.
"""

from __future__ import annotations

import hashlib
import json
from importlib.resources.abc import Traversable
from pathlib import Path

from cmis_migrate import __version__
from cmis_migrate.reports.private_files import write_private_text


def digest(*parts: object) -> str:
    """sha256 of JSON-able parts (dict keys sorted; other objects by str())."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def code_digest(*files: Path | Traversable) -> str:
    """sha256 of the tool's version and these files' bytes (the code and templates that write an
    output): a new version or an edited template writes every output again."""
    h = hashlib.sha256(__version__.encode())
    for f in files:
        h.update(b"\x00" + f.name.encode() + b"\x00" + f.read_bytes())
    return h.hexdigest()


def file_stamp(path: Path) -> list[int] | None:
    """[size, mtime_ns] of a file as it is now; None when it is not there."""
    try:
        st = Path(path).stat()
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns]


def read_stamp(path: Path) -> dict:
    """The stamp at `path`; {} when it is missing or unreadable (everything is written again)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_stamp(path: Path, data: dict) -> None:
    write_private_text(path, json.dumps(data, sort_keys=True, ensure_ascii=False))

"""Files with personal data: written owner-only (0600) and atomically (temp file + rename),
so a reader never sees half a workbook and other users of the machine see nothing."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_private(path: Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp_path) then move the finished file to `path` with mode 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        os.chmod(tmp_path, 0o600)
        write(tmp_path)
        os.chmod(tmp_path, 0o600)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def write_private_text(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    return write_private(path, lambda p: p.write_text(text, encoding=encoding))

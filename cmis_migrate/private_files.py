"""Write report files readable by their owner only (0o600): they may name customers.

The file is written beside its target under a temporary name created 0o600, then renamed over
the target, so a reader never sees half a file and the mode never depends on the umask.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

PRIVATE_MODE = 0o600


def write_private(path: Path, write: Callable[[BinaryIO], None]) -> Path:
    """Call `write(fileobj)` on a fresh 0o600 file and move it to `path` (parents created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, PRIVATE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def write_private_text(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    return write_private(path, lambda fh: fh.write(text.encode(encoding)))

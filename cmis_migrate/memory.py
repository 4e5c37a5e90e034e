"""Freed memory given back to the system between units of work.

pandas and pyarrow free a task group's frames into glibc's heaps, which keep the pages: over
the ~40 groups of a province night the flow's process, and over 27 branches the workbook
worker, would hold their largest group's memory many times over. glibc's malloc_trim returns
the free pages at once; elsewhere (no glibc) this does nothing."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import lru_cache


@lru_cache(maxsize=1)
def _trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def release_free_memory() -> bool:
    """Return the process's free heap pages to the system, Arrow's own pool's too (mimalloc
    keeps what it freed: a workbook worker's rows, reports/review_rows.py); whether the heap
    could be asked."""
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True

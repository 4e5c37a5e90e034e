"""Freed memory is given back between units of work (cmis_migrate.memory)."""

from __future__ import annotations

import sys

import pytest

from cmis_migrate.memory import release_free_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux")
def test_free_heap_pages_go_back_to_the_system() -> None:
    def rss_kb() -> int:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

    blocks = [bytearray(100_000) for _ in range(2_000)]  # ~200 MB in small heap blocks
    keep = blocks[::100]  # a few stay, so the heap cannot shrink from its top alone
    del blocks
    before = rss_kb()
    assert release_free_memory() is True
    assert rss_kb() < before - 100_000, "malloc_trim gave back less than 100 MB of ~200 MB"
    assert len(keep) == 20

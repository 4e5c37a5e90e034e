"""A folder of generated HTML pages kept up to date in place: a page is rewritten only when what
it shows changed, every write is atomic, and a build killed at any point leaves every page whole.

The caller names each page with a digest of exactly what the page is rendered from, and the
folder with a digest of the renderer (templates, code, version). MANIFEST in the folder keeps,
per page, the digest it was last written from and its size and time as written
(output_stamps). A build:

1. reads the manifest (missing, unreadable or of another renderer: every page is written);
2. if any page is to be written or removed, first rewrites the manifest without those pages;
3. writes each changed page to a temp file beside it and os.replace()s it into place, in the
   order given (a page linking to others comes after them);
4. removes every other .html file in the folder (stations gone from the plan, temp files of a
   killed build);
5. writes the manifest of what is on disk now.

A crash between steps leaves whole pages (old or new), and a manifest that never claims a page
it has not seen written: the next build rewrites what it must, and only that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cmis_migrate.reports.output_stamps import file_stamp, read_stamp, write_stamp
from cmis_migrate.reports.private_files import write_private_text

MANIFEST = ".pages.json"


@dataclass(frozen=True)
class Page:
    path: str  # relative to the folder, with "/"
    digest: str  # of exactly what render() renders from
    render: Callable[[], str]


@dataclass(frozen=True)
class PagesUpdated:
    written: tuple[str, ...]  # relative paths, in the order written
    removed: tuple[str, ...]
    kept: int


def _current(folder: Path, manifest: dict, page: Page) -> bool:
    entry = manifest.get(page.path)
    return (
        isinstance(entry, dict)
        and entry.get("digest") == page.digest
        and entry.get("file") == file_stamp(folder / page.path)
    )


def update_pages(folder: Path, pages: Sequence[Page], *, renderer: str) -> PagesUpdated:
    """Make `folder` hold exactly `pages` (see the module docstring); returns what changed."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    on_disk = read_stamp(folder / MANIFEST)
    old = on_disk.get("pages") if on_disk.get("renderer") == renderer else None
    old = old if isinstance(old, dict) else {}
    wanted = {p.path for p in pages}
    if len(wanted) != len(pages):
        raise ValueError("two pages with the same path")
    stale = [p for p in pages if not _current(folder, old, p)]
    entries = {p.path: old[p.path] for p in pages if p.path in old}
    for p in stale:
        entries.pop(p.path, None)
    extra = sorted(
        rel
        for f in folder.rglob("*.html")
        if (rel := f.relative_to(folder).as_posix()) not in wanted
    )
    if on_disk != {"renderer": renderer, "pages": entries}:  # forget what is about to change
        write_stamp(folder / MANIFEST, {"renderer": renderer, "pages": entries})
    for p in stale:
        target = folder / p.path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_private_text(target, p.render())
        entries[p.path] = {"digest": p.digest, "file": file_stamp(target)}
    for rel in extra:
        (folder / rel).unlink(missing_ok=True)
    for leftover in folder.glob(f".{Path(MANIFEST).stem}-*{Path(MANIFEST).suffix}"):
        leftover.unlink(missing_ok=True)  # the manifest's temp file of a killed build
    if stale:
        write_stamp(folder / MANIFEST, {"renderer": renderer, "pages": entries})
    return PagesUpdated(tuple(p.path for p in stale), tuple(extra), len(pages) - len(stale))

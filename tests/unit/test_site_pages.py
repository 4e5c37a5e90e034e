"""A folder of pages kept up to date in place: only changed pages are written, a killed build
leaves whole pages, and a manifest left stale by a crash never keeps an out-of-date page."""

from __future__ import annotations

import pytest

from cmis_migrate.reports import site_pages
from cmis_migrate.reports.site_pages import MANIFEST, Page, update_pages


def pages(**texts: str) -> list[Page]:
    """name=text -> pages p/<name>.html whose digest is their text (the index last)."""
    out = [Page(f"p/{k}.html", v, lambda v=v: v) for k, v in texts.items()]
    body = "".join(texts.values())
    return [*out, Page("index.html", body, lambda: body)]


def site(folder) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def stamps(folder) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*.html")
    }


def test_only_changed_pages_are_written_and_gone_ones_removed(tmp_path) -> None:
    out = tmp_path / "site"
    first = update_pages(out, pages(a="A1", b="B1", c="C1"), renderer="r1")
    assert first.written == ("p/a.html", "p/b.html", "p/c.html", "index.html")
    before = stamps(out)

    again = update_pages(out, pages(a="A1", b="B1", c="C1"), renderer="r1")
    assert again.written == () and again.kept == 4
    assert stamps(out) == before  # not even touched

    changed = update_pages(out, pages(a="A1", b="B2"), renderer="r1")
    assert changed.written == ("p/b.html", "index.html")
    assert changed.removed == ("p/c.html",)
    assert site(out) == {"index.html": "A1B2", "p/a.html": "A1", "p/b.html": "B2"}
    assert stamps(out)["p/a.html"] == before["p/a.html"]


def test_a_new_renderer_or_a_page_changed_on_disk_writes_again(tmp_path) -> None:
    out = tmp_path / "site"
    update_pages(out, pages(a="A1", b="B1"), renderer="r1")
    assert len(update_pages(out, pages(a="A1", b="B1"), renderer="r2").written) == 3

    (out / "p" / "a.html").write_text("edited by hand", encoding="utf-8")
    (out / "p" / "b.html").unlink()
    redone = update_pages(out, pages(a="A1", b="B1"), renderer="r2")
    assert redone.written == ("p/a.html", "p/b.html")
    assert site(out)["p/a.html"] == "A1" and site(out)["p/b.html"] == "B1"

    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    assert len(update_pages(out, pages(a="A1", b="B1"), renderer="r2").written) == 3


def test_a_build_killed_mid_way_leaves_whole_pages_and_the_next_repairs_it(
    tmp_path, monkeypatch
) -> None:
    out = tmp_path / "site"
    update_pages(out, pages(a="A1", b="B1", c="C1"), renderer="r1")
    real = site_pages.write_private_text
    calls = []

    def killed_on_the_second_page(path, text):
        calls.append(path)
        if len(calls) == 2:  # a temp file half written, as a killed process leaves it
            (path.parent / f".{path.stem}-x1y2z3{path.suffix}").write_text(text[:1])
            raise KeyboardInterrupt
        return real(path, text)

    monkeypatch.setattr(site_pages, "write_private_text", killed_on_the_second_page)
    with pytest.raises(KeyboardInterrupt):
        update_pages(out, pages(a="A2", b="B2", c="C2"), renderer="r1")
    monkeypatch.undo()
    after_crash = site(out)
    # every page is whole: as it was, or as it is now
    assert after_crash["p/a.html"] == "A2"
    assert after_crash["p/b.html"] == "B1" and after_crash["p/c.html"] == "C1"
    assert after_crash["index.html"] == "A1B1C1"

    repaired = update_pages(out, pages(a="A2", b="B2", c="C2"), renderer="r1")
    assert {"p/b.html", "p/c.html", "index.html"} <= set(repaired.written)
    assert ".b-x1y2z3.html" in "".join(repaired.removed)  # the half-written temp file
    fresh = tmp_path / "fresh"
    update_pages(fresh, pages(a="A2", b="B2", c="C2"), renderer="r1")
    assert site(out) == site(fresh)


def test_a_manifest_left_stale_by_a_crash_never_keeps_an_out_of_date_page(
    tmp_path, monkeypatch
) -> None:
    """Killed after the pages but before the manifest: the manifest must not still say the old
    page is there, or going back to the old content would keep the new page."""
    out = tmp_path / "site"
    update_pages(out, pages(a="A1", b="B1"), renderer="r1")
    real = site_pages.write_stamp

    def killed_before_the_last_manifest(path, data):
        if data["pages"].get("p/b.html", {}).get("digest") == "B2":  # the one naming B2
            raise KeyboardInterrupt
        return real(path, data)

    monkeypatch.setattr(site_pages, "write_stamp", killed_before_the_last_manifest)
    with pytest.raises(KeyboardInterrupt):
        update_pages(out, pages(a="A1", b="B2"), renderer="r1")
    monkeypatch.undo()
    assert site(out)["p/b.html"] == "B2"

    back = update_pages(out, pages(a="A1", b="B1"), renderer="r1")
    assert "p/b.html" in back.written and "p/a.html" not in back.written
    assert site(out)["p/b.html"] == "B1"

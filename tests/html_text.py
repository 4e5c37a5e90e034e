"""Reading back the HTML pages the tool writes, as a reader sees them."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """text: what a reader sees (<body> text; no comments, <head>, style or script).
    metas: <meta name=... content=...>. refs: every src/href. rows: table rows as cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.metas: dict[str, str] = {}
        self.refs: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._skip = 0
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.refs += [v or "" for k, v in attrs if k in ("src", "href")]
        if tag == "meta" and "name" in a:
            self.metas[a["name"]] = a.get("content") or ""
        if tag == "body":
            self._in_body = True
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_body and not self._skip:
            self.parts.append(data)
            if self._cell is not None:
                self._cell.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page

"""Check every internal link of the built docs site: the file it points at exists, and so does
the anchor. External links are listed by nobody and fetched never (CI has no network).

`python -m scripts.docs_linkcheck build/site` (run by `make docs`): one line per broken link,
exit status 1 when there is any.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    """The anchors a page defines and the links it makes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                self.anchors.add(str(values[name]))
        for name in ("href", "src"):
            if values.get(name) and tag in {"a", "img", "link", "script", "source"}:
                self.links.append(str(values[name]))


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def target_file(site: Path, page: Path, path: str) -> Path:
    if not path:
        return page
    target = (page.parent / unquote(path)).resolve()
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def broken_links(site: Path) -> list[str]:
    site = site.resolve()
    pages = {path: parse(path) for path in sorted(site.rglob("*.html"))}
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("/"):
                continue  # external (or site-absolute, which the build refuses): not fetched
            target = target_file(site, path, parts.path)
            where = f"{path.relative_to(site)}: {link}"
            if not target.is_file() or site not in target.parents:
                broken.append(f"{where}: no such file")
            elif parts.fragment and target.suffix == ".html":
                anchors = pages[target].anchors if target in pages else parse(target).anchors
                if unquote(parts.fragment) not in anchors:
                    broken.append(f"{where}: no anchor #{parts.fragment}")
    return broken


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else "build/site")
    if not (site / "index.html").is_file():
        print(f"docs_linkcheck: {site} holds no built site (run `make docs`)", file=sys.stderr)
        return 2
    broken = broken_links(site)
    for line in broken:
        print(line)
    pages = len(list(site.rglob("*.html")))
    print(f"docs_linkcheck: {pages} pages, {len(broken)} broken internal link(s)", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

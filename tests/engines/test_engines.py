"""MkDocs and Zensical render the same generated site: same pages, same main text, same files."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_builder.browse import urls
from site_builder.engines.guard import check_site
from tests.support.project import FIXTURE_CASES

VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
PUBLISHED = sorted(
    p.stem for p in FIXTURE_CASES.glob("*.yaml") if "status: draft" not in p.read_text(encoding="utf-8")
)


class _MainText(HTMLParser):
    """The text of a page's main content (``article.md-content__inner``), scripts and styles aside."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth and tag not in VOID:
            self.depth += 1
        elif tag == "article" and "md-content__inner" in (dict(attrs).get("class") or ""):
            self.depth = 1
        if self.depth and tag in ("script", "style"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag in ("script", "style"):
            self.hidden -= 1
        if self.depth and tag not in VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.hidden:
            self.parts.append(data)


def main_text(page: Path) -> str:
    parser = _MainText()
    parser.feed(page.read_text(encoding="utf-8"))
    return " ".join("".join(parser.parts).split())  # markup inside a word (highlighted code) aside


def pages(site: Path) -> set[str]:
    return {p.parent.relative_to(site).as_posix() for p in site.rglob("index.html")} - {"admin"}


def files(site: Path, folder: str) -> dict[str, bytes]:
    """The files under ``folder`` that are not pages (pages are rendered by the engine, and differ)."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in (site / folder).rglob("*")
        if p.is_file() and p.suffix != ".html"
    }


def generated_pages(site: Path) -> list[str]:
    """Every case, browse, list, search, stats and home page (the pages the core generates)."""
    hand_written = {"about", "guide"}
    return sorted(pages(site) - hand_written)


def test_same_pages(small_site: Path, zensical_site: Path) -> None:
    assert pages(zensical_site) == pages(small_site)
    assert {f"cases/{i}" for i in PUBLISHED} <= pages(zensical_site)


def test_every_generated_page_has_the_same_main_text(small_site: Path, zensical_site: Path) -> None:
    compared = generated_pages(small_site)
    assert {"cases", "search", "stats", "districts", "districts/pudong", "cases/hostile-text"} <= set(
        compared
    )
    differ = [
        p
        for p in compared
        if main_text(small_site / p / "index.html") != main_text(zensical_site / p / "index.html")
    ]
    assert differ == []
    assert "金色头盔：骑手先锋在街区" in main_text(zensical_site / "cases/riders-golden-helmet/index.html")


def test_hand_written_pages_have_the_same_text(small_site: Path, zensical_site: Path) -> None:
    """Zensical gets MkDocs' Markdown extensions and the filled markers (contact, data columns)."""
    for page in ("about", "guide"):
        assert main_text(zensical_site / page / "index.html") == main_text(small_site / page / "index.html")


@pytest.mark.parametrize("folder", ["data", "search", "assets/covers", "assets/social", "assets/photos"])
def test_output_files_are_the_same_bytes(small_site: Path, zensical_site: Path, folder: str) -> None:
    made = files(zensical_site, folder)
    assert made, f"{folder}/ is empty"
    assert made == files(small_site, folder)


def test_feeds_and_admin_are_the_same(small_site: Path, zensical_site: Path) -> None:
    for rel in (urls.FEED_ATOM, urls.FEED_JSON):
        assert (zensical_site / rel).read_bytes() == (small_site / rel).read_bytes()
    assert files(zensical_site, "admin") == files(small_site, "admin")


def _head_data(page: Path) -> list[str]:
    """The theme's per-page data as printed: social tags, feed links, the print QR, open-data links."""
    text = page.read_text(encoding="utf-8")
    found = re.findall(r'<meta (?:property|name)="(?:og|twitter):[^"]+" content="[^"]*">', text)
    found += re.findall(r'<link rel="alternate feed"[^>]*>', text)
    found += re.findall(r'<aside class="sb-print-only sb-print-address"[^>]*>\s*<img[^>]*>', text)
    found += re.findall(r'<nav class="sb-open-data".*?</nav>', text, flags=re.S)
    # Zensical's url filter spells a link to the page's own folder "./x", MkDocs' "x": the same address
    return [" ".join(f.split()).replace('href="./', 'href="') for f in found]


@pytest.mark.parametrize("page", ["", "cases/riders-golden-helmet/", "districts/", "about/"])
def test_theme_reads_the_same_template_data(small_site: Path, zensical_site: Path, page: str) -> None:
    """page.meta.sb and config.extra.sb reach MiniJinja (Zensical) as they reach Jinja (MkDocs)."""
    ours = _head_data(zensical_site / page / "index.html")
    assert ours == _head_data(small_site / page / "index.html")
    assert any("og:image" in f for f in ours)
    assert any("sb-open-data" in f for f in ours)
    assert any("alternate feed" in f for f in ours)
    if page.startswith("cases/"):
        assert any("sb-print-address" in f for f in ours)
        assert '<meta property="og:type" content="article">' in ours


def test_zensical_site_passes_the_guard(zensical_site: Path) -> None:
    assert check_site(zensical_site, PUBLISHED) == []


def test_zensical_search_and_sitemap(small_site: Path, zensical_site: Path) -> None:
    """The site's own search only (Zensical's index is not published); the sitemap keeps review dates."""
    assert not (zensical_site / "search.json").exists()
    assert (zensical_site / "sitemap.xml").read_text(encoding="utf-8").count("<lastmod>") == (
        small_site / "sitemap.xml"
    ).read_text(encoding="utf-8").count("<lastmod>")
    locs = re.findall(r"<loc>([^<]+)</loc>", (zensical_site / "sitemap.xml").read_text(encoding="utf-8"))
    assert sorted(locs) == sorted(
        re.findall(r"<loc>([^<]+)</loc>", (small_site / "sitemap.xml").read_text(encoding="utf-8"))
    )

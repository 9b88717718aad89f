"""Every page and file address of the site, in one place.

Addresses are site-relative and directory-style (``cases/<id>/``), as MkDocs builds them with
``use_directory_urls: true``; templates prefix them with the page's relative ``base``. The
search JS gets the case pattern from ``search/meta.json``, so it never spells one itself.
"""

from __future__ import annotations

HOME = ""
ALL_CASES = "cases/"
ALL_CASES_BY_DISTRICT = "cases-by-district/"
"""The all-cases list grouped by district (not under ``cases/``, where any case id may live)."""
SEARCH = "search/"
STATS = "stats/"

PHOTOS = "assets/photos/"
COVERS = "assets/covers/"
SOCIAL = "assets/social/"
SEARCH_DATA = "search/"
DATA = "data/"
ADMIN = "admin/"
"""The form editor (not a page: left out of search, sitemap, feeds and the offline preview)."""
DATA_JSON = DATA + "cases.json"
DATA_CSV = DATA + "cases.csv"
DATA_SCHEMA = DATA + "case.schema.json"
FEED_ATOM = "atom.xml"
FEED_JSON = "feed.json"
ABOUT = "about/"
DATA_SECTION = ABOUT + "#data"
"""The 数据下载 section of 关于本站 (docs/about.md), which explains the data files."""

CASE_PATTERN = "cases/{id}/"


def case_url(case_id: str) -> str:
    """The page of one case."""
    return CASE_PATTERN.format(id=case_id)


def case_src(case_id: str) -> str:
    """The virtual Markdown file MkDocs renders into :func:`case_url`."""
    return f"cases/{case_id}.md"


def term_url(prefix: str, slug: str) -> str:
    """The page listing the cases of one facet value (``districts/pudong/``)."""
    return f"{prefix}{slug}/"


def page_src(url: str) -> str:
    """The virtual Markdown file behind a directory-style page URL (``""`` is the home page)."""
    return f"{url}index.md" if url else "index.md"


def base_for(url: str) -> str:
    """Relative prefix from a directory-style page URL back to the site root."""
    depth = url.strip("/").count("/") + 1 if url.strip("/") else 0
    return "../" * depth


def edit_url(edit_base: str | None, case_id: str) -> str | None:
    """The "edit this case" link of a case page, when the repository is known."""
    return f"{edit_base}{case_id}.yaml" if edit_base else None


def absolute(site_url: str | None, uri: str) -> str | None:
    """An absolute address under ``site_url`` (for og:image, feeds, canonical links); None without it."""
    if not site_url:
        return None
    return site_url.rstrip("/") + "/" + uri.lstrip("/")


def public(site_url: str | None, uri: str) -> str:
    """The address to publish for ``uri`` (data, feeds, citations): absolute when the site's URL is known."""
    return absolute(site_url, uri) or "/" + uri.lstrip("/")

"""Check that every internal link of a built site resolves to a file.

Pure Python (``html.parser``), no network: parses every ``*.html`` under the site
folder and checks each relative ``href``/``src``/``srcset`` (and root-relative
ones, under the base path of ``site_url`` in ``mkdocs.yml``) points at an existing file.  Directory URLs
resolve to their ``index.html``.  External URLs (``https:``, ``mailto:``,
``data:`` ...) are ignored.  With ``--anchors`` fragments (``page/#id``) must
also name an ``id`` in the target page.

Usage: ``python -m site_builder.checks.linkcheck [SITE_DIR] [--base-path /repo/] [--anchors]``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

__all__ = [
    "BrokenLink",
    "base_path_of_site",
    "check_former_addresses",
    "check_former_term_addresses",
    "check_site",
    "extract_links",
    "main",
]

_LINK_ATTRS = {"href", "src", "poster", "data", "action"}
_SKIP_SCHEMES = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_SKIP_RELS = {"canonical", "alternate", "preconnect", "dns-prefetch"}
_REFRESH_URL = re.compile(r"^\s*\d+\s*;\s*url\s*=\s*['\"]?([^'\"]+)", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class BrokenLink:
    """A link in ``page`` (relative to the site root) whose target does not exist."""

    page: str
    line: int
    url: str
    reason: str

    def format(self) -> str:
        """One line: ``page:line: 'url' reason``."""
        return f"{self.page}:{self.line}: {self.url!r} {self.reason}"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {k: v for k, v in attrs if v is not None}
        for key in ("id", "name") if tag == "a" else ("id",):
            if key in values:
                self.ids.add(values[key])
        if tag == "base" and "href" in values:
            self.base = values["href"]
            return
        if tag == "link" and _SKIP_RELS & set(values.get("rel", "").lower().split()):
            return
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            match = _REFRESH_URL.match(values.get("content", ""))
            if match:  # the redirect at a renamed case's old address must lead somewhere
                self.links.append((line, match.group(1).strip()))
            return
        for key, value in values.items():
            if key in _LINK_ATTRS and value.strip():
                self.links.append((line, value.strip()))
            elif key in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url:
                        self.links.append((line, url))

    handle_startendtag = handle_starttag


def extract_links(html: str) -> tuple[list[tuple[int, str]], set[str]]:
    """Return ``([(line, url), ...], ids)`` for one HTML document."""
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.links, parser.ids


def _is_external(url: str) -> bool:
    return bool(_SKIP_SCHEMES.match(url)) or url.startswith("//")


def _target(site: Path, page: PurePosixPath, path: str, base_path: str) -> PurePosixPath | None:
    """Resolve a URL path to a path relative to the site root, or None if it escapes the site."""
    if path.startswith("/"):
        if not path.startswith(base_path):
            return None
        joined = PurePosixPath(path[len(base_path) :])
    else:
        joined = page.parent / path
    parts: list[str] = []
    for part in joined.parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


def _resolve_file(site: Path, rel: PurePosixPath, url_path: str) -> Path | None:
    candidate = site / rel
    if url_path.endswith("/") or candidate.is_dir():
        index = candidate / "index.html"
        return index if index.is_file() else None
    return candidate if candidate.is_file() else None


def check_site(site: Path, *, base_path: str = "/", anchors: bool = False) -> list[BrokenLink]:
    """Check every internal link in every HTML page under ``site``; return the broken ones.

    ``base_path`` is the URL path the site is served under (``/`` locally, ``/<repo>/`` on
    GitHub Pages project sites); root-relative links outside it are reported.
    """
    site = site.resolve()
    if not base_path.endswith("/"):
        base_path += "/"
    pages = sorted(p for p in site.rglob("*.html") if p.is_file())
    parsed: dict[Path, tuple[list[tuple[int, str]], set[str]]] = {}

    def parse(path: Path) -> tuple[list[tuple[int, str]], set[str]]:
        if path not in parsed:
            parsed[path] = extract_links(path.read_text(encoding="utf-8", errors="replace"))
        return parsed[path]

    broken: list[BrokenLink] = []
    for page in pages:
        page_rel = PurePosixPath(page.relative_to(site).as_posix())
        links, own_ids = parse(page)
        for line, url in links:
            if _is_external(url):
                continue
            parts = urlsplit(url)
            path = unquote(parts.path)
            fragment = unquote(parts.fragment)
            if not path:
                if anchors and fragment and fragment not in own_ids:
                    broken.append(BrokenLink(str(page_rel), line, url, "找不到页内锚点"))
                continue
            rel = _target(site, page_rel, path, base_path)
            if rel is None:
                broken.append(BrokenLink(str(page_rel), line, url, "指向站点之外"))
                continue
            found = _resolve_file(site, rel, path)
            if found is None:
                broken.append(BrokenLink(str(page_rel), line, url, f"找不到文件 {rel}"))
                continue
            if anchors and fragment and found.suffix == ".html" and fragment not in parse(found)[1]:
                broken.append(BrokenLink(str(page_rel), line, url, f"{rel} 中找不到锚点 #{fragment}"))
    return sorted(broken)


def check_former_addresses(site: Path, former_ids: Iterable[str]) -> list[BrokenLink]:
    """Each former case address (a renamed or deleted case, from git history) still has a page.

    Its links (the redirect's target) are checked with the rest of the site by :func:`check_site`.
    """
    from site_builder.browse import urls

    broken = []
    for case_id in sorted(set(former_ids)):
        url = urls.case_url(case_id)
        if not (site / url / "index.html").is_file():
            broken.append(
                BrokenLink(
                    url + "index.html", 0, "/" + url, "旧地址没有页面：改名或删除的案例的旧地址应当保留"
                )
            )
    return broken


def check_former_term_addresses(site: Path, addresses: Iterable[str]) -> list[BrokenLink]:
    """Each address of a facet term the cases once carried (``tags/<slug>/``: a tag since renamed,
    merged or dropped, from git history) still has a page: the term's own or a redirect."""
    broken = []
    for url in sorted(set(addresses)):
        if not (site / url / "index.html").is_file():
            broken.append(
                BrokenLink(
                    url + "index.html",
                    0,
                    "/" + url,
                    "旧分类地址没有页面：合并、改名或停用的标签等分类的旧地址应当保留（跳转到接替的分类）",
                )
            )
    return broken


def _former_ids(root: Path) -> tuple[list[str], list[str], str]:
    """The former case ids and the former term addresses of the project at ``root`` that must keep
    a page, and a note if unsure."""
    from site_builder.history import address_book
    from site_builder.termhistory import former_term_addresses

    if not (root / "cases").is_dir():
        return [], [], ""
    book = address_book(root, terms=True)
    removed = set(book.removed)
    ids = [f.id for f in book.formers if f.id not in removed]
    return ids, former_term_addresses(book.terms.history), book.note


def _print(broken: Iterable[BrokenLink]) -> None:
    for link in broken:
        print(link.format())


def base_path_of_site(site: Path) -> str:
    """The URL path the site is published under (``/repo/``), from its home page's canonical link."""
    try:
        text = (site / "index.html").read_text(encoding="utf-8")
    except OSError:
        return "/"
    match = re.search(r'<link[^>]+rel="canonical"[^>]+href="(https?://[^"]+)"', text)
    if not match:
        return "/"
    path = urlsplit(match.group(1)).path or "/"
    return path if path.endswith("/") else path + "/"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; exit 1 when a link is broken or the site folder is missing."""
    parser = argparse.ArgumentParser(
        prog="python -m site_builder.checks.linkcheck", description="检查站内链接"
    )
    parser.add_argument("site", nargs="?", type=Path, default=Path("site"), help="构建好的站点文件夹")
    parser.add_argument(
        "--base-path", default=None, help="站点所在的网址路径，例如 /repo/（默认取首页的 canonical 地址）"
    )
    parser.add_argument("--anchors", action="store_true", help="同时检查 #锚点")
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="不检查改名或删除的案例、合并或停用的标签等分类的旧地址（默认从 git 历史读取）",
    )
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}/index.html 不存在：请先运行 make site", file=sys.stderr)
        return 1
    base_path = args.base_path if args.base_path is not None else base_path_of_site(args.site)
    broken = check_site(args.site, base_path=base_path, anchors=args.anchors)
    former, terms, note = ([], [], "") if args.no_history else _former_ids(Path.cwd())
    broken += check_former_addresses(args.site, former)
    broken += check_former_term_addresses(args.site, terms)
    _print(broken)
    pages = sum(1 for _ in args.site.rglob("*.html"))
    kept = (
        f"；{len(former)} 个旧案例地址、{len(terms)} 个标签等分类的地址都有页面"
        if (former or terms) and not any(b.line == 0 for b in broken)
        else ""
    )
    if note:
        print(f"提醒：{note}，旧地址可能没有全部检查到。")
    if broken:
        print(f"链接检查：{pages} 个页面中有 {len(broken)} 个失效链接。")
        return 1
    print(f"链接检查：{pages} 个页面，没有失效链接{kept}。")
    return 0


if __name__ == "__main__":
    sys.exit(main())

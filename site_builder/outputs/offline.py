"""Turn a built site into one an editor can open by double-click (``file://``), for the PR preview.

Two things break on ``file://``: links to folders (``cases/x/``) show a directory listing instead of
``index.html``, and ``fetch()`` of the search index is refused. So, on a copy meant for previewing
only (``site-builder build --offline``; the published site is never changed): every relative link to
a folder gets ``index.html``, and the search index is bundled into ``search/offline.js``, a plain
script that ``search.js`` reads instead of fetching.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from site_builder.browse import urls
from site_builder.cache import atomic_write

BUNDLE = "search/offline.js"
_ATTR = re.compile(r'(\s(?:href|src|action)=")([^"]*)(")')
_REFRESH = re.compile(r'(<meta http-equiv="refresh" content="\d+; url=)([^"]*)(")')
"""The redirect left at a renamed case's old address (site_builder/history.py)."""
_SEARCH_SCRIPT = re.compile(r'<script src="([^"]*)assets/search/search\.js[^"]*"')


def folder_link_to_file(url: str) -> str:
    """``cases/x/`` → ``cases/x/index.html`` for relative links; anything else unchanged."""
    if not url or url.startswith(("#", "/", "?")):
        return url
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return url
    path = parts.path
    if path not in (".", "..") and not path.endswith("/"):
        return url
    path = path.rstrip("/") + "/index.html"
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return path + query + fragment


def rewrite_page(html: str, root_prefix: str) -> str:
    """Rewrite one page's folder links and load the search bundle before ``search.js``."""
    html = _ATTR.sub(lambda m: m.group(1) + folder_link_to_file(m.group(2)) + m.group(3), html)
    html = _REFRESH.sub(lambda m: m.group(1) + folder_link_to_file(m.group(2)) + m.group(3), html)
    bundle = f'<script src="{root_prefix}{BUNDLE}"></script>'
    return _SEARCH_SCRIPT.sub(lambda m: bundle + m.group(0), html, count=1)


def bundle_search_index(site_dir: Path) -> str:
    """Every ``search/**/*.json`` file as one script assigning ``window.__caseSearchData``."""
    data = {}
    for path in sorted((site_dir / "search").rglob("*.json")):
        rel = path.relative_to(site_dir).as_posix()
        data[rel] = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.__caseSearchData = {text};\n"


def make_offline(site_dir: Path) -> int:
    """Make ``site_dir`` work from ``file://``; return how many pages were rewritten.

    The form editor needs a web server and GitHub, so the offline copy leaves it out.
    """
    shutil.rmtree(site_dir / urls.ADMIN, ignore_errors=True)
    (site_dir / BUNDLE).parent.mkdir(parents=True, exist_ok=True)
    (site_dir / BUNDLE).write_text(bundle_search_index(site_dir), encoding="utf-8")
    count = 0
    for page in sorted(site_dir.rglob("*.html")):
        depth = len(page.relative_to(site_dir).parts) - 1
        prefix = "../" * depth
        text = page.read_text(encoding="utf-8")
        new = rewrite_page(text, prefix)
        if new != text:  # a new file: the page may be a hard link to a cache entry and to other sites
            atomic_write(page, new.encode("utf-8"))
            count += 1
    return count

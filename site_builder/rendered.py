"""Finished pages remembered: an unchanged page is not rendered by the engine again.

A generated page's finished HTML is a function of its own data (path, title, description, body,
template data) and of what every page shares (the site-wide chrome: navigation, ``config.extra``,
the configuration, the theme's and the docs' files, the engine and its version). The core keys
each page on both (:func:`page_key`, a row of :data:`site_builder.cache.CACHES`); an engine adapter
hands over the chrome as plain data, asks which pages it may take from the cache
(:meth:`Finished.placeable`: files to link into the site, so the engine never sees those pages)
and gives back what it rendered (:meth:`Finished.keep`). The adapter
decides nothing: a page whose key is in the cache is the same bytes a full render would write.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from site_builder.cache import Store, cache_key, cache_root, fingerprint
from site_builder.pages.render import GeneratedPage

NAMESPACE = "rendered"


def tree_digest(folders: Iterable[Path | None]) -> str:
    """A hash of every file's path and bytes under ``folders`` (the theme's and the docs' sources)."""
    h = hashlib.sha256()
    for folder in folders:
        if folder is None or not folder.is_dir():
            h.update(b"\0-")
            continue
        h.update(b"\0+")  # the folder's place in the list, not where the checkout lies
        for parent, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = Path(parent) / name
                h.update(path.relative_to(folder).as_posix().encode("utf-8", "surrogateescape") + b"\0")
                try:
                    h.update(hashlib.sha256(path.read_bytes()).digest())
                except OSError:
                    h.update(b"?")
    return h.hexdigest()


def portable(value: Any, root: Path) -> Any:
    """``value`` with its absolute paths as a key should see them: a path under the project
    ``root`` relative to it, a path inside an installed library by its place there (the library's
    version is in every key already). A checkout moved or cloned elsewhere then finds its pages."""
    if isinstance(value, Mapping):
        return {k: portable(v, root) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [portable(v, root) for v in value]
    if isinstance(value, str) and os.path.isabs(value):
        path = Path(value).resolve()
        if path.is_relative_to(root.resolve()):
            return "./" + path.relative_to(root.resolve()).as_posix()
        for marker in ("site-packages", "dist-packages"):
            if marker in path.parts:
                return "lib:" + "/".join(path.parts[path.parts.index(marker) + 1 :])
    return value


def page_key(chrome: str, page: GeneratedPage) -> str:
    """The cache name of ``page`` finished under the site-wide ``chrome`` digest.

    The body goes in as its own digest: hashing its bytes once costs half of writing it into the
    key's JSON first (10 MB of bodies at 1,000 cases, every build)."""
    body = hashlib.sha256(page.html.encode("utf-8", "surrogatepass")).hexdigest()
    own = (page.src_uri, page.url, page.title, page.description, list(page.hide), page.meta, body)
    return cache_key(NAMESPACE, chrome, own) + ".html"


class Finished:
    """The finished pages of one build: which the engine may reuse, and what it rendered anew."""

    def __init__(self, root: Path, pages: Iterable[GeneratedPage], chrome: Mapping[str, Any]):
        self.store = Store(cache_root(root), NAMESPACE)
        digest = self.digest = fingerprint(dict(chrome))
        self.keys = {page.src_uri: page_key(digest, page) for page in pages}

    def placeable(self) -> dict[str, Path]:
        """src_uri -> the cache entry holding the finished HTML of every page whose inputs are
        unchanged since it was kept: the adapter places that file (a hard link), reading nothing."""
        return {src_uri: self.store.path(name) for src_uri, name in self.keys.items() if self.store.has(name)}

    def renew(self, page: GeneratedPage) -> None:
        """Key ``page`` on what it is now (the preview renders a saved case after the build that
        made these keys), so what the engine renders for it is kept under its own key."""
        self.keys[page.src_uri] = page_key(self.digest, page)

    def keep(self, src_uri: str, output: str) -> None:
        """Remember the finished HTML the engine rendered for a generated page."""
        name = self.keys.get(src_uri)
        if name is not None:
            self.store.put(name, output.encode("utf-8", "surrogatepass"))

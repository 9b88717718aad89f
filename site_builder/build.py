"""One build: from validated cases to media, page bodies and output files.

This is the orchestration the MkDocs adapter calls (``plugin.py`` only translates events). Pages
go to MkDocs; every other file (search index, photos, covers, cards and, as they are added, data
exports and feeds) comes from an entry of :data:`OUTPUTS` or the media plan and is written
straight into the site folder. Large sites render case bodies on every core and write the output
files in a forked child meanwhile; the result is byte-identical to a serial run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from site_builder.browse import urls
from site_builder.browse.model import SiteModel
from site_builder.cache import Store, atomic_write, cache_root, code_fingerprint, fingerprint
from site_builder.media.plan import MediaPlan, build_media
from site_builder.outputs.export import build_data_files
from site_builder.outputs.feeds import build_feeds
from site_builder.outputs.search import (
    SEARCH_PAGE_DESCRIPTION,
    SEARCH_PAGE_TITLE,
    build_search_files,
    render_search_page,
)
from site_builder.pages.render import GeneratedPage, build_pages, render_case_bodies
from site_builder.parallel import PARALLEL_FROM, Forked, fork_call, map_chunks, should_split

BODY_CACHE_GRACE = 7 * 24 * 3600
"""Cached bodies this build did not use are kept this long (the preview with drafts uses others)."""


@dataclass(frozen=True)
class BuildSettings:
    """What a build needs to know besides the cases (from mkdocs.yml and the command line)."""

    root: Path
    site_dir: Path
    site_name: str
    site_description: str = ""
    site_url: str | None = None
    edit_base: str | None = None
    home: bool = True
    parallel: bool = True


UNUSED_THEME_ASSETS = ("assets/javascripts/lunr/", "assets/javascripts/workers/search.")
"""Material's own search (lunr and its worker): this site ships its own Chinese search."""


def is_unused_theme_asset(src_uri: str) -> bool:
    """True for theme files no page of this site loads: Material's search, source maps (2.3 MB)."""
    return src_uri.startswith(UNUSED_THEME_ASSETS) or src_uri.endswith(".map")


Output = Callable[[SiteModel, BuildSettings, MediaPlan], dict[str, bytes]]
"""A non-page output: ``{site-relative path: bytes}`` from the site model (and the media plan's
addresses of covers and cards), pure and deterministic."""


def search_outputs(site: SiteModel, settings: BuildSettings, media: MediaPlan) -> dict[str, bytes]:
    """The search index files."""
    return build_search_files(site.cases, site.vocab)


def data_outputs(site: SiteModel, settings: BuildSettings, media: MediaPlan) -> dict[str, bytes]:
    """The open data: ``data/cases.json``, ``data/cases.csv``, ``data/case.schema.json``."""
    return build_data_files(
        site,
        site_name=settings.site_name,
        site_url=settings.site_url,
        covers=media.covers,
        social=media.social,
    )


def feed_outputs(site: SiteModel, settings: BuildSettings, media: MediaPlan) -> dict[str, bytes]:
    """Atom and JSON Feed of the newest cases."""
    return build_feeds(
        site,
        site_name=settings.site_name,
        site_description=settings.site_description,
        site_url=settings.site_url,
        covers=media.covers,
    )


OUTPUTS: tuple[Output, ...] = (search_outputs, data_outputs, feed_outputs)


OUTPUT_CACHE_GRACE = 600
"""Cached outputs this build did not use are kept this long (``serve`` with drafts alternates)."""


def site_digest(site: SiteModel, settings: BuildSettings, media: MediaPlan) -> str:
    """A hash of everything an :data:`OUTPUTS` entry may read: every case, the settings, the media
    plan's addresses, the code.

    Outputs are pure functions of ``(site, settings, media)``; the vocabularies and synonyms are
    package data, so they are part of the code fingerprint.
    """
    cases = [[c.id, c.model_dump(mode="json")] for c in site.cases]
    addresses = [
        sorted(media.covers.items()),
        sorted(media.social.items()),
        sorted(media.images_html.items()),
    ]
    wanted = (
        settings.site_name,
        settings.site_description,
        settings.site_url,
        settings.edit_base,
        settings.home,
    )
    return fingerprint(code_fingerprint("."), cases, wanted, addresses)


def _pack(files: dict[str, bytes]) -> bytes:
    out = [b"sb-outputs-1\n"]
    for rel, data in sorted(files.items()):
        name = rel.encode("utf-8")
        out += [f"{len(name)} {len(data)}\n".encode("ascii"), name, data]
    return b"".join(out)


def _unpack(blob: bytes) -> dict[str, bytes] | None:
    """The files of a packed entry, or None if it is not one (the caller builds them again)."""
    head = b"sb-outputs-1\n"
    if not blob.startswith(head):
        return None
    files: dict[str, bytes] = {}
    pos = len(head)
    try:
        while pos < len(blob):
            end = blob.index(b"\n", pos)
            n_name, n_data = (int(x) for x in blob[pos:end].split(b" "))
            pos = end + 1
            files[blob[pos : pos + n_name].decode("utf-8")] = blob[pos + n_name : pos + n_name + n_data]
            pos += n_name + n_data
    except ValueError:
        return None
    return files if pos == len(blob) else None


def cached_outputs(site: SiteModel, settings: BuildSettings, media: MediaPlan) -> dict[str, bytes]:
    """Every :data:`OUTPUTS` file, from the cache when nothing they read has changed.

    The search index is the largest part of a warm build's own work; an unchanged site reuses
    the bytes of the last build (same inputs and code give the same bytes, so this is invisible).
    """
    store = Store(cache_root(settings.root), "outputs")
    digest = site_digest(site, settings, media)
    files: dict[str, bytes] = {}
    used = []
    for output in OUTPUTS:
        name = f"{output.__name__}-{digest}.bin"
        used.append(name)
        blob = store.get(name)
        part = _unpack(blob) if blob is not None else None
        if part is None:
            part = output(site, settings, media)
            store.put(name, _pack(part))
        files.update(part)
    store.prune(used, older_than=OUTPUT_CACHE_GRACE)
    return files


def place_file(cached: Path, target: Path) -> None:
    """Put a cached media file into the site: a hard link (no bytes copied), else a copy.

    The cache entry and the site file then share their bytes; nothing writes to either in place
    (the cache replaces entries atomically, MkDocs deletes the site folder), and a damaged cache
    entry fails its digest check and is made again.
    """
    try:
        mode = os.stat(cached).st_mode
        if mode & 0o044 != 0o044:  # cache entries are written 0600; the site's files are world-readable
            os.chmod(cached, mode | 0o644)
        target.unlink(missing_ok=True)
        os.link(cached, target)
    except OSError:
        shutil.copyfile(cached, target)


def write_outputs(site: SiteModel, media: MediaPlan, settings: BuildSettings) -> int:
    """Write every output file and link photos, covers and social cards into the site folder."""
    count = 0
    made: set[Path] = set()
    for rel, data in sorted(cached_outputs(site, settings, media).items()):
        target = settings.site_dir / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(data)
        count += 1
    for uri, cached in sorted(media.files.items()):
        target = settings.site_dir / uri
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        place_file(cached, target)
        count += 1
    return count


@dataclass
class Generation:
    """Pages to hand to MkDocs now; output and media files written beside them."""

    pages: list[GeneratedPage]
    media: MediaPlan
    site: SiteModel
    settings: BuildSettings
    writing: Forked[int] | None = None

    def finish(self) -> int:
        """Make sure the output and media files are in the site folder; return how many."""
        if self.writing is not None:
            return self.writing.result()
        return write_outputs(self.site, self.media, self.settings)

    def finish_in_background(self) -> threading.Thread:
        """Write the output and media files on a thread, for the preview server.

        Under ``mkdocs serve`` the changed page is what the editor waits for; the search index and
        the data files follow a moment later. Join the thread before the next build writes again.
        """
        thread = threading.Thread(target=self.finish, name="site-builder-outputs", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Stop the writer without waiting (the build failed)."""
        if self.writing is not None:
            self.writing.cancel()
            self.writing = None


def build_site(site: SiteModel, settings: BuildSettings) -> Generation:
    """Media, every generated page (cases, browse, home, search) and the output files of ``site``.

    In parallel mode a forked child starts writing the output files into ``site_dir`` at once
    (MkDocs has already cleaned it by the time it asks for files); call :meth:`Generation.finish`.
    """
    media = build_media(
        site.cases,
        site.vocab,
        root=settings.root,
        site_name=settings.site_name,
        site_description=settings.site_description,
    )
    store = Store(cache_root(settings.root), "pages")
    ids = [c.id for c in site.cases]
    forked = should_split(len(ids), PARALLEL_FROM, allow=settings.parallel)
    writing = fork_call(lambda: write_outputs(site, media, settings)) if forked else None
    rendered = map_chunks(
        lambda chunk: render_case_bodies(
            site,
            chunk,
            edit_base=settings.edit_base,
            images_html=media.images_html,
            covers=media.covers,
            store=store,
            site_name=settings.site_name,
            site_url=settings.site_url,
        ),
        ids,
        threshold=PARALLEL_FROM,
        allow=forked,
    )
    store.prune({name for name, _ in rendered}, older_than=BODY_CACHE_GRACE)
    bodies = [body for _, body in rendered]
    pages = build_pages(
        site, site_title=settings.site_name, home=settings.home, bodies=bodies, covers=media.covers
    )
    pages.append(
        GeneratedPage(
            urls.page_src(urls.SEARCH),
            urls.SEARCH,
            SEARCH_PAGE_TITLE,
            SEARCH_PAGE_DESCRIPTION,
            render_search_page(site.cases, site.vocab),
            hide=("navigation", "toc"),
        )
    )
    return Generation(pages, media, site, settings, writing)


def write_stubs(pages: list[GeneratedPage], stub_dir: Path, *, salt: str = "") -> dict[str, Path]:
    """Write each page's stub Markdown file, touching only the files whose page changed.

    ``mkdocs serve --dirty`` rebuilds a page only when its source is newer than its output, so a
    stub carries a hash of the page body: saving one case rewrites the stubs of the pages that
    show it (the case, its browse pages, the home page) and no other. ``salt`` is mixed into every
    stub: what every page shows besides its body (the preview's error banner) rebuilds them all.
    Returns src_uri -> path.
    """
    out: dict[str, Path] = {}
    for page in pages:
        path = stub_dir / page.src_uri
        digest = hashlib.sha256((salt + "\0" + page.html).encode()).hexdigest()
        text = page.front_matter() + f"\n<!-- {digest} -->\n"
        data = text.encode("utf-8")
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            atomic_write(path, data)
        out[page.src_uri] = path
    return out

"""One build: from validated cases to media, page bodies and output files.

This is the orchestration the MkDocs adapter calls (``plugin.py`` only translates events). Pages
go to MkDocs; every other file (search index, photos, covers, cards and, as they are added, data
exports and feeds) comes from an entry of :data:`OUTPUTS` or the media plan and is written
straight into the site folder. Large sites render case bodies on every core and write the output
files in a forked child meanwhile; the result is byte-identical to a serial run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.browse import urls
from site_builder.browse.model import SiteModel
from site_builder.cache import Store, atomic_write, cache_root, code_fingerprint, fingerprint, save_stamps
from site_builder.history import Addresses, address_files
from site_builder.media.art import art_identity
from site_builder.media.plan import MediaPlan, build_media, photo_paths
from site_builder.outputs.export import build_data_files
from site_builder.outputs.feeds import build_feeds
from site_builder.outputs.search import (
    SEARCH_PAGE_DESCRIPTION,
    SEARCH_PAGE_TITLE,
    build_search_files,
    render_search_page,
)
from site_builder.pages.render import (
    GeneratedPage,
    PageInputs,
    cached_case_bodies,
    case_pages,
    render_case_bodies,
    site_pages,
)
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
    addresses: Addresses = field(default_factory=Addresses)
    """Former case ids (renamed or deleted, :mod:`site_builder.history`): their pages stay."""
    remember: bool = True
    """Keep whole builds and site pages by digest (``mkdocs build``); the preview, where every save
    changes the site, skips that bookkeeping."""

    def published(self) -> tuple[object, ...]:
        """The settings that pages and files show (not where or how this build runs), for cache keys."""
        return (
            self.site_name,
            self.site_description,
            self.site_url,
            self.edit_base,
            self.home,
            self.addresses,
        )


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


def address_outputs(site: SiteModel, settings: BuildSettings, media: MediaPlan) -> dict[str, bytes]:
    """Pages at the addresses of renamed (a redirect) and deleted (已撤下) cases."""
    published = {case.id: case.title for case in site.cases}
    return address_files(
        settings.addresses, published, site_name=settings.site_name, site_url=settings.site_url
    )


OUTPUTS: tuple[Output, ...] = (search_outputs, data_outputs, feed_outputs, address_outputs)


OUTPUT_CACHE_GRACE = 600
"""Cached outputs this build did not use are kept this long (``serve`` with drafts alternates)."""


def site_digest(site: SiteModel, settings: BuildSettings, media: MediaPlan) -> str:
    """A hash of everything an :data:`OUTPUTS` entry may read: every case, the settings, the media
    plan's addresses, the code.

    Outputs are pure functions of ``(site, settings, media)``; the vocabularies and synonyms are
    package data, so they are part of the code fingerprint.
    """
    addresses = [
        sorted(media.covers.items()),
        sorted(media.social.items()),
        sorted(media.images_html.items()),
    ]
    return fingerprint(code_fingerprint("."), site.digest, settings.published(), addresses)


def _manifest(store: Store, name: str) -> dict[str, str] | None:
    """The stored files of one output (site path -> content name), or None unless every one is intact."""
    blob = store.get(name)
    try:
        manifest = json.loads(blob) if blob is not None else None
    except ValueError:
        return None
    if not isinstance(manifest, dict) or not all(
        isinstance(v, str) and store.has(v) for v in manifest.values()
    ):
        return None
    return manifest


def outputs_cached(site: SiteModel, settings: BuildSettings, media: MediaPlan) -> bool:
    """True when every :data:`OUTPUTS` file of this site is in the cache (nothing to compute)."""
    store = Store(cache_root(settings.root), "outputs")
    digest = site_digest(site, settings, media)
    return all(_manifest(store, f"{output.__name__}-{digest}.json") is not None for output in OUTPUTS)


def cached_outputs(site: SiteModel, settings: BuildSettings, media: MediaPlan) -> dict[str, Path]:
    """Every :data:`OUTPUTS` file as an entry of the cache (site path -> cached file), made if missing.

    The search index is the largest part of a warm build's own work; an unchanged site reuses the
    files of the last build (same inputs and code give the same bytes, so this is invisible).
    Each file is stored under its content's digest, so a build that changes one case stores only
    the few index files that changed, and :func:`write_outputs` links rather than writes the rest.
    """
    store = Store(cache_root(settings.root), "outputs")
    digest = site_digest(site, settings, media)
    files: dict[str, Path] = {}
    used = []
    for output in OUTPUTS:
        name = f"{output.__name__}-{digest}.json"
        part = _manifest(store, name)
        if part is None:
            part = {rel: store.put_content(data) for rel, data in output(site, settings, media).items()}
            store.put(name, json.dumps(part, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        used += [name, *part.values()]
        files.update((rel, store.path(content)) for rel, content in part.items())
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
        try:
            os.link(cached, target)
        except FileExistsError:  # a preview rebuild: MkDocs keeps the site folder
            target.unlink()
            os.link(cached, target)
    except OSError:
        target.unlink(missing_ok=True)  # never write through an old link into a cache entry
        shutil.copyfile(cached, target)


def write_outputs(site: SiteModel, media: MediaPlan, settings: BuildSettings) -> int:
    """Link every output file, photo, cover and social card from the cache into the site folder."""
    count = 0
    made: set[Path] = set()
    files = {**cached_outputs(site, settings, media), **media.files}
    for uri, cached in sorted(files.items()):
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
    body_entries: list[str] = field(default_factory=list)
    """The ``pages`` cache entries of the case bodies, in case order (for remembering this build)."""

    def finish(self) -> int:
        """Make sure the output and media files are in the site folder; return how many."""
        if self.writing is not None:
            count = self.writing.result()
        else:
            count = write_outputs(self.site, self.media, self.settings)
        save_stamps()
        return count

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


BUILD_MEMO_GRACE = 600
"""Remembered builds this build did not match are kept this long (``serve`` with drafts alternates)."""


def build_digest(site: SiteModel, settings: BuildSettings) -> str:
    """A hash of everything :func:`build_site` reads: the cases, the photos' bytes, the settings, the
    code and package data, the fonts and Pillow (which draw covers and cards)."""
    photos = [
        (case.id, img.file, hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None)
        for case in site.cases
        for img, path in zip(case.images, photo_paths(case, settings.root), strict=True)
    ]
    return fingerprint(code_fingerprint("."), site.digest, photos, settings.published(), art_identity())


def _remembered(
    site: SiteModel, settings: BuildSettings, store: Store, name: str
) -> tuple[list[GeneratedPage], MediaPlan, list[str]] | None:
    """The pages and media plan a build of the same inputs made, while every file it used is intact.

    The entry names the cached bodies and site pages rather than holding their HTML (49 MB at
    3,000 cases, most of a warm build's memory).
    """
    cache = cache_root(settings.root)
    raw = _load_json(store.get(name))
    try:
        if not isinstance(raw, dict):
            return None
        plan, entries = raw["media"], raw["bodies"]
        media = MediaPlan(
            files={uri: cache / rel for uri, rel in plan["files"].items()},
            images_html=plan["images_html"],
            covers=plan["covers"],
            social=plan["social"],
        )
        if not isinstance(entries, list) or len(entries) != len(site.cases):
            return None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    for path in media.files.values():
        if not Store(path.parent.parent, path.parent.name).has(path.name):
            return None
    bodies_store = Store(cache, "pages")
    bodies = []
    for entry in entries:
        body = bodies_store.get(entry) if isinstance(entry, str) else None
        if body is None:
            return None
        bodies.append(body.decode("utf-8"))
    listing = Store(cache, "site-pages").get(f"{site_digest(site, settings, media)}.json")
    others = _pages_from_data(_load_json(listing))
    if others is None:
        return None
    return case_pages(site, bodies) + others, media, entries


def _remember(store: Store, name: str, generation: Generation) -> None:
    cache = cache_root(generation.settings.root)
    media = generation.media
    try:
        files = {uri: str(path.relative_to(cache)) for uri, path in media.files.items()}
    except ValueError:
        return  # a media file outside the cache: nothing to remember by name
    data = {
        "bodies": generation.body_entries,
        "media": {
            "files": files,
            "images_html": media.images_html,
            "covers": media.covers,
            "social": media.social,
        },
    }
    store.put(name, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def build_site(site: SiteModel, settings: BuildSettings) -> Generation:
    """Media, every generated page (cases, browse, home, search) and the output files of ``site``.

    A build of exactly the inputs of an earlier one (:func:`build_digest`) takes that build's pages
    and media plan from the cache. Otherwise the parts are made, each from its own cache where it
    can be. In parallel mode a forked child starts writing the output files into ``site_dir`` at
    once (MkDocs has already cleaned it by the time it asks for files); call
    :meth:`Generation.finish`.
    """
    if not settings.remember:
        return _make_site(site, settings)
    memo = Store(cache_root(settings.root), "builds")
    name = f"{build_digest(site, settings)}.json"
    remembered = _remembered(site, settings, memo, name)
    if remembered is not None:
        memo.prune([name], older_than=BUILD_MEMO_GRACE)
        pages, media, entries = remembered
        return Generation(pages, media, site, settings, _start_writer(site, media, settings), entries)
    generation = _make_site(site, settings)
    _remember(memo, name, generation)
    memo.prune([name], older_than=BUILD_MEMO_GRACE)
    return generation


def _start_writer(site: SiteModel, media: MediaPlan, settings: BuildSettings) -> Forked[int] | None:
    """Write the output files in a forked child when they have to be computed (else at finish)."""
    if should_split(len(site.cases), PARALLEL_FROM, allow=settings.parallel) and not outputs_cached(
        site, settings, media
    ):
        return fork_call(lambda: write_outputs(site, media, settings))
    return None


def _make_site(site: SiteModel, settings: BuildSettings) -> Generation:
    media = build_media(
        site.cases,
        site.vocab,
        root=settings.root,
        site_name=settings.site_name,
        site_description=settings.site_description,
    )
    store = Store(cache_root(settings.root), "pages")
    ids = [c.id for c in site.cases]
    page_inputs = PageInputs(
        edit_base=settings.edit_base,
        images_html=media.images_html,
        covers=media.covers,
        site_name=settings.site_name,
        site_url=settings.site_url,
    )
    found = cached_case_bodies(site, ids, store, page_inputs)
    missing = [i for i in ids if i not in found]
    # Workers only for work the cache does not hold: forking a large process costs more CPU than
    # looking up a few thousand cached entries.
    writing = _start_writer(site, media, settings)
    made = map_chunks(
        lambda chunk: render_case_bodies(site, chunk, page_inputs, store=store),
        missing,
        threshold=PARALLEL_FROM,
        allow=settings.parallel,
    )
    found.update(zip(missing, made, strict=True))
    rendered = [found[i] for i in ids]
    store.prune({name for name, _ in rendered}, older_than=BODY_CACHE_GRACE)
    pages = case_pages(site, [body for _, body in rendered]) + cached_site_pages(site, settings, media)
    return Generation(pages, media, site, settings, writing, [entry for entry, _ in rendered])


def _pages_from_data(raw: object) -> list[GeneratedPage] | None:
    """Pages as :func:`_pages_to_data` stored them, or None if the data is not that."""
    if not isinstance(raw, list):
        return None
    try:
        return [GeneratedPage(**{**d, "hide": tuple(d["hide"])}) for d in raw]
    except (TypeError, KeyError):
        return None


def _pages_to_data(pages: list[GeneratedPage]) -> list[dict[str, object]]:
    return [{**vars(page), "hide": list(page.hide)} for page in pages]


def _load_json(blob: bytes | None) -> object:
    try:
        return json.loads(blob) if blob is not None else None
    except ValueError:
        return None


def cached_site_pages(site: SiteModel, settings: BuildSettings, media: MediaPlan) -> list[GeneratedPage]:
    """The browse, stats, home and search pages, from the cache when no case and no code changed.

    They list every case, so any change to a case renders them all again; an unchanged site (a
    rebuild, a change of theme or docs only) reuses them.
    """
    store = Store(cache_root(settings.root), "site-pages")
    name = f"{site_digest(site, settings, media)}.json" if settings.remember else ""
    pages = _pages_from_data(_load_json(store.get(name))) if name else None
    if pages is None:
        pages = site_pages(site, site_title=settings.site_name, covers=media.covers, home=settings.home)
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
        if not name:
            return pages
        data = _pages_to_data(pages)
        store.put(name, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    store.prune([name], older_than=OUTPUT_CACHE_GRACE)
    return pages


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

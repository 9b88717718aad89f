"""One build: from case files to pages, media and output files, whichever engine renders the pages.

:func:`build` is the whole life cycle, top to bottom, one timed step per line (load and check the
cases, the site model, media and pages, the engine's rendering, output files, ``/admin/``, caches).
It hands an engine plain data only: each page's path, title, description, body HTML and template
data (front matter), and the theme's site-wide data (``config.extra.sb``). An engine adapter
(``plugin.py`` for MkDocs, :mod:`site_builder.engines.zensical`) renders what it is given; every
other file (search index, data, feeds, photos, covers, cards) comes from an entry of
:data:`OUTPUTS` or the media plan and is written straight into the site folder. Large sites render
case bodies on every core and write the output files in a forked child meanwhile; the result is
byte-identical to a serial run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from site_builder.browse import urls
from site_builder.browse.facets import FACETS, browse_nav
from site_builder.browse.model import SiteModel, remember_slugs, save_slugs
from site_builder.cache import (
    Store,
    atomic_write,
    cache_key,
    cache_root,
    fingerprint,
    forget_used,
    namespace_root,
    prune_caches,
    save_stamps,
)
from site_builder.casefile.loader import require_cases
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import load_vocabularies
from site_builder.casefile.yamlio import use_parse_cache
from site_builder.checks.lint import lint_errors
from site_builder.cms.admin import cached_admin_files
from site_builder.errors import CaseError, CaseFileError, InternalError, Location
from site_builder.history import Addresses, address_book, address_files
from site_builder.media.art import art_identity
from site_builder.media.photos import use_photo_cache
from site_builder.media.plan import MEDIA_COVERS, MEDIA_SOCIAL, MediaPlan, build_media, field_of, photo_paths
from site_builder.outputs.catalog import Output, ReaderFile, Updated, footer_data
from site_builder.outputs.export import LIST_SEPARATOR, build_data_files
from site_builder.outputs.feeds import build_feeds
from site_builder.outputs.search import (
    SEARCH_PAGE_DESCRIPTION,
    SEARCH_PAGE_TITLE,
    build_search_files,
)
from site_builder.outputs.search.index import facet_values_table, update_search_files
from site_builder.outputs.search.page import search_page_html, search_page_shown
from site_builder.outputs.sitemap import lastmod_dates, site_lastmod
from site_builder.pages.contact import EXTRA_KEY, note_in_job_summary, publisher_notice, read_publisher
from site_builder.pages.markup import forget_markdown, remember_markdown
from site_builder.pages.qr import qr_image, remember_qr_codes, save_qr_codes
from site_builder.pages.render import (
    GeneratedPage,
    PageInputs,
    cached_case_bodies,
    case_inputs_keys,
    case_markdown,
    case_pages,
    list_page_key,
    list_pages,
    render_case_bodies,
)
from site_builder.parallel import (
    PARALLEL_FROM,
    Forked,
    cpu_count,
    effective_threshold,
    fork_call,
    map_chunks,
    should_split,
)
from site_builder.preview import PreviewState
from site_builder.publish import Publishing, derive_publishing, edit_base, repo_from_url
from site_builder.sitedir import source_problems
from site_builder.termhistory import term_address_files


@dataclass(frozen=True)
class BuildSettings:
    """What a build needs to know besides the cases (from mkdocs.yml and the command line)."""

    root: Path
    site_dir: Path
    site_name: str
    site_description: str = ""
    site_url: str | None = None
    edit_base: str | None = None
    report_email: str | None = None
    report_issues: str | None = None
    """Where a case's 纠错 links go: an address, a GitHub new-issue URL (site_builder.pages.contact)."""
    home: bool = True
    addresses: Addresses = field(default_factory=Addresses)
    """Former case ids (renamed or deleted, :mod:`site_builder.history`): their pages stay."""
    parallel: bool = True
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
            self.report_email,
            self.report_issues,
            self.home,
            self.addresses,
        )


UNUSED_THEME_ASSETS = ("assets/javascripts/lunr/", "assets/javascripts/workers/search.")
"""Material's own search (lunr and its worker): this site ships its own Chinese search."""


def is_unused_theme_asset(src_uri: str) -> bool:
    """True for theme files no page of this site loads: Material's search, source maps (2.3 MB)."""
    return src_uri.startswith(UNUSED_THEME_ASSETS) or src_uri.endswith(".map")


def search_outputs(site: SiteModel, settings: BuildSettings, media: MediaPlan) -> dict[str, bytes]:
    """The search index files, assembled from each case's cached tokens."""
    store = Store(cache_root(settings.root), "search-docs")
    return build_search_files(site.cases, site.vocab, store=store, digests=site.case_digests)


def search_update(
    site: SiteModel,
    settings: BuildSettings,
    media: MediaPlan,
    state: Mapping[str, Any] | None,
    read: Callable[[str], bytes | None],
) -> Updated:
    """:func:`search_outputs` by changing the last build's index: an edit of one case rewrites the
    few index shards its changed words fall in, not every shard of every case."""
    store = Store(cache_root(settings.root), "search-docs")
    files, new_state, complete = update_search_files(
        site.cases, site.vocab, state, read, store=store, digests=site.case_digests
    )
    return Updated(files, new_state, complete)


def data_outputs(site: SiteModel, settings: BuildSettings, media: MediaPlan) -> dict[str, bytes]:
    """The open data: ``data/cases.json``, ``data/cases.csv``, ``data/case.schema.json``."""
    return build_data_files(
        site,
        site_name=settings.site_name,
        site_url=settings.site_url,
        covers=media.covers,
        social=media.social,
        rows=Store(cache_root(settings.root), "data-rows"),
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
    """Pages at the addresses of renamed (a redirect) and deleted (已撤下) cases, and of facet terms
    (tags …) no case carries any more (a redirect to the term that replaced them, or the index)."""
    published = {case.id: case.title for case in site.cases}
    book, name, url = settings.addresses, settings.site_name, settings.site_url
    files = address_files(book, published, site_name=name, site_url=url)
    return files | term_address_files(book.terms, site, moved=book.moved(), site_name=name, site_url=url)


OUTPUTS: tuple[Output, ...] = (
    Output(
        "search_outputs",
        search_outputs,
        "搜索索引",
        "搜索框和搜索页读取的索引文件，繁简通用，按需分片下载。",
        update=search_update,
    ),
    Output(
        "data_outputs",
        data_outputs,
        "开放数据",
        "全部已发布案例的数据，供研究、教学和再利用。",
        (
            ReaderFile(
                urls.DATA_CSV,
                "案例表格（CSV）",
                "案例表格（CSV）",
                "每个案例一行，用 Excel 或 WPS 可以直接打开（UTF-8 编码，带 BOM）。一格中有多项内容的"
                f"（例如领域、标签、来源），各项之间用全角分号“{LIST_SEPARATOR}”隔开；一项由几部分组成的"
                "（例如一篇来源的标题、媒体和日期），各部分之间用空格隔开。背景、主要做法等长段文字是去掉"
                "Markdown 标记后的纯文本（列表每项一行，以“•”开头）；以 = + - @ 等符号开头的单元格前加了"
                "英文单引号“'”，防止表格软件把它当作公式执行。",
                download=True,
            ),
            ReaderFile(
                urls.DATA_JSON,
                "案例数据（JSON）",
                "JSON",
                "内容与表格相同，保留原有的层次（例如来源的标题、媒体、日期和网址分开列出）。文件开头注明"
                "数据格式的版本（`version`，改名或删除键时加一）、许可协议（`licence`）和各键的含义"
                "（`fields`）；`cases` 中每项是一个案例。",
            ),
            ReaderFile(urls.DATA_SCHEMA, "案例文件格式（JSON Schema）", None, "编写案例文件所用的格式说明。"),
        ),
        explained_at=urls.DATA_SECTION,
    ),
    Output(
        "feed_outputs",
        feed_outputs,
        "订阅最新案例",
        "可以添加到任何订阅阅读器；按最近审核日期排列，每条有摘要和链接。",
        (ReaderFile(urls.FEED_ATOM, "Atom", "Atom"), ReaderFile(urls.FEED_JSON, "JSON Feed", "JSON Feed")),
        footer_title="订阅",
    ),
    Output(
        "address_outputs",
        address_outputs,
        "旧地址",
        "改名的案例在原地址留下跳转页，撤下的案例留下“已撤下”页，合并或停用的标签等分类页跳转到接替它的分类"
        "（没有明确接替的，跳转到分类总览），印出的二维码和转发的链接不会失效。",
    ),
)
"""Every non-page output: ``{site-relative path: bytes}`` from the site model (and the media plan's
addresses of covers and cards), pure and deterministic, each with its description for readers."""


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
    return cache_key("outputs", site.digest, settings.published(), addresses)


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
    return all(_manifest(store, f"{output.name}-{digest}.json") is not None for output in OUTPUTS)


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
    for output in OUTPUTS:
        name = f"{output.name}-{digest}.json"
        part = _manifest(store, name)
        if part is None:
            part = _made(output, site, settings, media, store)
            store.put(name, json.dumps(part, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        files.update((rel, store.path(content)) for rel, content in part.items())
    return files


def _made(
    output: Output, site: SiteModel, settings: BuildSettings, media: MediaPlan, store: Store
) -> dict[str, str]:
    """An output's files stored (site path -> content name); one with :attr:`Output.update` starts
    from the files and state of the last build that made it (an edit changes a few of them)."""
    if output.update is None:
        return {rel: store.put_content(data) for rel, data in output(site, settings, media).items()}
    last = f"{output.name}-last-{cache_key('outputs', output.name)}.json"
    raw = _load_json(store.get(last))
    earlier = raw.get("files") if isinstance(raw, dict) else None
    state = raw.get("state") if isinstance(raw, dict) else None
    if not isinstance(earlier, dict) or not isinstance(state, dict):
        earlier, state = {}, None

    def read(rel: str) -> bytes | None:
        content = earlier.get(rel)
        return store.get(content) if isinstance(content, str) else None

    made = output.update(site, settings, media, state, read)
    kept = {} if made.complete else earlier
    if not all(isinstance(c, str) and store.has(c) for rel, c in kept.items() if rel not in made.files):
        made = output.update(site, settings, media, None, read)  # an earlier file is gone: make them all
        kept = {}
    part = {**kept, **{rel: store.put_content(data) for rel, data in made.files.items()}}
    store.put(
        last, json.dumps({"files": part, "state": made.state}, sort_keys=True, ensure_ascii=False).encode()
    )
    return part


def place_file(cached: Path, target: Path) -> None:
    """Put a cached media file into the site: a hard link (no bytes copied), else a copy.

    The cache entry and the site file then share their bytes; nothing writes to either in place
    (the cache replaces entries atomically; a build over the last site unlinks such a file before
    the engine writes there, :meth:`site_builder.sitedir.InPlace.clear_for_write`), and a damaged
    cache entry fails its digest check and is made again. A target that already is this entry
    (the last build linked it) is left alone: nothing is written, and the entry's stamp holds.
    """
    try:
        st = os.stat(cached)
        if st.st_mode & 0o044 != 0o044:  # cache entries are written 0600; the site's files are world-readable
            os.chmod(cached, st.st_mode | 0o644)
        try:
            if os.path.samestat(st, os.stat(target)):  # a build over the last site: already there
                return
        except OSError:
            pass
        try:
            os.link(cached, target)
        except FileExistsError:  # a preview rebuild: MkDocs keeps the site folder
            target.unlink()
            os.link(cached, target)
    except OSError:
        target.unlink(missing_ok=True)  # never write through an old link into a cache entry
        shutil.copyfile(cached, target)


def write_outputs(site: SiteModel, media: MediaPlan, settings: BuildSettings) -> list[str]:
    """Link every output file, photo, cover and social card from the cache into the site folder;
    return their site paths."""
    made: set[Path] = set()
    files = {**cached_outputs(site, settings, media), **media.files}
    for uri, cached in sorted(files.items()):
        target = settings.site_dir / uri
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        place_file(cached, target)
    return sorted(files)


@dataclass
class Generation:
    """Pages to hand to the engine now; output and media files written beside them."""

    pages: list[GeneratedPage]
    media: MediaPlan
    site: SiteModel
    settings: BuildSettings
    writing: Forked[list[str]] | None = None
    body_entries: list[str] = field(default_factory=list)
    """The ``pages`` cache entries of the case bodies, in case order (for remembering this build)."""
    listed_entries: list[dict[str, object]] = field(default_factory=list)
    """The list pages, each with its ``site-pages`` cache entry in place of its body."""
    stopped: bool = False

    def finish(self) -> list[str]:
        """Make sure the output and media files are in the site folder; return their site paths."""
        if self.writing is not None:
            placed = self.writing.result()
        else:
            placed = write_outputs(self.site, self.media, self.settings)
        prune_caches(
            cache_root(self.settings.root), spaced=True
        )  # the one pruner, once every entry used is known
        forget_used()
        save_stamps()
        return placed

    def finish_in_background(self) -> threading.Thread:
        """Write the output and media files on a thread, for the preview server.

        Under ``mkdocs serve`` the changed page is what the editor waits for; the search index and
        the data files follow a moment later. A large site computes them in a forked child (the
        server's threads never touch the cache, and the child only writes files), so the next save
        is not slowed by them and :meth:`stop_background` can drop them when it comes first. Join
        the thread before the next build writes again.
        """
        if (
            self.writing is None
            and len(self.site.cases) >= effective_threshold(PARALLEL_FROM)
            and cpu_count() > 1
        ):
            self.writing = fork_call(lambda: write_outputs(self.site, self.media, self.settings))
        thread = threading.Thread(
            target=self._finish_unless_stopped, name="site-builder-outputs", daemon=True
        )
        thread.start()
        return thread

    def _finish_unless_stopped(self) -> None:
        try:
            self.finish()
        except (InternalError, OSError, ValueError):
            if not self.stopped:
                raise

    def stop_background(self) -> None:
        """Drop the outputs still being computed: a newer save's build writes them all again."""
        self.stopped = True
        self.close()

    def close(self) -> None:
        """Stop the writer without waiting (the build failed)."""
        if self.writing is not None:
            self.writing.cancel()
            self.writing = None


def build_digest(site: SiteModel, settings: BuildSettings) -> str:
    """A hash of everything :func:`build_site` reads: the cases, the photos' bytes, the settings, the
    code and package data, the fonts and Pillow (which draw covers and cards)."""
    photos = [
        (case.id, img.file, hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None)
        for case in site.cases
        for img, path in zip(case.images, photo_paths(case, settings.root), strict=True)
    ]
    return cache_key("builds", site.digest, photos, settings.published(), art_identity())


def _remembered(
    site: SiteModel, settings: BuildSettings, store: Store, name: str
) -> tuple[list[GeneratedPage], MediaPlan, list[str], list[dict[str, object]]] | None:
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
    listed = raw.get("listed")
    if not isinstance(listed, list):
        return None
    listing = Store(cache, "site-pages")
    with_bodies = []
    for page in listed:
        entry = page.get("html") if isinstance(page, dict) else None
        body = listing.get(entry) if isinstance(entry, str) else None
        if body is None:
            return None
        with_bodies.append({**page, "html": body.decode("utf-8")})
    others = _pages_from_data(with_bodies)
    if others is None:
        return None
    return case_pages(site, bodies) + others, media, entries, listed


def _remember(store: Store, name: str, generation: Generation) -> None:
    cache = cache_root(generation.settings.root)
    media = generation.media
    # relative to the project's cache, or absolute in a shared one (``SITE_BUILDER_SHARED_CACHE``)
    files = {
        uri: str(path.relative_to(cache) if path.is_relative_to(cache) else path)
        for uri, path in media.files.items()
    }
    data = {
        "bodies": generation.body_entries,
        "listed": generation.listed_entries,
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
    once (the engine has already cleaned it by the time it asks for pages); call
    :meth:`Generation.finish`.
    """
    if not settings.remember:
        return _make_site(site, settings)
    memo = Store(cache_root(settings.root), "builds")
    name = f"{build_digest(site, settings)}.json"
    remembered = _remembered(site, settings, memo, name)
    if remembered is not None:
        pages, media, entries, listed = remembered
        return Generation(pages, media, site, settings, _start_writer(site, media, settings), entries, listed)
    generation = _make_site(site, settings)
    _remember(memo, name, generation)
    return generation


def _start_writer(
    site: SiteModel, media: MediaPlan, settings: BuildSettings, changed: int | None = None
) -> Forked[list[str]] | None:
    """Write the output files in a forked child when they have to be computed (else at finish).

    ``changed`` is how many cases the build makes afresh (default: all): an edit's outputs are
    patched from the last build's in a fraction of what forking the whole process costs, so only
    work on as many cases as forking pays for goes to a child.
    """
    work = len(site.cases) if changed is None else changed
    if should_split(work, PARALLEL_FROM, allow=settings.parallel) and not outputs_cached(
        site, settings, media
    ):
        return fork_call(lambda: write_outputs(site, media, settings))
    return None


def plan_media(site: SiteModel, settings: BuildSettings) -> MediaPlan:
    """:func:`build_media` of the site, taking the cover and card of each case without photos from
    the last build's plan when what they draw is unchanged (their files still in the art cache).

    Finding a cover or card in the art cache means hashing what it draws; an edit then does that
    for the edited case only. Cases with photos go through :func:`build_media` every time.
    """
    cache = cache_root(settings.root)
    art_dir = namespace_root(cache, "art") / "art"
    store = Store(cache, "media-plan")
    last = f"last-{cache_key('media-plan', str(art_dir))}.json"
    raw = _load_json(store.get(last))
    known: dict[str, Any] = raw if isinstance(raw, dict) else {}
    art = Store(art_dir.parent, art_dir.name)
    keys: dict[str, str] = {}
    kept: dict[str, dict[str, str]] = {}
    for case in site.cases:
        if case.images:
            continue
        keys[case.id] = key = fingerprint(
            site.case_digests[case.id],
            case.district_slug,
            field_of(case, site.vocab),
            settings.site_name,
            art_identity(),
        )
        piece = known.get(key)
        if isinstance(piece, dict) and all(isinstance(v, str) and art.has(v) for v in piece.values()):
            kept[case.id] = piece
    media = build_media(
        [c for c in site.cases if c.id not in kept],
        site.vocab,
        root=settings.root,
        site_name=settings.site_name,
        site_description=settings.site_description,
    )
    remembered: dict[str, dict[str, str]] = {}
    for case in site.cases:
        piece = kept.get(case.id)
        if piece is not None:
            cover, card = MEDIA_COVERS + piece["cover"], MEDIA_SOCIAL + piece["social"]
            media.covers[case.id] = cover
            media.social[urls.case_src(case.id)] = card
            media.images_html[case.id] = []
            media.files[cover], media.files[card] = art_dir / piece["cover"], art_dir / piece["social"]
        elif case.id in keys and case.id in media.covers and urls.case_src(case.id) in media.social:
            cover, card = media.covers[case.id], media.social[urls.case_src(case.id)]
            piece = {"cover": cover.removeprefix(MEDIA_COVERS), "social": card.removeprefix(MEDIA_SOCIAL)}
            if (
                media.files.get(cover) != art_dir / piece["cover"]
                or media.files.get(card) != art_dir / piece["social"]
            ):
                continue  # not where this plan looks for it: not remembered
        else:
            continue
        remembered[keys[case.id]] = piece
    if remembered != known:
        store.put(last, json.dumps(remembered, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return media


def case_page_inputs(settings: BuildSettings, media: MediaPlan) -> PageInputs:
    """What every case page shows besides the cases (edit links, photos, covers, sharing)."""
    return PageInputs(
        edit_base=settings.edit_base,
        images_html=media.images_html,
        covers=media.covers,
        site_name=settings.site_name,
        site_url=settings.site_url,
        report_email=settings.report_email,
        report_issues=settings.report_issues,
    )


def _last_bodies() -> str:
    """The entry of the last build's body entry of each case page with the hash of its inputs
    (:func:`~site_builder.pages.render.case_inputs_keys`)."""
    return f"last-{cache_key('pages', 'bodies')}.json"


def _make_site(site: SiteModel, settings: BuildSettings) -> Generation:
    media = plan_media(site, settings)
    store = Store(cache_root(settings.root), "pages")
    ids = [c.id for c in site.cases]
    page_inputs = case_page_inputs(settings, media)
    keys = case_inputs_keys(site, ids, page_inputs)
    last = _load_json(store.get(_last_bodies()))
    known = {
        i: e[1]
        for i, e in (last.items() if isinstance(last, dict) else ())
        if isinstance(e, list) and len(e) == 2 and e[0] == keys.get(i) and isinstance(e[1], str)
    }
    found = cached_case_bodies(site, ids, store, page_inputs, known)
    missing = [i for i in ids if i not in found]
    if settings.site_url:  # each page prints its QR code twice (body, template): made once, before any fork
        for i in missing:
            qr_image(urls.public(settings.site_url, urls.case_url(i)))
    # Workers only for work the cache does not hold: forking a large process costs more CPU than
    # looking up a few thousand cached entries.
    made = map_chunks(
        lambda chunk: _bodies_and_markdown(site, chunk, page_inputs, store),
        missing,
        threshold=PARALLEL_FROM,
        allow=settings.parallel,
    )
    for _entry, _body, markdown in made:
        remember_markdown(markdown)
    # started once the case pages have rendered the Markdown the open data shows again
    writing = _start_writer(site, media, settings, len(missing))
    found.update(zip(missing, ((entry, body) for entry, body, _ in made), strict=True))
    rendered = [found[i] for i in ids]
    table = {i: [keys[i], entry] for i, (entry, _) in zip(ids, rendered, strict=True)}
    if table != last:
        store.put(_last_bodies(), json.dumps(table, sort_keys=True).encode("utf-8"))
    listed, listed_entries = cached_site_pages(site, settings)
    pages = case_pages(site, [body for _, body in rendered]) + listed
    return Generation(pages, media, site, settings, writing, [entry for entry, _ in rendered], listed_entries)


def _bodies_and_markdown(
    site: SiteModel, ids: list[str], inputs: PageInputs, store: Store
) -> list[tuple[str, str, dict[str, str]]]:
    """:func:`render_case_bodies`, each with the HTML of its case's Markdown (:func:`case_markdown`)."""
    bodies = render_case_bodies(site, ids, inputs, store=store)
    return [(entry, body, case_markdown(site.by_id[i])) for i, (entry, body) in zip(ids, bodies, strict=True)]


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


def _search_page(site: SiteModel) -> tuple[str, Callable[[], str]]:
    """The ``/search/`` page's cache key (what it shows of the cases) and how to render it."""
    shown = search_page_shown(site.cases)
    table = facet_values_table([values for values, _ in shown], site.vocab)
    return cache_key("site-pages", "search", table, shown), lambda: search_page_html(table, shown)


def cached_site_pages(
    site: SiteModel, settings: BuildSettings
) -> tuple[list[GeneratedPage], list[dict[str, object]]]:
    """The browse, stats, home and search pages, and how to find them again (for :func:`_remember`).

    Each body is cached under the key of what that page shows (:func:`list_page_key`: the cards of
    the cases it lists, the counts it draws), so an edit renders only the pages that show the edited
    part of a case; an edit of a case's text alone renders none.
    """
    store = Store(cache_root(settings.root), "site-pages")
    memo: dict[int, str] = {}
    planned: list[tuple[str, Callable[[], str], GeneratedPage]] = []
    for plan in list_pages(site, site_title=settings.site_name, home=settings.home):
        planned.append((list_page_key(plan, memo), plan.render, plan.page("")))
    key, render = _search_page(site)
    search = GeneratedPage(
        urls.page_src(urls.SEARCH), urls.SEARCH, SEARCH_PAGE_TITLE, SEARCH_PAGE_DESCRIPTION, ""
    )
    planned.append((key, render, search))
    pages: list[GeneratedPage] = []
    kept: list[dict[str, object]] = []
    for key, make, page in planned:
        name = f"{key}.html"
        blob = store.get(name)
        if blob is None:
            page.html = make()
            store.put(name, page.html.encode("utf-8"))
        else:
            page.html = blob.decode("utf-8")
        pages.append(page)
        kept.append({**_pages_to_data([page])[0], "html": name})
    return pages, kept


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


# The life cycle -------------------------------------------------------------------------------

log = logging.getLogger("mkdocs.plugins.site_builder.build")
"""Under MkDocs' plugin loggers, so ``mkdocs build --strict`` fails on the core's warnings too."""

T = TypeVar("T")

Drafts = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class Project:
    """The site as its configuration (mkdocs.yml and the plugin's options) describes it.

    Read once by whichever engine renders the site: the MkDocs adapter fills it from MkDocs'
    validated config, other engines from the file (:func:`read_project`).
    """

    root: Path
    site_dir: Path
    site_name: str
    site_description: str = ""
    site_url: str | None = None
    repo_url: str | None = None
    cases: str = "cases"
    """The case folder, relative to ``root`` (also the path of the edit links)."""
    docs_dir: Path | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    edit_branch: str = "main"
    drafts: Drafts = "auto"
    command: Literal["build", "serve"] = "build"

    @property
    def cases_dir(self) -> Path:
        """Where the case files are."""
        return self.root / self.cases

    @property
    def show_drafts(self) -> bool:
        """Drafts are published with ``drafts: always``, and shown in the preview with ``auto``;
        ``SITE_BUILDER_DRAFTS=always`` (set by ``site-builder build --offline``, the pull request's
        preview, never published) shows them whatever mkdocs.yml says."""
        drafts = os.environ.get("SITE_BUILDER_DRAFTS") or self.drafts
        return drafts == "always" or (drafts == "auto" and self.command == "serve")

    @property
    def has_home(self) -> bool:
        """True when docs/ has its own home page (the generated one is then left out)."""
        return self.docs_dir is not None and (self.docs_dir / "index.md").is_file()


@dataclass
class Checked:
    """The build after its cases are loaded and checked, before anything is written.

    The engine takes the navigation, the published addresses and the site-wide settings from here
    before it cleans its output folder.
    """

    site: SiteModel
    publishing: Publishing
    browse_nav: list[dict[str, str]]
    """The entries of mkdocs.yml's empty 浏览 section (one per facet)."""
    extra: dict[str, Any]
    """Keys to add to ``config.extra`` (the publisher: host, contact address, feedback route)."""


@dataclass
class Rendering:
    """What the engine renders: every generated page and the theme's site-wide data."""

    pages: list[GeneratedPage]
    extra: dict[str, Any]
    """``config.extra.sb``: addresses, facets, the default social card, the outputs, as plain data."""
    lastmod: dict[str, str]
    """Page src_uri -> the sitemap's ``lastmod`` (``""``: none); pages not listed take ``newest``."""
    newest: str | None
    media: MediaPlan

    def lastmod_of(self, src_uri: str) -> str | None:
        """The sitemap date of any page (generated or hand-written); None when no case has a date."""
        if self.newest is None:
            return None
        return self.lastmod.get(src_uri, self.newest)


@dataclass
class Built:
    """The end of a build: the files placed beside the pages (site paths), and the preview's writer."""

    placed: list[str]
    writer: threading.Thread | None = None
    stop: Callable[[], None] | None = None
    """Drops what ``writer`` has not written yet (the next save of the preview writes it all)."""


class Steps:
    """Runs a build's steps in order and logs one timing line per step (``步骤名 0.12 s``)."""

    def run(self, name: str, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``work(*args, **kwargs)``, timed and logged under ``name``."""
        start = time.perf_counter()
        result = work(*args, **kwargs)
        self.record(name, time.perf_counter() - start)
        return result

    def record(self, name: str, seconds: float) -> None:
        """Log a step timed elsewhere (the engine's rendering)."""
        log.info("%s %.2f s", name, seconds)


def build(
    project: Project, preview: PreviewState | None = None
) -> Generator[Checked | Rendering, None, Built]:
    """The whole build, in order. The engine renders the pages where this says ``yield``.

    An adapter drives it with :func:`advance`: the first ``yield`` gives the checked site (before
    the engine cleans its output folder), the second the pages to render; resuming after the engine
    has written its pages places the output files, the form editor and saves the caches. Closing
    it at a ``yield`` (the engine failed) stops the output writer. ``preview`` (``mkdocs serve``)
    keeps the preview going past broken case files.
    """
    steps = Steps()
    forget_markdown()
    cache = cache_root(project.root)
    cases = steps.run("载入并检查案例", load_published_cases, project, preview)
    site = steps.run("站点模型", model_site, cases, cache)
    publishing = derive_publishing(
        os.environ,
        root=project.root,
        site_url=project.site_url,
        repo_url=project.repo_url,
        edit_branch=project.edit_branch,
    )
    publisher = read_publisher(project.extra, publishing.repo_url)
    notice = publisher_notice(project.extra, publishing.repo_url)
    if notice:
        log.info(notice)  # not a warning: --strict builds go on
        note_in_job_summary(notice, os.environ)
    yield Checked(site, publishing, browse_nav(), {EXTRA_KEY: publisher.as_extra()})
    fresh = project.command != "serve" or (preview is not None and preview.starting)
    settings = BuildSettings(
        root=project.root,
        site_dir=project.site_dir,
        site_name=project.site_name,
        site_description=project.site_description,
        site_url=publishing.site_url,
        edit_base=edit_base(publishing, project.cases),
        report_email=publisher.email,
        report_issues=publisher.new_issue_url,
        home=not project.has_home,
        addresses=address_book(project.root, project.cases, terms=True, docs_dir=project.docs_dir),
        # The preview's start is a build like any other (the server has no threads yet, and a build
        # may have remembered this very site); later saves never fork beside the server's threads.
        parallel=fresh,
        remember=fresh,
    )
    generation = steps.run("图片、正文与站点页面", build_site, site, settings)
    if preview is not None:  # the preview server's quick path renders a saved case with these
        preview.built = (project, settings, generation.media)
    try:
        gaps = preview.gap_pages() if preview is not None else []
        rendering = steps.run("模板数据", describe_pages, generation, gaps)
        start = time.perf_counter()
        yield rendering
        steps.record("引擎渲染页面", time.perf_counter() - start)
    except GeneratorExit:
        generation.close()
        raise
    if project.command == "serve" and not fresh:  # the saved page first, search and data a moment later
        built = Built([], generation.finish_in_background(), generation.stop_background)
    else:
        built = Built(steps.run("输出文件与图片", generation.finish))
    admin: dict[str, Any] = {
        "repo": repo_from_url(publishing.repo_url),
        "branch": publishing.edit_branch,
        "site_url": publishing.site_url or "",
        "site_name": project.site_name,
        "cases_dir": project.cases,
    }
    inputs = (*sorted(admin.items()), dt.date.today())  # the form's latest year is next year
    if preview is None or not preview.admin_written(project.site_dir, inputs):  # saves skip it
        built.placed += steps.run("表单编辑器 /admin/", write_admin, project.site_dir, project.root, **admin)
    steps.run("保存缓存", save_qr_codes, cache)
    return built


def write_admin(site_dir: Path, root: Path, **admin: str) -> list[str]:
    """Link the form editor's files (:func:`~site_builder.cms.admin.cached_admin_files`) into
    ``site_dir``; return their site paths."""
    files = cached_admin_files(root, **admin)
    for parent in sorted({(site_dir / rel).parent for rel in files}):
        parent.mkdir(parents=True, exist_ok=True)
    for rel, cached in files.items():
        place_file(cached, site_dir / rel)
    return list(files)


def advance(run: Generator[Checked | Rendering, None, Built]) -> Checked | Rendering | Built:
    """Resume a :func:`build` to its next stage; its end gives the :class:`Built`."""
    try:
        return next(run)
    except StopIteration as end:
        return end.value  # type: ignore[no-any-return]


def load_published_cases(project: Project, preview: PreviewState | None = None) -> list[Case]:
    """The cases this build shows: every valid case, drafts only where the project shows them.

    A build stops at the first invalid file (:class:`CaseFileError`, every error listed); the
    preview instead shows what it can and lists the errors on every page.
    """
    use_parse_cache(cache_root(project.root))  # unchanged files are not parsed again
    use_photo_cache(cache_root(project.root) / "images")  # a photo validate processed is not decoded again
    if project.docs_dir is not None and project.command != "serve":  # nothing from outside, nothing shadowed
        problems = source_problems(project.docs_dir, project.root)
        if problems:
            raise CaseFileError([CaseError(Location(shown), "", message) for shown, message in problems])
    if preview is not None:
        loaded = preview.load(project.cases_dir)
        if preview.broken:
            log.info(preview.log_text())
    else:
        result = require_cases([project.cases_dir], cases_root=project.cases_dir)
        lint = lint_errors(result.cases, result.positions, result.findings)  # the rule set validate enforces
        if lint:
            raise CaseFileError(lint)
        loaded = result.cases
    cases = loaded if project.show_drafts else [c for c in loaded if not c.is_draft]
    log.info("已载入 %d 个案例（草稿 %d 个）", len(cases), sum(1 for c in cases if c.is_draft))
    return cases


def model_site(cases: list[Case], cache: Path) -> SiteModel:
    """Facets, terms and related cases of the site (tag slugs and QR codes of the last build reused)."""
    remember_slugs(cache)
    remember_qr_codes(cache)
    site = SiteModel(cases, load_vocabularies())
    save_slugs(cache)
    site.prepare_related(cache)
    return site


def describe_pages(generation: Generation, extra_pages: list[GeneratedPage] | None = None) -> Rendering:
    """The template data of every page (front matter) and of the site (``config.extra.sb``).

    A page's social card and a case's printed QR code are plain strings here, so templates read
    ``page.meta.sb`` and never call back into Python.
    """
    site_url = generation.settings.site_url
    media = generation.media
    pages = generation.pages + (extra_pages or [])
    for page in pages:
        image = media.social.get(page.src_uri)
        if image and site_url:
            page.meta["social_image"] = urls.absolute(site_url, image)
        if "case" in page.meta and site_url:
            page.meta["print_qr"] = qr_image(urls.absolute(site_url, page.url) or "")
    extra = {
        "urls": {
            "home": urls.HOME,
            "all_cases": urls.ALL_CASES,
            "search": urls.SEARCH,
            "stats": urls.STATS,
            "about": urls.ABOUT,
            "data_section": urls.DATA_SECTION,
            "feed_atom": urls.FEED_ATOM,
            "feed_json": urls.FEED_JSON,
            "data_csv": urls.DATA_CSV,
            "data_json": urls.DATA_JSON,
        },
        "facets": [{"key": f.key, "label": f.label, "nav": f.nav, "url": f.prefix} for f in FACETS],
        "social_image": media.social_image_url(site_url, urls.page_src(urls.HOME)),
        "outputs": footer_data(OUTPUTS),
    }
    site = generation.site
    return Rendering(pages, extra, lastmod_dates(site), site_lastmod(site), media)

"""Produce everything the site needs from validated cases: media, pages, search data.

The expensive, independent parts run in forked worker processes when the site is large (both
cores of a small CI machine): half of the case pages and the search index are built there while
this process renders the rest. Results are identical to a serial run.
"""

from __future__ import annotations

import multiprocessing
import shutil
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.browse import urls
from site_builder.browse.model import SiteModel
from site_builder.media.plan import MediaPlan, build_media
from site_builder.outputs.search import (
    SEARCH_PAGE_DESCRIPTION,
    SEARCH_PAGE_TITLE,
    build_search_files,
    render_search_page,
)
from site_builder.pages.render import GeneratedPage, build_pages, prune_body_cache, render_case_bodies

PARALLEL_FROM = 200  # below this many cases, starting workers costs more than it saves

_STATE: dict[str, Any] = {}


def _render_job(ids: list[str]) -> list[str]:
    return render_case_bodies(_STATE["site"], ids, **_STATE["kwargs"])


def write_outputs(site: SiteModel, media: MediaPlan, site_dir: Path) -> int:
    """Write the search index and copy photos, covers and social cards into the built site."""
    count = 0
    for rel, data in sorted(build_search_files(site.cases, site.vocab).items()):
        target = site_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        count += 1
    for uri, cached in sorted(media.files.items()):
        target = site_dir / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)
        count += 1
    return count


def _output_job(site_dir: str) -> int:
    return write_outputs(_STATE["site"], _STATE["media"], Path(site_dir))


@dataclass
class Generation:
    """Pages to hand to MkDocs now; search data and media files written beside them."""

    pages: list[GeneratedPage]
    media: MediaPlan
    site: SiteModel
    site_dir: Path
    _writing: Future[int] | None = field(default=None, repr=False)
    _pool: ProcessPoolExecutor | None = field(default=None, repr=False)

    def finish(self) -> int:
        """Make sure the search index and media are in the site folder; return how many files."""
        try:
            if self._writing is not None:
                return self._writing.result()
            return write_outputs(self.site, self.media, self.site_dir)
        finally:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None

    def close(self) -> None:
        """Stop the workers without waiting (the build failed)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _fork_pool(n_cases: int, allow: bool) -> ProcessPoolExecutor | None:
    if not allow or n_cases < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork"))


def generate_site(
    site: SiteModel,
    *,
    root: Path,
    site_name: str,
    site_description: str,
    edit_base: str | None,
    home: bool,
    site_dir: Path,
    parallel: bool = True,
) -> Generation:
    """Media, every generated page (cases, browse, home, search) and the search index of ``site``.

    In parallel mode a worker starts writing the search index and media into ``site_dir`` at once
    (MkDocs has already cleaned it by the time it asks for files); call :meth:`Generation.finish`.
    """
    media = build_media(
        site.cases, site.vocab, root=root, site_name=site_name, site_description=site_description
    )
    cache_dir = root / ".cache" / "site_builder" / "pages"
    kwargs: dict[str, Any] = {
        "edit_base": edit_base,
        "images_html": media.images_html,
        "covers": media.covers,
        "cache_dir": cache_dir,
    }
    ids = [c.id for c in site.cases]
    pool = _fork_pool(len(ids), parallel)
    writing: Future[int] | None = None
    if pool is not None:
        _STATE.update(site=site, kwargs=kwargs, media=media)  # set before the first submit forks the workers
        writing = pool.submit(_output_job, str(site_dir))
        half = len(ids) // 2
        rest = pool.submit(_render_job, ids[half:])
        bodies = render_case_bodies(site, ids[:half], **kwargs) + rest.result()
        _STATE.clear()
    else:
        bodies = render_case_bodies(site, ids, **kwargs)
    prune_body_cache(cache_dir, len(ids))
    pages = build_pages(site, site_title=site_name, home=home, bodies=bodies, covers=media.covers)
    pages.append(
        GeneratedPage(
            urls.page_src(urls.SEARCH),
            urls.SEARCH,
            SEARCH_PAGE_TITLE,
            SEARCH_PAGE_DESCRIPTION,
            render_search_page(site.cases, site.vocab),
            hide=("toc",),
        )
    )
    return Generation(pages, media, site, site_dir, writing, pool)

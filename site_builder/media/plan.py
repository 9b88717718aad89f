"""Everything a build needs from the image pipeline: photo variants, card covers, social cards.

Plain Python: :func:`build_media` decides which files exist and which page uses which;
:func:`site_builder.build.write_outputs` copies them into the site folder. All outputs are cached
under ``<project>/.cache/site_builder`` by a hash of their inputs, so an unchanged rebuild does no
image work.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from site_builder.browse import urls
from site_builder.cache import cache_root, namespace_root
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import Vocabularies
from site_builder.errors import EnvironmentProblem, InternalError
from site_builder.media import art
from site_builder.media import photos as images
from site_builder.media.fonts import CJKFontNotFoundError, MissingGlyphError
from site_builder.parallel import map_chunks

# Under "mkdocs.plugins" so that `mkdocs build --strict` turns a missing-glyph warning into a failure.
log = logging.getLogger("mkdocs.plugins.site_builder.media")

MEDIA_PHOTOS = urls.PHOTOS
MEDIA_COVERS = urls.COVERS
MEDIA_SOCIAL = urls.SOCIAL

ArtKind = Literal["cover", "social"]


@dataclass
class MediaPlan:
    """The site files to add and how pages refer to them."""

    files: dict[str, Path] = field(default_factory=dict)  # site URI -> cached file to copy
    images_html: dict[str, list[str]] = field(default_factory=dict)  # case id -> <figure> snippets
    covers: dict[str, str] = field(default_factory=dict)  # case id -> URI relative to the site root
    social: dict[str, str] = field(default_factory=dict)  # page src_uri -> URI relative to the site root

    def social_image_url(self, site_url: str | None, src_uri: str) -> str | None:
        """Absolute ``og:image`` URL of a page (its own card, else the home card); None without site_url."""
        if not site_url:
            return None
        uri = self.social.get(src_uri) or self.social.get(urls.page_src(urls.HOME))
        return urls.absolute(site_url, uri) if uri else None


def build_media(
    cases: list[Case], vocab: Vocabularies, *, root: Path, site_name: str, site_description: str
) -> MediaPlan:
    """Process photos, render covers and social cards (cached; the build prunes what it did not use)."""
    cache = cache_root(root)
    plan = MediaPlan()
    sources = {case.id: photo_paths(case, root) for case in cases}
    results = images.process_images(
        [p for paths in sources.values() for p in paths], cache_dir=cache / "images"
    )
    bad = [f"{p}: {r}" for p, r in results.items() if isinstance(r, images.ImageRejectedError)]
    if bad:
        raise InternalError("validated images failed to process:\n" + "\n".join(bad))
    _prerender_art(cases, vocab, cache, site_name)
    try:
        for case in cases:
            _case_media(case, vocab, plan, results, sources[case.id], cache, site_name)
        home = art.cached_social_card(_art_dir(cache), site_name, site_description, None, site_name=site_name)
        if home is None:
            raise InternalError("the home card was not drawn")
    except CJKFontNotFoundError as exc:
        raise EnvironmentProblem(str(exc)) from None
    plan.files[MEDIA_SOCIAL + home.name] = home
    plan.social[urls.page_src(urls.HOME)] = MEDIA_SOCIAL + home.name
    return plan


PARALLEL_ART_FROM = 40


def photo_paths(case: Case, root: Path) -> list[Path]:
    """The photo files of a case (its ``images``, relative to the case file)."""
    return [(case.source_path or root).parent / img.file.strip() for img in case.images]


def _prerender_art(cases: list[Case], vocab: Vocabularies, cache: Path, site_name: str) -> None:
    """Fill the art cache with the missing covers and cards, grouped by district and field (cards of a
    pair share their drawn and deflated parts, ``art._social_base``), on every core when many are
    missing.

    Covers and social cards take milliseconds each to draw; on a cold cache this divides the wait
    by the number of cores. The pass in case order that follows then only reads the cache.
    """
    if len(cases) < 2:
        return
    try:
        cases = [case for case in cases if _art_missing(case, vocab, cache, site_name)]
    except CJKFontNotFoundError:
        return  # reported once by the pass in case order
    if len(cases) < 2:
        return  # a warm build: nothing to group, and forking would only copy memory

    def draw(part: list[Case]) -> list[bool]:
        for case in part:
            field, slug = field_of(case, vocab)
            try:
                for kind in _art_kinds(case):
                    _art(case, field, slug, cache, site_name, kind)
            except MissingGlyphError:
                continue  # reported once by the pass in case order
            except CJKFontNotFoundError:
                return [False] * len(part)  # the same
        return [True] * len(part)

    # grouped by district and field: consecutive cards share their background (art._social_background)
    grouped = sorted(cases, key=lambda c: (c.district_slug or "", c.fields[0] if c.fields else "", c.id))
    map_chunks(draw, grouped, threshold=PARALLEL_ART_FROM)


def _case_media(
    case: Case,
    vocab: Vocabularies,
    plan: MediaPlan,
    results: dict[Path, images.ProcessedImage | images.ImageRejectedError],
    paths: list[Path],
    cache: Path,
    site_name: str,
) -> None:
    figures = []
    first: images.ProcessedImage | None = None
    for img, path in zip(case.images, paths, strict=True):
        processed = results[path]
        assert isinstance(processed, images.ProcessedImage)
        first = first or processed
        for out in processed.files:
            plan.files[MEDIA_PHOTOS + out.name] = out
        figures.append(
            images.render_picture_html(
                processed,
                urls.base_for(urls.case_url(case.id)) + MEDIA_PHOTOS,
                img.alt,
                img.caption,
                img.credit,
                lazy=True,
            )
        )
    plan.images_html[case.id] = figures
    field_name, field_slug = field_of(case, vocab)
    try:
        if first is not None:
            plan.covers[case.id] = MEDIA_PHOTOS + first.webp[min(1, len(first.webp) - 1)].name
        else:
            cover = _art(case, field_name, field_slug, cache, site_name, "cover")
            plan.covers[case.id] = MEDIA_COVERS + cover.name
            plan.files[MEDIA_COVERS + cover.name] = cover
        card = _art(case, field_name, field_slug, cache, site_name, "social")
        plan.files[MEDIA_SOCIAL + card.name] = card
        plan.social[urls.case_src(case.id)] = MEDIA_SOCIAL + card.name
    except MissingGlyphError as exc:
        log.warning("%s：%s（此案例不生成封面和分享卡片）", case.id, exc)


def field_of(case: Case, vocab: Vocabularies) -> tuple[str | None, str | None]:
    """The case's first field and its slug: what its cover and card show and which pattern they draw."""
    name = case.fields[0] if case.fields else None
    term = vocab.fields.by_name.get(name) if name else None
    return name, term.slug if term else None


def _find_art(
    case: Case,
    field: str | None,
    slug: str | None,
    cache: Path,
    site_name: str,
    kind: ArtKind,
    *,
    draw: bool,
) -> Path | None:
    """The case's cover or social card from the art cache, drawn if missing (``draw=False``: None)."""
    if kind == "cover":
        found = art.cached_cover(
            _art_dir(cache),
            case.district,
            case.district_slug,
            field,
            slug,
            site_name=site_name,
            draw=draw,
        )
    else:
        found = art.cached_social_card(
            _art_dir(cache),
            case.title,
            case.summary,
            case.district,
            district_slug=case.district_slug,
            field=field,
            field_slug=slug,
            site_name=site_name,
            draw=draw,
        )
    return found


def _art_dir(cache: Path) -> Path:
    """The art store: the project's, or the shared one of ``SITE_BUILDER_SHARED_CACHE`` (tests)."""
    return namespace_root(cache, "art") / "art"


def _art(case: Case, field: str | None, slug: str | None, cache: Path, site_name: str, kind: ArtKind) -> Path:
    """The case's cover or social card, drawn into the art cache if it is not there yet."""
    found = _find_art(case, field, slug, cache, site_name, kind, draw=True)
    if found is None:
        raise InternalError(f"{case.id}: the {kind} was not drawn")
    return found


def _art_missing(case: Case, vocab: Vocabularies, cache: Path, site_name: str) -> bool:
    """True when a cover or card of ``case`` still has to be drawn (a stat per file when cached)."""
    field, slug = field_of(case, vocab)
    return any(
        _find_art(case, field, slug, cache, site_name, kind, draw=False) is None for kind in _art_kinds(case)
    )


def _art_kinds(case: Case) -> tuple[ArtKind, ...]:
    """What is drawn for a case: a card, and a cover unless a photo is its cover."""
    return ("social",) if case.images else ("cover", "social")

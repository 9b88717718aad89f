"""The MkDocs adapter: the only module that imports mkdocs.

It translates MkDocs events into calls of the plain core: load and validate
cases (``on_config``, before MkDocs touches ``site/``), add generated pages as
virtual files (``on_files``), and swap in pre-rendered bodies
(``on_page_content``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from .errors import CaseFileError
from .loader import require_cases
from .models import Case
from .render import GeneratedPage, build_pages
from .site import SiteModel
from .vocab import load_vocabularies

log = get_plugin_logger(__name__)


class CasesPluginConfig(Config):
    """Options under ``plugins: - site_builder:`` in mkdocs.yml."""

    cases_dir = c.Type(str, default="cases")
    drafts = c.Choice(("auto", "always", "never"), default="auto")
    edit_branch = c.Type(str, default="main")


class CasesPlugin(BasePlugin[CasesPluginConfig]):
    """Generate case and browse pages from ``cases/*.yaml``."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command: str = "build"
        self.site: SiteModel | None = None
        self.pages: dict[str, GeneratedPage] = {}

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not config.use_directory_urls:
            raise PluginError("site_builder 需要 use_directory_urls: true（案例页面地址形如 /cases/<id>/）")
        cases_dir = Path(config.config_file_path or ".").parent / self.config.cases_dir
        if not cases_dir.is_dir():
            raise PluginError(f"找不到案例文件夹：{cases_dir}")
        try:
            result = require_cases([cases_dir], cases_root=cases_dir)
        except CaseFileError as exc:
            raise PluginError("案例文件有错误，网站没有生成：\n" + str(exc)) from None
        show_drafts = self.config.drafts == "always" or (self.config.drafts == "auto" and self.command == "serve")
        cases = result.cases if show_drafts else result.published()
        self.site = SiteModel(cases, load_vocabularies())
        config.watch.append(str(cases_dir))
        log.info("已载入 %d 个案例（草稿 %d 个）", len(cases), sum(1 for x in cases if x.is_draft))
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.site is not None
        edit_base = _edit_base(config, self.config.edit_branch, self.config.cases_dir)
        pages = build_pages(
            self.site,
            site_title=config.site_name,
            edit_url_for=(lambda case: f"{edit_base}{case.id}.yaml") if edit_base else None,
            home=files.get_file_from_path("index.md") is None,
        )
        self.pages = {}
        for page in pages:
            if files.get_file_from_path(page.src_uri) is not None:
                raise PluginError(f"docs/{page.src_uri} 与自动生成的页面重名，请改名或删除")
            files.append(File.generated(config, page.src_uri, content=page.front_matter()))
            self.pages[page.src_uri] = page
        # --- search (owned by the search engineer; see site_builder/search/) ---
        from .search import SEARCH_PAGE_DESCRIPTION, SEARCH_PAGE_TITLE, build_search_files, render_search_page

        search_html = render_search_page(self.site.cases, self.site.vocab)
        search_page = GeneratedPage(
            "search/index.md", "search/", SEARCH_PAGE_TITLE, SEARCH_PAGE_DESCRIPTION, search_html,
            hide=("toc",),
        )
        if files.get_file_from_path(search_page.src_uri) is not None:
            raise PluginError(f"docs/{search_page.src_uri} 与自动生成的搜索页重名，请改名或删除")
        files.append(File.generated(config, search_page.src_uri, content=search_page.front_matter()))
        self.pages[search_page.src_uri] = search_page
        for path, data in build_search_files(self.site.cases, self.site.vocab).items():
            files.append(File.generated(config, path, content=data))
        # --- end search ---
        return files

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        generated = self.pages.get(page.file.src_uri)
        return generated.html if generated else html

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        generated = self.pages.get(page.file.src_uri)
        if generated and self.site and "case_id" in generated.extra:
            case: Case = self.site.by_id[generated.extra["case_id"]]
            context["sb_case"] = case  # type: ignore[typeddict-unknown-key]
        return context


def _edit_base(config: MkDocsConfig, branch: str, cases_dir: str) -> str | None:
    repo = (config.repo_url or "").rstrip("/")
    if not repo.startswith("https://github.com/"):
        return None
    return f"{repo}/edit/{branch}/{cases_dir.strip('/')}/"


# --- media: photos, covers, social cards (owned by the images engineer; see images.py, art.py) ---
# The lead wires these in on_files (build_media + add_media_files, images_html_for=/covers= for
# build_pages) and on_page_context (sb_social_image); see the images engineer's report.

MEDIA_PHOTOS = "assets/photos/"
MEDIA_COVERS = "assets/covers/"
MEDIA_SOCIAL = "assets/social/"


class MediaPlan:
    """Everything the build needs from the image pipeline, computed once per build."""

    def __init__(self) -> None:
        self.files: dict[str, Path] = {}  # site URI -> cached file to copy
        self.images_html: dict[str, list[str]] = {}  # case id -> <figure> snippets for cases/<id>/
        self.covers: dict[str, str] = {}  # case id -> URI relative to the site root
        self.social: dict[str, str] = {}  # page src_uri -> URI relative to the site root

    def images_html_for(self, case: Case) -> list[str]:
        """The photo figures of ``case`` (for ``build_pages(images_html_for=...)``)."""
        return self.images_html.get(case.id, [])


def build_media(
    cases: list[Case], vocab: Any, *, root: Path, site_name: str, site_description: str
) -> MediaPlan:
    """Process photos, render covers and social cards (all cached under ``root/.cache/site_builder``)."""
    from . import art, images
    from .fonts import CJKFontNotFoundError, MissingGlyphError

    cache = root / ".cache" / "site_builder"
    plan = MediaPlan()
    sources = {
        case.id: [(case.source_path or root).parent / img.file.strip() for img in case.images]
        for case in cases
    }
    results = images.process_images(
        [p for paths in sources.values() for p in paths], cache_dir=cache / "images"
    )
    bad = [f"{p}: {r}" for p, r in results.items() if isinstance(r, images.ImageRejectedError)]
    if bad:
        raise PluginError("图片无法处理：\n" + "\n".join(bad))
    art_files: set[Path] = set()
    for case in cases:
        figures = []
        for img, path in zip(case.images, sources[case.id], strict=True):
            processed = results[path]
            assert isinstance(processed, images.ProcessedImage)
            for out in processed.files:
                plan.files[MEDIA_PHOTOS + out.name] = out
            figures.append(
                images.render_picture_html(
                    processed, "../../" + MEDIA_PHOTOS, img.alt, img.caption, img.credit, lazy=True
                )
            )
        plan.images_html[case.id] = figures
        field = case.fields[0] if case.fields else None
        term = vocab.fields.by_name.get(field) if field else None
        field_slug = term.slug if term else None
        try:
            if figures:
                first = results[sources[case.id][0]]
                assert isinstance(first, images.ProcessedImage)
                cover_uri = MEDIA_PHOTOS + first.webp[min(1, len(first.webp) - 1)].name
            else:
                cover = art.cached_cover(
                    cache / "art",
                    case.title,
                    case.district,
                    case.district_slug,
                    field,
                    field_slug,
                    site_name=site_name,
                )
                art_files.add(cover)
                cover_uri = MEDIA_COVERS + cover.name
                plan.files[cover_uri] = cover
            plan.covers[case.id] = cover_uri
            card = art.cached_social_card(
                cache / "art",
                case.title,
                case.summary,
                case.district,
                district_slug=case.district_slug,
                field=field,
                field_slug=field_slug,
                site_name=site_name,
            )
            art_files.add(card)
            plan.files[MEDIA_SOCIAL + card.name] = card
            plan.social[f"cases/{case.id}.md"] = MEDIA_SOCIAL + card.name
        except MissingGlyphError as exc:
            log.warning("%s: %s", case.id, exc)
        except CJKFontNotFoundError as exc:
            raise PluginError(str(exc)) from None
    try:
        home = art.cached_social_card(cache / "art", site_name, site_description, None, site_name=site_name)
    except (MissingGlyphError, CJKFontNotFoundError) as exc:
        raise PluginError(str(exc)) from None
    art_files.add(home)
    plan.files[MEDIA_SOCIAL + home.name] = home
    plan.social["index.md"] = MEDIA_SOCIAL + home.name
    images.prune_cache(
        cache / "images", {r.key for r in results.values() if isinstance(r, images.ProcessedImage)}
    )
    art.prune_art_cache(cache / "art", art_files)
    return plan


def add_media_files(files: Files, config: MkDocsConfig, plan: MediaPlan) -> None:
    """Add every photo variant, cover and social card to the site as generated files."""
    for uri, path in sorted(plan.files.items()):
        if files.get_file_from_path(uri) is None:
            files.append(File.generated(config, uri, abs_src_path=str(path)))


def social_image_url(config: MkDocsConfig, plan: MediaPlan | None, src_uri: str) -> str | None:
    """Absolute ``og:image`` URL for a page (its own card, else the home card), or None without site_url."""
    if plan is None or not config.site_url:
        return None
    uri = plan.social.get(src_uri) or plan.social.get("index.md")
    return config.site_url.rstrip("/") + "/" + uri if uri else None


# --- end media ---

"""The MkDocs adapter: the only module that imports mkdocs.

It translates MkDocs events into calls of the plain core:
- ``on_config``: load and validate the cases (before MkDocs touches ``site/``), fill the
  浏览 navigation from the facet table;
- ``on_files``: run :func:`site_builder.build.build_site` and add the generated pages as
  virtual files (``File.generated``);
- ``on_page_content`` / ``on_page_context``: swap in the pre-rendered bodies, pass the social
  card and the case to the theme;
- ``on_post_build`` / ``on_build_error``: collect or stop the output writer.
"""

from __future__ import annotations

import logging
import os
import threading
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

from site_builder.browse import urls
from site_builder.browse.facets import BROWSE_SECTION, FACETS, browse_nav
from site_builder.browse.model import SiteModel, remember_slugs, save_slugs
from site_builder.build import BuildSettings, Generation, build_site, is_unused_theme_asset, write_stubs
from site_builder.cache import cache_root
from site_builder.casefile.loader import require_cases
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import load_vocabularies
from site_builder.casefile.yamlio import use_parse_cache
from site_builder.cms.admin import write_admin
from site_builder.cms.config import repo_from_url
from site_builder.errors import CaseFileError, EnvironmentProblem
from site_builder.history import address_book
from site_builder.outputs.export import fill_data_section
from site_builder.outputs.sitemap import lastmod_dates, site_lastmod
from site_builder.pages.contact import contact_email, contact_problem, fill_contact
from site_builder.pages.jinjacache import attach_bytecode_cache
from site_builder.pages.qr import qr_image, remember_qr_codes, save_qr_codes
from site_builder.pages.render import GeneratedPage
from site_builder.preview import PreviewState
from site_builder.publish import Publishing, derive_publishing, edit_base

log = get_plugin_logger(__name__)


class CasesPluginConfig(Config):  # type: ignore[no-untyped-call]  # MkDocs' Config.__init_subclass__ is untyped
    """Options under ``plugins: - site_builder:`` in mkdocs.yml."""

    cases_dir = c.Type(str, default="cases")
    drafts = c.Choice(("auto", "always", "never"), default="auto")
    edit_branch = c.Type(str, default="main")


class CasesPlugin(BasePlugin[CasesPluginConfig]):  # type: ignore[no-untyped-call]
    """Generate case and browse pages from ``cases/*.yaml``."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command: str = "build"
        self.dirty = False
        self.site: SiteModel | None = None
        self.pages: dict[str, GeneratedPage] = {}
        self.generation: Generation | None = None
        self.writer: threading.Thread | None = None
        self.publishing: Publishing | None = None
        self.preview = PreviewState()
        self._lastmod: tuple[SiteModel, dict[str, str], str | None] | None = None

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.command = command
        self.dirty = dirty
        if dirty:  # our stubs carry a hash of each page, so dirty rebuilds are accurate here
            logging.getLogger("mkdocs.commands.build").addFilter(_quiet_dirty_notice)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not config.use_directory_urls:
            raise PluginError("site_builder 需要 use_directory_urls: true（案例页面地址形如 /cases/<id>/）")
        cases_dir = Path(config.config_file_path or ".").parent / self.config.cases_dir
        if not cases_dir.is_dir():
            raise PluginError(f"找不到案例文件夹：{cases_dir}")
        use_parse_cache(
            cache_root(Path(config.config_file_path or ".").parent)
        )  # unchanged files: not re-parsed
        if self.command == "serve":  # never raise for a case file: MkDocs would stop answering
            loaded = self.preview.load(cases_dir)
            if self.preview.broken:
                log.info(self.preview.log_text())
            if config.theme.custom_dir:
                config.watch.append(config.theme.custom_dir)
        else:
            try:
                loaded = require_cases([cases_dir], cases_root=cases_dir).cases
            except CaseFileError as exc:
                raise PluginError("案例文件有错误，网站没有生成：\n" + str(exc)) from None
        drafts = os.environ.get("SITE_BUILDER_DRAFTS") or self.config.drafts  # set by build --offline
        show_drafts = drafts == "always" or (drafts == "auto" and self.command == "serve")
        cases = loaded if show_drafts else [x for x in loaded if not x.is_draft]
        cache = cache_root(Path(config.config_file_path or ".").parent)
        remember_slugs(cache)
        remember_qr_codes(cache)
        self.site = SiteModel(cases, load_vocabularies())
        save_slugs(cache)
        self.site.prepare_related(cache)
        config.nav = fill_browse_nav(config.nav)
        self.publishing = derive_publishing(
            os.environ,
            root=Path(config.config_file_path or ".").parent,
            site_url=config.site_url,
            repo_url=config.repo_url,
            edit_branch=self.config.edit_branch,
        )
        config.site_url = self.publishing.site_url
        config.repo_url = self.publishing.repo_url
        config.repo_name = self.publishing.repo_name
        config.extra["sb_contact_email"] = contact_email(config.extra)
        if contact_problem(config.extra):
            log.info(contact_problem(config.extra))  # not a MkDocs warning: --strict builds go on
        config.watch.append(str(cases_dir))
        log.info("已载入 %d 个案例（草稿 %d 个）", len(cases), sum(1 for x in cases if x.is_draft))
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.site is not None and self.publishing is not None
        if self.writer is not None:  # the previous preview build's outputs are complete first
            self.writer.join()
            self.writer = None
        try:
            self.generation = build_site(
                self.site,
                BuildSettings(
                    root=Path(config.config_file_path or ".").parent,
                    site_dir=Path(config.site_dir),
                    site_name=config.site_name,
                    site_description=config.site_description or "",
                    site_url=config.site_url,
                    edit_base=edit_base(self.publishing, self.config.cases_dir),
                    addresses=address_book(
                        Path(config.config_file_path or ".").parent, self.config.cases_dir
                    ),
                    home=files.get_file_from_path(urls.page_src(urls.HOME)) is None,
                    parallel=self.command != "serve",  # never fork beside the live-reload server's threads
                    remember=self.command != "serve",
                ),
            )
        except EnvironmentProblem as exc:
            raise PluginError(str(exc)) from None
        for unused in [f for f in files if is_unused_theme_asset(f.src_uri)]:
            files.remove(unused)
        self.pages = {}
        gaps = self.preview.gap_pages() if self.command == "serve" else []
        stubs: dict[str, Path] = {}
        if self.dirty:  # `mkdocs serve --dirty`: stubs on disk, so unchanged pages are not rebuilt
            stubs = write_stubs(
                self.generation.pages + gaps,
                cache_root(Path(config.config_file_path or ".").parent) / "stubs",
                salt=self.preview.log_text() if self.preview.broken else "",
            )
        for page in self.generation.pages + gaps:
            if files.get_file_from_path(page.src_uri) is not None:
                raise PluginError(f"docs/{page.src_uri} 与自动生成的页面重名，请改名或删除")
            if page.src_uri in stubs:
                files.append(File.generated(config, page.src_uri, abs_src_path=str(stubs[page.src_uri])))
            else:
                files.append(File.generated(config, page.src_uri, content=page.front_matter()))
            self.pages[page.src_uri] = page
        return files

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.generation is not None and self.command == "serve":
            self.writer = self.generation.finish_in_background()  # the saved page first, then search
        elif self.generation is not None:
            self.generation.finish()
        try:  # the form editor at /admin/, saving to the repository and branch this build publishes
            write_admin(
                Path(config.site_dir),
                Path(config.config_file_path or ".").parent,
                repo=repo_from_url(config.repo_url),
                branch=self.publishing.edit_branch if self.publishing else self.config.edit_branch,
                site_url=config.site_url or "",
                site_name=config.site_name,
                cases_dir=self.config.cases_dir,
            )
        except EnvironmentProblem as exc:
            raise PluginError(str(exc)) from None
        save_qr_codes(cache_root(Path(config.config_file_path or ".").parent))

    def on_build_error(self, *, error: Exception) -> None:
        if self.generation is not None:
            self.generation.close()
            self.generation = None

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        return fill_data_section(fill_contact(markdown, config.extra), page.url)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        env.globals["sb_urls"] = urls  # theme templates (404.html) build addresses from the URL module
        env.globals["sb_facets"] = FACETS
        # Material's templates compiled once, not on every build (about a second of CPU each time)
        return attach_bytecode_cache(env, cache_root(Path(config.config_file_path or ".").parent), "theme")

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page | None:
        # The sitemap is rendered before the pages: its lastmod must be set here, not in the context.
        if self.site is None:
            return page
        if self._lastmod is None or self._lastmod[0] is not self.site:
            self._lastmod = (self.site, lastmod_dates(self.site), site_lastmod(self.site))
        _, dates, newest = self._lastmod
        if newest is not None:
            page.update_date = dates.get(page.file.src_uri, newest)
        return page

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        generated = self.pages.get(page.file.src_uri)
        return generated.html if generated else html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        return self.preview.inject(output, page.url) if self.command == "serve" else output

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        if self.generation is not None:
            image = self.generation.media.social_image_url(config.site_url, page.file.src_uri)
            context["sb_social_image"] = image  # type: ignore[typeddict-unknown-key]
        generated = self.pages.get(page.file.src_uri)
        if generated and self.site and "case_id" in generated.extra:
            case: Case = self.site.by_id[generated.extra["case_id"]]
            context["sb_case"] = case  # type: ignore[typeddict-unknown-key]
            if page.canonical_url:
                context["sb_print_qr"] = qr_image(page.canonical_url)  # type: ignore[typeddict-unknown-key]
        return context


def _quiet_dirty_notice(record: logging.LogRecord) -> bool:
    """Drop MkDocs' "dirty build" warning, which would fail `mkdocs serve --strict --dirty`."""
    return "A 'dirty' build is being performed" not in record.getMessage()


def fill_browse_nav(nav: list[Any] | None) -> list[Any] | None:
    """Put the facet pages under the empty 浏览 section of mkdocs.yml's nav."""
    if nav is None:
        return None
    return [
        {BROWSE_SECTION: browse_nav()} if isinstance(e, dict) and list(e) == [BROWSE_SECTION] else e
        for e in nav
    ]

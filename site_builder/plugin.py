"""The MkDocs adapter: the only module that imports mkdocs.

The build itself is :func:`site_builder.build.build`, one function from case files to ``/admin/``;
this module maps its stages onto MkDocs' events and nothing else:

- ``on_config``: run the build to its checked site (before MkDocs cleans ``site/``); fill the 浏览
  navigation, the published addresses and ``config.extra``; list the theme's files without its
  hidden icon folders (:class:`ListedTheme`);
- ``on_files``: run it to its pages and add them as virtual files (``File.generated``);
- ``on_pre_build``: hide the last site from MkDocs' clean-up (:class:`site_builder.sitedir.InPlace`):
  a build writes only what changed and deletes only what is stale, never the whole folder;
- ``on_nav``: date the sitemap; hand the site-wide chrome to the core
  (:class:`site_builder.rendered.Finished`), which says which pages' finished HTML is unchanged;
  generated pages read their front matter and body as given (no Markdown), and the unchanged ones
  outside the navigation are not read at all (no front matter, no page events);
- ``on_env``: withhold the unchanged pages from MkDocs (no context, no template, no write): their
  finished files are linked from the cache, or left in place when they are already there;
- ``on_post_page``: give each newly finished page back;
- ``on_post_build`` / ``on_build_error``: run the build to its end (the sitemap of every page, stale
  files removed), or stop it.

Templates read only ``page.meta`` (the generated front matter) and ``config.extra.sb``.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, Literal

import jinja2
import mkdocs
from mkdocs import utils as mkdocs_utils
from mkdocs.commands import build as mkdocs_build
from mkdocs.commands.build import _build_theme_template
from mkdocs.config import config_options as c
from mkdocs.config import load_config
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.theme import Theme
from mkdocs.utils.meta import get_data

from site_builder.browse.facets import BROWSE_SECTION
from site_builder.build import (
    OUTPUTS,
    Built,
    Checked,
    Project,
    Rendering,
    advance,
    build,
    is_unused_theme_asset,
    place_file,
    write_stubs,
)
from site_builder.cache import atomic_write, cache_root
from site_builder.engines import NOTICE
from site_builder.errors import CaseFileError, EnvironmentProblem
from site_builder.outputs.export import fill_data_section
from site_builder.pages.contact import fill_contact
from site_builder.pages.jinjacache import attach_bytecode_cache
from site_builder.pages.render import GeneratedPage
from site_builder.preview import PreviewState
from site_builder.rendered import Finished, portable, tree_digest
from site_builder.sitedir import (
    InPlace,
    disk_problem,
    localize_theme_scripts,
    shadowing_problems,
    shown_path,
    symlink_problems,
)

log = get_plugin_logger(__name__)


class CasesPluginConfig(Config):  # type: ignore[no-untyped-call]  # MkDocs' Config.__init_subclass__ is untyped
    """Options under ``plugins: - site_builder:`` in mkdocs.yml."""

    cases_dir = c.Type(str, default="cases")
    drafts = c.Choice(("auto", "always", "never"), default="auto")
    edit_branch = c.Type(str, default="main")


class CasesPlugin(BasePlugin[CasesPluginConfig]):  # type: ignore[no-untyped-call]
    """Render the pages :func:`site_builder.build.build` generates from ``cases/*.yaml``."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command: Literal["build", "serve"] = "build"
        self.dirty = False
        self.run: Generator[Checked | Rendering, None, Built] | None = None
        self.rendering: Rendering | None = None
        self.pages: dict[str, GeneratedPage] = {}
        self.writer: threading.Thread | None = None
        self.stop_writer: Callable[[], None] | None = None
        self.preview = PreviewState()
        self.live = False
        """Run by the project's preview server (:class:`LiveEngine`): pages are withheld as in any
        build, and the server adds the error banner and live reload to each response."""
        self.finished: Finished | None = None
        self.in_place: InPlace | None = None
        self.withheld: list[File] = []
        """Generated pages whose finished file is placed from the cache: MkDocs never sees them."""
        self.every_page: list[File] = []
        self.unread: list[tuple[File, InclusionLevel]] = []
        """Withheld pages outside the navigation, hidden from MkDocs' reading loop (see :meth:`on_nav`)."""
        self.nav: Navigation | None = None
        self.env: jinja2.Environment | None = None
        self.engine_writes: list[str] = []
        self.placed: list[str] = []
        self.session: tuple[MkDocsConfig, Files, Navigation, Any] | None = None
        """The last build's config, files, navigation and template environment (for :meth:`render_pages`)."""

    @property
    def withholding(self) -> bool:
        """Whether unchanged pages skip MkDocs (a build and the project's preview server; ``mkdocs
        serve`` and ``--dirty`` render them)."""
        return (self.command == "build" and not self.dirty) or self.live

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.command = "serve" if command == "serve" else "build"
        self.dirty = dirty
        if dirty:  # our stubs carry a hash of each page, so dirty rebuilds are accurate here
            logging.getLogger("mkdocs.commands.build").addFilter(_quiet_dirty_notice)
        log.info(NOTICE)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not config.use_directory_urls:
            raise PluginError("site_builder 需要 use_directory_urls: true（案例页面地址形如 /cases/<id>/）")
        project = self._project(config)
        if not project.cases_dir.is_dir():
            raise PluginError(f"找不到案例文件夹：{project.cases_dir}")
        links = symlink_problems(
            [Path(config.docs_dir)] + ([Path(config.theme.custom_dir)] if config.theme.custom_dir else []),
            project.root,
        )
        if links:  # MkDocs would copy what they point to into the site
            raise PluginError("网站没有生成：\n" + "\n".join(links))
        if (
            self.writer is not None
        ):  # the previous save's outputs: dropped if unfinished, this build writes them
            if self.stop_writer is not None:
                self.stop_writer()
            self.writer.join()
            self.writer = None
        self.run = build(project, self.preview if self.command == "serve" else None)
        try:
            checked = advance(self.run)
        except CaseFileError as exc:
            raise PluginError("案例文件有错误，网站没有生成：\n" + str(exc)) from None
        assert isinstance(checked, Checked)
        config.nav = fill_browse_nav(config.nav, checked.browse_nav)
        config.site_url = checked.publishing.site_url
        config.repo_url = checked.publishing.repo_url
        config.repo_name = checked.publishing.repo_name
        config.extra.update(checked.extra)
        if type(config.theme) is Theme:
            config.theme.__class__ = ListedTheme
        if self.command == "serve":
            config.watch.append(str(project.cases_dir))
            if config.theme.custom_dir:
                config.watch.append(config.theme.custom_dir)
        return config

    def _project(self, config: MkDocsConfig) -> Project:
        root = Path(config.config_file_path or ".").parent
        return Project(
            root=root,
            site_dir=Path(config.site_dir),
            site_name=config.site_name,
            site_description=config.site_description or "",
            site_url=config.site_url,
            repo_url=config.repo_url,
            cases=self.config.cases_dir,
            docs_dir=Path(config.docs_dir),
            extra=dict(config.extra),
            edit_branch=self.config.edit_branch,
            drafts="always"
            if self.config.drafts == "always"
            else "never"
            if self.config.drafts == "never"
            else "auto",
            command=self.command,
        )

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self.in_place = None
        # a build, or the preview server's start (over the last preview): over the last site, in place
        over = (self.command == "build" and not self.dirty) or (self.live and self.preview.starting)
        if over and self.run is not None:
            self.in_place = InPlace(Path(config.site_dir))
            self.in_place.hide()  # MkDocs cleans the site folder next: it finds nothing to delete

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.run is not None
        if self.in_place is not None:
            self.in_place.reveal()
        root = Path(config.config_file_path or ".").parent
        clashes = shadowing_problems(
            (shown_path(Path(f.abs_src_path), root) if f.abs_src_path else f.src_uri, f.dest_uri)
            for f in files
            if f.generated_by is None
        )
        if clashes:  # before any output is written: MkDocs would copy these over the linked cache entries
            raise PluginError("网站没有生成：\n" + "\n".join(clashes))
        try:
            rendering = advance(self.run)
        except EnvironmentProblem as exc:
            raise PluginError(str(exc)) from None
        assert isinstance(rendering, Rendering)
        config.extra["sb"] = rendering.extra
        self.rendering = rendering
        if self.withholding:  # the core's site stays as it is: MkDocs' collections skip it
            gc.freeze()
        for unused in [f for f in files if is_unused_theme_asset(f.src_uri)]:
            files.remove(unused)
        stubs: dict[str, Path] = {}
        if self.dirty and not self.live:  # `mkdocs serve --dirty`: stubs on disk, unchanged pages not rebuilt
            stubs = write_stubs(
                rendering.pages,
                cache_root(Path(config.config_file_path or ".").parent) / "stubs",
                salt=self.preview.log_text() if self.preview.broken else "",
            )
        self.pages = {}
        for page in rendering.pages:
            if files.get_file_from_path(page.src_uri) is not None:
                raise PluginError(f"docs/{page.src_uri} 与自动生成的页面重名，请改名或删除")
            if page.src_uri in stubs:
                files.append(File.generated(config, page.src_uri, abs_src_path=str(stubs[page.src_uri])))
            else:  # in a build, front matter only for the pages MkDocs will read (on_nav)
                content = "" if self.withholding else page.front_matter()
                files.append(File.generated(config, page.src_uri, content=content))
            self.pages[page.src_uri] = page
        return files

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.run is None:
            return
        try:
            built = advance(self.run)
        except EnvironmentProblem as exc:
            raise PluginError(str(exc)) from None
        finally:
            self.run = None
            _thaw()
        assert isinstance(built, Built)
        self.writer = built.writer
        self.stop_writer = built.stop
        site = config.site_dir
        if self.withheld:  # the sitemap lists every page, withheld or not, as MkDocs would
            assert self.env is not None and self.nav is not None
            config.theme.static_templates.add(SITEMAP)
            _build_theme_template(SITEMAP, self.env, Files(self.every_page), config, self.nav)
        localize_theme_scripts(Path(site))  # Material's unpkg.com fallbacks: none on this site
        if self.in_place is not None:
            made = [*self.engine_writes, *self.placed, *(os.path.join(site, rel) for rel in built.placed)]
            self.in_place.remove_stale(made)

    def on_build_error(self, *, error: Exception) -> None:
        _thaw()
        if self.run is not None:
            self.run.close()
            self.run = None
        if self.in_place is not None:
            self.in_place.reveal()  # a failure before MkDocs' clean-up: the last site as it was
        problem = disk_problem(error)
        if problem is not None:  # the machine's problem, not the code's: a sentence, no traceback
            log.error(problem)
            raise Abort("构建失败：磁盘或文件夹无法写入") from None

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if isinstance(page, RenderedPage):
            return markdown  # no Markdown: its body is the core's
        return fill_data_section(fill_contact(markdown, config.extra), page.url, OUTPUTS)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        # Material's templates compiled once, not on every build (about a second of CPU each time)
        env = attach_bytecode_cache(env, cache_root(Path(config.config_file_path or ".").parent), "theme")
        env.loader = jinja2.ChoiceLoader(
            [jinja2.DictLoader({FINISHED_TEMPLATE: "{{ page.content }}"}), env.loader]
        )
        self.env = env
        self._include_unread()  # when no page was read at all
        if self.command == "serve" and self.nav is not None:
            self.session = (config, files, self.nav, env)
        self.withheld = []
        if self.withholding:
            self.withheld = [
                f for f in files.documentation_pages() if isinstance(f.page, RenderedPage) and f.page.finished
            ]
        else:  # the preview renders a finished page through FINISHED_TEMPLATE (its banner goes in after)
            for doc in files.documentation_pages():
                if isinstance(doc.page, RenderedPage) and doc.page.finished is not None:
                    doc.page.content = doc.page.finished.read_text(encoding="utf-8")
        if self.withheld:  # from here on MkDocs writes only the pages it renders
            self.every_page = list(files.documentation_pages())
            for file in self.withheld:
                files.remove(file)
            config.theme.static_templates.discard(SITEMAP)  # written in on_post_build, of every page
        site = Path(config.site_dir)
        self.engine_writes = [
            f.abs_dest_path for f in files if f.inclusion.value > InclusionLevel.DRAFT.value
        ] + [str(site / name) for name in (*config.theme.static_templates, SITEMAP, SITEMAP + ".gz")]
        if self.in_place is not None:
            self.in_place.clear_for_write(self.engine_writes)
        self.placed = _place_finished(self.withheld)
        return env

    def render_pages(self, pages: list[GeneratedPage]) -> list[Path]:
        """Render ``pages`` as the last build would have and write them into the site folder.

        The preview's quick path (:mod:`site_builder.serve`): the core decided these pages (a saved
        case); the rest of the site follows in a full build. Pages new since the last build are added.
        """
        if self.session is None:
            raise RuntimeError("render_pages needs a finished serve build first")
        config, files, nav, env = self.session
        withheld = {f.src_uri: f for f in self.withheld}
        written = []
        for generated in pages:
            self.pages[generated.src_uri] = generated
            if self.finished is not None:  # kept under its new key, not the last build's
                self.finished.renew(generated)
            file = files.get_file_from_path(generated.src_uri)
            if file is None and generated.src_uri in withheld:  # placed by the last build: its nav page
                file = withheld.pop(generated.src_uri)
                files.append(file)
                self.withheld = list(withheld.values())
            if file is None:
                file = File.generated(config, generated.src_uri, content=generated.front_matter())
                files.append(file)
            else:
                file.content_string = generated.front_matter()
            page = file.page if file.page is not None else Page(None, file, config)
            page.__class__ = RenderedPage
            assert isinstance(page, RenderedPage)
            page.generated, page.finished = generated, None
            mkdocs_build._populate_page(page, config, files)
            mkdocs_build._build_page(page, config, files.documentation_pages(), nav, env)
            written.append(Path(file.abs_dest_path))
        return written

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page | None:
        if self.unread:
            self._include_unread()
        self._date(page)  # a page new since the last build (the preview's render_pages)
        return page

    def _date(self, page: Page) -> None:
        """The sitemap's date of ``page`` (the sitemap is rendered before the pages, or not at all
        for the pages MkDocs never sees): its ``lastmod``, not the build time."""
        if self.rendering is not None:
            date = self.rendering.lastmod_of(page.file.src_uri)
            if date is not None:
                page.update_date = date

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.finished = None
        self.nav = nav
        if self.rendering is None:
            return nav
        for doc in files.documentation_pages():
            if doc.page is not None:
                self._date(doc.page)
        # The preview's banner goes in after a page is kept (on_post_page), so it reuses pages too.
        if not self.dirty or self.command == "serve":
            self.finished = Finished(
                Path(config.config_file_path or ".").parent, self.rendering.pages, _chrome(config, nav)
            )
        placeable = self.finished.placeable() if self.finished is not None else {}
        for src_uri, generated in self.pages.items():
            file = files.get_file_from_path(src_uri)
            if file is not None and file.page is not None:
                file.page.__class__ = RenderedPage
                assert isinstance(file.page, RenderedPage)
                file.page.generated = generated
                file.page.finished = placeable.get(src_uri)
        self._skip_reading(files, nav)
        return nav

    def _skip_reading(self, files: Files, nav: Navigation) -> None:
        """No events, front matter or body for the pages :meth:`on_env` withholds.

        MkDocs lists the pages it reads as soon as this event returns: a withheld page outside the
        navigation is excluded from that list, then included again before the first page is read
        (:meth:`on_pre_page`), so links to it resolve as before. Pages in the navigation are read
        (the navigation shows their titles), as is every page rendered anew: their front matter
        is written now.
        """
        self.unread = []
        if not self.withholding:
            return
        in_nav = {id(page) for page in nav.pages}
        for file in files.documentation_pages():
            page = file.page
            if not isinstance(page, RenderedPage):
                continue
            if page.finished is not None and id(page) not in in_nav:
                self.unread.append((file, file.inclusion))
                file.inclusion = InclusionLevel.EXCLUDED
            else:
                file.content_string = page.generated.front_matter()

    def _include_unread(self) -> None:
        for file, inclusion in self.unread:
            file.inclusion = inclusion
        self.unread = []

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if isinstance(page, RenderedPage):
            return html  # its body as the core gave it
        generated = self.pages.get(page.file.src_uri)
        return generated.html if generated else html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if self.finished is not None and isinstance(page, RenderedPage) and page.finished is None:
            self.finished.keep(page.file.src_uri, output)
        if self.command == "serve" and not self.live:  # `mkdocs serve`: the banner goes in here
            return self.preview.inject(output, page.url)
        return output


def _thaw() -> None:
    """Let the garbage collector see the core's site again (frozen in :meth:`CasesPlugin.on_files`).

    A build's objects outlive it only in a process that builds again (tests, scripts): they are
    collectable once the build ends. A process that froze its own objects (the preview server)
    never builds in this mode."""
    gc.unfreeze()


SITEMAP = "sitemap.xml"

FINISHED_TEMPLATE = "sb-finished.html"
"""The template of a page whose finished HTML the core remembered, where MkDocs still renders it
(the preview, which adds its banner afterwards): the page as it was."""


def _place_finished(files: list[File]) -> list[str]:
    """Link each withheld page's finished file from the cache into the site (left alone when it is
    there already); return the site paths."""
    made: set[str] = set()
    placed = []
    for file in files:
        assert isinstance(file.page, RenderedPage) and file.page.finished is not None
        target = file.abs_dest_path
        parent = os.path.dirname(target)
        if parent not in made:
            if not os.path.isdir(parent):  # one stat: the last site's folders are mostly there
                os.makedirs(parent, exist_ok=True)
            made.add(parent)
        place_file(file.page.finished, Path(target))
        placed.append(target)
    return placed


class ThemeFiles(jinja2.FileSystemLoader):
    """The theme's template loader, listing its files without entering hidden folders.

    MkDocs lists every file of the theme to copy its static assets, and drops each name with a
    part that starts with a dot (``add_files_from_theme``: patterns ``.*`` and ``*/.*``). Material
    keeps 14,000 icons in ``.icons/``: walking and matching them cost more than the rest of an
    unchanged build's listing. Skipping hidden entries in the walk lists the same files.
    """

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for searchpath in self.searchpath:
            for parent, dirs, names in os.walk(searchpath, followlinks=self.followlinks):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                rel = os.path.relpath(parent, searchpath)
                prefix = "" if rel == "." else rel.replace(os.path.sep, "/") + "/"
                found.update(prefix + name for name in names if not name.startswith("."))
        return sorted(found)


class ListedTheme(Theme):
    """MkDocs' theme whose environment lists its files with :class:`ThemeFiles` (loading is unchanged)."""

    def get_env(self) -> jinja2.Environment:
        env = super().get_env()
        env.loader = ThemeFiles(self.dirs)
        return env


class RenderedPage(Page):
    """A generated page: its front matter and body come from the core, so no Markdown runs; with
    ``finished`` (the cache entry of its unchanged HTML from the last build) MkDocs renders and
    writes nothing for it: the adapter places that file."""

    generated: GeneratedPage
    finished: Path | None = None

    def read_source(self, config: MkDocsConfig) -> None:
        text = self.file.content_string
        meta = read_front_matter(text)
        if meta is None:
            self.markdown, self.meta = get_data(text)
        else:
            self.markdown, self.meta = "", meta
        if self.finished is not None:  # rendered only by the preview: the page as it was
            self.meta["template"] = FINISHED_TEMPLATE

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = "" if self.finished is not None else self.generated.html  # (the preview: on_env)
        self.toc = get_toc([])
        self._title_from_render = None
        self.present_anchor_ids = set()


def read_front_matter(text: str) -> dict[str, Any] | None:
    """The front matter :meth:`GeneratedPage.front_matter` wrote (one ``key: JSON`` per line),
    without a YAML parser; None when ``text`` is not in that form."""
    lines = text.split("\n")
    if not lines or lines[0] != "---":
        return None
    data: dict[str, Any] = {}
    for line in lines[1:]:
        if line == "---":
            return data
        key, sep, value = line.partition(": ")
        if not sep:
            return None
        try:
            data[key] = json.loads(value)
        except ValueError:
            return None
    return None


def _chrome(config: MkDocsConfig, nav: Navigation) -> dict[str, Any]:
    """What every page shows besides its own data, as plain data for the core's key."""
    path = Path(config.config_file_path) if config.config_file_path else None
    source = hashlib.sha256(path.read_bytes()).hexdigest() if path is not None and path.is_file() else ""
    custom = config.theme.custom_dir
    return {
        "engine": "mkdocs",
        "config_file": source,
        "config": {
            key: config.get(key)
            for key in (
                "site_name",
                "site_url",
                "site_description",
                "site_author",
                "repo_url",
                "repo_name",
                "edit_uri",
                "edit_uri_template",
                "copyright",
                "use_directory_urls",
                "extra_css",
                "extra_javascript",
                "extra",
            )
        },
        "theme": portable(
            {"name": config.theme.name, "options": dict(config.theme), "dirs": list(config.theme.dirs)},
            Path(config.config_file_path or ".").parent,
        ),
        "sources": tree_digest([Path(custom) if custom else None, Path(config.docs_dir)]),
        "nav": _nav_data(nav.items),
    }


def _nav_data(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if isinstance(item, Section):
            out.append(["section", item.title, _nav_data(item.children)])
        elif isinstance(item, Page):
            out.append(["page", item.file.src_uri, item.url, item.title])
        elif isinstance(item, Link):
            out.append(["link", item.title, item.url])
    return out


def _quiet_dirty_notice(record: logging.LogRecord) -> bool:
    """Drop MkDocs' "dirty build" warning, which would fail `mkdocs serve --strict --dirty`."""
    return "A 'dirty' build is being performed" not in record.getMessage()


def fill_browse_nav(nav: list[Any] | None, entries: list[dict[str, str]]) -> list[Any] | None:
    """Put the facet pages under the empty 浏览 section of mkdocs.yml's nav."""
    if nav is None:
        return None
    return [
        {BROWSE_SECTION: entries} if isinstance(e, dict) and list(e) == [BROWSE_SECTION] else e for e in nav
    ]


class LiveEngine:
    """MkDocs kept alive for the preview server (:mod:`site_builder.serve`).

    Full builds go into one folder as ``mkdocs serve --dirty`` makes them (the same plugin instance
    every time, so the preview state survives), and between them :meth:`render` renders the pages
    the core names through the last build's navigation and templates. It decides nothing.
    """

    background_delay = 0.0
    """The full build after a save starts at once (a newer save stops it)."""

    def __init__(self, config_file: Path, site_dir: Path, site_url: str) -> None:
        self.config_file = config_file
        self.site_dir = site_dir
        self.site_url = site_url
        self.plugin: CasesPlugin | None = None
        self.watched: list[Path] = []
        """What the last build read besides the cases: mkdocs.yml, docs/, the theme, ``watch:``."""

    def build(self) -> None:
        """A full build (``mkdocs build --strict --dirty`` into the served folder); raises
        :class:`mkdocs.exceptions.MkDocsException` when it fails."""
        config = load_config(config_file=str(self.config_file), site_dir=str(self.site_dir), strict=True)
        config.site_url = self.site_url
        if self.plugin is None:
            config.plugins.on_startup(command="serve", dirty=True)
        plugin = next((p for p in config.plugins.values() if isinstance(p, CasesPlugin)), None)
        if plugin is None:
            raise PluginError("mkdocs.yml 的 plugins 里没有 site_builder，预览无法生成案例页面")
        plugin.live = True
        with _whole_writes():  # a page may be a link to its cache entry: replaced, never written through
            mkdocs_build.build(config, serve_url=self.site_url, dirty=True)
        self.plugin = plugin
        theme = [
            Path(d) for d in config.theme.dirs if not Path(d).is_relative_to(Path(mkdocs.__file__).parent)
        ]
        self.watched = [self.config_file, Path(config.docs_dir), *theme, *(Path(w) for w in config.watch)]

    def build_in_child(self) -> None:
        """:meth:`build` in a forked child that may be killed at any moment (a newer save): every
        page is written whole or not at all, and only warnings are printed (the save's line was)."""
        logging.getLogger("mkdocs").setLevel(logging.WARNING)
        self.build()
        self.wait_for_writer()

    @property
    def served(self) -> list[Path]:
        """The folder the preview serves: the one MkDocs builds into."""
        return [self.site_dir]

    def remove(self, src_uri: str, url: str) -> None:
        """Take down the page of a deleted case (the next full build leaves it out)."""
        (self.site_dir / url / "index.html").unlink(missing_ok=True)

    def close(self) -> None:
        """Nothing runs beside the preview: MkDocs lives in its process."""

    def render(self, pages: list[GeneratedPage]) -> list[Path]:
        """Render and write ``pages`` through the last build's state (see :meth:`CasesPlugin.render_pages`)."""
        assert self.plugin is not None
        with _whole_writes():
            return self.plugin.render_pages(pages)

    @property
    def preview(self) -> PreviewState:
        """The preview state the plugin builds with."""
        assert self.plugin is not None
        return self.plugin.preview

    def wait_for_writer(self) -> None:
        """Wait until the last build's search and data files are written."""
        if self.plugin is not None and self.plugin.writer is not None:
            self.plugin.writer.join()


@contextlib.contextmanager
def _whole_writes() -> Iterator[None]:
    """MkDocs writes pages with :func:`_write_whole` meanwhile."""
    write = mkdocs_utils.write_file
    mkdocs_utils.write_file = _write_whole
    try:
        yield
    finally:
        mkdocs_utils.write_file = write


def _write_whole(content: bytes, output_path: str) -> None:
    """MkDocs' ``write_file``, atomic and world-readable like the pages it writes."""
    atomic_write(Path(output_path), content)
    os.chmod(output_path, 0o644)

"""The Zensical adapter: Zensical renders the pages the core generated.

Zensical reads mkdocs.yml but runs no plugins (it silently ignores the ones it does not know), so
nothing here hooks into it. Instead the build runs in this process and Zensical gets a finished
project to render:

- **prepare**: a build folder (``.cache/site_builder/zensical/``) with a docs folder holding the
  hand-written pages (their ``{{ contact_email }}`` and data markers already filled, the work of
  the MkDocs adapter's ``on_page_markdown``) and one Markdown file per generated page (front
  matter, then the body HTML as one raw HTML block), and a generated ``mkdocs.yml`` (the project's,
  with the 浏览 navigation filled, the published addresses, ``extra.sb`` and Zensical's own search
  off: the site ships its own Chinese search);
- **render**: ``zensical build`` of that folder;
- **finish**: the rendered pages join the output files, media and ``/admin/`` the core placed in
  the site folder; ``sitemap.xml`` is written again with the cases' review dates (Zensical's has no
  ``lastmod``), and Zensical's unused search files go.

The build folder persists, so Zensical's own cache of rendered Markdown makes the next build fast;
only files whose content changed are written again. A generated page whose finished HTML is
unchanged (:class:`site_builder.rendered.Finished`, keyed on the page and the generated config,
theme and docs) is left out of the build folder, so Zensical renders only the pages that changed;
its finished file is linked from the cache into the site. Pages the navigation or a hand-written
page links to are always rendered (Zensical checks those links).
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

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
)
from site_builder.cache import atomic_write, cache_root
from site_builder.outputs.export import fill_data_section
from site_builder.pages.contact import fill_contact
from site_builder.pages.render import GeneratedPage
from site_builder.preview import PreviewState
from site_builder.publish import read_mkdocs_yml
from site_builder.rendered import Finished, portable, tree_digest

log = logging.getLogger("mkdocs.plugins.site_builder.zensical")

VERSION = "0.0.73"
"""The Zensical release this adapter is tested with (newer ones need ``zensical-ui``)."""

PLUGIN = "site_builder"
MKDOCS_MARKDOWN_EXTENSIONS = ("toc", "tables", "fenced_code")
"""What MkDocs turns on when mkdocs.yml lists no ``markdown_extensions``."""
ZENSICAL_SEARCH_FILES = ("search.json",)
"""Zensical's own search index: the site ships its own Chinese search, so these are not published."""


class EngineFailed(Exception):
    """Zensical could not render the site (its own message is already printed)."""


def read_project(config: Path, site_dir: Path) -> Project:
    """The project as ``config`` (mkdocs.yml) describes it, with the ``site_builder`` plugin's options."""
    data = read_mkdocs_yml(config)
    options = plugin_options(data) or {}
    root = config.parent
    return Project(
        root=root,
        site_dir=site_dir,
        site_name=str(data.get("site_name") or ""),
        site_description=str(data.get("site_description") or ""),
        site_url=data.get("site_url") or None,
        repo_url=data.get("repo_url") or None,
        cases=str(options.get("cases_dir") or "cases"),
        docs_dir=root / str(data.get("docs_dir") or "docs"),
        extra=dict(data.get("extra") or {}),
        edit_branch=str(options.get("edit_branch") or "main"),
        drafts="always"
        if options.get("drafts") == "always"
        else "never"
        if options.get("drafts") == "never"
        else "auto",
    )


def plugin_options(data: dict[str, Any]) -> dict[str, Any] | None:
    """The ``site_builder`` plugin's options in a mkdocs.yml (a list of names or one-key mappings);
    None when the plugin is not listed."""
    plugins = data.get("plugins") or []
    entries: list[tuple[object, object]] = []
    if isinstance(plugins, dict):
        entries = list(plugins.items())
    elif isinstance(plugins, list):
        for entry in plugins:
            if isinstance(entry, str):
                entries.append((entry, None))
            elif isinstance(entry, dict):
                entries.extend(entry.items())
    for name, options in entries:
        if name == PLUGIN:
            return dict(options) if isinstance(options, dict) else {}
    return None


def render_site(config: Path, out: Path) -> None:
    """Build the project of ``config`` with Zensical into the empty folder ``out``.

    Raises :class:`~site_builder.errors.CaseFileError` for invalid cases, :class:`EngineFailed`
    when Zensical fails.
    """
    project = read_project(config, site_dir=out)
    work = cache_root(project.root) / "zensical"
    run = build(project)
    checked = advance(run)
    assert isinstance(checked, Checked)
    rendering = advance(run)
    assert isinstance(rendering, Rendering)
    try:
        generated, finished, withheld = prepare(project, checked, rendering, config, work)
        rendered = work / "site"
        shutil.rmtree(rendered, ignore_errors=True)
        code = subprocess.call(
            [sys.executable, "-m", "zensical", "build", "--strict", "-f", str(generated)], cwd=work
        )
        if code != 0:
            raise EngineFailed(f"Zensical 渲染失败（退出码 {code}）")
        keep_finished(finished, rendering.pages, withheld, rendered)
    except BaseException:
        run.close()
        raise
    built = advance(run)
    assert isinstance(built, Built)
    finish(rendered, out, rendering, checked.publishing.site_url, place=withheld)


def prepare(
    project: Project,
    checked: Checked,
    rendering: Rendering,
    config: Path,
    work: Path,
    *,
    withhold: bool = True,
) -> tuple[Path, Finished, dict[str, Path]]:
    """Write the build folder Zensical renders: docs (hand-written and the generated pages that
    changed, or every page without ``withhold``) and its config.

    Returns the generated config file, the finished pages' keys and the withheld pages (page URL
    -> the cache entry of its finished HTML).
    """
    docs = work / "docs"
    wanted: dict[Path, bytes] = {}
    assert project.docs_dir is not None
    linked: set[str] = set()
    for source in sorted(p for p in project.docs_dir.rglob("*") if p.is_file()):
        rel = source.relative_to(project.docs_dir)
        data = source.read_bytes()
        if source.suffix == ".md":
            text = fill_contact(data.decode("utf-8"), {**project.extra, **checked.extra})
            linked |= _link_targets(text, rel.parent.as_posix())
            data = fill_data_section(text, _page_url(rel.as_posix()), OUTPUTS).encode("utf-8")
        wanted[docs / rel] = data
    settings = zensical_config(read_mkdocs_yml(config), project, checked, rendering, config)
    text = yaml.safe_dump(settings, allow_unicode=True, sort_keys=False)
    linked |= _nav_targets(settings.get("nav"))
    chrome = {
        "engine": "zensical",
        "version": VERSION,
        "config": portable(settings, project.root),
        "sources": tree_digest(
            [
                Path(settings["theme"]["custom_dir"]) if settings["theme"].get("custom_dir") else None,
                project.docs_dir,
            ]
        ),
    }
    finished = Finished(project.root, rendering.pages, chrome)
    placeable = finished.placeable() if withhold else {}
    withheld: dict[str, Path] = {}
    for page in rendering.pages:
        if (docs / page.src_uri) in wanted:
            raise EngineFailed(f"docs/{page.src_uri} 与自动生成的页面重名，请改名或删除")
        if page.src_uri in placeable and page.src_uri not in linked:
            withheld[page.url] = placeable[page.src_uri]
        else:
            wanted[docs / page.src_uri] = page.markdown().encode("utf-8")
    _sync(docs, wanted)
    generated = work / "mkdocs.yml"
    _write_if_changed(generated, text.encode("utf-8"))
    return generated, finished, withheld


_LINK = re.compile(r"\]\(\s*<?([^)\s>#?]+)")


def _link_targets(markdown: str, folder: str) -> set[str]:
    """The docs-relative paths a hand-written page links to (``[text](path)``), normalised."""
    found = set()
    for target in _LINK.findall(markdown):
        if "://" in target or target.startswith(("mailto:", "/")):
            continue
        found.add(os.path.normpath(os.path.join(folder, target)))
    return found


def _nav_targets(nav: Any) -> set[str]:
    """Every page path the navigation names."""
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, list):
        return set().union(*(_nav_targets(item) for item in nav)) if nav else set()
    if isinstance(nav, dict):
        return set().union(*(_nav_targets(item) for item in nav.values())) if nav else set()
    return set()


def keep_finished(
    finished: Finished, pages: list[GeneratedPage], withheld: dict[str, Path], rendered: Path
) -> None:
    """Remember the finished HTML of every generated page Zensical rendered this time."""
    for page in pages:
        if page.url in withheld:
            continue
        path = rendered / page.url / "index.html"
        try:
            finished.keep(page.src_uri, path.read_text(encoding="utf-8"))
        except OSError:
            continue


def zensical_config(
    data: dict[str, Any], project: Project, checked: Checked, rendering: Rendering, config: Path
) -> dict[str, Any]:
    """The project's mkdocs.yml for Zensical: navigation filled, addresses and theme data set, paths
    pointed at the build folder, plugins replaced by the core's output (search: the site's own)."""
    settings = dict(data)
    theme = dict(settings.get("theme") or {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = str((config.parent / str(theme["custom_dir"])).resolve())
    theme.setdefault("variant", "classic")  # Material's look, which theme/ and its CSS are written for
    settings["theme"] = theme
    settings["docs_dir"] = "docs"
    settings["site_dir"] = "site"
    settings["site_url"] = checked.publishing.site_url
    settings["repo_url"] = checked.publishing.repo_url
    settings["repo_name"] = checked.publishing.repo_name
    settings["extra"] = {**project.extra, **checked.extra, "sb": rendering.extra}
    settings["nav"] = [
        {BROWSE_SECTION: checked.browse_nav} if isinstance(e, dict) and list(e) == [BROWSE_SECTION] else e
        for e in settings.get("nav") or []
    ] or None
    if settings["nav"] is None:
        del settings["nav"]
    # Without a list of its own, Zensical turns on Material's recommended extensions (heading
    # permalinks, admonitions ...); MkDocs' defaults keep the hand-written pages the same.
    settings.setdefault("markdown_extensions", list(MKDOCS_MARKDOWN_EXTENSIONS))
    settings["plugins"] = [{"search": {"enabled": False}}]
    settings.pop("validation", None)  # MkDocs' link checks; the site's own link check runs in CI
    settings.pop("strict", None)
    return settings


def finish(
    rendered: Path,
    out: Path,
    rendering: Rendering,
    site_url: str | None,
    *,
    place: dict[str, Path] | None = None,
) -> None:
    """Put Zensical's pages and the withheld pages' finished files (``place``: page URL -> cache
    entry) beside the files the core placed in ``out``; date the sitemap."""
    for name in ZENSICAL_SEARCH_FILES:
        (rendered / name).unlink(missing_ok=True)
    for path in sorted(rendered.rglob("*")):
        rel = path.relative_to(rendered).as_posix()
        if path.is_file() and is_unused_theme_asset(rel):
            path.unlink()
    _merge(rendered, out)
    shutil.rmtree(rendered, ignore_errors=True)  # what is left: folders emptied by the move
    for url, cached in sorted((place or {}).items()):
        target = out / url / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        place_file(cached, target)
    sitemap = render_sitemap(out, rendering, site_url)
    (out / "sitemap.xml").write_bytes(sitemap)
    with gzip.GzipFile(out / "sitemap.xml.gz", "wb", mtime=0) as gz:
        gz.write(sitemap)


def render_sitemap(out: Path, rendering: Rendering, site_url: str | None) -> bytes:
    """``sitemap.xml`` of every page in ``out`` (not ``/admin/``), with the cases' review dates."""
    base = (site_url or "/").rstrip("/") + "/"
    sources = {page.url: page.src_uri for page in rendering.pages}
    entries = []
    for index in sorted(out.rglob("index.html")):
        rel = index.parent.relative_to(out).as_posix()
        url = "" if rel == "." else rel + "/"
        if url.startswith("admin/"):
            continue
        date = rendering.lastmod_of(sources.get(url) or _src_of(url))
        stamp = f"\n    <lastmod>{date}</lastmod>" if date else ""
        entries.append(f"  <url>\n    <loc>{_xml(base + url)}</loc>{stamp}\n  </url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(entries)
        + "\n</urlset>\n"
    ).encode("utf-8")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _src_of(url: str) -> str:
    return f"{url}index.md" if url else "index.md"


def _page_url(src: str) -> str:
    """The directory-style URL of a docs page (``about.md`` -> ``about/``)."""
    stem = src.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def _merge(source: Path, target: Path) -> None:
    """Move everything in ``source`` into ``target``; a file the core already placed there stays."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        dest = target / entry.name
        if not dest.exists():
            os.replace(entry, dest)
        elif entry.is_dir() and dest.is_dir():
            _merge(entry, dest)


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    atomic_write(path, data)


def _sync(folder: Path, wanted: dict[Path, bytes]) -> None:
    """Make ``folder`` hold exactly ``wanted``, writing only files whose bytes changed."""
    for path, data in wanted.items():
        _write_if_changed(path, data)
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


class LiveZensical:
    """Zensical's own dev server kept running for the preview server (:mod:`site_builder.serve`),
    as :class:`site_builder.plugin.LiveEngine` keeps MkDocs.

    The core builds in this process (or, after a save, in the preview's forked child) and writes
    the build folder (:func:`prepare`: the pages a build has not kept finished, and those the
    navigation or a hand-written page links to) and, into the served folder ``site_dir``, the
    output files, media, ``/admin/`` and the finished pages (linked from the cache, as a build
    places them). ``zensical serve`` watches the build folder and re-renders the pages whose
    Markdown changed into ``work/site``; the preview serves that folder first, then ``site_dir``
    (:attr:`served`), with its own banner and live reload. It decides nothing.

    Zensical's server cannot be stopped mid-build, and a build of its own re-reads every page it
    holds: so after a save the rest of the site is handed over only once the editor has paused
    (:attr:`background_delay`), and a saved case's page never waits behind the list pages of the
    previous save.
    """

    background_delay = 2.0
    """Seconds without a save before the full build that follows one starts."""

    def __init__(self, config_file: Path, site_dir: Path, site_url: str) -> None:
        self.config_file = config_file
        self.site_dir = site_dir
        self.site_url = site_url
        self.preview = PreviewState()
        self.work = cache_root(config_file.parent) / "zensical-preview"
        self.watched: list[Path] = []
        """What the last build read besides the cases: mkdocs.yml, docs/, the theme."""
        self.writer: threading.Thread | None = None
        self.server: subprocess.Popen[str] | None = None
        self._rendered = threading.Event()
        """Set each time Zensical's server reports a finished build."""
        self.on_rendered: Callable[[], None] = lambda: None
        """Called each time Zensical's server has written the pages of a build (open pages reload)."""

    @property
    def served(self) -> list[Path]:
        """The folders served, the first holding a file wins: Zensical's pages, then the core's files."""
        return [self.work / "site", self.site_dir]

    def build(self) -> None:
        """A full build: the core's files written, every page's Markdown handed to Zensical's server
        (started on the first build, which waits for its first rendering); raises when it fails."""
        project = replace(read_project(self.config_file, self.site_dir), command="serve")
        if self.writer is not None:  # the previous build's outputs: this build writes them again
            self.writer.join()
        run = build(project, self.preview)
        checked = advance(run)
        assert isinstance(checked, Checked)
        rendering = advance(run)
        assert isinstance(rendering, Rendering)
        try:
            _, _, withheld = prepare(project, checked, rendering, self.config_file, self.work)
        except BaseException:
            run.close()
            raise
        built = advance(run)
        assert isinstance(built, Built)
        self.writer = built.writer
        self._place(withheld, sweep=self.server is None)
        assert project.docs_dir is not None
        data = read_mkdocs_yml(self.config_file)
        custom = (data.get("theme") or {}).get("custom_dir")
        theme = [self.config_file.parent / str(custom)] if custom else []
        self.watched = [self.config_file, project.docs_dir, *theme]
        if self.server is None:
            self._start_server()

    def _place(self, withheld: dict[str, Path], *, sweep: bool) -> None:
        """Serve the finished pages the build withheld from Zensical from ``site_dir`` (linked from
        the cache), no longer shadowed by what Zensical rendered of them before; with ``sweep`` (a
        new session) drop the pages an earlier session placed that are not finished pages now."""
        for url, cached in sorted(withheld.items()):
            target = self.site_dir / url / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            place_file(cached, target)
            (self.work / "site" / url / "index.html").unlink(missing_ok=True)
        if sweep:
            for page in self.site_dir.rglob("index.html"):
                url = page.parent.relative_to(self.site_dir).as_posix()
                url = "" if url == "." else url + "/"
                if url not in withheld and not url.startswith("admin/"):
                    page.unlink()

    def _start_server(self) -> None:
        """``zensical serve`` of the build folder on a loopback port of its own (never visited)."""
        shutil.rmtree(self.work / "site", ignore_errors=True)  # its first build is this session's
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        cmd = [sys.executable, "-m", "zensical", "serve", "-a", f"127.0.0.1:{port}", "-f", "mkdocs.yml"]
        self._rendered.clear()
        self.server = subprocess.Popen(
            cmd,
            cwd=self.work,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,  # not stopped by the terminal's Ctrl-C before the preview is
        )
        threading.Thread(target=self._relay, name="zensical-serve", daemon=True).start()
        self.wait_for_render()

    def _relay(self) -> None:
        """Print what Zensical's server says (its problems are the editor's too), and note each
        finished build."""
        assert self.server is not None and self.server.stdout is not None
        for line in self.server.stdout:
            text = line.rstrip()
            if text.startswith("Serving "):
                continue  # its own address: the preview's is printed
            if text:
                log.info("Zensical：%s", text)
            if text and text != "Build started":
                self._rendered.set()
                self.on_rendered()
        self._rendered.set()

    def wait_for_render(self, timeout: float = 1800) -> None:
        """Block until Zensical's server reports a finished build (since the event was cleared);
        raise when it has exited."""
        if not self._rendered.wait(timeout) or (self.server is not None and self.server.poll() is not None):
            code = self.server.poll() if self.server is not None else None
            raise EngineFailed(f"Zensical 的预览服务器没有完成渲染（退出码 {code}）")

    def build_in_child(self) -> None:
        """:meth:`build` in the preview's forked child: the pages' Markdown and the core's files are
        written whole or not at all; the running Zensical server renders what changed."""
        logging.getLogger("mkdocs").setLevel(logging.WARNING)
        self.build()
        self.wait_for_writer()

    def render(self, pages: list[GeneratedPage]) -> list[Path]:
        """Hand ``pages`` to Zensical's server (their Markdown in the build folder); the files it
        will write."""
        written = []
        for page in pages:
            _write_if_changed(self.work / "docs" / page.src_uri, page.markdown().encode("utf-8"))
            written.append(self.work / "site" / page.url / "index.html")
        return written

    def remove(self, src_uri: str, url: str) -> None:
        """A page no longer made (a deleted case): its Markdown, and what was served for it."""
        (self.work / "docs" / src_uri).unlink(missing_ok=True)
        for folder in self.served:
            (folder / url / "index.html").unlink(missing_ok=True)

    def wait_for_writer(self) -> None:
        """Wait until the last build's search and data files are written."""
        if self.writer is not None:
            self.writer.join()

    def close(self) -> None:
        """Stop Zensical's server."""
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()

"""Test helpers shared by tests and benchmarks: throwaway MkDocs projects, builds, a loopback server, pages."""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from site_builder.engines import engine_env
from tests.support.axe import AXE, AXE_PATH

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_CASES = ROOT / "tests" / "fixtures" / "site" / "cases"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PATIENCE_MS = 180_000
"""How long a browser wait may last before a test calls it a hang (Playwright's default is 30 s).

Generous on purpose: on a busy shared machine a page can take longer than 30 s to load or save,
and a test must never fail for speed (speed is measured in ``benchmarks/``).
"""
SMALL_SITE_ENV = {
    "REPO_URL": "https://github.com/example/site_builder",
    "SITE_BUILDER_PARALLEL_FROM": "999999",
}
"""How ``small_site`` is built: a fixed repository address, and serially (the reference for forked builds)."""
REAL_SITE_ENV = {"SITE_URL": "https://example.github.io/site_builder/"}
"""How ``real_site`` is built: for a project's GitHub Pages address, under a sub-path."""


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, resolving ``!ENV [NAME, default]`` to its default."""


_ConfigLoader.add_constructor(
    "!ENV",
    lambda loader, node: loader.construct_sequence(node)[-1] if isinstance(node, yaml.SequenceNode) else None,
)


def load_mkdocs_config(path: Path) -> dict[str, Any]:
    """The repository's mkdocs.yml as plain data."""
    data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_ConfigLoader)
    return data


def make_project(
    dest: Path, cases: Path | None = None, *, strict: bool = True, cache_from: Path | None = None
) -> Path:
    """A throwaway MkDocs project using the repository's config, theme and docs, with its own cases.

    ``cache_from`` (another project's ``mkdocs.yml``) starts the project with a copy of that
    project's caches, so a test about what a build writes does not pay for drawing art again;
    entries hold their inputs, so a copied cache can only be hit where the result is the same.
    """
    config = load_mkdocs_config(ROOT / "mkdocs.yml")
    config["docs_dir"] = str(ROOT / "docs")
    config["theme"]["custom_dir"] = str(ROOT / "theme")
    config["strict"] = strict
    dest.mkdir(parents=True, exist_ok=True)
    if cases is not None:
        shutil.copytree(cases, dest / "cases", dirs_exist_ok=True)
    if cache_from is not None and (cache_from.parent / ".cache").is_dir():
        shutil.copytree(cache_from.parent / ".cache", dest / ".cache", dirs_exist_ok=True)
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return dest / "mkdocs.yml"


def run_build(
    config: Path, out: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build --strict`` in a subprocess, as an editor's machine would."""
    env = engine_env({**os.environ, **(env or {})})
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=config.parent, timeout=600)


@dataclass(frozen=True)
class BuildResult:
    """What a build left behind: its exit status and its log, like a finished ``mkdocs build``."""

    returncode: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block (an empty value is set, not removed)."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def forget_process_caches() -> None:
    """Point the process-wide parse and photo caches nowhere, as in a fresh process.

    A build or ``validate`` aims them at its project's ``.cache`` and leaves them there (a process
    runs one command). In-process runs reset them afterwards, so a test never writes into another
    test's project, and the result does not depend on which tests ran before in this worker.
    """
    from site_builder.casefile.yamlio import use_parse_cache
    from site_builder.media.photos import use_photo_cache

    use_parse_cache(None)
    use_photo_cache(None)


def build_in_process(
    config: Path, out: Path, *, env: dict[str, str] | None = None, verbose: bool = False, strict: bool = True
) -> BuildResult:
    """``mkdocs build --strict -f config -d out`` in this process: the same plugin hooks, no interpreter start.

    ``strict=False`` is a plain ``mkdocs build`` (warnings do not fail it).

    Why: a test that checks what a build writes needs the build, not a second Python importing
    MkDocs, Material and the site builder again (about a second of CPU per build). Builds run here
    serially (the process has other threads, so the site builder never forks); tests that are about
    forking, the command line or exit codes use :func:`run_build`. The log (``INFO    -  ...``
    lines, ``DEBUG`` too with ``verbose``) is returned as ``stderr``, where the command prints it.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.addHandler(handler)
    returncode = 0
    try:
        with environment(env or {}), contextlib.chdir(config.parent):
            cfg = load_config(config_file=str(config), site_dir=str(out), strict=strict)
            cfg.plugins.on_startup(command="build", dirty=False)
            try:
                build(cfg)
            finally:
                cfg.plugins.on_shutdown()
    except MkDocsException as exc:  # what the command prints before exiting with status 1
        stream.write(f"{exc.format_message()}\n")
        returncode = 1
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        forget_process_caches()
    return BuildResult(returncode, "", stream.getvalue())


@contextlib.contextmanager
def _file_descriptor_into(fd: int, sink: io.StringIO) -> Iterator[None]:
    """Send what is written to ``fd`` (also by child processes, e.g. the engine) into ``sink``."""
    with tempfile.TemporaryFile() as spool:
        saved = os.dup(fd)
        os.dup2(spool.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)
            spool.seek(0)
            sink.write(spool.read().decode("utf-8", "replace"))


def cli_in_process(args: list[str], cwd: Path) -> BuildResult:
    """``site-builder ARGS`` run in ``cwd`` in this process: its exit status and what it printed.

    What the command prints and what the processes it starts (``build`` runs the engine in one)
    print both come back, the command's own lines first. For tests of a command's result; tests
    of the console script itself (start-up, tracebacks, signals) run it in a subprocess.
    """
    from site_builder import cli

    out, err = io.StringIO(), io.StringIO()
    child_out, child_err = io.StringIO(), io.StringIO()
    with (
        contextlib.chdir(cwd),
        _file_descriptor_into(1, child_out),
        _file_descriptor_into(2, child_err),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = cli.main(args)
        except SystemExit as exc:  # argparse refusing the arguments
            code = exc.code if isinstance(exc.code, int) else 2
        finally:
            forget_process_caches()
    return BuildResult(code, out.getvalue() + child_out.getvalue(), err.getvalue() + child_err.getvalue())


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        if urlsplit(path).path == AXE_PATH:  # the accessibility checker, served like a site script
            return str(AXE)
        return super().translate_path(path)

    def end_headers(self) -> None:
        if urlsplit(self.path).path == AXE_PATH:  # kept in the HTTP and code caches across pages
            self.send_header("Cache-Control", "max-age=600")
        super().end_headers()


def serve(directory: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    """Serve a folder on 127.0.0.1 at a free port; returns the base URL and the server."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


@contextlib.contextmanager
def watched_page(browser: Any, base_url: str, start: str) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A desktop-sized page opened at ``start``, with its script errors and off-site requests recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: None if r.url.startswith(base_url) or r.url.startswith("data:") else outside.append(r.url),
    )
    page.goto(start)
    try:
        yield page, errors, outside
    finally:
        context.close()

"""Test helpers shared by tests and benchmarks: throwaway MkDocs projects, builds, a loopback server, pages."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from site_builder.engines import engine_env

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


def make_project(dest: Path, cases: Path | None = None, *, strict: bool = True) -> Path:
    """A throwaway MkDocs project using the repository's config, theme and docs, with its own cases."""
    config = load_mkdocs_config(ROOT / "mkdocs.yml")
    config["docs_dir"] = str(ROOT / "docs")
    config["theme"]["custom_dir"] = str(ROOT / "theme")
    config["strict"] = strict
    dest.mkdir(parents=True, exist_ok=True)
    if cases is not None:
        shutil.copytree(cases, dest / "cases", dirs_exist_ok=True)
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return dest / "mkdocs.yml"


def run_build(
    config: Path, out: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build --strict`` in a subprocess, as an editor's machine would."""
    env = engine_env({**os.environ, **(env or {})})
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=config.parent, timeout=600)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


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

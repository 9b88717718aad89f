"""Session fixtures: each site is built once per run (in process), served, and read in Chromium.

Fixtures that build a site return its folder; ``*_url`` fixtures serve that folder on loopback.
Every test that needs the repository's own site shares ``real_site``: one build of ``cases/`` with
the repository's ``mkdocs.yml`` per run. Under pytest-xdist (``make test`` runs ``-n auto``) the
first worker that needs a site builds it and the others wait for it (``tests.support.shared``);
each worker serves it and drives its own Chromium.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import cpu_probe
from tests.support.pages_server import serve_like_pages
from tests.support.project import (
    CHROMIUM,
    CHROMIUM_ARGS,
    FIXTURE_CASES,
    PATIENCE_MS,
    REAL_SITE_ENV,
    ROOT,
    SMALL_SITE_ENV,
    build_in_process,
    make_project,
    serve,
)
from tests.support.shared import made_once

LONG_ALONE = (
    "tests/test_bench.py",
    "tests/test_finished_pages.py",
    "tests/engines/test_zensical_browser.py",
    "tests/test_incremental.py",
    "tests/scripts/test_pages_artifact.py",
    "tests/test_cache_environment.py",
)
"""Small modules whose tests run long (subprocess builds, the benchmark at 5 cases), most first."""


def pytest_configure(config: pytest.Config) -> None:
    """``SITE_BUILDER_TEST_CPU=FOLDER`` adds per-test CPU, Chromium included (``tests/support/cpu_probe.py``)."""
    cpu_probe.register(config)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the long small modules first, so the two workers of ``make test`` end together.

    pytest-xdist (``--dist worksteal``) hands each worker half of this list in order and lets an
    idle worker take the end of the other's queue; a long test left near the end would keep one
    worker busy alone. Whole modules move, so module-scoped fixtures are still made once.
    """
    rank = {path: i for i, path in enumerate(LONG_ALONE)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@pytest.fixture
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture cases in ``tmp_path/cases``, with ``tmp_path`` as the working folder."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURE_CASES, tmp_path / "cases")
    return tmp_path / "cases"


@pytest.fixture(scope="session")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway project holding the fixture cases (``project/``) and its build (``site/``), made once.

    Cold, serial and in process: the reference the forked, warm and Zensical builds are compared with.
    """

    def make(base: Path) -> None:
        config = make_project(base / "project", FIXTURE_CASES)
        proc = build_in_process(config, base / "site", env=SMALL_SITE_ENV)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    return made_once(tmp_path_factory, "small", make)


@pytest.fixture(scope="session")
def small_project(small_build: Path) -> Path:
    """The ``mkdocs.yml`` of the fixture cases' project (read-only: copy it, e.g. ``cache_from=``)."""
    return small_build / "project" / "mkdocs.yml"


@pytest.fixture(scope="session")
def small_site(small_build: Path) -> Path:
    """The fixture cases built into a site once for the whole run (cold, serial, in process)."""
    return small_build / "site"


@pytest.fixture(scope="session")
def small_site_url(small_site: Path) -> Iterator[str]:
    """The small site served over HTTP on loopback."""
    url, server = serve(small_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own site (``cases/``, ``mkdocs.yml``, strict), built once for the session.

    Built for the project's GitHub Pages address (``REAL_SITE_ENV``), so it is served like Pages
    serves it, under ``/site_builder/``. Uses the repository's ``.cache/`` as ``make site`` does.
    """

    def make(base: Path) -> None:
        proc = build_in_process(ROOT / "mkdocs.yml", base / "site", env=REAL_SITE_ENV)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    return made_once(tmp_path_factory, "real", make) / "site"


@pytest.fixture(scope="session")
def real_site_url(real_site: Path) -> Iterator[str]:
    """The repository's site served like GitHub Pages (sub-path, gzip, 404.html) on loopback."""
    url, server = serve_like_pages(real_site)
    yield url
    server.shutdown()


class _PatientBrowser:
    """The Playwright browser, whose new contexts and pages wait up to ``PATIENCE_MS`` (not 30 s)."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.set_default_timeout(PATIENCE_MS)
        context.set_default_navigation_timeout(PATIENCE_MS)
        return context

    def new_page(self, **options: Any) -> Any:
        page = self._browser.new_page(**options)
        page.set_default_timeout(PATIENCE_MS)
        page.set_default_navigation_timeout(PATIENCE_MS)
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a downloaded browser); waits time out after ``PATIENCE_MS``."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"找不到 Chromium（{CHROMIUM}）：请运行 make test（会用 apt-get 安装），或设置 CHROMIUM=路径"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=PATIENCE_MS)
        yield _PatientBrowser(b)
        b.close()


@pytest.fixture(scope="session")
def showcase_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture cases plus an unseen case and an unseen draft, built once (open data, feeds, map)."""
    from tests.support.showcase import build_showcase_site

    return made_once(tmp_path_factory, "showcase", build_showcase_site) / "site"


@pytest.fixture(scope="session")
def showcase_site_url(showcase_site: Path) -> Iterator[str]:
    """The showcase site served over HTTP on loopback."""
    url, server = serve(showcase_site)
    yield url
    server.shutdown()

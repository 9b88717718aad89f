"""Session fixtures: build a small site once, serve it, and drive Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.project import CHROMIUM, CHROMIUM_ARGS, FIXTURE_CASES, make_project, run_build, serve


@pytest.fixture(scope="session")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture cases built into a site once for the whole session."""
    base = tmp_path_factory.mktemp("small")
    config = make_project(base / "project", FIXTURE_CASES)
    out = base / "site"
    proc = run_build(config, out, env={"REPO_URL": "https://github.com/example/site_builder"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="session")
def small_site_url(small_site: Path) -> Iterator[str]:
    """The small site served over HTTP on loopback."""
    url, server = serve(small_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"找不到 Chromium（{CHROMIUM}）：请运行 make test（会用 apt-get 安装），或设置 CHROMIUM=路径"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def showcase_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture cases plus an unseen case and an unseen draft, built once (open data, feeds, map)."""
    from tests.support.showcase import build_showcase_site

    return build_showcase_site(tmp_path_factory.mktemp("showcase"))


@pytest.fixture(scope="session")
def showcase_site_url(showcase_site: Path) -> Iterator[str]:
    """The showcase site served over HTTP on loopback."""
    url, server = serve(showcase_site)
    yield url
    server.shutdown()

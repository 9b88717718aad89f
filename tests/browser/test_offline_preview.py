"""The pull-request preview as an editor opens it: unzip, double-click index.html (file://), browse, search."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from site_builder.outputs.offline import folder_link_to_file
from tests.support.project import FIXTURE_CASES, cli_in_process, make_project
from tests.support.shared import made_once

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def unzipped(tmp_path_factory: pytest.TempPathFactory, small_project: Path) -> Path:
    """``site-builder build --offline`` zipped like the CI artifact, then unzipped elsewhere (warm caches)."""

    def make(base: Path) -> None:
        config = make_project(base / "project", FIXTURE_CASES, cache_from=small_project)
        proc = cli_in_process(["build", "--offline", "--site-dir", str(base / "preview")], config.parent)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        archive = shutil.make_archive(str(base / "site-preview"), "zip", base / "preview")
        shutil.unpack_archive(archive, base / "downloads" / "site-preview")

    return made_once(tmp_path_factory, "offline", make) / "downloads" / "site-preview"


@pytest.fixture
def page(browser: Any, unzipped: Path) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("request", lambda r: None if r.url.startswith(("file://", "data:")) else outside.append(r.url))
    yield pg
    context.close()
    assert errors == [], errors
    assert outside == [], outside


def test_folder_links_get_index_html() -> None:
    assert folder_link_to_file("cases/x/") == "cases/x/index.html"
    assert folder_link_to_file("../") == "../index.html"
    assert folder_link_to_file(".") == "./index.html"
    assert folder_link_to_file("..") == "../index.html"
    assert folder_link_to_file("cases/x/#sb-h-related") == "cases/x/index.html#sb-h-related"
    for same in ("https://example.org/a/", "#top", "assets/site.css", "mailto:a@b.cn", "", "/abs/"):
        assert folder_link_to_file(same) == same


def test_home_to_case_by_double_click(page: Any, unzipped: Path) -> None:
    page.goto((unzipped / "index.html").as_uri())
    assert page.locator("h1").first.inner_text() == "上海新兴领域党建案例库"
    page.locator("a.sb-card__link", has_text="金色头盔").first.click()
    page.wait_for_url("**/cases/riders-golden-helmet/index.html")
    assert page.locator("h1").inner_text() == "金色头盔：骑手先锋在街区"
    page.get_by_role("link", name="浦东新区").first.click()
    page.wait_for_url("**/districts/pudong/index.html")
    assert "Index of" not in page.title()


def test_header_search_works_from_file(page: Any, unzipped: Path) -> None:
    page.goto((unzipped / "about" / "index.html").as_uri())
    page.locator("#cs-header-input").click()
    page.keyboard.type("骑手", delay=10)
    page.wait_for_function("document.querySelector('#cs-header-list a[role=option]') !== null")
    assert "暂时不可用" not in page.locator("#cs-header-list").inner_text()
    page.locator("#cs-header-list a[role=option]").first.click()
    page.wait_for_url("**/cases/*/index.html")
    assert page.locator("article.sb-case h1").count() == 1


def test_search_page_works_from_file(page: Any, unzipped: Path) -> None:
    page.goto((unzipped / "search" / "index.html").as_uri() + "?q=骑手")
    page.wait_for_function("/^共 \\d+ 个案例$/.test(document.querySelector('.cs-page__status').textContent)")
    first = page.locator(".cs-page__results a").first
    assert first.get_attribute("href").endswith("/index.html")
    first.click()
    page.wait_for_url("**/cases/*/index.html")


def test_drafts_show_with_their_banner_in_the_preview(page: Any, unzipped: Path) -> None:
    """The pull request's preview is where a web-only editor sees a draft as readers will."""
    page.goto((unzipped / "cases" / "draft-case" / "index.html").as_uri())
    banner = page.locator(".sb-draft")
    assert banner.is_visible() and "草稿" in banner.inner_text()

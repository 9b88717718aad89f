"""The Zensical site in Chromium: home -> a case -> the header search, typed, with no script errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.project import watched_page
from tests.support.search_fixtures import header_search

pytestmark = pytest.mark.browser


def test_home_case_search(browser: Any, zensical_site_url: str) -> None:
    with watched_page(browser, zensical_site_url, zensical_site_url) as (page, errors, outside):
        assert page.locator("h1").first.inner_text() == "上海新兴领域党建案例库"
        # Material's look (Zensical's classic variant): the site's red header, which theme/ is written for
        header = page.evaluate("getComputedStyle(document.querySelector('.md-header')).backgroundColor")
        assert header not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
        assert page.locator("#cs-header-input").is_visible()
        newest = page.locator("section", has=page.locator("#sb-h-newest")).locator("a.sb-card__link")
        assert newest.count() == 4
        newest.filter(has_text="金色头盔").first.click()
        page.wait_for_url("**/cases/riders-golden-helmet/")
        assert page.locator("h1").inner_text() == "金色头盔：骑手先锋在街区"
        assert page.title().startswith("金色头盔：骑手先锋在街区")
        assert page.locator(".sb-metric").count() == 2
        assert "riders-golden-helmet" in header_search(page, "骑手")
        assert "couriers-joint-meeting" in header_search(page, "快递员")
        page.locator("#cs-header-input").press("Enter")
        page.wait_for_url("**/search/?q=*")
        page.wait_for_selector(".cs-page__results li a")
        assert page.locator(".cs-page__results li a").count() >= 1
        assert errors == []
        assert outside == []

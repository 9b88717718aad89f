"""A reader follows an old tag link (a bookmark, a search result) after editors renamed, merged and
dropped tags: the browser lands on the tag that replaced it, or on the tag index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from site_builder.browse.model import slugify_tag
from tests.support.project import build_in_process, make_project, serve
from tests.test_termhistory import tag_history_repo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    repo = tag_history_repo(tmp_path_factory.mktemp("former-terms") / "repo")
    out = repo.parent / "site"
    result = build_in_process(make_project(repo), out)
    assert result.returncode == 0, result.stderr
    url, server = serve(out)
    yield url
    server.shutdown()


@pytest.mark.parametrize(
    ("old", "lands", "heading"),
    [
        ("金色头盔", f"tags/{slugify_tag('金头盔')}/", "标签：金头盔"),  # renamed
        ("联合党支部", f"tags/{slugify_tag('亮身份')}/", "标签：亮身份"),  # merged into another
        ("夜间服务", "tags/", "按标签浏览"),  # dropped: the index
    ],
)
def test_an_old_tag_address_lands_where_the_topic_went(
    browser: Any, site_url: str, old: str, lands: str, heading: str
) -> None:
    page = browser.new_page(locale="zh-CN")
    page.goto(site_url + f"tags/{slugify_tag(old)}/")
    page.wait_for_url(site_url + lands)
    assert page.locator("h1").first.inner_text().strip() == heading
    page.close()

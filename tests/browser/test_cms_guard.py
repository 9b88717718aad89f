"""/admin/ guards what Pages headers cannot: no framing by other sites, no token left behind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.project import serve

pytestmark = pytest.mark.browser

ACCOUNT = '{"backendName":"github","login":"editor","token":"github_pat_FAKE_TOKEN_FOR_TEST"}'


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(locale="zh-CN")
    try:
        yield ctx
    finally:
        ctx.close()


def test_the_account_lives_in_session_storage_only(context: Any, small_site_url: str) -> None:
    admin = context.new_page()
    admin.goto(small_site_url + "admin/")
    admin.get_by_role("button", name="使用本地仓库").wait_for()
    # What Sveltia does when an editor signs in: its storage writes the account to localStorage.
    admin.evaluate(f"() => localStorage.setItem('sveltia-cms.user', {ACCOUNT!r})")
    assert admin.evaluate("() => sessionStorage.getItem('sveltia-cms.user')") == ACCOUNT
    assert (
        admin.evaluate("() => localStorage.getItem('sveltia-cms.user')") == ACCOUNT
    )  # the editor reads it back
    assert admin.evaluate("() => localStorage.getItem('sveltia-cms.prefs')") is not None  # others stay local
    public = context.new_page()  # another tab of the same origin, e.g. any page of the site
    public.goto(small_site_url + "cases/")
    leaked = public.evaluate("() => JSON.stringify(Object.assign({}, localStorage)) + sessionStorage.length")
    assert "FAKE_TOKEN" not in leaked
    admin.evaluate("() => localStorage.removeItem('sveltia-cms.user')")  # signing out
    assert admin.evaluate("() => sessionStorage.getItem('sveltia-cms.user')") is None


def test_an_account_an_older_editor_left_in_local_storage_is_moved(context: Any, small_site_url: str) -> None:
    page = context.new_page()
    page.goto(small_site_url + "cases/")
    page.evaluate(f"() => localStorage.setItem('sveltia-cms.user', {ACCOUNT!r})")
    page.goto(small_site_url + "admin/")
    page.wait_for_function("() => sessionStorage.getItem('sveltia-cms.user') !== null")
    assert (
        page.evaluate("() => localStorage.getItem('sveltia-cms.user')") == ACCOUNT
    )  # the editor still finds it
    other = context.new_page()
    other.goto(small_site_url + "cases/")
    assert other.evaluate("() => localStorage.getItem('sveltia-cms.user')") is None


def test_admin_refuses_to_run_in_another_sites_frame(
    context: Any, small_site_url: str, tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text(
        f'<!doctype html><title>x</title><iframe id="f" src="{small_site_url}admin/" width="800" height="600"></iframe>',
        encoding="utf-8",
    )
    other_url, server = serve(tmp_path)  # another port: another origin
    try:
        page = context.new_page()
        page.goto(other_url)
        frame = page.frame_locator("#f")
        handle = page.wait_for_selector("#f")
        inner = handle.content_frame()
        assert inner is not None
        inner.wait_for_load_state("load")
        assert inner.evaluate("() => window.CMS_MANUAL_INIT === true")
        assert inner.evaluate("() => getComputedStyle(document.documentElement).display") == "none"
        assert frame.get_by_role("button", name="使用本地仓库").count() == 0
    finally:
        server.shutdown()


def _github(route: Any) -> None:
    """api.github.com as the sign-in needs it: a user, a collaborator, a repository."""
    url = route.request.url
    cors = {"access-control-allow-origin": "*"}
    if url.endswith("/user"):
        user = {
            "id": 1,
            "login": "editor",
            "name": "Editor",
            "avatar_url": "",
            "html_url": "https://github.com/editor",
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(user), headers=cors)
    elif "/collaborators/" in url:
        route.fulfill(status=204, body="", headers=cors)
    else:
        repo = {
            "data": {"repository": {"id": "R", "defaultBranchRef": {"name": "main", "target": {"oid": "a"}}}}
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(repo), headers=cors)


def test_signing_in_with_a_token_keeps_it_in_the_tab(context: Any, small_site_url: str) -> None:
    context.route("https://api.github.com/**", _github)
    page = context.new_page()
    page.goto(small_site_url + "admin/")
    page.get_by_role("button", name="使用访问令牌登录").click()
    page.get_by_role("textbox").first.fill("github_pat_FAKE_TOKEN_FOR_TEST")
    page.get_by_role("button", name="登录").last.click()
    page.wait_for_function("() => (sessionStorage.getItem('sveltia-cms.user') || '').includes('FAKE_TOKEN')")
    raw = page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
    assert "FAKE_TOKEN" not in raw
    other = context.new_page()
    other.goto(small_site_url + "cases/")
    assert other.evaluate("() => localStorage.getItem('sveltia-cms.user')") is None

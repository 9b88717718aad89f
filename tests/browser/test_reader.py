"""A reader on a phone: open the home page, tap through to a case, never leave 127.0.0.1."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def test_phone_home_to_case(browser, small_site_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(small_site_url)
    assert page.locator("h1").first.inner_text() == "上海新兴领域党建案例库"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    newest = page.locator("section", has=page.locator("#sb-h-newest")).locator("a.sb-card__link")
    assert newest.count() == 4
    newest.filter(has_text="金色头盔").first.tap()
    page.wait_for_url("**/cases/riders-golden-helmet/")
    assert page.locator("h1").inner_text() == "金色头盔：骑手先锋在街区"
    assert page.title().startswith("金色头盔：骑手先锋在街区")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".sb-metric").count() == 2
    # from the info panel to the district's browse page and back into another case
    page.get_by_role("link", name="浦东新区").first.click()
    page.wait_for_url("**/districts/pudong/")
    page.get_by_role("link", name="快递外卖行业党建联席会议").click()
    page.wait_for_url("**/cases/couriers-joint-meeting/")
    assert page.locator("h1").inner_text() == "快递外卖行业党建联席会议"
    off_site = [u for u in requests if not u.startswith(small_site_url)]
    assert off_site == []
    context.close()


def test_hostile_title_is_shown_as_text(browser, small_site_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    dialogs: list[str] = []

    def dismiss(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dismiss)
    page.goto(small_site_url + "cases/hostile-text/")
    assert page.locator("h1").inner_text() == '</title><script>alert("t")</script>标题测试'
    assert page.title().startswith('</title><script>alert("t")</script>标题测试')
    page.get_by_text("点我").hover()
    page.get_by_text("内联").click()
    assert dialogs == []
    page.close()


def test_case_photo_and_lightbox(browser, small_site_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(small_site_url + "cases/riders-golden-helmet/")
    photo = page.locator(".sb-figure img").first
    photo.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.sb-figure img'); return i && i.complete && i.naturalWidth > 0 }"
    )
    assert photo.get_attribute("alt") == "红色背景上的黄色条纹和白色圆形"
    assert page.locator(".sb-figure figcaption").inner_text().startswith("骑手驿站示意图")
    # by keyboard: focus the photo, Enter opens the full-size view, Esc closes it and focus returns
    photo.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('.sb-lightbox img'); return i && i.complete && i.naturalWidth > 0 }"
    )
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "关闭"
    for key in ("Tab", "Tab", "Shift+Tab"):  # focus stays inside the modal dialog
        page.keyboard.press(key)
        assert page.evaluate("!!document.activeElement.closest('.sb-lightbox')"), key
    assert page.evaluate("document.querySelector('.md-container').inert"), "the page behind is inert"
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert page.evaluate("document.activeElement.matches('.sb-figure img')"), "focus returns to the photo"
    assert not page.evaluate("document.querySelector('.md-container').inert")
    # by touch: tap opens, tap closes
    photo.tap()
    dialog.wait_for()
    dialog.tap()
    dialog.wait_for(state="detached")
    assert [u for u in requests if not u.startswith(small_site_url)] == []
    context.close()

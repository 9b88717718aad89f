"""The tile map, the charts and 引用本案例 as a reader uses them: keyboard, phone, desktop."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.axe import AXE, axe_violations
from tests.support.showcase import UNSEEN_ID

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def _context(browser: Any, size: dict[str, Any], base_url: str) -> tuple[Any, list[str]]:
    """A browser context recording requests that leave the site or find nothing."""
    context = browser.new_context(**size, locale="zh-CN")
    outside: list[str] = []
    context.on("request", lambda r: None if r.url.startswith(base_url) else outside.append(r.url))
    context.on("response", lambda r: outside.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return context, outside


@pytest.mark.parametrize("start", ["districts/", ""])
def test_keyboard_reaches_a_tile_and_enter_opens_the_district(
    browser: Any, showcase_site_url: str, start: str
) -> None:
    context, outside = _context(browser, PHONE, showcase_site_url)
    page = context.new_page()
    page.goto(showcase_site_url + start)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('data-district')") == "pudong":
            break
    else:
        pytest.fail("Tab never reached the 浦东 tile")
    focused = page.locator(":focus")
    assert focused.get_attribute("data-district") == "pudong"
    assert (
        page.get_by_role("link", name="浦东 2 个案例", exact=True).count() == 1
    )  # what a screen reader says
    ring = page.evaluate("getComputedStyle(document.activeElement.querySelector('rect')).strokeWidth")
    assert ring not in ("", "0", "0px")  # a visible focus ring
    page.keyboard.press("Enter")
    page.wait_for_url("**/districts/pudong/")
    assert page.locator("h1").inner_text().startswith("浦东新区")
    assert outside == []
    context.close()


def test_empty_districts_are_not_links_and_the_list_tells_the_same(browser, showcase_site_url: str) -> None:  # type: ignore[no-untyped-def]
    context, _ = _context(browser, PHONE, showcase_site_url)
    page = context.new_page()
    page.goto(showcase_site_url + "districts/")
    tiles = page.locator(".sb-tilemap__svg [data-district]")
    assert tiles.count() == 16
    assert page.locator(".sb-tilemap__svg a[data-district]").count() == 4  # 浦东, 黄浦, 徐汇, 静安
    assert page.get_by_role("img", name="崇明区：暂无案例").count() == 1
    page.get_by_text("以文字列表查看各区案例数").click()
    item = page.locator(".sb-tilemap__list li", has_text="静安区")
    assert item.inner_text() == "静安区：1 个案例"
    item.get_by_role("link").click()
    page.wait_for_url("**/districts/jingan/")
    context.close()


def test_stats_page_on_a_phone(browser, showcase_site_url: str) -> None:  # type: ignore[no-untyped-def]
    context, outside = _context(browser, PHONE, showcase_site_url)
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(showcase_site_url + "stats/")
    page.wait_for_load_state("networkidle")
    assert not [
        u for u in fetched if u.endswith("sitemap.xml")
    ]  # the feed links do not make Material fetch it
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for key in ("year", "field", "group"):
        chart = page.locator(f"#sb-chart-{key}")
        box = chart.bounding_box()
        assert box and box["width"] <= 390 and box["height"] > 40
    # the data table opens from the keyboard
    summary = page.locator("summary", has_text="各领域的案例数：数据表")
    summary.focus()
    page.keyboard.press("Enter")
    table = page.get_by_role("table", name="各领域的案例数")
    table.wait_for(state="visible")
    assert table.get_by_role("row").count() >= 2
    assert outside == []
    context.close()


def test_copy_citation_and_qr_only_on_desktop(browser, showcase_site_url: str) -> None:  # type: ignore[no-untyped-def]
    context, outside = _context(browser, DESKTOP, showcase_site_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=showcase_site_url.rstrip("/"))
    page = context.new_page()
    page.goto(showcase_site_url + f"cases/{UNSEEN_ID}/")
    page.wait_for_function("() => !document.querySelector('button[data-copy]').hidden")
    ref = page.locator("#sb-cite-ref")
    text = ref.inner_text()
    assert text.startswith("上海新兴领域党建案例库. 闸北“夜间驿站”联合服务点[EB/OL]. (2026-06)[")
    browser_today = page.evaluate(
        "(() => { const d = new Date(); return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0')"
        " + '-' + String(d.getDate()).padStart(2, '0') })()"
    )
    assert f"(2026-06)[{browser_today}]" in text  # the reader's own day as 引用日期
    page.evaluate(
        "() => { window.sbCopied = new Promise(r => document.querySelector('.sb-cite').addEventListener('sb:copied', e => r(e.detail))) }"
    )
    page.get_by_role("button", name="复制引用").click()
    detail = page.evaluate("window.sbCopied")
    assert detail["ok"] is True and detail["text"] == text
    assert page.evaluate("navigator.clipboard.readText()") == text
    assert page.get_by_role("status").filter(has_text="引用已复制").count() == 1
    qr = page.get_by_role("img", name="本页地址的二维码")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box and box["width"] >= 120  # big enough to scan from a screen
    assert outside == []
    context.close()

    phone, _ = _context(browser, PHONE, showcase_site_url)
    page = phone.new_page()
    page.goto(showcase_site_url + f"cases/{UNSEEN_ID}/")
    assert not page.get_by_role("img", name="本页地址的二维码").is_visible()
    assert page.locator("#sb-cite-link").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_nothing_serious_with_tables_and_lists_open(
    browser: Any, showcase_site_url: str, size: dict[str, Any]
) -> None:
    """The map, the charts, their tables and text lists, and 引用本案例, checked open (axe skips closed details)."""
    assert AXE.is_file(), "axe-core is missing: make install runs npm ci"
    context, outside = _context(browser, size, showcase_site_url)
    page = context.new_page()
    for path in ("", "districts/", "stats/", f"cases/{UNSEEN_ID}/"):
        page.goto(showcase_site_url + path)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
        bad = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in axe_violations(page)]
        assert bad == [], (path, bad)
    assert outside == []
    context.close()

"""Browser tests: type into the real header search box and use the /search/ filters page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.support.project import serve, watched_page
from tests.support.search_fixtures import FAKE_CASES, LISTEN, build_site, header_search, results_page_ids
from tests.support.shared import made_once

pytestmark = pytest.mark.browser

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

# query -> case id expected among the top 3 of the header dropdown
QUERIES: list[tuple[str, str]] = [
    ("外卖骑手", "pudong-riders-station"),
    ("外賣騎手", "pudong-riders-station"),  # traditional
    ("骑手", "pudong-riders-station"),
    ("外卖", "minhang-takeaway-platform"),
    ("躰驗", "xuhui-building-party"),  # variant 躰 + traditional 驗
    ("浦东外卖骑手", "pudong-riders-station"),  # several words without spaces
    ("静安快递员", "jingan-courier-council"),
    ("B站", "yangpu-bilibili-branch"),  # Latin + CJK
    ("Ｂ站", "yangpu-bilibili-branch"),  # full-width Latin
    ("bilibili", "yangpu-bilibili-branch"),  # synonym of B站
    ("哔哩哔哩", "yangpu-bilibili-branch"),
    ("外卖小哥", "pudong-riders-station"),  # synonym
    ("快递小哥", "jingan-courier-council"),  # synonym
    ("集卡司机", "baoshan-truck-drivers"),  # synonym
    ("貨車司機", "baoshan-truck-drivers"),
    ("楼宇党建", "xuhui-building-party"),
    ("网约车", "citywide-ride-hailing"),
    ("商圈 店主", "songjiang-street-block"),
]

XSS_CASE = {
    "xss-title-case": {
        "title": "<img src=x onerror=alert(1)>外卖测试",
        "summary": (
            "这是一个用来检查转义的测试案例，标题和摘要里有尖括号<b>粗体</b>，"
            "页面必须按文字显示，不能执行脚本。"
        ),
        "district": "黄浦区",
        "fields": ["楼宇"],
        "groups": [],
        "tags": ["转义测试"],
        "year": 2016,
        "practice": "测试用的做法文字，不包含真实内容。",
    }
}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = (
        made_once(tmp_path_factory, "search", lambda base: build_site(base, {**FAKE_CASES, **XSS_CASE}))
        / "site"
    )
    url, server = serve(site)
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def page(browser: Any, site_url: str) -> Iterator[Any]:
    """One page for the whole module: each search waits for its own results event."""
    with watched_page(browser, site_url, site_url + "about/") as (pg, errors, outside):
        yield pg
        assert errors == []
        assert outside == [], "third-party requests"


@pytest.mark.parametrize("how", ["type", "insert", "ime"])
@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[q for q, _ in QUERIES])
def test_header_top3(page: Any, query: str, expected: str, how: str) -> None:
    assert expected in header_search(page, query, how)[:3]


def test_unanswered_query_shows_nothing(page: Any) -> None:
    for query in ("股票行情", "高考分数线", "地铁时刻表"):
        assert header_search(page, query) == []
        assert "没有找到相关案例" in page.locator("#cs-header-list").inner_text()


def test_typo_and_pinyin_tier_is_labelled(page: Any) -> None:
    for query in ("暖芯驿站", "nuanxinyizhan", "nuǎn xīn yì zhàn"):
        assert header_search(page, query)[:1] == ["pudong-riders-station"], query
        note = page.locator(".cs-header__tier")
        assert note.is_visible() and "读音" in note.inner_text()
    assert header_search(page, "暖心驿站")[:1] == ["pudong-riders-station"]
    assert not page.locator(".cs-header__tier").is_visible()


def test_partial_tier_is_labelled(page: Any) -> None:
    ids = header_search(page, "浦东外卖骑手暖心驿站加油站")
    assert ids[:1] == ["pudong-riders-station"]
    assert "包含部分关键词" in page.locator(".cs-header__tier").inner_text()


def test_numbers_in_words_find_digits(page: Any) -> None:
    assert header_search(page, "一百二十名党员骑手")[:1] == ["pudong-riders-station"]
    assert header_search(page, "120名")[:1] == ["pudong-riders-station"]


def test_multiword_narrows(page: Any) -> None:
    wide = header_search(page, "外卖骑手")
    narrow = header_search(page, "浦东外卖骑手")
    assert narrow and set(narrow) <= set(wide) and len(narrow) < len(wide)
    assert narrow[0] == "pudong-riders-station"


def test_results_show_meta_snippet_marks_and_no_zero_width(page: Any) -> None:
    header_search(page, "外卖骑手")
    page.wait_for_function("document.querySelector('#cs-header-list .cs-result__snippet mark') !== null")
    first = page.locator("#cs-header-list a[role=option]").first
    text = first.inner_text()
    assert "浦东新区" in text and "2021" in text
    marks = page.eval_on_selector_all("#cs-header-list mark", "els => els.map(e => e.textContent)")
    assert "外卖骑手" in marks or ("外卖" in "".join(marks) and "骑手" in "".join(marks))
    body = page.locator("#cs-header-list").inner_text()
    assert not any(z in body for z in ZERO_WIDTH)


def test_untrusted_text_is_escaped(page: Any) -> None:
    header_search(page, "转义测试")
    assert page.locator("#cs-header-list img").count() == 0
    assert "<img src=x" in page.locator("#cs-header-list").inner_text()


def test_keyboard_shortcuts_and_listbox(page: Any, site_url: str) -> None:
    page.goto(site_url + "about/")
    page.locator("body").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "cs-header-input"
    page.keyboard.press("Escape")
    page.locator("body").click()
    page.keyboard.press("s")
    assert page.evaluate("document.activeElement.id") == "cs-header-input"
    assert page.input_value("#cs-header-input") == ""
    header_search(page, "快递员")
    page.keyboard.press("ArrowDown")
    active = page.get_attribute("#cs-header-input", "aria-activedescendant")
    assert active and page.get_attribute(f"#{active}", "aria-selected") == "true"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/cases/jingan-courier-council/" in page.url


def test_enter_opens_full_results(page: Any) -> None:
    header_search(page, "骑手")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/search/" in page.url and parse_qs(urlparse(page.url).query)["q"] == ["骑手"]
    assert results_page_ids(page, "骑手")
    assert page.input_value("#cs-page-q") == "骑手"


def test_filters_page(page: Any, site_url: str) -> None:
    assert len(results_page_ids(page, "", site_url + "search/")) == len(FAKE_CASES) + 1
    # filter without a query
    page.evaluate(LISTEN, [".cs-page", "cs:page-rendered", ""])
    page.locator("input[name=group][value=delivery-riders]").check()
    page.wait_for_function("() => window.__csSeen !== null && window.__csSeen.count === 2")
    assert sorted(results_page_ids(page, "")) == ["minhang-takeaway-platform", "pudong-riders-station"]
    assert "group=delivery-riders" in page.url
    # counts per value reflect the other filters
    count = page.locator("input[name=district][value=pudong] ~ .cs-count").inner_text()
    assert count == "1"
    # combine with a text query
    page.fill("#cs-page-q", "浦东")
    assert results_page_ids(page, "浦东") == ["pudong-riders-station"]
    assert "q=" in page.url
    # year range; shared URL restores the state
    assert sorted(
        results_page_ids(page, "", site_url + "search/?field=new-employment&from=2020&to=2022")
    ) == [
        "baoshan-truck-drivers",
        "minhang-takeaway-platform",
        "pudong-riders-station",
    ]
    assert page.locator("input[name=field][value=new-employment]").is_checked()
    assert page.input_value("input[name=from]") == "2020"


def test_filters_page_phone_width(browser: Any, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    assert results_page_ids(pg, "外卖", site_url + "search/?q=外卖")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    pg.goto(site_url + "about/")
    assert header_search(pg, "骑手")
    box = pg.locator(".cs-header__panel").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    context.close()


def test_body_only_match_gets_body_snippet(page: Any) -> None:  # last: leaves a snippet request
    assert header_search(page, "陆家嘴")[:1] == ["pudong-riders-station"]
    page.wait_for_function(
        "[...document.querySelectorAll('#cs-header-list .cs-result__snippet mark')]"
        ".some(m => m.textContent.includes('陆家'))"
    )

"""The re-review as readers make it: a phone in WeChat's in-app browser and a desktop browser.

WeChat opens most links to this site: its browser (XWeb on Android, WKWebView on iOS, both with
``MicroMessenger`` in the user agent) ignores ``<a download>``, cannot save a file a page builds,
has no Web Share and often no Clipboard API. The phone readers here carry WeChat's user agents at
390 px with those two APIs removed; the desktop reader is plain Chromium at 1366 px. Each checks
what the issue's re-review asks: axe in both colour schemes, reflow at 200 % text, the 简/繁
switch, the publisher (unset, partly set, fully set) and the tasks a reader comes for (find,
filter, cite, share, download), counted in taps and held to upper bounds (``TAP_BUDGET``; the
counts are in benchmarks/README.md).
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from site_builder.browse import urls
from tests.support.axe import axe_violations
from tests.support.pages_server import serve_like_pages
from tests.support.project import FIXTURE_CASES, REAL_SITE_ENV, build_in_process, make_project
from tests.support.shared import made_once

from .test_readers import DARK_PAGES as READERS_DARK_PAGES
from .test_readers import DESKTOP as READERS_DESKTOP
from .test_readers import PAGES as READERS_PAGES
from .test_readers import PHONE as READERS_PHONE
from .test_readers import PHONE_AXE_IN_WECHAT as READERS_PHONE_AXE_HERE
from .test_readers import PUBLISHER as READERS_PUBLISHER
from .test_readers import REFLOW_PAGES as READERS_REFLOW_PAGES
from .test_readers import TEXT_SIZES as READERS_TEXT_SIZES

pytestmark = pytest.mark.browser

WECHAT_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247"
    " MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)
WECHAT_IOS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
    " Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
)
_PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
READERS: dict[str, dict[str, Any]] = {
    "wechat-android": {**_PHONE, "user_agent": WECHAT_ANDROID},
    "wechat-ios": {**_PHONE, "user_agent": WECHAT_IOS},
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}
WECHAT = ("wechat-android", "wechat-ios")
NO_SHARE = "delete Navigator.prototype.share;"
"""Web Share is missing in WeChat and in Chromium on Linux; removed everywhere so runs agree."""
NO_CLIPBOARD = "Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });"
"""WeChat's browser often has no Clipboard API: copying falls back to execCommand."""

CASE = "riders-golden-helmet"
CASE_TITLE = "金色头盔：骑手先锋在街区"
SITE_URL = REAL_SITE_ENV["SITE_URL"]
REPO_URL = "https://github.com/example/site_builder"
FULL = {"host_org": "某某党建研究会", "contact_email": "cases@example.org", "feedback_url": "repository"}
PUBLISHERS: dict[str, dict[str, str]] = {  # every key given: mkdocs.yml may set some
    "unset": {"host_org": "", "contact_email": "", "feedback_url": ""},
    "no-host": {"host_org": "", "contact_email": "cases@example.org", "feedback_url": "repository"},
    "email-wrong": {
        "host_org": "某某党建研究会",
        "contact_email": "不是邮箱",
        "feedback_url": "https://example.org/fk",
    },
    "full": FULL,
}
PAGES: dict[str, str | None] = {
    "home": urls.HOME,
    "case": urls.case_url(CASE),
    "browse": "districts/pudong/",
    "tag": None,  # the first tag page of the built site (slugs are pinyin)
    "search": urls.SEARCH + "?q=骑手",
    "stats": urls.STATS,
    "about": "about/",
    "404": "no/such/page/",
}

TAP_BUDGET: dict[str, dict[str, int]] = {
    "phone": {"find": 2, "filter": 4, "cite": 1, "share": 1, "download": 1},
    "desktop": {"find": 2, "filter": 2, "cite": 1, "share": 1, "download": 1},
}
"""Upper bounds on taps (clicks on a desktop) per task; typing and scrolling are not taps. Sharing in
WeChat then takes WeChat's own two taps ("···", 转发给朋友), outside the page."""


def _build(base: Path, small_project: Path, extra: dict[str, str]) -> Path:
    config = make_project(base / "project", FIXTURE_CASES, cache_from=small_project)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["extra"] = {**data.get("extra", {}), **extra}
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = base / "site"
    proc = build_in_process(config, out, env={"SITE_URL": SITE_URL, "REPO_URL": REPO_URL})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def sites(
    tmp_path_factory: pytest.TempPathFactory, small_project: Path, small_site: Path
) -> Iterator[dict[str, str]]:
    """One served site per publisher setting (the full one serves every other test)."""
    served: dict[str, str] = {}
    servers = []
    for name, extra in PUBLISHERS.items():
        site = (
            made_once(
                tmp_path_factory,
                f"wechat-{name}",
                functools.partial(_build, small_project=small_project, extra=extra),
            )
            / "site"
        )
        url, server = serve_like_pages(site)
        served[name] = url
        served[f"{name}:dir"] = str(site)
        servers.append(server)
    yield served
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="module")
def pages(sites: dict[str, str]) -> dict[str, str]:
    tag = sorted(p.name for p in (Path(sites["full:dir"]) / "tags").iterdir() if p.is_dir())[0]
    return {name: path if path is not None else f"tags/{tag}/" for name, path in PAGES.items()}


@pytest.fixture(scope="module")
def tabs(browser: Any) -> Iterator[dict[tuple[str, str], Any]]:
    """One tab per reader and colour scheme, each in its own browser context, kept for the module.

    Tests navigate the tab of their reader and scheme, as a reader moves between pages in one tab
    (as test_readers does): a new tab per test started a renderer and compiled the site's scripts
    and axe-core again. ``open_page`` clears what the site stored after each test, and a navigation
    starts a new document, so tests stay independent.
    """
    opened: dict[tuple[str, str], Any] = {}
    yield opened
    for pg in opened.values():
        pg.context.close()


@pytest.fixture
def open_page(browser: Any, sites: dict[str, str], tabs: dict[tuple[str, str], Any]) -> Iterator[Any]:
    """Open a page as a reader; records script errors and requests to other hosts."""
    used: list[Any] = []
    errors: list[str] = []
    outside: list[str] = []
    origins: dict[int, str] = {}  # the served site each tab shows in this test
    listeners: list[tuple[Any, Any]] = []

    def on_error(error: Any) -> None:
        errors.append(str(error))

    def _open(
        path: str, reader: str, *, scheme: str = "light", text: float = 1.0, publisher: str = "full"
    ) -> Any:
        site = sites[publisher]
        pg = tabs.get((reader, scheme))
        if pg is None or pg.is_closed():
            context = browser.new_context(
                **READERS[reader], locale="zh-CN", color_scheme=scheme, accept_downloads=True
            )
            context.add_init_script(NO_SHARE + (NO_CLIPBOARD if reader in WECHAT else ""))
            pg = tabs[reader, scheme] = context.new_page()
        origins[id(pg)] = "{0.scheme}://{0.netloc}/".format(urlsplit(site))
        if pg not in used:
            used.append(pg)

            def on_request(request: Any, tab: Any = pg) -> None:
                if not request.url.startswith((origins[id(tab)], "blob:", "data:")):
                    outside.append(request.url)

            pg.on("pageerror", on_error)
            pg.on("request", on_request)
            listeners.append((pg, on_request))
        pg.goto(site + path)
        pg.wait_for_load_state("load")
        if text != 1.0:  # the reader's text size (WeChat's font setting): Material's root is 125 %
            pg.add_style_tag(content=f"html {{ font-size: {125 * text}% !important; }}")
        return pg

    yield _open
    for pg, on_request in listeners:
        if pg.is_closed():
            continue
        pg.remove_listener("pageerror", on_error)
        pg.remove_listener("request", on_request)
        if pg.url.startswith("http://127.0.0.1"):  # 繁體 is not the next test's
            pg.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        pg.context.clear_cookies()
    assert errors == []
    assert outside == [], "third-party requests"


def _axe(pg: Any) -> list[tuple[str, str, list[Any]]]:
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in axe_violations(pg)]


def _ready(pg: Any, name: str) -> None:
    if name == "search":
        pg.wait_for_function("document.querySelectorAll('.cs-page__results li').length > 0")


# --- axe, reflow, 简/繁 ----------------------------------------------------------------------------


def _page_type(path: str | None) -> str | None:
    """A page's address without its query (``None``: the first tag page of the built site)."""
    return path.split("?")[0] if path is not None else None


def _left_to_readers(pages: list[str]) -> set[str]:
    """This module's pages whose type test_readers checks the same way on a desktop (plain
    Chromium at 1366 px, the fixture cases and the full publisher): checked there, once."""
    types = {_page_type(READERS_PAGES[name]) for name in pages}
    return {name for name, path in PAGES.items() if _page_type(path) in types}


DESKTOP_AXE_IN_READERS = {
    "light": _left_to_readers(list(READERS_PAGES)),
    "dark": _left_to_readers(READERS_DARK_PAGES),
}
"""Desktop page states test_readers runs axe on (light: every page type; dark: ``DARK_PAGES``)."""
DESKTOP_REFLOW_IN_READERS = (
    _left_to_readers(READERS_REFLOW_PAGES) if 2.0 in READERS_TEXT_SIZES.values() else set()
)
"""Desktop pages test_readers checks for sideways scrolling at 200 % text."""
AXE_STATES = [
    pytest.param(name, reader, scheme, id=f"{name}-{reader}-{scheme}")
    for name in PAGES
    for reader in ("wechat-android", "desktop")
    for scheme in ("light", "dark")
    if not (reader == "desktop" and name in DESKTOP_AXE_IN_READERS[scheme])
]
"""Every page type in both schemes at 390 px with WeChat's user agent; on a desktop, the states
test_readers does not already check."""
REFLOW_STATES = [
    pytest.param(name, reader, id=f"{name}-{reader}")
    for name in PAGES
    for reader in ("wechat-android", "desktop")  # Chromium lays both WeChat UAs out alike
    if not (reader == "desktop" and name in DESKTOP_REFLOW_IN_READERS)
]


def test_desktop_states_left_to_readers_are_the_same_reader() -> None:
    """What this module leaves to test_readers is checked there by the same desktop reader."""
    assert READERS["desktop"] == READERS_DESKTOP and FULL == READERS_PUBLISHER
    assert DESKTOP_AXE_IN_READERS["light"] == set(PAGES), "test_readers checks every page type, light"
    assert {"home", "case", "stats"} <= DESKTOP_AXE_IN_READERS["dark"]


def test_phone_states_test_readers_leaves_here_are_checked_on_the_same_screen() -> None:
    """test_readers leaves to this module the phone axe states it checks here: same page type,
    scheme and screen (WeChat's user agent aside)."""
    phone = {key: value for key, value in READERS["wechat-android"].items() if key != "user_agent"}
    assert phone == READERS_PHONE
    checked = {(name, scheme) for name, reader, scheme in (p.values for p in AXE_STATES) if reader in WECHAT}
    for scheme, names in READERS_PHONE_AXE_HERE.items():
        for name in names:
            kind = _page_type(READERS_PAGES[name])
            assert any(_page_type(PAGES[mine]) == kind and (mine, scheme) in checked for mine in PAGES), (
                name,
                scheme,
            )


@pytest.mark.parametrize(("name", "reader", "scheme"), AXE_STATES)
def test_axe_finds_nothing_serious(
    open_page: Any, pages: dict[str, str], name: str, reader: str, scheme: str
) -> None:
    pg = open_page(pages[name], reader, scheme=scheme)
    _ready(pg, name)
    if reader in WECHAT:
        assert pg.evaluate("document.documentElement.classList.contains('sb-wechat')")
    assert _axe(pg) == [], f"{name}, {reader}, {scheme}"


@pytest.mark.parametrize(("name", "reader"), REFLOW_STATES)
def test_no_sideways_scroll_at_200_percent_text(
    open_page: Any, pages: dict[str, str], name: str, reader: str
) -> None:
    pg = open_page(pages[name], reader, text=2.0)
    _ready(pg, name)
    width = READERS[reader]["viewport"]["width"]
    wide = pg.evaluate(
        "w => [...document.querySelectorAll('body *')].filter(e => e.getClientRects().length"
        " && e.getBoundingClientRect().right > w + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)",
        width,
    )
    assert pg.evaluate("document.documentElement.scrollWidth") <= width, wide


@pytest.mark.parametrize("reader", list(READERS))
def test_traditional_switch_round_trips_a_case_page(open_page: Any, reader: str) -> None:
    pg = open_page(urls.case_url(CASE), reader)
    content = pg.locator(".md-content")
    before, title = content.inner_text(), pg.title()
    switch = pg.get_by_role("button", name="繁體")
    _tap(pg, switch)
    pg.wait_for_function("document.documentElement.lang === 'zh-Hant'")
    assert "金色頭盔：騎手先鋒在街區" in content.inner_text()
    pg.reload()  # remembered, as WeChat keeps localStorage for the site
    pg.wait_for_function("document.documentElement.lang === 'zh-Hant'")
    _tap(pg, switch)
    pg.wait_for_function("document.documentElement.lang !== 'zh-Hant'")
    assert content.inner_text() == before and pg.title() == title


# --- the publisher: never half set --------------------------------------------------------------

_HALF = re.compile(
    r"(主办单位|联系邮箱|反馈途径|反馈)[：:]\s*($|[。；，、])|None|undefined|\{\{|\}\}|暂未设置|未设置", re.M
)


@pytest.mark.parametrize("publisher", list(PUBLISHERS))
def test_no_page_shows_a_half_set_publisher(open_page: Any, publisher: str) -> None:
    extra = PUBLISHERS[publisher]
    host = extra.get("host_org")
    email = extra.get("contact_email") if "@" in extra.get("contact_email", "") else None
    feedback = extra.get("feedback_url")
    for path in (urls.HOME, urls.case_url(CASE), "about/"):
        pg = open_page(path, "wechat-android", publisher=publisher)
        footer = pg.locator(".md-copyright")
        shown = footer.locator(".sb-publisher li").all_inner_texts()
        expected = (
            ([f"主办单位：{host}"] if host else [])
            + ([f"联系邮箱：{email}"] if email else [])
            + (["意见反馈"] if feedback else [])
        )
        assert [t.strip() for t in shown] == expected, path
        assert footer.locator(".sb-publisher").count() == (1 if expected else 0), "no empty list"
        text = pg.locator(".md-content").inner_text() + "\n" + footer.inner_text()
        assert not _HALF.search(text), (path, _HALF.search(text))
        empty = pg.eval_on_selector_all(
            ".md-content a[href], .md-copyright a[href]",
            "els => els.filter(a => !a.textContent.trim() && !a.getAttribute('aria-label')"
            " && !a.querySelector('img[alt]:not([alt=\"\"])')).map(a => a.outerHTML.slice(0, 80))",
        )
        assert empty == [], "no empty link"
        if path == "about/":
            about = pg.locator(".md-content").inner_text()
            assert ("本站由某某党建研究会主办。" in about) == bool(host)
            assert ("cases@example.org" in about) == bool(email)
            assert "Pull Request" in about, "the route every reader has"
        if path == urls.case_url(CASE):
            report = pg.locator(".sb-report a").all_inner_texts()
            wanted = (["发邮件纠错"] if email else []) + (
                ["在 GitHub 上纠错"] if feedback == "repository" else []
            )
            assert report == wanted
            assert pg.locator(".sb-report").count() == (1 if wanted else 0), (
                "no 发现错误？ with nothing after it"
            )


# --- WeChat specifics --------------------------------------------------------------------------


@pytest.mark.parametrize("reader", WECHAT)
def test_wechat_downloads_open_the_file_and_say_how_to_save_it(open_page: Any, reader: str) -> None:
    pg = open_page(urls.STATS, reader)
    links = pg.locator("a[href$='.csv']")
    assert links.count() >= 1
    assert pg.locator("a[download]:not([href^='data:'])").count() == 0, "WeChat ignores <a download>"
    hints = pg.locator(".sb-wechat-hint")
    assert hints.count() >= 1
    for i in range(hints.count()):
        hint = hints.nth(i)
        hint.scroll_into_view_if_needed()
        assert hint.is_visible() and "在浏览器打开" in hint.inner_text()
    for figure in pg.locator("figure:has(a[href^='data:'])").all():  # per-chart CSVs: a note beside each
        assert figure.locator(".sb-wechat-hint").count() == 1
    search = open_page(urls.SEARCH + "?district=pudong", reader)
    _ready(search, "search")
    note = search.locator(".cs-page__export + .sb-wechat-hint")
    note.scroll_into_view_if_needed()
    assert note.is_visible() and "导出的表格" in note.inner_text()


def test_desktop_keeps_downloads_and_shows_no_wechat_notes(open_page: Any) -> None:
    pg = open_page(urls.STATS, "desktop")
    assert pg.locator(".sb-wechat-hint").count() == 0
    assert pg.locator("a[download][href$='.csv']").count() >= 1


@pytest.mark.parametrize("reader", list(READERS))
def test_share_cards_and_the_share_button(open_page: Any, reader: str) -> None:
    pg = open_page(urls.case_url(CASE), reader)
    og = {
        p: pg.get_attribute(f"meta[property='og:{p}']", "content")
        for p in ("title", "description", "url", "image", "type")
    }
    assert og["title"] == CASE_TITLE and og["description"] and og["type"] == "article"
    assert og["url"] == SITE_URL + urls.case_url(CASE)
    assert og["image"] and og["image"].startswith(SITE_URL), "the card image is on the site, absolute"
    button = pg.get_by_role("button", name="分享")
    _tap(pg, button)
    status = pg.locator(".sb-cite__status")
    if reader in WECHAT:
        tip = pg.get_by_role("dialog", name="在微信里分享")
        assert tip.is_visible() and "转发给朋友" in tip.inner_text()
        box = tip.locator(".sb-share-tip__arrow").bounding_box()
        assert box is not None and box["x"] > 390 / 2 and box["y"] < 100, "points at the top right"
        assert pg.evaluate("document.activeElement.textContent") == "知道了"
        pg.keyboard.press("Escape")
        assert tip.count() == 0 and pg.evaluate("document.activeElement.textContent") == "分享"
        assert _axe(pg) == []
    else:
        pg.wait_for_function("document.querySelector('.sb-cite__status').textContent.includes('链接已复制')")
        assert "链接已复制" in status.inner_text()


def test_share_uses_the_system_sheet_where_there_is_one(open_page: Any) -> None:
    pg = open_page(urls.case_url(CASE), "desktop")
    pg.evaluate(
        "() => { window.__shared = null;"
        " navigator.share = d => { window.__shared = d; return Promise.resolve(); }; }"
    )
    pg.get_by_role("button", name="分享").click()
    pg.wait_for_function("window.__shared !== null")
    shared = pg.evaluate("window.__shared")
    assert shared["url"] == SITE_URL + urls.case_url(CASE) and shared["title"] == CASE_TITLE


@pytest.mark.parametrize("reader", WECHAT)
def test_copy_falls_back_and_then_selects_the_text(open_page: Any, reader: str) -> None:
    pg = open_page(urls.case_url(CASE), reader)
    pg.evaluate("document.execCommand = () => false")  # nothing can copy: the text is selected instead
    _tap(pg, pg.get_by_role("button", name="复制引用"))
    pg.wait_for_function("document.querySelector('.sb-cite__status').textContent.length > 0")
    assert "长按" in pg.locator(".sb-cite__status").inner_text()
    assert pg.evaluate("getSelection().toString().trim()") == pg.locator("#sb-cite-ref").inner_text().strip()


# --- the tasks, counted in taps ------------------------------------------------------------------


class Taps:
    """Taps (clicks on a desktop) a reader makes; typing and scrolling are not counted."""

    def __init__(self, pg: Any) -> None:
        self.pg = pg
        self.count = 0

    def tap(self, target: Any) -> None:
        self.count += 1
        _tap(self.pg, target)


def _tap(pg: Any, target: Any) -> None:
    """A tap on a touch screen, a click elsewhere."""
    target.scroll_into_view_if_needed()
    if pg.evaluate("'ontouchstart' in window"):
        target.tap()
    else:
        target.click()


def _find(open_page: Any, reader: str) -> int:
    pg = open_page(urls.HOME, reader)
    taps = Taps(pg)
    taps.tap(pg.locator("#cs-header-input"))
    pg.keyboard.type("金色头盔")
    option = pg.locator("#cs-header-list a[role=option]").first
    option.wait_for()
    with pg.expect_navigation():
        taps.tap(option)
    assert pg.url.endswith(urls.case_url(CASE)) and pg.locator("h1").inner_text() == CASE_TITLE
    return taps.count


def _filter(open_page: Any, reader: str) -> int:
    pg = open_page(urls.HOME, reader)
    taps = Taps(pg)
    with pg.expect_navigation():
        taps.tap(pg.get_by_role("link", name="按区、领域、群体和年份筛选"))
    pg.wait_for_function("document.querySelectorAll('.cs-page__results li').length > 0")
    toggle = pg.locator(".cs-page__toggle")
    if toggle.is_visible():
        taps.tap(toggle)
    taps.tap(pg.locator("label.cs-check", has=pg.locator("input[name=district][value=pudong]")))
    pg.wait_for_url("**district=pudong**")
    apply = pg.get_by_role("button", name=re.compile(r"显示 \d+ 个结果"))
    if apply.is_visible():
        taps.tap(apply)
    first = pg.locator(".cs-page__results li").first
    pg.wait_for_function(
        "[...document.querySelectorAll('.cs-page__results li')].length === 2"
    )  # the two Pudong fixture cases
    box = first.bounding_box()
    assert box is not None and box["y"] < READERS[reader]["viewport"]["height"], "results in view"
    return taps.count


def _tap_for_event(open_page: Any, reader: str, button: str, event: str) -> tuple[Any, Taps, Any]:
    """Open the case page, tap ``button`` on its citation block, and return the ``event``'s detail."""
    pg = open_page(urls.case_url(CASE), reader)
    pg.evaluate(
        f"document.querySelector('.sb-cite').addEventListener('{event}', e => {{ window.__detail = e.detail; }})"
    )
    taps = Taps(pg)
    taps.tap(pg.get_by_role("button", name=button))
    pg.wait_for_function("window.__detail !== undefined")
    return pg, taps, pg.evaluate("window.__detail")


def _cite(open_page: Any, reader: str) -> int:
    pg, taps, copied = _tap_for_event(open_page, reader, "复制引用", "sb:copied")
    assert copied["ok"] and copied["text"] == pg.locator("#sb-cite-ref").inner_text().strip()
    assert CASE_TITLE in copied["text"] and "引用已复制" in pg.locator(".sb-cite__status").inner_text()
    return taps.count


def _share(open_page: Any, reader: str) -> int:
    _, taps, shared = _tap_for_event(open_page, reader, "分享", "sb:shared")
    assert shared["url"] == SITE_URL + urls.case_url(CASE)
    assert shared["how"] == ("wechat" if reader in WECHAT else "copied")
    return taps.count


def _download(open_page: Any, reader: str) -> int:
    pg = open_page(urls.case_url(CASE), reader)
    taps = Taps(pg)
    link = pg.locator(".sb-open-data a[href$='cases.csv']")
    href = link.get_attribute("href")
    assert href
    if reader in WECHAT:  # the link opens the table; the note beside it says how to save it
        assert link.get_attribute("download") is None
        assert "在浏览器打开" in pg.locator(".sb-open-data + .sb-wechat-hint").inner_text()
        with pg.expect_request(lambda r: r.url.endswith("cases.csv")) as info:
            taps.tap(link)
        assert info.value.is_navigation_request(), "the tap opens the table itself"
        body = pg.context.request.get(info.value.url).body().decode("utf-8-sig")
    else:
        with pg.expect_download() as download:
            taps.tap(link)
        body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "编号" and "标题" in rows[0] and any(CASE_TITLE in r for r in rows[1:])
    return taps.count


TASKS = {"find": _find, "filter": _filter, "cite": _cite, "share": _share, "download": _download}


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("task", list(TASKS))
def test_tasks_take_few_taps(open_page: Any, task: str, reader: str) -> None:
    taps = TASKS[task](open_page, reader)
    budget = TAP_BUDGET["desktop" if reader == "desktop" else "phone"][task]
    print(f"taps {task} {reader}: {taps}")
    assert 1 <= taps <= budget, f"{task} as {reader}: {taps} taps (budget {budget})"

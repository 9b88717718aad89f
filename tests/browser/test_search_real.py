"""Search on the real content, typed into the header box like a reader would (issue: Chinese search).

Each query kind (simplified, traditional, variant characters, several words without spaces,
Latin + Chinese, synonyms) must put its case in the top 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_search import _page_ids, _search
from tests.support.project import ROOT, run_build, serve, watched_page

pytestmark = pytest.mark.browser

# (query, kind, acceptable case ids)
REAL_QUERIES: list[tuple[str, str, set[str]]] = [
    ("金色头盔", "simplified", {"pudong-golden-helmet-riders"}),
    ("万有引力", "simplified", {"putuo-wanyouyinli-service-centre"}),
    ("四化四融", "simplified", {"shentong-express-four-four"}),
    ("鸭嘴兽", "simplified", {"baoshan-platypus-platform-party"}),
    ("红蕴街长", "simplified", {"xuhui-tianping-hongyun-street-chiefs"}),
    ("嘉兴大厦", "simplified", {"pudong-jiaxing-building-first-joint-branch"}),
    ("金色頭盔", "traditional", {"pudong-golden-helmet-riders"}),
    ("電競黨建", "traditional", {"jingan-daning-esports-party-circle"}),
    ("复星黨委", "traditional", {"putuo-fosun-party-committee"}),
    ("電競共同躰", "variant", {"jingan-daning-esports-party-circle"}),
    ("双曏管理", "variant", {"pudong-courier-takeaway-joint-meeting"}),
    ("宝山货车司机驿站", "multi-word", {"baoshan-truck-driver-stations"}),
    ("大宁电竞", "multi-word", {"jingan-daning-esports-party-circle"}),
    ("松江骑手一分钟", "multi-word", {"songjiang-yueyang-one-minute-plan"}),
    ("B站", "latin", {"yangpu-bilibili-party-branch"}),
    ("b站党支部", "latin", {"yangpu-bilibili-party-branch"}),
    ("集卡司机", "synonym", {"baoshan-truck-driver-stations", "baoshan-platypus-platform-party"}),
    ("哔哩哔哩", "synonym", {"yangpu-bilibili-party-branch"}),
    (
        "外卖小哥",
        "synonym",
        {
            "pudong-golden-helmet-riders",
            "songjiang-yueyang-one-minute-plan",
            "pudong-courier-takeaway-joint-meeting",
        },
    ),
]


@pytest.fixture(scope="module")
def real_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out: Path = tmp_path_factory.mktemp("real") / "site"
    proc = run_build(ROOT / "mkdocs.yml", out)
    assert proc.returncode == 0, proc.stderr
    url, server = serve(out)
    yield url
    server.shutdown()


@pytest.fixture
def page(browser: Any, real_site_url: str) -> Iterator[Any]:
    with watched_page(browser, real_site_url, real_site_url) as (pg, _errors, outside):
        yield pg
        assert outside == [], "third-party requests"


def test_every_query_kind_finds_its_case_in_the_top_3(page: Any) -> None:
    misses = []
    for query, kind, expected in REAL_QUERIES:
        top3 = _search(page, query)[:3]
        if not expected & set(top3):
            misses.append(f"{kind} {query}: {top3}")
    assert misses == [], misses
    assert {kind for _, kind, _ in REAL_QUERIES} >= {
        "simplified",
        "traditional",
        "variant",
        "multi-word",
        "latin",
        "synonym",
    }


def test_filters_on_real_content(page: Any, real_site_url: str) -> None:
    page.goto(real_site_url + "search/?district=baoshan")
    page.wait_for_function("document.querySelectorAll('.cs-page__results li').length > 0")
    assert sorted(_page_ids(page)) == ["baoshan-platypus-platform-party", "baoshan-truck-driver-stations"]
    page.goto(real_site_url + "search/?group=truck-drivers&q=驿站")
    page.wait_for_function("document.querySelectorAll('.cs-page__results li').length > 0")
    assert _page_ids(page)[0] == "baoshan-truck-driver-stations"

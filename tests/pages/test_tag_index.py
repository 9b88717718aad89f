"""按标签浏览 leads with the tags several cases share; one-case tags sit folded apart, none lost."""

from __future__ import annotations

import re

from site_builder.browse.model import SiteModel
from site_builder.casefile.vocab import load_vocabularies
from site_builder.pages.render import site_pages
from tests.support.synthetic import case_from_data

BASE: dict[str, object] = {
    "title": "骑手驿站的做法",
    "summary": "为外卖骑手提供休息服务的驿站，骑手在这里可以喝水、给手机充电和歇脚。",
    "district": "浦东新区",
    "fields": ["新就业群体"],
    "year": 2021,
    "practice": "设立驿站。",
    "sources": [{"title": "骑手驿站报道", "publisher": "文汇报"}],
}


def _tag_page(tags: list[list[str]]) -> str:
    cases = [case_from_data(f"c{i}", {**BASE, "tags": t}) for i, t in enumerate(tags)]
    site = SiteModel(cases, load_vocabularies())
    return next(p.html for p in site_pages(site, site_title="t") if p.url == "tags/")


def test_shared_tags_first_and_one_case_tags_folded() -> None:
    page = _tag_page([["骑手", "驿站"], ["骑手", "暖心"], ["冬日"]])
    shared = page[page.index('id="sb-h-shared-tags"') : page.index("<details")]
    folded = page[page.index("<details") : page.index("</details>")]
    assert re.findall(r'sb-terms__name">([^<]+)<', shared) == ["骑手"]
    assert "只用于一个案例的标签（3 个）" in folded
    assert sorted(re.findall(r"<li><a [^>]+>([^<]+)</a></li>", folded)) == sorted(["驿站", "暖心", "冬日"])


def test_without_shared_tags_the_list_is_plain() -> None:
    page = _tag_page([["驿站"], ["暖心"]])
    assert "<details" not in page and len(re.findall(r"sb-terms__name", page)) == 2

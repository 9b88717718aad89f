"""The 成效与经验 facet: a case whose 成效 only says the sources report none is not listed as having results."""

from __future__ import annotations

import pytest

from site_builder.browse.facets import FACET_BY_KEY, depth_values, has_reported_results
from site_builder.browse.model import SiteModel
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import load_vocabularies
from site_builder.pages.render import render_case
from tests.support.synthetic import case_from_data

BASE: dict[str, object] = {
    "title": "浦东外卖骑手驿站",
    "summary": "为外卖骑手提供休息服务的驿站，骑手们可以在这里喝水、充电和歇脚。",
    "district": "浦东新区",
    "fields": ["新就业群体"],
    "year": 2021,
    "practice": "在陆家嘴设立驿站。",
    "sources": [{"title": "骑手驿站报道", "publisher": "文汇报"}],
}


def _case(case_id: str = "a", **kw: object) -> Case:
    return case_from_data(case_id, {**BASE, **kw})


@pytest.mark.parametrize(
    ("results", "reported"),
    [
        (None, False),
        ("报道没有给出这一做法的具体成效。", False),
        ("报道只列出了这些制度的名称，没有介绍执行情况和具体成效。", False),
        ("文章说这一机制是为了实现全覆盖，但没有单独给出它的成效数据。", False),
        ("报道没有给出参与人数。增进骑手的归属感，是计划提出的目标，并非已经统计出的结果。", False),
        ("报道没有给出汇总数据。试点街镇的具体做法，见相关案例。", False),
        ("到报道时，已有107个企业站点建立了工会。报道没有给出纳入管理的党员人数。", True),
        ("- 课程预约人数超过8000。\n- 报道没有给出学员人数。", True),
        ("全区共推出101项实事项目。", True),
    ],
)
def test_results_that_only_say_none_are_reported(results: str | None, reported: bool) -> None:
    case = _case(results=results) if results else _case()
    assert has_reported_results(case) is reported
    assert ("有成效" in depth_values(case)) is reported


def test_facet_lists_cases_with_results_or_insights() -> None:
    cases = [
        _case("a", results="全区共推出101项实事项目。"),
        _case("b", results="报道没有给出成效。", insights="先建阵地，再建机制。"),
        _case("c", results="报道没有给出成效。"),
    ]
    facet = SiteModel(cases, load_vocabularies()).facets["depth"]
    assert {t.name: [c.id for c in t.cases] for t in facet.terms} == {"有成效": ["a"], "有经验启示": ["b"]}
    assert FACET_BY_KEY["depth"].filterable and not FACET_BY_KEY["depth"].on_case


def test_case_page_says_no_results_in_the_info_panel_and_drops_the_heading() -> None:
    none = _case("a", results="报道没有给出这一做法的具体成效。")
    empty = _case("b")
    some = _case("c", results="全区共推出101项实事项目。报道没有给出受益人数。")
    site = SiteModel([none, empty, some], load_vocabularies())
    page = render_case(none, site)
    panel = page[page.index('class="sb-info"') : page.index("</dl>")]
    assert "<dt>成效</dt><dd><p>报道没有给出这一做法的具体成效。</p></dd>" in panel
    assert 'id="sb-h-results"' not in page and page.count("报道没有给出这一做法的具体成效") == 1
    assert "<dt>成效</dt><dd>报道没有给出这一做法的成效。</dd>" in render_case(empty, site)
    shown = render_case(some, site)
    assert 'id="sb-h-results">成效</h2>' in shown and "sb-info__results" not in shown

"""The facet table: every browse dimension, described once.

Browse pages, the home page, the case page's info panel, the navigation and (through
``search/meta.json``) the search filters all iterate :data:`FACETS`, so a new facet is one row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from site_builder.casefile.models import Case


@dataclass(frozen=True)
class FacetSpec:
    """One browse dimension and where it shows."""

    key: str
    label: str
    """Page title of the facet's index, e.g. 按区浏览."""
    nav: str
    """Short label in the navigation, e.g. 按区."""
    name: str
    """What one value is, e.g. 区 (case info panel, search filter legend)."""
    prefix: str
    """URL prefix of the facet's pages."""
    values: Callable[[Case], list[str]]
    vocab: Literal["districts", "fields", "groups"] | None = None
    """Vocabulary giving order and slugs; None: values are free text."""
    order: Literal["vocab", "newest", "count"] = "vocab"
    slug: Literal["vocab", "value", "pinyin"] = "vocab"
    home_heading: str | None = None
    """Heading of the facet's value list on the home page; None: not listed there."""
    on_case: bool = True
    """Shown as a row of links in a case's info panel."""
    filterable: bool = False
    """Offered as a filter on the search page."""
    term_title: str = "{name}"
    """Heading of a value's page."""
    value_label: str = "{name}"
    """A value as shown in lists (e.g. 2023 年)."""


FACETS: tuple[FacetSpec, ...] = (
    FacetSpec(
        "district", "按区浏览", "按区", "所在区", "districts/", lambda c: [c.district],
        vocab="districts", home_heading="各区", filterable=True,
    ),
    FacetSpec(
        "field", "按领域浏览", "按领域", "领域", "fields/", lambda c: list(c.fields),
        vocab="fields", home_heading="各领域", filterable=True,
    ),
    FacetSpec(
        "group", "按群体浏览", "按群体", "服务群体", "groups/", lambda c: list(c.groups),
        vocab="groups", home_heading="服务群体", filterable=True,
    ),
    FacetSpec(
        "year", "按年份浏览", "按年份", "年份", "years/", lambda c: [str(c.year)],
        order="newest", slug="value", term_title="{name} 年的案例", value_label="{name} 年", filterable=True,
    ),
    FacetSpec(
        "depth", "按成效与经验浏览", "按成效与经验", "成效与经验", "depth/", lambda c: depth_values(c),
        slug="pinyin", on_case=False, filterable=True, term_title="{name}的案例",
    ),
    FacetSpec(
        "tag", "按标签浏览", "按标签", "标签", "tags/", lambda c: list(c.tags),
        order="count", slug="pinyin", term_title="标签：{name}", value_label="#{name}",
    ),
)  # fmt: skip

FACET_BY_KEY = {f.key: f for f in FACETS}

_NOT_REPORTED = re.compile(
    r"(报道|文章|原文|出处|材料)[^。；]*(没有|没|未|只|仅)[^。；]*(给出|写|说明|介绍|提及|提到|列出|交代|披露|公布)"
    r"|^[^。；]*(没有|未)(给出|写明|说明|介绍|列出)"
    r"|(不是|并非)已经统计|(目标|方向)(，|$)"
)
_ABOUT_THE_CASE = re.compile(r"本案例|本站|相关案例")


def has_reported_results(case: Case) -> bool:
    """Whether the 成效 text reports something, not only that the sources give no results.

    A sentence saying what the report does not give (报道没有给出……), a goal (……是工作目标) or a
    note about the case itself (本案例……, 见相关案例) is not a result.
    """
    clauses = [x.strip(" -*　") for x in re.split(r"[。；！？\n]+", case.results or "")]
    return any(x and not _NOT_REPORTED.search(x) and not _ABOUT_THE_CASE.search(x) for x in clauses)


def depth_values(case: Case) -> list[str]:
    """The 成效与经验 facet: whether a case reports results and whether it draws lessons."""
    return (["有成效"] if has_reported_results(case) else []) + (["有经验启示"] if case.insights else [])


BROWSE_SECTION = "浏览"
"""The navigation section that lists the facets (mkdocs.yml leaves it empty; the plugin fills it)."""


def browse_nav() -> list[dict[str, str]]:
    """Navigation entries of the facet index pages, in the table's order."""
    return [{f.nav: f"{f.prefix}index.md"} for f in FACETS]

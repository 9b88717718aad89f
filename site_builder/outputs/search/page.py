"""Server-side HTML for the /search/ page (filters work in JS; counts are pre-rendered)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from html import escape
from typing import Any

from site_builder.browse import urls
from site_builder.browse.facets import FACETS
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import Vocabularies
from site_builder.outputs.search.index import facet_values_table

__all__ = [
    "SEARCH_PAGE_DESCRIPTION",
    "SEARCH_PAGE_TITLE",
    "Shown",
    "render_search_page",
    "search_page_html",
    "search_page_shown",
]

SEARCH_PAGE_TITLE = "搜索与筛选"
SEARCH_PAGE_DESCRIPTION = "按关键词、区、领域、服务群体和年份搜索和筛选上海新兴领域党建案例。"


def _facet(name: str, legend: str, values: list[tuple[str, str, int]]) -> str:
    items = []
    for i, (label, slug, count) in enumerate(values):
        if count == 0:  # values no case uses are left out; data-index keeps meta.json's order
            continue
        items.append(
            f'<label class="cs-check{" cs-zero" if count == 0 else ""}">'
            f'<input type="checkbox" name="{name}" value="{escape(slug)}" data-index="{i}">'
            f'<span class="cs-check__label">{escape(label)}</span>'
            f'<span class="cs-count">{count}</span></label>'
        )
    return (
        f'<fieldset class="cs-facet"><legend>{escape(legend)}</legend>'
        f'<div class="cs-facet__values">{"".join(items)}</div></fieldset>'
    )


Shown = list[tuple[dict[str, list[str]], int]]
"""What ``/search/`` shows of each case: its filterable facet values and its year."""


def search_page_shown(cases: Iterable[Case]) -> Shown:
    """The facet values and year of each case, what the page's counts are made of."""
    filterable = [f for f in FACETS if f.filterable]
    return [({f.key: list(f.values(c)) for f in filterable}, c.year) for c in cases]


def render_search_page(cases: Iterable[Case], vocab: Vocabularies | None = None) -> str:
    """HTML body of ``/search/``; the same facet order and indexes as ``search/meta.json``.

    All case-derived text is HTML-escaped.  The page must live at ``search/`` (it links to
    its data with ``data-root="../"``).
    """
    shown = search_page_shown(cases)
    return search_page_html(facet_values_table([values for values, _ in shown], vocab), shown)


def search_page_html(table: list[dict[str, Any]], shown: Shown) -> str:
    """The ``/search/`` body from the facet table (:func:`facet_values_table`) and what it shows of
    each case (:func:`search_page_shown`): a function of these alone, so the build caches it by them."""
    facets = []
    for facet in table:
        if facet["key"] == "year":  # a range, below
            continue
        counts: Counter[str] = Counter(v for values, _ in shown for v in values[facet["key"]])
        values = [(label, slug, counts.get(label, 0)) for label, slug in facet["values"]]
        facets.append(_facet(facet["key"], facet["name"], values))
    years = sorted({year for _, year in shown})
    lo, hi = (years[0], years[-1]) if years else (2000, 2030)
    base = urls.base_for(urls.SEARCH)
    browse = "、".join(f'<a href="{base}{f.prefix}">{escape(f.nav)}</a>' for f in FACETS)
    return f"""<div class="cs-page" data-root="{base}">
<form class="cs-page__form" action="./" method="get" role="search" aria-label="搜索和筛选案例">
<div class="cs-page__query">
<label for="cs-page-q">关键词</label>
<input id="cs-page-q" type="search" name="q" autocomplete="off" autocapitalize="off" spellcheck="false"
 enterkeyhint="search" placeholder="例如：外卖骑手 驿站、B站、楼宇党建">
<button type="submit" class="md-button md-button--primary">搜索</button>
</div>
<div class="cs-page__layout">
<div class="cs-page__side">
<button type="button" class="cs-page__toggle md-button" aria-expanded="false" aria-controls="cs-page-filters">
筛选<span class="cs-page__active" hidden></span></button>
<div class="cs-page__filters" id="cs-page-filters" role="group" aria-label="筛选条件">
<div class="cs-page__facets">
{"".join(facets)}
<fieldset class="cs-facet cs-years"><legend>年份</legend>
<label>从 <input type="number" name="from" inputmode="numeric"
 min="{lo}" max="{hi}" placeholder="{lo}"> 年</label>
<label>到 <input type="number" name="to" inputmode="numeric"
 min="{lo}" max="{hi}" placeholder="{hi}"> 年</label>
</fieldset>
</div>
<div class="cs-page__actions"><button type="reset" class="md-button">清除全部条件</button></div>
</div>
</div>
<div class="cs-page__main">
<p class="cs-page__status" role="status" aria-live="polite">共 {len(shown)} 个案例</p>
<ol class="cs-page__results cs-results" aria-label="搜索结果"></ol>
<button type="button" class="cs-page__more md-button" hidden>显示更多</button>
<noscript><p>搜索和筛选需要启用 JavaScript。也可以{browse}浏览全部案例。</p></noscript>
</div>
</div>
</form>
</div>
"""

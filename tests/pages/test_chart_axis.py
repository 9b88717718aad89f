"""统计's year chart is a numeric axis (every year, empty ones too); category bars run longest first."""

from __future__ import annotations

from site_builder.browse.model import SiteModel
from site_builder.casefile.vocab import load_vocabularies
from site_builder.pages.charts import bar_chart, year_chart
from tests.support.synthetic import case_from_data

BASE: dict[str, object] = {
    "title": "骑手驿站的做法",
    "summary": "为外卖骑手提供休息服务的驿站，骑手在这里可以喝水、给手机充电和歇脚。",
    "district": "浦东新区",
    "practice": "设立驿站。",
    "sources": [{"title": "骑手驿站报道", "publisher": "文汇报"}],
}


def _site(rows: list[tuple[int, list[str]]]) -> SiteModel:
    cases = [case_from_data(f"c{i}", {**BASE, "year": y, "fields": f}) for i, (y, f) in enumerate(rows)]
    return SiteModel(cases, load_vocabularies())


def test_years_are_columns_on_a_numeric_axis() -> None:
    site = _site([(1999, ["楼宇"]), (2007, ["楼宇"]), (2007, ["园区"]), (2024, ["园区"])])
    chart = year_chart(site.facets["year"], title="各年份的案例数")
    assert [b.label for b in chart.bars] == [f"{y} 年" for y in range(1999, 2025)]
    assert [b.value for b in chart.bars if b.value] == [1, 2, 1] and chart.bars[1].url is None
    assert chart.top is not None and chart.top.label == "2007 年" and chart.bars[8].percent == 100
    assert [t.label for t in chart.ticks] == ["2000", "2005", "2010", "2015", "2020"]
    assert all(0 <= t.offset < 100 for t in chart.ticks)
    assert chart.csv.splitlines()[1:] == ["1999,1", "2007,2", "2024,1"]


def test_category_bars_run_longest_first_with_a_csv() -> None:
    site = _site([(2020, ["园区"]), (2021, ["楼宇", "园区"]), (2022, ["楼宇"]), (2023, ["楼宇"])])
    chart = bar_chart(site.facets["field"], title="各领域的案例数")
    assert [(b.label, b.value) for b in chart.bars] == [("楼宇", 3), ("园区", 2)]
    assert chart.csv.startswith("\ufeff领域,案例数\r\n楼宇,3\r\n园区,2")
    assert chart.csv_href.startswith("data:text/csv;charset=utf-8,%EF%BB%BF")

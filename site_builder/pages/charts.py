"""Figures drawn at build time: the district tile map and bar charts (no chart library in the browser).

This module computes geometry only (positions, sizes, shades); the templates ``_tilemap.html``
and ``_charts.html`` turn it into inline, autoescaped SVG and HTML with a text list or data table
beside it. Chart labels are HTML text, so they wrap instead of being cut and grow with the
reader's text size.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from urllib.parse import quote

from site_builder.browse.model import Facet, SiteModel

TILE = 56
GAP = 4
TILE_GRID: dict[str, tuple[int, int]] = {
    "chongming": (3, 0),
    "jiading": (1, 1),
    "baoshan": (2, 1),
    "putuo": (1, 2),
    "jingan": (2, 2),
    "hongkou": (3, 2),
    "yangpu": (4, 2),
    "qingpu": (0, 3),
    "changning": (1, 3),
    "xuhui": (2, 3),
    "huangpu": (3, 3),
    "pudong": (4, 3),
    "songjiang": (1, 4),
    "minhang": (2, 4),
    "fengxian": (3, 4),
    "jinshan": (1, 5),
    "citywide": (0, 0),
}
"""(column, row) of each district's tile, north up, as a tile map draws them: rough neighbours,
not boundaries. 全市 (citywide cases) sits apart in the empty north-west corner."""
COLUMNS = 5
ROWS = 6

SHADES: tuple[tuple[str, str], ...] = (
    ("#ffffff", "#4d4d4d"),
    ("#fde2de", "#1a1a1a"),
    ("#d9534f", "#000000"),
    ("#6e0d0d", "#ffffff"),
)
"""(fill, text colour) per shade step, 0 = no case (drawn hatched: it differs from step 1 by pattern);
from step 1 on, neighbouring fills differ by at least 3:1, and every text pair by at least 4.5:1."""


@dataclass(frozen=True)
class Tile:
    """One district on the tile map."""

    name: str
    short: str
    slug: str
    count: int
    url: str | None
    """The district's browse page, None when it has no case (no page exists)."""
    x: int
    y: int
    shade: int
    fill: str
    ink: str
    apart: bool = False
    """Not a district of the map (全市): drawn with a dashed outline."""


@dataclass(frozen=True)
class TileMap:
    """The district tile map: tiles, canvas size, legend steps."""

    tiles: list[Tile]
    width: int
    height: int
    tile: int
    legend: list[tuple[str, str, str]]
    """(fill, ink, label) per shade step."""
    total: int


def _short(name: str) -> str:
    for suffix in ("新区", "区"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def shade_of(count: int, most: int) -> int:
    """The shade step of a count: 0 for none, else 1..4 in equal parts of the largest count."""
    if count <= 0 or most <= 0:
        return 0
    steps = len(SHADES) - 1
    return min(steps, -(-count * steps // most))


def shade_steps(most: int) -> list[tuple[int, int, int]]:
    """``(shade, lowest count, highest count)`` of every shade some count up to ``most`` takes."""
    spans: dict[int, list[int]] = {}
    for count in range(1, most + 1):
        spans.setdefault(shade_of(count, most), []).append(count)
    return [(shade, counts[0], counts[-1]) for shade, counts in sorted(spans.items())]


def district_map(site: SiteModel) -> TileMap:
    """The tile map of the vocabulary's districts (every one placed in :data:`TILE_GRID`)."""
    facet = site.facets["district"]
    counts = {t.slug: (len(t.cases), t.url) for t in facet.terms}
    terms = site.vocab.districts.terms
    most = max((n for n, _ in counts.values()), default=0)
    tiles: list[Tile] = []
    for term in terms:
        if term.slug not in TILE_GRID:
            continue
        col, row = TILE_GRID[term.slug]
        count, url = counts.get(term.slug, (0, None))
        apart = term.slug == "citywide"
        if apart and not count:
            continue
        shade = shade_of(count, most)
        fill, ink = SHADES[shade]
        tiles.append(
            Tile(
                term.name,
                _short(term.name),
                term.slug,
                count,
                url,
                col * (TILE + GAP),
                row * (TILE + GAP),
                shade,
                fill,
                ink,
                apart,
            )
        )
    tiles.sort(key=lambda t: (t.y, t.x))  # reading order: Tab moves north to south, west to east
    legend = [
        (SHADES[i][0], SHADES[i][1], f"{low}" if low == high else f"{low}–{high}")
        for i, low, high in shade_steps(most)
    ]
    legend.insert(0, (SHADES[0][0], SHADES[0][1], "0"))
    return TileMap(
        tiles,
        COLUMNS * (TILE + GAP) - GAP,
        ROWS * (TILE + GAP) - GAP,
        TILE,
        legend,
        sum(t.count for t in tiles),
    )


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its value's label, count, page and length in percent of the longest."""

    label: str
    value: int
    url: str | None
    percent: float


@dataclass(frozen=True)
class Tick:
    """A labelled year on the year chart's axis; ``end``: the label ends at the column (the last ones)."""

    label: str
    column: int
    end: bool = False
    offset: float = 0.0
    """Percent of the axis from its left edge (from the right edge for ``end``) to the label."""


@dataclass(frozen=True)
class BarChart:
    """A chart of cases per value of a facet, the table that carries the same numbers and its CSV.

    Bars of a category run longest first; years are columns on a numeric axis (one column per
    year from the first to the last, empty years included), so gaps between years show.
    """

    key: str
    title: str
    heading: str
    """Column heading of the table's first column (年份, 领域, 服务群体)."""
    bars: list[Bar]
    total_cases: int
    years: bool = False
    ticks: list[Tick] = field(default_factory=list)
    most: int = 0
    csv: str = ""
    """The table as CSV (UTF-8 with BOM), for the chart's own download link."""

    @property
    def csv_href(self) -> str:
        """A ``data:`` address of :attr:`csv`, so the download needs no file and no script."""
        return "data:text/csv;charset=utf-8," + quote(self.csv, safe="")

    @property
    def top(self) -> Bar | None:
        """The bar with the most cases (the first of them)."""
        return max(self.bars, key=lambda b: b.value, default=None)


def _csv(heading: str, rows: list[tuple[str, int]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([heading, "案例数"])
    writer.writerows(rows)
    return "\ufeff" + out.getvalue()


def _percent(value: int, most: int) -> float:
    return round(100 * value / most, 1) if most else 0.0


def bar_chart(facet: Facet, *, title: str) -> BarChart:
    """Cases per value of a facet, most cases first (ties in the facet's own order)."""
    terms = sorted(facet.terms, key=lambda t: -len(t.cases))  # stable: ties keep vocabulary order
    most = max((len(t.cases) for t in terms), default=0)
    bars = [Bar(t.label, len(t.cases), t.url, _percent(len(t.cases), most)) for t in terms]
    return BarChart(
        facet.key,
        title,
        facet.spec.name,
        bars,
        len({c.id for t in terms for c in t.cases}),
        most=most,
        csv=_csv(facet.spec.name, [(t.name, len(t.cases)) for t in terms]),
    )


def _tick_step(span: int) -> int:
    return 1 if span <= 8 else 5 if span <= 40 else 10


def year_chart(facet: Facet, *, title: str) -> BarChart:
    """Cases per year as columns on a numeric axis: every year from the first to the last."""
    by_year = {int(t.name): t for t in facet.terms if t.name.isdigit()}
    if not by_year:
        return BarChart(facet.key, title, facet.spec.name, [], 0, years=True)
    first, last = min(by_year), max(by_year)
    most = max(len(t.cases) for t in by_year.values())
    bars = []
    for year in range(first, last + 1):
        term = by_year.get(year)
        n = len(term.cases) if term else 0
        bars.append(Bar(f"{year} 年", n, term.url if term else None, _percent(n, most)))
    step = _tick_step(last - first + 1)
    span = last - first + 1
    columns = [y - first for y in range(first, last + 1) if y % step == 0 or step == 1]
    if not columns or columns[0] > step // 2:
        columns.insert(0, 0)
    ticks = []
    for col in columns:
        end = span > 4 and col >= span - 3
        offset = (span - col - 1) if end else col
        ticks.append(Tick(str(first + col), col, end, round(100 * offset / span, 2)))
    return BarChart(
        facet.key,
        title,
        facet.spec.name,
        bars,
        len({c.id for t in by_year.values() for c in t.cases}),
        years=True,
        ticks=ticks,
        most=most,
        csv=_csv(facet.spec.name, [(str(y), len(by_year[y].cases)) for y in sorted(by_year)]),
    )


def overview_charts(site: SiteModel) -> list[BarChart]:
    """The 统计 page's charts: cases by year, by field and by group."""
    return [
        year_chart(site.facets["year"], title="各年份的案例数"),
        bar_chart(site.facets["field"], title="各领域的案例数"),
        bar_chart(site.facets["group"], title="各服务群体的案例数"),
    ]

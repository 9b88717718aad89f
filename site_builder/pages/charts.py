"""Figures drawn at build time: the district tile map and bar charts (no chart library in the browser).

This module computes geometry only (positions, sizes, shades); the templates ``_tilemap.html``
and ``_charts.html`` turn it into inline, autoescaped SVG with a text list or data table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    ("#f2f2f2", "#4d4d4d"),
    ("#fde0dc", "#1a1a1a"),
    ("#f6a59b", "#1a1a1a"),
    ("#e06666", "#000000"),
    ("#b71c1c", "#ffffff"),
)
"""(fill, text colour) per shade step, 0 = no case; every pair has a contrast of at least 4.5:1."""


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


BAR_HEIGHT = 22
ROW_HEIGHT = 30
LABEL_WIDTH = 132
BAR_SPACE = 200
VALUE_SPACE = 36


@dataclass(frozen=True)
class Bar:
    """One bar of a chart."""

    label: str
    value: int
    url: str
    y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart and the table that carries the same numbers."""

    key: str
    title: str
    heading: str
    """Column heading of the table's first column (年份, 领域, 服务群体)."""
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    total_cases: int


def bar_chart(facet: Facet, *, title: str, chronological: bool = False) -> BarChart:
    """Cases per value of a facet, longest bar = most cases; years run oldest to newest."""
    terms = list(reversed(facet.terms)) if chronological else list(facet.terms)
    most = max((len(t.cases) for t in terms), default=1)
    bars = [
        Bar(
            t.label,
            len(t.cases),
            t.url,
            i * ROW_HEIGHT,
            max(2, round(BAR_SPACE * len(t.cases) / most)),
        )
        for i, t in enumerate(terms)
    ]
    total = len({c.id for t in terms for c in t.cases})
    return BarChart(
        facet.key,
        title,
        facet.spec.name,
        bars,
        LABEL_WIDTH + BAR_SPACE + VALUE_SPACE,
        max(ROW_HEIGHT, len(bars) * ROW_HEIGHT),
        LABEL_WIDTH,
        BAR_HEIGHT,
        total,
    )


def overview_charts(site: SiteModel) -> list[BarChart]:
    """The 统计 page's charts: cases by year, by field and by group."""
    return [
        bar_chart(site.facets["year"], title="各年份的案例数", chronological=True),
        bar_chart(site.facets["field"], title="各领域的案例数"),
        bar_chart(site.facets["group"], title="各服务群体的案例数"),
    ]

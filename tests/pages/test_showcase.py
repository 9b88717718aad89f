"""The 统计 page, the district tile map and 引用本案例 show the numbers and addresses the data has."""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import segno
from PIL import Image

from site_builder.casefile.vocab import load_vocabularies
from site_builder.pages.charts import SHADES, TILE_GRID, shade_of, shade_steps
from site_builder.pages.citation import cite_case
from site_builder.pages.qr import QR_SCALE, qr_image
from tests.support.showcase import UNSEEN_ID

SITE_NAME = "上海新兴领域党建案例库"


def _records(site: Path) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((site / "data/cases.json").read_text(encoding="utf-8"))["cases"]
    return cases


def _tiles(page: str) -> dict[str, tuple[int, str | None]]:
    """``{district slug: (count, link)}`` read from a tile map's visible numbers, names and links."""
    svg = page[
        page.index('class="sb-tilemap__svg"') : page.index("</svg>", page.index('class="sb-tilemap__svg"'))
    ]
    out: dict[str, tuple[int, str | None]] = {}
    for m in re.finditer(
        r'<a class="sb-tile" href="([^"]+)" data-district="([a-z]+)" data-count="(\d+)">'
        r'.*?<tspan font-size="17" font-weight="700">(\d+)</tspan><tspan font-size="11"> 个案例</tspan>',
        svg,
        re.S,
    ):
        assert m.group(3) == m.group(4)  # the number shown is the number counted
        out[m.group(2)] = (int(m.group(4)), m.group(1))
    for m in re.finditer(
        r'<g class="sb-tile sb-tile--empty" role="img" aria-label="[^"：]+：暂无案例" data-district="([a-z]+)"',
        svg,
    ):
        out[m.group(1)] = (0, None)
    return out


def test_tile_map_counts_and_links_match_the_data(showcase_site: Path) -> None:
    vocab = load_vocabularies()
    by_slug = {t.name: t.slug for t in vocab.districts.terms}
    counts = Counter(by_slug[r["district"]] for r in _records(showcase_site))
    for rel, base in (("index.html", ""), ("districts/index.html", "../"), ("stats/index.html", "../")):
        page = (showcase_site / rel).read_text(encoding="utf-8")
        tiles = _tiles(page)
        districts = {t.slug for t in vocab.districts.terms if t.slug != "citywide"}
        assert districts <= set(tiles), rel  # all 16 districts, with or without cases
        assert len(districts) == 16
        for slug, (count, link) in tiles.items():
            assert count == counts.get(slug, 0), (rel, slug)
            if count:
                assert link == f"{base}districts/{slug}/"
                assert (showcase_site / rel).parent.joinpath(link, "index.html").resolve().is_file()
            else:
                assert link is None
        order = re.findall(r'class="sb-tile[^"]*"[^>]*data-district="([a-z]+)"', page)
        assert order == sorted(
            order, key=lambda d: TILE_GRID[d][::-1]
        )  # Tab goes north to south, west to east
        listed = re.findall(r"<li>(?:<a [^>]+>)?([^<：]+)(?:</a>)?：(\d+) 个案例</li>", page)
        assert {by_slug[name]: int(n) for name, n in listed} == {s: c for s, (c, _) in tiles.items()}


def test_every_district_has_a_place_on_the_map() -> None:
    vocab = load_vocabularies()
    assert {t.slug for t in vocab.districts.terms} == set(TILE_GRID)
    assert len(set(TILE_GRID.values())) == len(TILE_GRID)  # no two tiles on one square


def test_shades_grow_with_counts_and_keep_text_readable() -> None:
    for most in range(1, 40):
        shades = [shade_of(n, most) for n in range(most + 1)]
        assert shades[0] == 0 and shades[-1] == len(SHADES) - 1 and shades == sorted(shades)
        steps = shade_steps(most)
        assert steps[0][1] == 1 and steps[-1][2] == most
    for fill, ink in SHADES:
        assert _contrast(fill, ink) >= 4.5, (fill, ink)
    for (a, _), (b, _) in itertools.pairwise(SHADES[1:]):  # step 0 differs from step 1 by its hatching
        assert _contrast(a, b) >= 3, (a, b)


def test_empty_districts_are_hatched_on_the_map_and_in_the_legend(showcase_site: Path) -> None:
    page = (showcase_site / "stats/index.html").read_text(encoding="utf-8")
    assert '<pattern id="sb-stats-map-none"' in page
    empty = re.findall(r'data-count="0">\s*<rect [^>]*fill="([^"]+)"', page)
    assert empty and set(empty) == {"url(#sb-stats-map-none)"}
    legend = page[page.index('class="sb-tilemap__legend"') :]
    assert 'fill="url(#sb-stats-map-none)"' in legend[: legend.index("</ul>")]


def _contrast(a: str, b: str) -> float:
    def lum(hex_: str) -> float:
        rgb = [int(hex_[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_stats_tables_count_what_the_data_has(showcase_site: Path) -> None:
    records = _records(showcase_site)
    page = (showcase_site / "stats/index.html").read_text(encoding="utf-8")
    expected = {
        "year": Counter(f"{r['year']} 年" for r in records),
        "field": Counter(f for r in records for f in r["fields"]),
        "group": Counter(g for r in records for g in r["groups"]),
    }
    for key, counts in expected.items():
        chart = page[page.index(f'id="sb-chart-{key}"') :]
        table = chart[chart.index("<table>") : chart.index("</table>")]
        rows = re.findall(r'<tr><th scope="row"><a href="[^"]+">([^<]+)</a></th><td>(\d+)</td></tr>', table)
        assert {html.unescape(k): int(v) for k, v in rows} == dict(counts), key
        figure = chart[: chart.index("</figure>")]
        if key == "year":  # columns on a numeric axis: one per year from the first to the last
            label = re.search(r'role="img" aria-label="([^"]+)"', figure)
            assert label and all(f"{html.escape(k)} {v} 个" in label.group(1) for k, v in counts.items())
            years = sorted(int(k.split()[0]) for k in counts)
            assert figure.count("<rect ") == years[-1] - years[0] + 1
        else:  # bars longest first, labels and numbers as text
            bars = re.findall(
                r'<li><span class="sb-bars__label"><a [^>]+>([^<]+)</a></span>.*?>(\d+)<span', figure
            )
            assert {html.unescape(k): int(v) for k, v in bars} == dict(counts), key
            assert [int(v) for _, v in bars] == sorted(counts.values(), reverse=True)
        csv_link = re.search(
            r'<a href="data:text/csv;charset=utf-8,([^"]+)" download="[a-z]+-cases.csv">', figure
        )
        assert csv_link and "数据来源" in figure
        rows_csv = unquote(csv_link.group(1)).lstrip("\ufeff").splitlines()[1:]
        assert {r.rsplit(",", 1)[0]: int(r.rsplit(",", 1)[1]) for r in rows_csv} == {
            k.removesuffix(" 年"): v for k, v in counts.items()
        }
    years_listed = [
        int(y) for y, _ in re.findall(r'<tr><th scope="row"><a href="[^"]+">(\d+) 年</a></th><td>(\d+)', page)
    ]
    assert years_listed == sorted(years_listed)  # chronological


def test_citation_follows_gbt_7714_for_online_resources(showcase_site: Path) -> None:
    pattern = re.compile(
        r"(?P<author>[^.]+)\. (?P<title>.+)\[EB/OL\]\. (?:\((?P<updated>\d{4}(?:-\d\d){0,2})\))?"
        r"\[(?P<accessed>\d{4}(?:-\d\d){0,2})\]\. (?P<url>https?://\S+)\."
    )
    for record in _records(showcase_site):
        m = pattern.fullmatch(record["citation"])
        assert m, record["citation"]
        assert m["author"] == SITE_NAME and m["title"] == record["title"] and m["url"] == record["url"]
        assert m["updated"] == record["updated"]
        assert m["accessed"] == (record["updated"] or "2026-11-01")
    unseen = next(r for r in _records(showcase_site) if r["id"] == UNSEEN_ID)
    assert unseen["citation"] == (
        f"{SITE_NAME}. 闸北“夜间驿站”联合服务点[EB/OL]. (2026-06)[2026-06]. "
        "https://example.github.io/site_builder/cases/unseen-showcase-case/."
    )


def test_citation_of_a_case_without_review_date_has_no_update_date() -> None:
    from tests.outputs.test_feeds import _case

    case = _case("no-review", 2020, None)
    citation = cite_case(
        case, site_name="某案例库。", page_url="https://x.test/cases/no-review/", fallback_date="2026-01-05"
    )
    assert citation.text == f"某案例库. {case.title}[EB/OL]. [2026-01-05]. https://x.test/cases/no-review/."
    bare = cite_case(case, site_name="某案例库", page_url="https://x.test/c/")
    assert bare.text == f"某案例库. {case.title}[EB/OL]. https://x.test/c/." and bare.accessed is None


def test_case_page_has_a_qr_code_of_its_address(showcase_site: Path) -> None:
    for record in _records(showcase_site):
        page = (showcase_site / f"cases/{record['id']}/index.html").read_text(encoding="utf-8")
        block = page[page.index('class="sb-cite__qr"') :]
        img = block[block.index("<img") : block.index(">", block.index("<img")) + 1]
        assert img == qr_image(record["url"])
        assert 'alt="本页地址的二维码"' in img
        _assert_is_qr_of(img, record["url"])
        assert "用微信扫一扫" in block


def _assert_is_qr_of(img: str, address: str) -> None:
    """The data URI decodes to exactly the modules segno encodes for ``address`` (quiet zone of 2)."""
    src = re.search(r'src="data:image/png;base64,([^"]+)"', img)
    assert src
    picture = Image.open(io.BytesIO(base64.b64decode(src.group(1))))
    modules = segno.make(address, error="m", micro=False)
    size = int(modules.symbol_size(border=2)[0])
    assert picture.size == (size * QR_SCALE, size * QR_SCALE)
    pixels = picture.convert("L").tobytes()
    step, half = QR_SCALE, QR_SCALE // 2
    dark = [
        [pixels[(y * step + half) * size * step + x * step + half] < 128 for x in range(size)]
        for y in range(size)
    ]
    expected = [[bool(v) for v in row] for row in modules.matrix_iter(border=2)]
    assert dark == expected

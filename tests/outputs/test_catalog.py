"""Outputs describe themselves: 关于本站's file list and the footer's data links come from OUTPUTS."""

from __future__ import annotations

import re
from pathlib import Path

from site_builder.build import OUTPUTS
from site_builder.outputs.catalog import Output, ReaderFile, footer_data
from site_builder.outputs.export import FILES_MARKER, fill_data_section

EXTRA = Output(
    "map_outputs",
    lambda site, settings, media: {"data/map.geojson": b"{}"},
    "地图数据",
    "各区案例的位置，可以在任何地图软件中打开。",
    (ReaderFile("data/map.geojson", "案例地图（GeoJSON）", "地图", "每个案例一个点。"),),
)


def test_every_output_describes_itself() -> None:
    for output in OUTPUTS:
        assert output.title and output.description.endswith("。"), output.name
        assert all(f.label and f.path for f in output.files), output.name
    assert len({o.name for o in OUTPUTS}) == len(OUTPUTS)


def test_about_list_is_generated_from_the_outputs() -> None:
    text = fill_data_section(f"前言\n\n{FILES_MARKER}\n", "about/", (*OUTPUTS, EXTRA))
    for output in (*OUTPUTS, EXTRA):
        for f in output.files:
            assert f'href="../{f.path}"' in text and f.label in text
    assert '<a href="../data/map.geojson">案例地图（GeoJSON）</a>：每个案例一个点。' in text
    assert text.rstrip().endswith("请注明来源和案例网址。")


def test_footer_links_are_generated_from_the_outputs() -> None:
    footer = footer_data((*OUTPUTS, EXTRA))
    assert [group["title"] for group in footer] == ["开放数据", "订阅", "地图数据"]
    assert {"url": "data/map.geojson", "label": "地图", "download": False} in footer[-1]["files"]


def test_built_pages_show_every_reader_file(small_site: Path) -> None:
    about = (small_site / "about/index.html").read_text(encoding="utf-8")
    section = about[about.index('id="data"') :]
    footer = re.search(r'<nav class="sb-open-data".*?</nav>', about, flags=re.S)
    assert footer is not None
    for output in OUTPUTS:
        for f in output.files:
            assert f'href="../{f.path}"' in section
            assert (f'href="../{f.path}"' in footer.group(0)) == (f.short is not None)
            assert (small_site / f.path).is_file()

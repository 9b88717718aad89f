"""Generated pages: front matter Material can print safely."""

from __future__ import annotations

from pathlib import Path

from site_builder.pages.render import GeneratedPage

ROOT = Path(__file__).resolve().parents[2]


def test_front_matter_escapes_for_material() -> None:
    page = GeneratedPage("cases/x.md", "cases/x/", '<b>"A" & B</b>', "d", "")
    fm = page.front_matter()
    import yaml

    meta = yaml.safe_load(fm.strip("-\n"))
    assert meta["title"] == "&lt;b&gt;&quot;A&quot; &amp; B&lt;/b&gt;"

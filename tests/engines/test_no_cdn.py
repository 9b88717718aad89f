"""Whichever engine renders, the theme bundle names no CDN: its fallback scripts point at an empty script."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder import sitedir


@pytest.mark.parametrize("site", ["small_site", "zensical_site"])
def test_no_page_or_script_names_a_cdn(site: str, request: pytest.FixtureRequest) -> None:
    root: Path = request.getfixturevalue(site)
    bundles = list((root / "assets" / "javascripts").glob("bundle.*.js"))
    assert bundles and sitedir.EMPTY_SCRIPT in bundles[0].read_text(encoding="utf-8")
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".js", ".html", ".json", ".css"):
            data = path.read_bytes()
            assert b"unpkg.com" not in data and b"cdn.jsdelivr.net" not in data, path

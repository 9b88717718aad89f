"""The review's experiment, repeated on every run: an upgraded library reaches every page of a warm site.

A security fix in the sanitizer (nh3) must change the published pages even when every cache entry
of the last build is still there. The upgrade is simulated as it looks to Python: another
``nh3-*.dist-info`` folder on ``sys.path`` and an ``nh3.clean`` that marks what it returns. The
builds run in this process (the subprocess is not the point here).
"""

from __future__ import annotations

from pathlib import Path

import nh3
import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from site_builder.cache import environment_fingerprint
from tests.support.project import FIXTURE_CASES, make_project

MARK = "NH3-UPGRADED-OUTPUT"


def _build(config: Path, out: Path) -> dict[str, str]:
    cfg = load_config(str(config), site_dir=str(out))
    build(cfg)
    return {
        p.parent.name: p.read_text(encoding="utf-8") for p in sorted((out / "cases").glob("*/index.html"))
    }


def test_an_upgraded_sanitizer_reaches_every_case_page_of_a_warm_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_project(tmp_path / "project", FIXTURE_CASES)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    assert _build(config, tmp_path / "site-1")
    clean = nh3.clean
    monkeypatch.setattr(nh3, "clean", lambda html, *a, **k: clean(html, *a, **k) + f"<p>{MARK}</p>")

    # Control: new behaviour under the same installed versions is served from the warm cache, so
    # what follows is about the key, not about a cache that happened to be cold.
    pages = _build(config, tmp_path / "site-2")
    assert pages and not any(MARK in html for html in pages.values())

    upgrade = tmp_path / "upgrade"
    (upgrade / "nh3-99.0.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(upgrade))
    environment_fingerprint.cache_clear()
    try:
        pages = _build(config, tmp_path / "site-3")
    finally:
        monkeypatch.undo()
        environment_fingerprint.cache_clear()
    stale = sorted(case for case, html in pages.items() if MARK not in html)
    assert len(pages) >= 4 and not stale, f"case pages still made by the old sanitizer: {stale}"

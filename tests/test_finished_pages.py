"""Finished pages remembered (the "rendered" cache): a page whose data and site-wide chrome did not
change is written as it was, and the site is byte for byte the one a full render makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.plugin import RenderedPage
from tests.support.project import FIXTURE_CASES, SMALL_SITE_ENV, build_in_process, make_project

FULL = {**SMALL_SITE_ENV, "SITE_BUILDER_CACHE_OFF": "rendered"}
"""A build that renders every page (the reference)."""


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _differing(a: Path, b: Path) -> list[str]:
    left, right = _tree(a), _tree(b)
    return sorted(k for k in left.keys() | right.keys() if left.get(k) != right.get(k))


@pytest.fixture
def reused(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """src_uri -> whether the last build took the page's finished HTML from the cache."""
    seen: dict[str, bool] = {}
    real = RenderedPage.render

    def render(self: RenderedPage, *args: object, **kwargs: object) -> None:
        seen[self.file.src_uri] = self.finished is not None
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(RenderedPage, "render", render)
    return seen


def test_unchanged_pages_are_reused_and_an_edit_renders_only_what_shows_it(
    tmp_path: Path, small_project: Path, small_site: Path, reused: dict[str, bool]
) -> None:
    config = make_project(tmp_path / "p", FIXTURE_CASES, cache_from=small_project)
    warm = build_in_process(config, tmp_path / "warm", env=SMALL_SITE_ENV)
    assert warm.returncode == 0, warm.stderr
    assert reused and all(reused.values()), "every generated page of an unchanged site comes from the cache"
    assert _differing(tmp_path / "warm", small_site) == []

    case = tmp_path / "p" / "cases" / "riders-golden-helmet.yaml"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("summary: ", "summary: 金色头盔，", 1), encoding="utf-8")
    reused.clear()
    edited = build_in_process(config, tmp_path / "edited", env=SMALL_SITE_ENV)
    assert edited.returncode == 0, edited.stderr
    assert reused["cases/riders-golden-helmet.md"] is False
    assert any(v for k, v in reused.items() if k.startswith("cases/")), (
        "pages not showing the edit are reused"
    )
    full = build_in_process(config, tmp_path / "full", env=FULL)
    assert full.returncode == 0, full.stderr
    assert "金色头盔" in (tmp_path / "edited/cases/riders-golden-helmet/index.html").read_text(
        encoding="utf-8"
    )
    assert _differing(tmp_path / "edited", tmp_path / "full") == []


def test_a_change_to_the_chrome_renders_every_page_again(
    tmp_path: Path, small_project: Path, small_site: Path, reused: dict[str, bool]
) -> None:
    config = make_project(tmp_path / "p", FIXTURE_CASES, cache_from=small_project)
    config.write_text(
        config.read_text(encoding="utf-8").replace("copyright:", "copyright: 改过的版权说明 ", 1)
        if "copyright:" in config.read_text(encoding="utf-8")
        else config.read_text(encoding="utf-8") + "copyright: 改过的版权说明\n",
        encoding="utf-8",
    )
    changed = build_in_process(config, tmp_path / "changed", env=SMALL_SITE_ENV)
    assert changed.returncode == 0, changed.stderr
    assert reused and not any(reused.values())
    reused.clear()
    again = build_in_process(config, tmp_path / "again", env=SMALL_SITE_ENV)
    assert again.returncode == 0, again.stderr
    assert reused and all(reused.values())
    full = build_in_process(config, tmp_path / "full", env=FULL)
    assert full.returncode == 0, full.stderr
    assert _differing(tmp_path / "again", tmp_path / "full") == []
    assert _differing(tmp_path / "changed", tmp_path / "full") == []


def test_a_build_that_fails_after_rendering_leaves_the_site_byte_identical(
    tmp_path: Path, small_project: Path, small_site: Path
) -> None:
    """The engine fails at its end (a --strict warning) after reusing finished pages: ``site/``
    keeps every byte, and the next good build equals a full render."""
    config = make_project(tmp_path / "p", FIXTURE_CASES, cache_from=small_project)
    out = tmp_path / "p" / "site"
    cmd = [sys.executable, "-m", "site_builder.cli", "build", "--site-dir", str(out), "--config", str(config)]
    env = {**SMALL_SITE_ENV}
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path / "p", env=_env(env))
    assert first.returncode == 0, first.stderr
    before = _tree(out)
    good = config.read_text(encoding="utf-8")
    config.write_text(good.replace("nav:\n", "nav:\n- 不存在的页面: missing-page.md\n", 1), encoding="utf-8")
    failed = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path / "p", env=_env(env))
    assert failed.returncode != 0, failed.stderr
    assert "missing-page.md" in failed.stderr and "Traceback" not in failed.stderr
    assert _tree(out) == before
    config.write_text(good, encoding="utf-8")
    case = tmp_path / "p" / "cases" / "couriers-joint-meeting.yaml"
    case.write_text(
        case.read_text(encoding="utf-8").replace("summary: ", "summary: 快递员，", 1), encoding="utf-8"
    )
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path / "p", env=_env(env))
    assert again.returncode == 0, again.stderr
    full = build_in_process(config, tmp_path / "full", env=FULL)
    assert full.returncode == 0, full.stderr
    assert _differing(out, tmp_path / "full") == []


def _env(extra: dict[str, str]) -> dict[str, str]:
    import os

    from site_builder.engines import engine_env

    return engine_env({**os.environ, **extra})


def test_keys_do_not_depend_on_where_the_checkout_lies(tmp_path: Path) -> None:
    """A checkout cloned or moved elsewhere (another CI path, a second worktree) keys its finished
    pages alike; a changed theme file still changes the key."""
    from site_builder.rendered import portable, tree_digest

    for name in ("here", "there"):
        (tmp_path / name / "theme").mkdir(parents=True)
        (tmp_path / name / "docs").mkdir()
        (tmp_path / name / "theme" / "main.html").write_text("{{ page.content }}", encoding="utf-8")
        (tmp_path / name / "docs" / "about.md").write_text("# 关于本站", encoding="utf-8")
    here, there = tmp_path / "here", tmp_path / "there"
    library = "/usr/lib/python3/site-packages/material/templates"

    def theme(root: Path) -> dict[str, object]:
        return {"custom_dir": str(root / "theme"), "dirs": [str(root / "theme"), library], "language": "zh"}

    assert portable(theme(here), here) == portable(theme(there), there)
    assert portable(theme(here), here)["dirs"] == ["./theme", "lib:material/templates"]
    assert tree_digest([here / "theme", here / "docs"]) == tree_digest([there / "theme", there / "docs"])
    (there / "theme" / "main.html").write_text("{{ page.content }}<footer></footer>", encoding="utf-8")
    assert tree_digest([here / "theme", here / "docs"]) != tree_digest([there / "theme", there / "docs"])
    assert tree_digest([here / "theme", None]) != tree_digest([None, here / "theme"])

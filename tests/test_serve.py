"""The editor's loop: ``make serve``'s server picks up a saved case, and a save redoes only what changed.

The first test runs the real ``mkdocs serve --strict --livereload --dirty`` (the server is the
point) and reads pages over HTTP; the others check the preview's reuse of unchanged work in process.
"""

from __future__ import annotations

import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from site_builder.preview import PreviewState
from tests.support.devserver import mkdocs_serve
from tests.support.project import FIXTURE_CASES, make_project

CASE = "riders-golden-helmet"
TITLE = "金色头盔：骑手先锋在街区"


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError):
        return ""


def _served(url: str, text: str, patience: float = 300) -> str:
    """The page at ``url`` once it contains ``text`` (polled; fails after ``patience`` seconds)."""
    deadline = time.monotonic() + patience
    page = _get(url)
    while text not in page and time.monotonic() < deadline:
        time.sleep(0.1)
        page = _get(url)
    return page


@pytest.mark.parametrize("parallel_from", ["2", "100000"], ids=["forked", "serial"])
def test_saved_case_is_served_with_its_new_text(
    tmp_path: Path, small_project: Path, monkeypatch: pytest.MonkeyPatch, parallel_from: str
) -> None:
    # As a large site: the start forks, and each save's outputs are written by a forked child.
    monkeypatch.setenv("SITE_BUILDER_PARALLEL_FROM", parallel_from)
    config = make_project(tmp_path / "project", FIXTURE_CASES, cache_from=small_project)
    case_file = config.parent / "cases" / f"{CASE}.yaml"
    text = case_file.read_text(encoding="utf-8")
    with mkdocs_serve(config) as server:
        url = server.url + f"cases/{CASE}/"
        assert TITLE in _get(url)
        assert "案例编辑器" in _get(server.url + "admin/")

        case_file.write_text(text.replace(f"title: {TITLE}", "title: 金色头盔：改过的标题"), encoding="utf-8")
        page = _served(url, "金色头盔：改过的标题")
        assert "金色头盔：改过的标题" in page and TITLE not in page
        listing = _served(server.url + "cases/", "金色头盔：改过的标题")
        assert "金色头盔：改过的标题" in listing  # the pages listing the case follow it
        data = _served(server.url + "data/cases.json", "金色头盔：改过的标题")
        assert "金色头盔：改过的标题" in data  # the outputs, written after the page, follow too

        # A second save after the first: the form editor, written once per session, is still there.
        case_file.write_text(text, encoding="utf-8")
        assert TITLE in _served(url, TITLE)
        assert "案例编辑器" in _get(server.url + "admin/")


@pytest.fixture
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURE_CASES, tmp_path / "cases")
    return tmp_path / "cases"


def test_a_save_validates_only_the_changed_file(cases: Path) -> None:
    state = PreviewState()
    before = {c.id: c for c in state.load(cases)}
    helmet = cases / f"{CASE}.yaml"
    helmet.write_text(
        helmet.read_text(encoding="utf-8").replace(f"title: {TITLE}", "title: 金色头盔：改过的标题"),
        encoding="utf-8",
    )
    after = {c.id: c for c in state.load(cases)}
    assert after[CASE].title == "金色头盔：改过的标题" and before[CASE].title == TITLE
    assert after[CASE] is not before[CASE]
    unchanged = [i for i in before if i != CASE]
    assert unchanged and all(after[i] is before[i] for i in unchanged)


def test_a_changed_photo_validates_the_cases_again(cases: Path) -> None:
    state = PreviewState()
    before = {c.id: c for c in state.load(cases)}
    photos = [p for p in cases.rglob("*") if p.is_file() and p.suffix.lower() in {".jpg", ".jpeg", ".png"}]
    assert photos, "the fixture cases have photos"
    photos[0].unlink()  # a case naming it is now an error, listed on every page
    after = {c.id: c for c in state.load(cases)}
    stale = {b.case_id for b in state.broken if b.stale}
    assert stale  # the case naming the photo shows its last good version, with the error
    others = [i for i in after if i in before and i not in stale]
    assert others and all(after[i] is not before[i] for i in others)  # every case checked again


def test_lint_errors_follow_the_file(cases: Path) -> None:
    state = PreviewState()
    state.load(cases)
    helmet = cases / f"{CASE}.yaml"
    good = helmet.read_text(encoding="utf-8")
    bad = good.replace("summary: ", "summary: 详见 https://example.com/a 。", 1)
    assert bad != good
    helmet.write_text(bad, encoding="utf-8")
    state.load(cases)
    (broken,) = state.broken
    assert broken.case_id == CASE and broken.stale
    assert any("网址" in e.message for e in broken.errors), [e.format() for e in broken.errors]
    helmet.write_text(good, encoding="utf-8")
    state.load(cases)
    assert state.broken == []


def test_the_form_editor_is_written_once_per_session(tmp_path: Path) -> None:
    state = PreviewState()
    inputs: tuple[object, ...] = ("repo", "main")
    assert not state.admin_written(tmp_path, inputs)  # nothing there yet: write it
    (tmp_path / "admin").mkdir()
    (tmp_path / "admin" / "index.html").write_text("x", encoding="utf-8")
    assert state.admin_written(tmp_path, inputs)
    assert not state.admin_written(tmp_path, ("repo", "other-branch"))
    (tmp_path / "admin" / "index.html").unlink()
    assert not state.admin_written(tmp_path, ("repo", "other-branch"))  # gone: written again

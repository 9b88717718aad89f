"""Finished pages remembered (the "rendered" cache): a page whose data and site-wide chrome did not
change is written as it was, and the site is byte for byte the one a full render makes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mkdocs.structure.files import File

from site_builder import plugin
from site_builder.plugin import RenderedPage
from tests.support.project import FIXTURE_CASES, ROOT, SMALL_SITE_ENV, build_in_process, make_project

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

    def place(files: list[File]) -> list[str]:  # withheld pages: MkDocs neither reads nor renders them
        seen.update((file.src_uri, True) for file in files)
        return real_place(files)

    real_place = plugin._place_finished
    monkeypatch.setattr(RenderedPage, "render", render)
    monkeypatch.setattr(plugin, "_place_finished", place)
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
    from tests.support.project import cli_in_process, environment

    config = make_project(tmp_path / "p", FIXTURE_CASES, cache_from=small_project)
    out = tmp_path / "p" / "site"
    cmd = ["build", "--site-dir", str(out), "--config", str(config)]
    with environment(SMALL_SITE_ENV):
        for _ in range(2):  # the second swap leaves a spare site, which the failing build starts from
            first = cli_in_process(cmd, tmp_path / "p")
            assert first.returncode == 0, first.stderr
        before = _tree(out)
        good = config.read_text(encoding="utf-8")
        config.write_text(
            good.replace("nav:\n", "nav:\n- 不存在的页面: missing-page.md\n", 1), encoding="utf-8"
        )
        failed = cli_in_process(cmd, tmp_path / "p")  # an escaping exception would fail the test here
        assert failed.returncode != 0, failed.stderr
        assert "missing-page.md" in failed.stderr and "Traceback" not in failed.stderr
        assert _tree(out) == before
        config.write_text(good, encoding="utf-8")
        case = tmp_path / "p" / "cases" / "couriers-joint-meeting.yaml"
        case.write_text(
            case.read_text(encoding="utf-8").replace("summary: ", "summary: 快递员，", 1), encoding="utf-8"
        )
        again = cli_in_process(cmd, tmp_path / "p")
    assert again.returncode == 0, again.stderr
    full = build_in_process(config, tmp_path / "full", env=FULL)
    assert full.returncode == 0, full.stderr
    assert _differing(out, tmp_path / "full") == []


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


def _stamps(site: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in site.rglob("*")
        if p.is_file()
    }


def test_a_build_over_the_last_site_writes_what_changed_and_removes_what_is_stale(
    tmp_path: Path, small_project: Path
) -> None:
    """``mkdocs build`` into the last site: unchanged files stay as they were (same file, same time),
    stale ones go (a deleted case's page, a stray file, the folders left empty), the top level's dot
    entries stay, and the folder equals a build into an empty one."""
    import os

    config = make_project(tmp_path / "p", FIXTURE_CASES, cache_from=small_project)
    out = tmp_path / "p" / "site"
    assert build_in_process(config, out, env=SMALL_SITE_ENV).returncode == 0
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="utf-8")
    (out / "stray.txt").write_text("left over", encoding="utf-8")
    (out / "old" / "deep").mkdir(parents=True)
    (out / "old" / "deep" / "index.html").write_text("<p>old</p>", encoding="utf-8")
    for stray in (out / "stray.txt", out / "old" / "deep" / "index.html"):
        os.utime(stray, ns=(1_000_000_000, 1_000_000_000))
    before = _stamps(out)
    deleted = tmp_path / "p" / "cases" / "luwan-building-branch.yaml"
    deleted.unlink()
    edited = tmp_path / "p" / "cases" / "riders-golden-helmet.yaml"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("summary: ", "summary: 金色头盔，", 1), encoding="utf-8"
    )
    assert build_in_process(config, out, env=SMALL_SITE_ENV).returncode == 0
    after = _stamps(out)
    assert not (out / "stray.txt").exists() and not (out / "old").exists()
    assert not (out / "cases" / "luwan-building-branch").exists()
    assert (out / ".git" / "HEAD").read_text(encoding="utf-8") == "ref: refs/heads/gh-pages\n"
    assert after["cases/riders-golden-helmet/index.html"] != before["cases/riders-golden-helmet/index.html"]
    untouched = [k for k in after if k.endswith("index.html") and after[k] == before.get(k)]
    assert "guide/index.html" not in untouched  # MkDocs renders the hand-written pages every time
    assert any(k.startswith("cases/") for k in untouched), "unchanged case pages are left in place"
    full = build_in_process(config, tmp_path / "full", env=FULL)
    assert full.returncode == 0, full.stderr
    assert _differing(out, tmp_path / "full") == [".git/HEAD"]


def test_site_builder_build_starts_from_the_site_it_replaced(tmp_path: Path, small_project: Path) -> None:
    """The site a swap replaces waits beside the target; the next build builds over it, and the
    published folder equals a build into an empty folder (its dot entries from the site it replaces)."""
    from site_builder import sitedir
    from tests.support.project import cli_in_process, environment

    config = make_project(tmp_path / "p", FIXTURE_CASES, cache_from=small_project)
    out = tmp_path / "p" / "site"
    cmd = ["build", "--site-dir", str(out), "--config", str(config)]
    with environment(SMALL_SITE_ENV):
        for _ in range(2):
            assert cli_in_process(cmd, tmp_path / "p").returncode == 0
        assert sitedir.spare_path(out).is_dir()
        (out / "CNAME").write_text("cases.example.org\n", encoding="utf-8")
        case = tmp_path / "p" / "cases" / "riders-golden-helmet.yaml"
        case.write_text(
            case.read_text(encoding="utf-8").replace("summary: ", "summary: 金色头盔，", 1), encoding="utf-8"
        )
        again = cli_in_process(cmd, tmp_path / "p")
    assert again.returncode == 0, again.stderr
    full = build_in_process(config, tmp_path / "full", env=FULL)
    assert full.returncode == 0, full.stderr
    assert _differing(out, tmp_path / "full") == ["CNAME"]
    assert not (sitedir.spare_path(out) / "CNAME").exists() or (out / "CNAME").is_file()


def test_front_matter_is_read_as_yaml_reads_it() -> None:
    """Generated pages' front matter is read without a YAML parser, to the same data; a character
    beyond the BMP (written as a JSON surrogate pair, which YAML refuses) keeps the page's data."""
    from mkdocs.utils.meta import get_data

    from site_builder.pages.render import GeneratedPage
    from site_builder.plugin import read_front_matter

    meta = {"case": {"id": "x", "n": 3, "share": 0.25, "none": None, "ok": True, "list": ["甲", "乙"]}}
    page = GeneratedPage(
        "cases/x.md", "cases/x/", '标题 <"引号"> & 丁', "摘要：第一行\n第二行", "", meta=meta
    )
    text = page.front_matter()
    assert read_front_matter(text) == get_data(text)[1]
    rare = GeneratedPage("cases/y.md", "cases/y/", "𠀀村驿站", "", "", meta=meta)
    assert read_front_matter(rare.front_matter()) == {
        "title": "𠀀村驿站",
        "description": "",
        "hide": ["navigation", "toc"],
        "sb": meta,
    }
    assert read_front_matter("# 标题\n") is None
    assert read_front_matter("---\ntitle: [unclosed\n---\n") is None


def test_zensical_renders_only_the_pages_that_changed(tmp_path: Path, small_project: Path) -> None:
    """The Zensical adapter leaves unchanged generated pages out of its build folder and links their
    finished HTML; after an edit the site equals a build that renders every page."""
    from site_builder.engines.zensical import render_site
    from tests.support.project import environment

    config = make_project(tmp_path / "p", FIXTURE_CASES, cache_from=small_project)
    docs = tmp_path / "p" / ".cache" / "site_builder" / "zensical" / "docs"
    with environment(SMALL_SITE_ENV):
        render_site(config, tmp_path / "first")
        assert (docs / "cases" / "luwan-building-branch.md").is_file()
        case = tmp_path / "p" / "cases" / "riders-golden-helmet.yaml"
        case.write_text(
            case.read_text(encoding="utf-8").replace("summary: ", "summary: 金色头盔，", 1), encoding="utf-8"
        )
        render_site(config, tmp_path / "edited")
        assert not (docs / "cases" / "luwan-building-branch.md").exists(), "an unchanged page is not rendered"
        assert (docs / "cases" / "riders-golden-helmet.md").is_file()
    with environment(FULL):
        render_site(config, tmp_path / "full")
    assert "金色头盔" in (tmp_path / "edited/cases/riders-golden-helmet/index.html").read_text(
        encoding="utf-8"
    )
    assert _differing(tmp_path / "edited", tmp_path / "full") == []


def test_withheld_pages_are_not_read_and_links_to_them_still_resolve(
    tmp_path: Path, small_project: Path, reused: dict[str, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged page outside the navigation never reaches MkDocs' reading (no front matter,
    no events), yet a hand-written page linking to it builds --strict to the same bytes."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    about = docs / "about.md"
    about.write_text(
        about.read_text(encoding="utf-8") + "\n另见[金头盔骑手](cases/riders-golden-helmet.md)。\n",
        encoding="utf-8",
    )
    config = make_project(tmp_path / "p", FIXTURE_CASES, cache_from=small_project)
    config.write_text(
        config.read_text(encoding="utf-8").replace(f"docs_dir: {ROOT / 'docs'}", f"docs_dir: {docs}"),
        encoding="utf-8",
    )
    first = build_in_process(config, tmp_path / "first", env=SMALL_SITE_ENV)
    assert first.returncode == 0, first.stderr
    read: list[str] = []
    real_read = RenderedPage.read_source

    def read_source(self: RenderedPage, config: object) -> None:
        read.append(self.file.src_uri)
        real_read(self, config)  # type: ignore[arg-type]

    monkeypatch.setattr(RenderedPage, "read_source", read_source)
    reused.clear()
    again = build_in_process(config, tmp_path / "again", env=SMALL_SITE_ENV)
    assert again.returncode == 0, again.stderr
    assert "excluded from the built site" not in again.stderr  # MkDocs' note on a link to a draft
    assert reused["cases/riders-golden-helmet.md"] is True
    assert "cases/riders-golden-helmet.md" not in read
    assert read and all(not uri.startswith("cases/") or uri == "cases/index.md" for uri in read), read
    page = (tmp_path / "again" / "about" / "index.html").read_text(encoding="utf-8")
    assert 'href="../cases/riders-golden-helmet/"' in page
    assert _differing(tmp_path / "again", tmp_path / "first") == []


def test_the_theme_lists_the_files_mkdocs_copies() -> None:
    """The theme's listing skips hidden folders (Material's icons) and MkDocs copies the same files."""
    import jinja2
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    config = load_config(config_file=str(ROOT / "mkdocs.yml"))
    listed = plugin.ThemeFiles(config.theme.dirs).list_templates()
    every = jinja2.FileSystemLoader(config.theme.dirs).list_templates()
    assert len(listed) * 10 < len(every)
    assert not any(part.startswith(".") for name in listed for part in name.split("/"))

    def copied(env: jinja2.Environment) -> list[tuple[str, str | None]]:
        files = Files([])
        files.add_files_from_theme(env, config)
        return [(f.src_uri, f.abs_src_path) for f in files]

    stock = copied(config.theme.get_env())
    config.theme.__class__ = plugin.ListedTheme
    assert copied(config.theme.get_env()) == stock
    assert any(uri.startswith("assets/javascripts/bundle.") for uri, _ in stock)

"""The preview's plain logic (no MkDocs): last good versions, pages for unfinished drafts, the banner."""

from __future__ import annotations

import shutil
from pathlib import Path

from site_builder.cli import main
from site_builder.preview import OVERLAY_ID, PreviewState


def test_all_good_means_no_banner(cases: Path) -> None:
    state = PreviewState()
    loaded = state.load(cases)
    assert {c.id for c in loaded} >= {"riders-golden-helmet", "couriers-joint-meeting"}
    assert state.broken == [] and state.gap_pages() == []
    assert state.inject("<html><body>x</body></html>", "") == "<html><body>x</body></html>"


def test_broken_case_keeps_its_last_good_version(cases: Path) -> None:
    state = PreviewState()
    state.load(cases)
    helmet = cases / "riders-golden-helmet.yaml"
    helmet.write_text(
        helmet.read_text(encoding="utf-8").replace("year: 2021", "year: 二〇二一年"), encoding="utf-8"
    )
    loaded = state.load(cases)
    assert "riders-golden-helmet" in {c.id for c in loaded}
    (broken,) = state.broken
    assert broken.stale and broken.case_id == "riders-golden-helmet"
    assert state.gap_pages() == []
    page = state.inject("<html><body><p>正文</p></body></html>", "cases/couriers-joint-meeting/")
    assert page.index(f'<aside id="{OVERLAY_ID}"') > page.index("正文")
    assert page.endswith("</aside></body></html>")
    assert "cases/riders-golden-helmet.yaml:8:" in page and "上次正确的版本" in page
    assert 'href="../../cases/riders-golden-helmet/"' in page


def test_syntax_error_without_a_good_version_gets_a_page(cases: Path) -> None:
    (cases / "half-typed.yaml").write_text('title: "没有闭合\nsummary: x\n', encoding="utf-8")
    state = PreviewState()
    loaded = state.load(cases)
    assert "half-typed" not in {c.id for c in loaded}
    (page,) = state.gap_pages()
    assert page.url == "cases/half-typed/" and page.title == "half-typed"
    assert "cases/half-typed.yaml:1:" in page.html and "改正之前不会出现在网站上" in page.html


def test_new_template_is_a_draft_listing_its_gaps(cases: Path) -> None:
    assert main(["new", "brand-new", "--no-input"]) == 0
    state = PreviewState()
    state.load(cases)
    (page,) = state.gap_pages()
    assert "草稿" in page.html and page.html.count("<li>") >= 2
    assert all(e.location.path == "cases/brand-new.yaml" for b in state.broken for e in b.errors)


def test_hostile_text_in_messages_stays_text(cases: Path) -> None:
    (cases / "xss.yaml").write_text("title: <script>alert(1)</script>\nstatus: draft\n", encoding="utf-8")
    state = PreviewState()
    state.load(cases)
    banner = state.overlay("")
    (page,) = state.gap_pages()
    assert "<script>alert" not in banner and "<script>alert" not in page.html
    assert "&lt;script&gt;" in page.html


def test_deleted_case_disappears(cases: Path) -> None:
    state = PreviewState()
    state.load(cases)
    (cases / "couriers-joint-meeting.yaml").unlink()
    assert "couriers-joint-meeting" not in {c.id for c in state.load(cases)}


def test_misnamed_file_is_listed_without_a_page(cases: Path) -> None:
    shutil.copy(cases / "riders-golden-helmet.yaml", cases / "copy.yml")
    state = PreviewState()
    state.load(cases)
    (broken,) = state.broken
    assert broken.page_url is None and "这个文件不会被读取" in state.overlay("")

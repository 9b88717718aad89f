"""Tests for the built-site link checker (site_builder.checks.linkcheck)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.checks.linkcheck import base_path_of_site, check_site, extract_links, main


def _site(tmp_path: Path, pages: dict[str, str]) -> Path:
    site = tmp_path / "site"
    for rel, body in pages.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return site


GOOD = {
    "index.html": """<html><head>
<link rel="stylesheet" href="assets/style.css">
<link rel="canonical" href="https://example.org/missing/">
<script src="assets/app.js?v=1"></script></head><body>
<a href="cases/%E9%87%91%E5%A4%B4%E7%9B%94/">案例</a>
<a href="cases/a/#practice">做法</a>
<a href="#top" id="top">顶部</a>
<a href="https://example.org/">外部</a><a href="mailto:a@b.c">邮件</a>
<img src="data:image/png;base64,AAAA">
<img srcset="assets/a.jpg 1x, assets/b.jpg 2x" src="assets/a.jpg">
<a href="/repo/cases/a/">根路径</a>
<a href=".">首页</a>
</body></html>""",
    "assets/style.css": "",
    "assets/app.js": "",
    "assets/a.jpg": "",
    "assets/b.jpg": "",
    "cases/金头盔/index.html": '<a href="../../">返回</a><a href="../a/">A</a>',
    "cases/a/index.html": '<h2 id="practice">做法</h2><a href="../../index.html">首页</a>',
}


def test_good_site_has_no_broken_links(tmp_path: Path) -> None:
    assert check_site(_site(tmp_path, GOOD), base_path="/repo/", anchors=True) == []


def test_broken_links_are_reported_with_page_and_line(tmp_path: Path) -> None:
    pages = dict(GOOD)
    pages["cases/a/index.html"] = (
        '<h2 id="practice">做法</h2>\n<a href="../b/">B</a>\n<img src="../../assets/missing.png">\n'
        '<a href="../../../outside.html">外</a>\n<a href="/other/x/">别的站</a>\n<a href="../a/#nope">锚</a>'
    )
    broken = check_site(_site(tmp_path, pages), base_path="/repo/", anchors=True)
    got = [(b.page, b.line, b.url) for b in broken]
    assert got == [
        ("cases/a/index.html", 2, "../b/"),
        ("cases/a/index.html", 3, "../../assets/missing.png"),
        ("cases/a/index.html", 4, "../../../outside.html"),
        ("cases/a/index.html", 5, "/other/x/"),
        ("cases/a/index.html", 6, "../a/#nope"),
    ]
    assert all(b.format().startswith("cases/a/index.html:") for b in broken)


def test_anchors_only_checked_when_asked(tmp_path: Path) -> None:
    pages = dict(GOOD)
    pages["index.html"] = '<a href="cases/a/#nope">x</a><a href="#nowhere">y</a>'
    site = _site(tmp_path, pages)
    assert check_site(site) == []
    assert len(check_site(site, anchors=True)) == 2


def test_extract_links_reads_srcset_and_ids() -> None:
    links, ids = extract_links('<img id="p" srcset="a.jpg 1x, b.jpg 2x"><a name="n" href="c/">c</a>')
    assert [u for _, u in links] == ["a.jpg", "b.jpg", "c/"]
    assert ids == {"p", "n"}


def test_base_path_of_site(tmp_path: Path) -> None:
    home = '<html><head><link rel="canonical" href="https://octo.github.io/casebook/"></head></html>'
    assert base_path_of_site(_site(tmp_path / "a", {"index.html": home})) == "/casebook/"
    assert base_path_of_site(_site(tmp_path / "b", {"index.html": "<html></html>"})) == "/"
    assert base_path_of_site(tmp_path / "missing") == "/"


def test_main_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path, GOOD)
    monkeypatch.chdir(tmp_path)  # not the repository: its former addresses are not this toy site's
    assert main([str(site), "--base-path", "/repo/"]) == 0
    (site / "assets" / "app.js").unlink()
    assert main([str(site), "--base-path", "/repo/"]) == 1
    assert "assets/app.js" in capsys.readouterr().out
    assert main([str(tmp_path / "nothing")]) == 1

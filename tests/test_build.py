"""Integration: build a small site with MkDocs and check the HTML readers get."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_builder.casefile.loader import load_cases
from site_builder.pages.qr import qr_image
from tests.support.project import (
    FIXTURE_CASES,
    ROOT,
    SMALL_SITE_ENV,
    build_in_process,
    cli_in_process,
    make_project,
    run_build,
)
from tests.support.shared import made_once


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        self.text.append(data)


def parse(path: Path) -> _Collector:
    c = _Collector()
    c.feed(path.read_text(encoding="utf-8"))
    return c


def meta(doc: _Collector, key: str) -> str | None:
    for tag, attrs in doc.tags:
        if tag == "meta" and (attrs.get("name") == key or attrs.get("property") == key):
            return attrs.get("content")
    return None


def test_case_page(small_site: Path) -> None:
    html = (small_site / "cases/riders-golden-helmet/index.html").read_text(encoding="utf-8")
    doc = parse(small_site / "cases/riders-golden-helmet/index.html")
    assert doc.title.startswith("金色头盔：骑手先锋在街区 - ")
    assert '<h1 class="sb-case__title">金色头盔：骑手先锋在街区</h1>' in html
    assert meta(
        doc,
        "description",
    ).startswith("浦东新区为外卖骑手中的先锋")  # type: ignore[union-attr]
    assert meta(doc, "og:title") == "金色头盔：骑手先锋在街区"
    # info panel values link to their browse pages
    for href in (
        "../../districts/pudong/",
        "../../years/2021/",
        "../../fields/new-employment/",
        "../../groups/delivery-riders/",
    ):
        assert f'href="{href}"' in html
    assert re.search(r'href="../../tags/[a-z-]+/">#金色头盔</a>', html)
    assert "陆家嘴街道" in html and "浦东新区委组织部" in html and "示范案例" in html
    # metrics, highlights, sections in order, quotes, numbered sources, related, review date
    assert "1,200<small>名</small>" in html and "36.5<small>个</small>" in html and "含临时站点" in html
    order = [
        html.index(h) for h in ("亮点", ">背景<", ">主要做法<", ">成效<", "原话摘录", ">来源<", "相关案例")
    ]
    assert order == sorted(order)
    assert "<strong>金色头盔</strong>" in html
    assert "—— 李师傅，骑手" in html
    assert re.search(r"<ol>\s*<li><a href=\"https://example.org/a\"", html)
    assert "2023年4月13日" in html
    related = html[html.index("相关案例") :]
    assert related.index("couriers-joint-meeting") < related.index("</section>")
    assert "最近审核：2026年11月1日" in html
    assert "https://github.com/example/site_builder/edit/main/cases/riders-golden-helmet.yaml" in html


def test_former_district_is_shown_with_todays(small_site: Path) -> None:
    html = (small_site / "cases/luwan-building-branch/index.html").read_text(encoding="utf-8")
    assert "黄浦区（原卢湾区）" in html
    assert 'href="../../districts/huangpu/"' in html


def test_browse_pages(small_site: Path) -> None:
    html = (small_site / "districts/pudong/index.html").read_text(encoding="utf-8")
    assert "共 2 个案例" in html
    cards = re.findall(r'class="sb-card__link" href="../../cases/([a-z0-9-]+)/"', html)
    assert cards == ["riders-golden-helmet", "couriers-joint-meeting"]  # newest first
    index = (small_site / "districts/index.html").read_text(encoding="utf-8")
    assert re.search(r"浦东新区</span><span class=\"sb-terms__count\"[^>]*>2<", index)
    for page in (
        "fields/index.html",
        "groups/index.html",
        "years/index.html",
        "tags/index.html",
        "years/2001/index.html",
        "groups/couriers/index.html",
        "cases/index.html",
    ):
        assert (small_site / page).is_file(), page
    listing = (small_site / "cases/index.html").read_text(encoding="utf-8")
    assert listing.count('class="sb-card__link" href="../cases/') == 4
    assert "<table" not in listing  # compact rows, not a table squeezed onto a phone
    by_district = (small_site / "cases-by-district/index.html").read_text(encoding="utf-8")
    assert by_district.count('class="sb-card__link" href="../cases/') == 4
    assert re.findall(r'<h2 class="sb-group" id="([a-z]+)"', by_district) == ["huangpu", "xuhui", "pudong"]


def test_home_page(small_site: Path) -> None:
    html = (small_site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'sb-stats__value">4<', html)  # drafts are not counted
    assert re.search(r'sb-stats__value">3<', html)  # 3 districts: pudong, huangpu, xuhui
    assert 'href="cases/riders-golden-helmet/"' in html
    for url in ("districts/", "fields/", "groups/", "years/", "tags/", "cases/"):
        assert f'href="{url}"' in html


def test_drafts_stay_out_of_builds(small_site: Path) -> None:
    assert not (small_site / "cases/draft-case").exists()
    assert "draft-case" not in (small_site / "index.html").read_text(encoding="utf-8")


def test_untrusted_text_stays_text(small_site: Path) -> None:
    page = small_site / "cases/hostile-text/index.html"
    html = page.read_text(encoding="utf-8")
    doc = parse(page)
    assert doc.title.startswith('</title><script>alert("t")</script>标题测试 - ')
    canonical = next(a["href"] for t, a in doc.tags if t == "link" and a.get("rel") == "canonical")
    own_qr = re.search(r'src="([^"]+)"', qr_image(str(canonical)))
    for tag, attrs in doc.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        for key in ("href", "src"):
            value = (attrs.get(key) or "").strip().lower()
            if own_qr and attrs.get(key) == own_qr.group(1):
                continue  # the page's own QR code, drawn by the build
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
    scripts = [a for t, a in doc.tags if t == "script"]
    assert all(a.get("src") or a.get("id") == "__config" or not a for a in scripts)
    assert "alert(" not in "".join(re.findall(r"<script[^>]*>(.*?)</script>", html, re.S))
    assert "<img src=x" not in html and "<b>粗体</b>" not in html and "<i onmouseover" not in html
    assert "&lt;b&gt;粗体&lt;/b&gt;" in html
    assert "<b>点我</b>" in html and "<i>内联</i>" in html  # kept, without their handlers
    assert meta(
        doc,
        "description",
    ).startswith('"><img src=x onerror=alert(1)>')  # type: ignore[union-attr]
    # cards and listings escape too
    for listing in ("districts/xuhui/index.html", "cases/index.html", "index.html", "tags/index.html"):
        text = (small_site / listing).read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, listing


def test_no_third_party_requests_in_markup(small_site: Path) -> None:
    """Nothing the browser fetches by itself (scripts, styles, images, fonts, frames) is off-site."""
    fetched = {"script": "src", "img": "src", "iframe": "src", "source": "srcset", "link": "href"}
    pages = list(small_site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        for tag, attrs in parse(page).tags:
            key = fetched.get(tag)
            if key is None or (tag == "link" and attrs.get("rel") in ("canonical", "alternate")):
                continue
            value = (attrs.get(key) or "").strip()
            assert not value.startswith(("http:", "https:", "//")), f"{page}: <{tag} {key}={value}>"
    css = "".join(p.read_text(encoding="utf-8") for p in small_site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "fonts.gstatic" not in css
    assert not re.search(r"url\((['\"]?)(https?:)?//", css)


def test_invalid_case_fails_the_build_and_keeps_the_previous_site(
    tmp_path: Path, small_project: Path, small_site: Path
) -> None:
    config = make_project(tmp_path / "p", FIXTURE_CASES, cache_from=small_project)  # the first build is warm
    out = tmp_path / "p" / "site"
    args = ["build", "--site-dir", str(out), "--config", str(config)]
    first = cli_in_process(args, tmp_path / "p")
    assert first.returncode == 0, first.stderr
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "p" / "cases" / "couriers-joint-meeting.yaml"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("district: 浦东新区", "district: 浦江区"), encoding="utf-8"
    )
    second = cli_in_process(args, tmp_path / "p")
    assert second.returncode != 0
    assert "cases/couriers-joint-meeting.yaml:3:11: 所在区 (district): 未知的区「浦江区」" in second.stderr
    assert "Traceback" not in second.stderr
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not list((tmp_path / "p").glob(".site-build-*"))
    # plain `mkdocs build` refuses before it cleans its output folder, too
    plain = build_in_process(config, out)
    assert plain.returncode != 0 and "浦江区" in plain.stderr
    assert {p.relative_to(out) for p in out.rglob("*") if p.is_file()} == set(before)


def test_unseen_case_file_builds_without_code_changes(
    tmp_path: Path, small_project: Path, small_site: Path
) -> None:
    cases = tmp_path / "cases"
    shutil.copytree(FIXTURE_CASES, cases)
    (cases / "hostile-text.yaml").unlink()
    (cases / "jiading-new-case.yaml").write_text(
        "title: 嘉定区园区党群服务站\n"
        "summary: 嘉定区在产业园区设立党群服务站，为园区里的企业员工和快递员提供休息、学习和办事服务，方便就近参加活动。\n"
        "district: jiading\nfields: [园区]\ngroups: [快递员]\nyear: 2022\n"
        "practice: |\n  在园区设立服务站。\n"
        "sources:\n  - {title: 园区党建报道, publisher: 嘉定报, date: 2022-05}\n",
        encoding="utf-8",
    )
    config = make_project(tmp_path / "p", cases, cache_from=small_project)
    out = tmp_path / "out"
    proc = build_in_process(config, out)
    assert proc.returncode == 0, proc.stderr
    html = (out / "cases/jiading-new-case/index.html").read_text(encoding="utf-8")
    assert "嘉定区园区党群服务站" in html and 'href="../../districts/jiading/"' in html
    assert "jiading-new-case" in (out / "fields/parks/index.html").read_text(encoding="utf-8")


def test_pages_stay_light(small_site: Path) -> None:
    sizes = {p: p.stat().st_size for p in (small_site / "cases").rglob("index.html")}
    assert max(sizes.values()) < 60_000, sizes


def test_repository_site_builds_strict(real_site: Path) -> None:
    """The session's one build of ``cases/`` (strict, fixture ``real_site``) has every published case."""
    published = {c.id for c in load_cases([ROOT / "cases"]).published()}
    built = {p.parent.name for p in (real_site / "cases").glob("*/index.html")}
    assert len(published) >= 3 and built == published


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


Forked = tuple[str, Path, str, Path]
"""The cold build's log and site, then the warm build's log and site."""


@pytest.fixture(scope="module")
def forked_builds(tmp_path_factory: pytest.TempPathFactory) -> Forked:
    """The fixture cases built by ``mkdocs build`` forking for any number of items: cold, then warm.

    Subprocesses on purpose: the site builder forks only in a process without other threads.
    Built once per run; the logs are kept beside the sites.
    """

    def make(base: Path) -> None:
        config = make_project(base / "project", FIXTURE_CASES)
        env = {**SMALL_SITE_ENV, "SITE_BUILDER_PARALLEL_FROM": "2"}  # as small_site, but fork for any count
        for name in ("cold", "warm"):
            proc = run_build(config, base / name, "--verbose", env=env)
            assert proc.returncode == 0, proc.stderr
            (base / f"{name}.log").write_text(proc.stderr, encoding="utf-8")

    base = made_once(tmp_path_factory, "forked", make)
    logs = {name: (base / f"{name}.log").read_text(encoding="utf-8") for name in ("cold", "warm")}
    return logs["cold"], base / "cold", logs["warm"], base / "warm"


def test_forked_and_serial_builds_are_byte_identical(small_site: Path, forked_builds: Forked) -> None:
    """Every parallel path (loading, art, photos, bodies, output writer) gives the serial result.

    Both builds are cold (art and photos drawn); ``small_site`` is the serial one, built in process.
    """
    cold, forked_site, _, _ = forked_builds
    assert "started a worker process" in cold
    serial, forked = _tree(small_site), _tree(forked_site)
    assert serial.keys() == forked.keys()
    assert [k for k in serial if serial[k] != forked[k]] == []


def test_a_warm_build_starts_no_worker_and_gives_the_same_site(
    forked_builds: Forked,
) -> None:
    """Workers are for work the cache lacks: forking a large process costs more than a cache lookup."""
    cold, cold_site, warm, warm_site = forked_builds
    assert "started a worker process" in cold
    assert "started a worker process" not in warm
    assert _tree(cold_site) == _tree(warm_site)


def test_case_photo_is_processed_and_shown(small_site: Path) -> None:
    html = (small_site / "cases/riders-golden-helmet/index.html").read_text(encoding="utf-8")
    figure = re.search(r'<figure class="sb-figure".*?</figure>', html, re.S)
    assert figure, "the photo's <figure> is on the case page"
    srcs = re.findall(r'(?:src|srcset)="([^"]+)"', figure.group(0))
    files = {u.split()[0] for s in srcs for u in s.split(",")}
    assert files and all((small_site / "cases/riders-golden-helmet" / f).resolve().is_file() for f in files)
    assert 'alt="红色背景上的黄色条纹和白色圆形"' in figure.group(0)
    assert "骑手驿站示意图" in figure.group(0) and "测试图片" in figure.group(0)


def test_no_unused_theme_assets(small_site: Path) -> None:
    """Material's lunr search and source maps are not shipped, and nothing refers to them."""
    shipped = [str(p.relative_to(small_site)) for p in small_site.rglob("*") if p.is_file()]
    assert not [p for p in shipped if "lunr" in p or "workers/search" in p or p.endswith(".map")]
    pages = "".join(p.read_text(encoding="utf-8") for p in small_site.rglob("*.html"))
    loads = re.findall(r'(?:src|href)="([^"]+)"', pages)
    assert not [u for u in loads if "lunr" in u or "workers/search" in u or u.endswith(".map")]


def test_stubs_change_only_with_their_page(tmp_path: Path) -> None:
    """`mkdocs serve --dirty` rebuilds a page only when its stub changes: one per changed page."""
    import os

    from site_builder.build import write_stubs
    from site_builder.pages.render import GeneratedPage

    pages = [
        GeneratedPage(f"cases/c{i}.md", f"cases/c{i}/", f"标题{i}", "描述", f"<p>{i}</p>") for i in range(3)
    ]
    first = write_stubs(pages, tmp_path)
    for path in first.values():
        os.utime(path, (1, 1))
    pages[1] = GeneratedPage("cases/c1.md", "cases/c1/", "标题1", "描述", "<p>changed</p>")
    write_stubs(pages, tmp_path)
    changed = sorted(uri for uri, path in first.items() if path.stat().st_mtime != 1)
    assert changed == ["cases/c1.md"]
    write_stubs(pages, tmp_path, salt="an error banner appeared")
    assert all(path.stat().st_mtime != 1 for path in first.values())

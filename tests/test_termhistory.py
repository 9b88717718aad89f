"""Addresses that last, for browse pages: former tag (and other facet term) pages redirect
(site_builder/termhistory.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import site_builder.termhistory as termhistory
from site_builder.browse.model import SiteModel, slugify_tag
from site_builder.build import Project, load_published_cases, model_site
from site_builder.checks.linkcheck import check_former_term_addresses, check_site
from site_builder.history import address_book
from site_builder.termhistory import (
    TermHistory,
    TermRecord,
    docs_addresses,
    former_term_addresses,
    read_term_history,
    term_redirect_page,
    term_redirects,
)
from tests.support.gitrepo import committed_cases, git
from tests.support.project import FIXTURE_CASES, ROOT, build_in_process, make_project

RIDERS = "cases/riders-golden-helmet.yaml"
LUWAN = "cases/luwan-building-branch.yaml"
DRAFT = "cases/draft-case.yaml"


def _retag(repo: Path, path: str, tags: str, message: str) -> None:
    """Set the ``tags:`` line of one case file and commit it."""
    file = repo / path
    text = file.read_text(encoding="utf-8")
    if re.search(r"^tags:.*$", text, flags=re.M):
        text = re.sub(r"^tags:.*$", f"tags: {tags}", text, count=1, flags=re.M)
    else:
        text = text.replace("\ndistrict:", f"\ntags: {tags}\ndistrict:", 1)
    file.write_text(text, encoding="utf-8")
    git(repo, "commit", "-qam", message)


def tag_history_repo(repo: Path) -> Path:
    """The fixture cases, then a tag renamed (金色头盔 -> 金头盔), one merged into another
    (联合党支部 -> 亮身份) and one dropped (夜间服务), each in its own commit, as editors do it."""
    committed_cases(repo, FIXTURE_CASES)
    _retag(repo, RIDERS, "[金色头盔, 亮身份, 夜间服务]", "a tag to drop later")
    _retag(repo, DRAFT, "[草稿专用标签]", "a draft's tag (never published)")
    _retag(repo, RIDERS, "[金头盔, 亮身份, 夜间服务]", "rename")
    _retag(repo, LUWAN, "[亮身份]", "merge")
    _retag(repo, RIDERS, "[金头盔, 亮身份]", "drop")
    _retag(repo, DRAFT, "[]", "the draft drops its tag")
    return repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """:func:`tag_history_repo` in a fresh folder."""
    return tag_history_repo(tmp_path / "repo")


def _site(root: Path) -> SiteModel:
    project = Project(root=root, site_dir=root / "site", site_name="测试站")
    return model_site(load_published_cases(project), root / ".cache" / "site_builder")


def _tag_url(name: str) -> str:
    return f"tags/{slugify_tag(name)}/"


def test_renamed_merged_and_dropped_tags_keep_their_addresses_in_a_built_site(
    repo: Path, tmp_path: Path
) -> None:
    config = make_project(repo)
    out = tmp_path / "site"
    result = build_in_process(config, out)
    assert result.returncode == 0, result.stderr
    renamed = (out / _tag_url("金色头盔") / "index.html").read_text(encoding="utf-8")
    assert f'url=../../{_tag_url("金头盔")}"' in renamed and "已并入“#金头盔”" in renamed
    assert 'name="robots" content="noindex"' in renamed and 'rel="canonical"' in renamed
    merged = (out / _tag_url("联合党支部") / "index.html").read_text(encoding="utf-8")
    assert f'url=../../{_tag_url("亮身份")}"' in merged
    dropped = (out / _tag_url("夜间服务") / "index.html").read_text(encoding="utf-8")
    assert 'url=../../tags/"' in dropped and "按标签浏览" in dropped  # no clear successor: the index
    assert "不再单独列出" in dropped and "#金头盔" in dropped and "#亮身份" in dropped  # where it went
    assert not (out / _tag_url("草稿专用标签")).exists()  # a draft's tag was never published
    current = (out / _tag_url("金头盔") / "index.html").read_text(encoding="utf-8")
    assert "http-equiv" not in current  # the current term's page is its own
    assert check_site(out) == []  # every redirect leads to a page
    history = read_term_history(repo)
    addresses = former_term_addresses(history)
    assert {_tag_url(t) for t in ("金色头盔", "联合党支部", "夜间服务", "金头盔")} <= set(addresses)
    assert check_former_term_addresses(out, addresses) == []
    shutil.rmtree(out / _tag_url("夜间服务"))
    (missing,) = check_former_term_addresses(out, addresses)
    assert missing.page == _tag_url("夜间服务") + "index.html" and "旧分类地址" in missing.reason


def test_a_redirect_never_takes_an_address_a_current_page_uses(repo: Path, tmp_path: Path) -> None:
    """A former tag whose slug a current tag has (a traditional spelling), one whose address a
    hand-written page has, a facet index: none is overwritten; the colliding one gets its hashed slug."""
    site = _site(repo)
    history = TermHistory(
        (
            TermRecord("tag", "金頭盔", ("riders-golden-helmet",), slug=slugify_tag("金頭盔")),
            TermRecord("tag", "手写页面", ("riders-golden-helmet",), slug=slugify_tag("手写页面")),
            TermRecord("tag", "夜间服务", ("riders-golden-helmet",), slug=slugify_tag("夜间服务")),
            TermRecord("year", "1999", ("riders-golden-helmet",)),
        )
    )
    docs = tmp_path / "docs"
    (docs / "tags").mkdir(parents=True)
    (docs / "tags" / f"{slugify_tag('手写页面')}.md").write_text("# 手写\n", encoding="utf-8")
    (docs / "index.md").write_text("# 首页\n", encoding="utf-8")
    taken = docs_addresses(docs)
    assert taken == ("", f"tags/{slugify_tag('手写页面')}/")
    redirects = term_redirects(history, site, taken=taken)
    used = {t.url for f in site.facets.values() for t in f.terms} | {f.url for f in site.facets.values()}
    used |= {f"cases/{c.id}/" for c in site.cases} | set(taken)
    assert not {r.url for r in redirects} & used
    by_name = {r.name: r for r in redirects}
    assert slugify_tag("金頭盔") == slugify_tag("金头盔")
    assert by_name["金頭盔"].url.startswith(_tag_url("金头盔").rstrip("/") + "-")  # the hashed slug
    assert by_name["金頭盔"].target == "金头盔"
    assert "手写页面" not in by_name
    assert by_name["1999"].url == "years/1999/" and by_name["1999"].target == str(
        site.by_id["riders-golden-helmet"].year
    )


def test_the_page_says_where_the_topic_went_and_escapes_names(repo: Path) -> None:
    site = _site(repo)
    history = TermHistory((TermRecord("tag", "<i>旧</i>", ("riders-golden-helmet",), slug="jiu"),))
    (redirect,) = term_redirects(history, site)
    page = term_redirect_page(redirect, site_name="站<名>", site_url="https://example.org/site/").decode()
    assert "<i>" not in page and "&lt;i&gt;旧&lt;/i&gt;" in page and "站&lt;名&gt;" in page
    assert '<link rel="canonical" href="https://example.org/site/tags/">' in page
    assert '<html lang="zh-CN">' in page and "请在" in page


def test_old_blobs_are_read_once_and_the_history_is_cached_by_head(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[list[str]] = []
    read = termhistory._read_blobs

    def counting(root: Path, shas: list[str]) -> dict[str, bytes]:
        asked.append(list(shas))
        return read(root, shas)

    monkeypatch.setattr(termhistory, "_read_blobs", counting)
    first = read_term_history(repo)
    assert len(asked) == 1 and len(asked[0]) >= 8  # every version of every case file, in one batch
    assert read_term_history(repo) == first and len(asked) == 1  # same HEAD: nothing read
    _retag(repo, RIDERS, "[金头盔, 亮身份, 新标签]", "one more tag")
    later = read_term_history(repo)
    new_blob = git(repo, "rev-parse", f"HEAD:{RIDERS}").strip()
    assert asked[1:] == [[new_blob]]  # a new commit: only its own blob is read
    assert {r.name for r in later.records} - {r.name for r in first.records} == {"新标签"}


def test_without_git_or_in_a_shallow_clone_the_record_is_incomplete(repo: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(FIXTURE_CASES, plain / "cases")
    none = read_term_history(plain)
    assert none.records == () and not none.complete and "git" in none.note
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    shallow = read_term_history(clone)
    assert not shallow.complete and "fetch-depth: 0" in shallow.note
    assert "金色头盔" not in {r.name for r in shallow.records}  # beyond the shallow history
    book = address_book(clone, terms=True)
    assert not book.complete and book.terms.history == shallow


def _has_commit(commit: str) -> bool:
    try:
        proc = subprocess.run(
            ["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=ROOT, capture_output=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


@pytest.mark.skipif(not _has_commit("26bd91f"), reason="needs the repository's history (fetch-depth: 0)")
def test_the_real_repositorys_merged_tags_redirect_to_their_successors(tmp_path: Path) -> None:
    """The content pass 26bd91f..c5f6709 merged 150 tags into 33: every dropped one keeps its address."""
    names = git(ROOT, "ls-tree", "--name-only", "26bd91f", "cases/").split()
    old: dict[str, set[str]] = {}
    for name in names:
        data = yaml.safe_load(git(ROOT, "show", f"26bd91f:{name}"))
        for tag in data.get("tags") or []:
            old.setdefault(tag, set()).add(Path(name).stem)
    assert {"街区党支部", "非公党建", "联合支部"} <= set(old)
    shutil.copytree(ROOT / "cases", tmp_path / "cases")  # the current cases; the history is ROOT's
    site = _site(tmp_path)
    book = address_book(ROOT, terms=True)
    redirects = term_redirects(book.terms.history, site, moved=book.moved())
    current = {t.name for t in site.facets["tag"].terms}
    by_name = {r.name: r for r in redirects if r.facet == "tag"}
    assert set(old) - current <= set(by_name)  # every tag page the pass removed
    assert by_name["街区党支部"].target == "街区党组织"
    assert by_name["非公党建"].target == "非公企业党建"
    assert by_name["联合支部"].target == "联合党支部"
    assert all(r.target_url in {t.url for t in site.facets[r.facet].terms} | {"tags/"} for r in redirects)


def test_a_tag_renamed_inside_a_pull_request_never_had_a_page(repo: Path) -> None:
    """Only the published branch counts: a pull request's own commits arrive as its merge."""
    git(repo, "checkout", "-q", "-b", "pr")
    _retag(repo, RIDERS, "[金头盔, 亮身份, 临时标签]", "first try")
    _retag(repo, RIDERS, "[金头盔, 亮身份, 正式标签]", "better name")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge pr", "pr")
    names = {r.name for r in read_term_history(repo).records}
    assert "正式标签" in names and "临时标签" not in names
    assert {"金色头盔", "联合党支部", "夜间服务"} <= names  # main's own history is all there

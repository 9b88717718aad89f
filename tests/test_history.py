"""Addresses that last: renamed and deleted cases keep a page at their old address (site_builder/history.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.checks.linkcheck import check_former_addresses, check_site
from site_builder.errors import CaseError
from site_builder.history import (
    Addresses,
    Former,
    address_book,
    address_files,
    explain_references,
    redirect_page,
    rename_case,
    resolve,
    withdrawn_page,
)
from site_builder.outputs.offline import rewrite_page
from tests.support.gitrepo import GIT_ENV, committed_cases
from tests.support.gitrepo import git as _git
from tests.support.project import FIXTURE_CASES, build_in_process, make_project


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The fixture cases committed on main in a fresh repository."""
    return committed_cases(tmp_path / "repo", FIXTURE_CASES)


def _validate(repo: Path, **env: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from site_builder.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "validate"],
        cwd=repo,
        env={**os.environ, **GIT_ENV, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_plain_rename_and_delete_in_git_history(repo: Path) -> None:
    """As GitHub's web editor does it: one commit renames a file, another deletes one."""
    _git(repo, "mv", "cases/couriers-joint-meeting.yaml", "cases/kuaidi-lianxi-huiyi.yaml")
    _git(repo, "commit", "-qm", "rename")
    _git(repo, "rm", "-q", "cases/luwan-building-branch.yaml")
    _git(repo, "commit", "-qm", "delete")
    book = address_book(repo)
    assert book.complete and book.note == ""
    assert book.moved() == {"couriers-joint-meeting": "kuaidi-lianxi-huiyi"}
    (gone,) = book.withdrawn()
    assert gone.id == "luwan-building-branch" and gone.title  # its last title, from history
    # a second rename leads the first address straight to the newest one
    _git(repo, "mv", "cases/kuaidi-lianxi-huiyi.yaml", "cases/kuaidi-waimai-lianxi-huiyi.yaml")
    _git(repo, "commit", "-qm", "rename again")
    assert address_book(repo).moved() == {
        "couriers-joint-meeting": "kuaidi-waimai-lianxi-huiyi",
        "kuaidi-lianxi-huiyi": "kuaidi-waimai-lianxi-huiyi",
    }


def test_an_id_used_again_is_a_case_not_a_former_address(repo: Path) -> None:
    _git(repo, "rm", "-q", "cases/luwan-building-branch.yaml")
    _git(repo, "commit", "-qm", "delete")
    shutil.copy(FIXTURE_CASES / "luwan-building-branch.yaml", repo / "cases")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "restore")
    assert address_book(repo).formers == ()


def test_uncommitted_deletion_counts_and_no_git_says_why(repo: Path, tmp_path: Path) -> None:
    (repo / "cases" / "luwan-building-branch.yaml").unlink()
    assert [f.id for f in address_book(repo).withdrawn()] == ["luwan-building-branch"]
    plain = tmp_path / "plain"
    shutil.copytree(FIXTURE_CASES, plain / "cases")
    book = address_book(plain)
    assert book.formers == () and not book.complete and "git" in book.note


def test_shallow_clone_is_incomplete_and_says_so(repo: Path, tmp_path: Path) -> None:
    _git(repo, "rm", "-q", "cases/luwan-building-branch.yaml")
    _git(repo, "commit", "-qm", "delete")
    (repo / "cases" / "draft-case.yaml").write_text("title: 改\n", encoding="utf-8")
    _git(repo, "commit", "-qam", "later")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    book = address_book(clone)
    assert not book.complete and "fetch-depth: 0" in book.note
    assert book.formers == ()  # the deletion is beyond the shallow history: degraded, no crash


def test_addresses_file_keeps_renames_git_cannot_see_and_removes_pages(repo: Path) -> None:
    (repo / "cases" / "luwan-building-branch.yaml").unlink()
    (repo / "cases" / "draft-case.yaml").unlink()
    (repo / "addresses.yaml").write_text(
        "moved:\n  old-name-from-elsewhere: riders-golden-helmet\nremoved: [draft-case]\n", encoding="utf-8"
    )
    book = address_book(repo)
    assert book.moved() == {"old-name-from-elsewhere": "riders-golden-helmet"}
    files = address_files(book, {"riders-golden-helmet": "骑手"}, site_name="站", site_url=None)
    assert set(files) == {
        "cases/old-name-from-elsewhere/index.html",
        "cases/luwan-building-branch/index.html",
    }


def test_resolve_follows_chains_and_stops_at_loops() -> None:
    assert resolve({"a": "b", "b": "c"}, [], ["c"]) == {"a": "c", "b": "c"}
    assert resolve({"a": "b", "b": "a"}, [], ["x"]) == {"a": None, "b": None}
    assert resolve({"a": "b"}, ["b"], []) == {"a": None, "b": None}


def test_redirect_page_sends_readers_on_and_stays_out_of_search_engines() -> None:
    page = redirect_page(
        "old", "new", "<script>标题</script>", site_name="站", site_url="https://example.org/r/"
    ).decode()
    assert '<meta http-equiv="refresh" content="0; url=../../cases/new/">' in page
    assert '<link rel="canonical" href="https://example.org/r/cases/new/">' in page
    assert '<meta name="robots" content="noindex">' in page
    assert '<a href="../../cases/new/">https://example.org/r/cases/new/</a>' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    offline = rewrite_page(page, "../../")
    assert 'url=../../cases/new/index.html"' in offline


def test_withdrawn_page_is_short_and_links_home() -> None:
    page = withdrawn_page("gone", "旧案例", site_name="案例库").decode()
    assert "<h1>案例已撤下</h1>" in page and "「旧案例」已从案例库撤下" in page
    assert 'href="../../"' in page and 'href="../../search/"' in page and "noindex" in page


def test_a_draft_target_leaves_a_withdrawn_page_until_published() -> None:
    book = Addresses((Former("old", "new"),))
    assert b"refresh" not in address_files(book, {}, site_name="", site_url=None)["cases/old/index.html"]
    assert (
        b"refresh" in address_files(book, {"new": "T"}, site_name="", site_url=None)["cases/old/index.html"]
    )


def test_rename_command_moves_updates_links_and_records(repo: Path) -> None:
    other = repo / "cases" / "draft-case.yaml"
    other.write_text(
        other.read_text(encoding="utf-8")
        + "related:\n  - couriers-joint-meeting\n  # couriers-joint-meeting-x stays\n",
        encoding="utf-8",
    )
    done = rename_case(repo, "couriers-joint-meeting", "kuaidi-huiyi")
    assert done.moved_with_git
    assert (repo / "cases" / "kuaidi-huiyi.yaml").is_file()
    helmet = (repo / "cases" / "riders-golden-helmet.yaml").read_text(encoding="utf-8")
    assert "related: [kuaidi-huiyi]" in helmet
    text = other.read_text(encoding="utf-8")
    assert "  - kuaidi-huiyi\n" in text and "couriers-joint-meeting-x stays" in text
    assert "couriers-joint-meeting: kuaidi-huiyi" in (repo / "addresses.yaml").read_text(encoding="utf-8")
    assert _validate(repo).stderr.count("related") == 0
    with pytest.raises(ValueError, match="已经存在"):
        rename_case(repo, "kuaidi-huiyi", "riders-golden-helmet")


def test_links_to_a_deleted_case_are_one_error_in_the_prs_terms(repo: Path) -> None:
    """Deleting a case linked from two files: one message naming both, no guessed id, no self-link."""
    other = repo / "cases" / "luwan-building-branch.yaml"
    other.write_text(
        other.read_text(encoding="utf-8") + "related: [couriers-joint-meeting]\n", encoding="utf-8"
    )
    _git(repo, "commit", "-qam", "link")
    _git(repo, "checkout", "-q", "-b", "pr")
    _git(repo, "rm", "-q", "cases/couriers-joint-meeting.yaml")
    _git(repo, "commit", "-qm", "delete")
    proc = _validate(repo, GITHUB_EVENT_NAME="pull_request")
    lines = [x for x in proc.stderr.splitlines() if "couriers-joint-meeting" in x]
    assert proc.returncode == 1
    assert len(lines) == 1, proc.stderr
    assert "这个 PR 删除了案例「couriers-joint-meeting」，下面 2 个案例还链接到它" in lines[0]
    assert (
        "cases/luwan-building-branch.yaml（第" in lines[0]
        and "cases/riders-golden-helmet.yaml（第" in lines[0]
    )
    assert "您是不是要写" not in lines[0]


def test_links_to_a_renamed_case_name_the_new_id(repo: Path) -> None:
    _git(repo, "mv", "cases/couriers-joint-meeting.yaml", "cases/kuaidi-huiyi.yaml")
    errors = [e for e in explain_references(_errors_of(repo), repo) if e.field.startswith("related")]
    (only,) = errors
    assert "改名为「kuaidi-huiyi」" in only.message and "site-builder rename" in only.message


def _errors_of(repo: Path) -> list[CaseError]:
    from site_builder.casefile.loader import load_cases

    cwd = Path.cwd()
    os.chdir(repo)
    try:
        return list(load_cases([Path("cases")], cases_root=Path("cases")).errors)
    finally:
        os.chdir(cwd)


def test_a_renamed_and_a_deleted_case_keep_their_addresses_in_a_real_build(
    repo: Path, tmp_path: Path
) -> None:
    """Rename and delete committed, then build: the old addresses answer, and the link check proves it."""
    rename_case(repo, "couriers-joint-meeting", "kuaidi-huiyi")
    (repo / "addresses.yaml").unlink()  # git alone must be enough (a rename in GitHub's web editor)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "rename")
    _git(repo, "rm", "-q", "cases/luwan-building-branch.yaml")
    _git(repo, "commit", "-qm", "delete")
    config = make_project(repo)
    out = tmp_path / "site"
    proc = build_in_process(config, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    moved = (out / "cases" / "couriers-joint-meeting" / "index.html").read_text(encoding="utf-8")
    assert "url=../../cases/kuaidi-huiyi/" in moved
    gone = (out / "cases" / "luwan-building-branch" / "index.html").read_text(encoding="utf-8")
    assert "已撤下" in gone
    assert check_site(out) == []
    assert check_former_addresses(out, ["couriers-joint-meeting", "luwan-building-branch"]) == []
    (out / "cases" / "kuaidi-huiyi" / "index.html").unlink()
    assert any("couriers-joint-meeting" in b.page for b in check_site(out))  # the redirect is a link
    shutil.rmtree(out / "cases" / "luwan-building-branch")
    (missing,) = check_former_addresses(out, ["luwan-building-branch"])
    assert "旧地址没有页面" in missing.reason

"""The pull request's job summary, on a simulated pull request (a git repository with GitHub's merge commit)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from site_builder.checks.summary import (
    ChangedCase,
    changed_files,
    changed_page,
    collect,
    failed_checks,
    render_summary,
)
from site_builder.errors import CaseError, Location
from tests.support.gitrepo import committed_cases
from tests.support.gitrepo import git as _git
from tests.support.project import FIXTURE_CASES, BuildResult, cli_in_process


def _summary(repo: Path, tmp_path: Path, **extra: str) -> tuple[BuildResult, str]:
    """``site-builder summary`` in ``repo``, in this process (the command's result is the point, not
    its start-up), with GitHub's step-summary file and ``extra`` in the environment."""
    out = tmp_path / "step-summary.md"
    out.write_text("", encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        for name, value in {"GITHUB_STEP_SUMMARY": str(out), **extra}.items():
            env.setenv(name, value)
        proc = cli_in_process(["summary"], repo)
    return proc, out.read_text(encoding="utf-8")


def _rows(markdown: str) -> dict[str, list[str]]:
    """Table rows keyed by the case file named in the first cell."""
    rows = {}
    for line in markdown.splitlines():
        m = re.search(r"`(cases/[^`]+)`", line)
        if line.startswith("| ") and m and not line.startswith("| 案例"):
            rows[m.group(1)] = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
    return rows


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return committed_cases(tmp_path / "repo", FIXTURE_CASES)


def _open_pull_request(repo: Path) -> int:
    """On a branch: break one case's year, add a new good case, delete one; return the broken line."""
    _git(repo, "checkout", "-q", "-b", "editor-patch")
    helmet = repo / "cases" / "riders-golden-helmet.yaml"
    text = helmet.read_text(encoding="utf-8")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if x.startswith("year:"))
    helmet.write_text(text.replace("year: 2021", "year: 二〇二一年"), encoding="utf-8")
    new = (repo / "cases" / "couriers-joint-meeting.yaml").read_text(encoding="utf-8")
    new = new.replace("title: 快递外卖行业党建联席会议", "title: 新增的快递员驿站案例")
    (repo / "cases" / "new-courier-station.yaml").write_text(new, encoding="utf-8")
    (repo / "cases" / "luwan-building-branch.yaml").unlink()
    (repo / "cases" / "images").mkdir(exist_ok=True)
    (repo / "cases" / "images" / "new-photo.jpg").write_bytes(b"not listed: a photo is not a case")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "editor's change")
    return line


def test_pull_request_summary_on_a_merge_commit(repo: Path, tmp_path: Path) -> None:
    """As on GitHub: HEAD is the merge of the PR into main; base is its first parent."""
    line = _open_pull_request(repo)
    _git(repo, "checkout", "-q", "main")
    (repo / "cases" / "draft-case.yaml").write_text(
        (repo / "cases" / "draft-case.yaml").read_text(encoding="utf-8") + "# main moved on\n",
        encoding="utf-8",
    )
    _git(repo, "commit", "-qam", "main moved on")
    _git(repo, "merge", "-q", "--no-ff", "-m", "merge", "editor-patch")
    proc, written = _summary(
        repo,
        tmp_path,
        PREVIEW_URL="https://github.com/o/r/actions/runs/1/artifacts/2",
        GITHUB_SERVER_URL="https://github.com",
        GITHUB_REPOSITORY="o/r",
        GITHUB_SHA="abc123",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == written
    rows = _rows(written)
    # only what the PR changed: main's own edit of draft-case.yaml is not the editor's
    assert set(rows) == {
        "cases/riders-golden-helmet.yaml",
        "cases/new-courier-station.yaml",
        "cases/luwan-building-branch.yaml",
    }, written
    broken = rows["cases/riders-golden-helmet.yaml"]
    assert broken[1] == "修改" and broken[2].startswith("❌ 1 个错误")
    link = f"[第 {line} 行](https://github.com/o/r/blob/abc123/cases/riders-golden-helmet.yaml#L{line})"
    assert broken[3].startswith(f"{link}：") and "应为整数年份" in broken[3], broken
    assert broken[4] == "改正错误后才会生成" and "Commit changes" in broken[5]
    added = rows["cases/new-courier-station.yaml"]
    assert added[0].startswith("新增的快递员驿站案例") and added[1] == "新增"
    assert added[2] in ("✅ 通过",) or added[2].startswith("⚠️")
    assert "(https://github.com/o/r/actions/runs/1/artifacts/2)" in added[4]
    assert "`cases/new-courier-station/index.html`" in added[4]
    removed = rows["cases/luwan-building-branch.yaml"]
    assert removed[1] == "删除" and "移除" in removed[5]
    assert "**1 个有错误，需要修改**" in written
    assert "全部通过检查" not in written


def test_local_branch_compares_with_main_and_sees_uncommitted_files(repo: Path, tmp_path: Path) -> None:
    _git(repo, "checkout", "-q", "-b", "local")
    (repo / "cases" / "half-done.yaml").write_text("title: 写了一半\nstatus: draft\n", encoding="utf-8")
    proc, written = _summary(repo, tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = _rows(written)
    assert list(rows) == ["cases/half-done.yaml"]
    row = rows["cases/half-done.yaml"]
    assert row[1] == "新增" and "缺少必填字段" in row[3]
    assert "第 1 行" in row[3] and "](" not in row[3]  # no repository known: no links


def test_no_case_changes(repo: Path, tmp_path: Path) -> None:
    proc, written = _summary(repo, tmp_path)
    assert proc.returncode == 0
    assert "没有新增、修改或删除" in written


def test_table_cells_stay_in_their_cell() -> None:
    row = ChangedCase("cases/x.yaml", "修改", title="标题|带竖线<b>")
    row.errors = [CaseError(Location("cases/x.yaml", 3, 1), "summary", "不能有 | 和\n换行 <script>")]
    text = render_summary([row], preview_url=None, blob=None)
    (line,) = [x for x in text.splitlines() if x.startswith("| 标题")]
    assert len(re.split(r"(?<!\\)\|", line)) == 8
    assert "<script>" not in text and "<b>" not in text


def test_outside_git_says_why(tmp_path: Path) -> None:
    proc, _ = _summary(tmp_path, tmp_path, GIT_CEILING_DIRECTORIES=str(tmp_path))
    assert proc.returncode == 2 and "无法生成检查摘要" in proc.stderr


def test_deleting_a_linked_case_is_one_finding_on_its_own_row(repo: Path, tmp_path: Path) -> None:
    """The link from an untouched file is reported once, on the deleted case's row, in the PR's terms."""
    _git(repo, "checkout", "-q", "-b", "delete")
    (repo / "cases" / "couriers-joint-meeting.yaml").unlink()
    _git(repo, "commit", "-qam", "delete")
    _git(repo, "mv", "cases/luwan-building-branch.yaml", "cases/luwan-louyu.yaml")
    _git(repo, "commit", "-qm", "rename")
    proc, written = _summary(repo, tmp_path, GITHUB_EVENT_NAME="pull_request")
    assert proc.returncode == 0, proc.stderr
    rows = _rows(written)
    deleted = rows["cases/couriers-joint-meeting.yaml"]
    assert deleted[1] == "删除" and deleted[0].startswith("快递外卖行业党建联席会议")
    assert "这个 PR 删除了案例「couriers-joint-meeting」，下面 1 个案例还链接到它" in deleted[3]
    assert "cases/riders-golden-helmet.yaml" not in rows  # not a second report in the untouched file
    renamed = rows["cases/luwan-louyu.yaml"]
    assert renamed[1] == "改名" and "原 `cases/luwan-building-branch.yaml`（旧地址自动跳转）" in renamed[0]
    assert "全部通过检查" not in written


def test_a_failed_check_is_never_all_passed() -> None:
    row = ChangedCase("cases/x.yaml", "修改", title="标题")
    text = render_summary(
        [row],
        preview_url=None,
        blob=None,
        failed=failed_checks("validate=success build=failure links=skipped"),
    )
    assert "全部通过检查" not in text and "构建站点失败" in text
    assert "全部通过检查" in render_summary([row], preview_url=None, blob=None, failed=[])


def test_changed_page_links_each_changed_case_in_the_preview(repo: Path, tmp_path: Path) -> None:
    _git(repo, "checkout", "-q", "-b", "edit")
    draft = repo / "cases" / "draft-case.yaml"
    draft.write_text(draft.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    (repo / "cases" / "luwan-building-branch.yaml").unlink()
    preview = tmp_path / "site-preview"
    (preview / "cases" / "draft-case").mkdir(parents=True)
    (preview / "cases" / "draft-case" / "index.html").write_text("<p>草稿</p>", encoding="utf-8")
    rows = collect(repo, changed_files(repo, "main"))
    page = changed_page(rows, preview)
    assert '<a href="cases/draft-case/index.html">' in page and "草稿" in page
    assert "已删除" in page


def test_a_case_saved_in_docs_gets_a_row_saying_where_it_belongs(repo: Path, tmp_path: Path) -> None:
    _git(repo, "checkout", "-q", "-b", "misplaced")
    (repo / "docs").mkdir()
    shutil.copy(repo / "cases" / "couriers-joint-meeting.yaml", repo / "docs" / "new-case.yaml")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "saved in the wrong folder")
    proc, written = _summary(repo, tmp_path)
    assert proc.returncode == 0, proc.stderr
    (line,) = [x for x in written.splitlines() if "`docs/new-case.yaml`" in x]
    assert "放错位置" in line and "cases/new-case.yaml" in line
    assert "全部通过检查" not in written


def test_a_photo_never_uploaded_is_told_to_upload_it(repo: Path, tmp_path: Path) -> None:
    _git(repo, "checkout", "-q", "-b", "photo")
    helmet = repo / "cases" / "riders-golden-helmet.yaml"
    helmet.write_text(
        helmet.read_text(encoding="utf-8").replace("images/riders-station.jpg", "images/IMG_2031.jpg"),
        encoding="utf-8",
    )
    _git(repo, "commit", "-qam", "photo referenced, never uploaded")
    proc, written = _summary(repo, tmp_path)
    assert proc.returncode == 0, proc.stderr
    row = _rows(written)["cases/riders-golden-helmet.yaml"]
    assert "请把照片上传到 cases/images/ 文件夹" in row[3]
    assert row[5].startswith("上传照片") and "Upload files" in row[5]


def test_non_ascii_and_hostile_file_names_are_listed_inert(repo: Path, tmp_path: Path) -> None:
    _git(repo, "checkout", "-q", "-b", "names")
    good = (repo / "cases" / "couriers-joint-meeting.yaml").read_text(encoding="utf-8")
    hostile = "x`[APPROVED - merge now](https:evil.example)`.yaml"
    (repo / "cases" / "浦东骑手.yaml").write_text(
        good.replace("district: 浦东新区", "district: 浦江区"), encoding="utf-8"
    )
    (repo / "cases" / hostile).write_text(
        "title: '[点此批准](https://evil.example/x) www.evil.example'\n", encoding="utf-8"
    )
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "names")
    proc, written = _summary(repo, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "没有新增、修改或删除" not in written
    assert "`cases/浦东骑手.yaml`" in written and "❌" in written
    (line,) = [x for x in written.splitlines() if "APPROVED" in x]
    assert "``cases/" + hostile + "``" in line  # one code span: the backticks inside stay text
    outside_code = re.sub(r"(`+).*?\1", "", line)
    for live in ("](", "https://", "www.", "<a"):  # no link, autolink or tag outside the code span
        assert live not in outside_code, (live, line)


def test_an_untouched_file_with_errors_gets_its_own_row(repo: Path, tmp_path: Path) -> None:
    """validate fails on it, so the table must not look clean."""
    broken = repo / "cases" / "draft-case.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("year: ", "year: 二〇"), encoding="utf-8")
    _git(repo, "commit", "-qam", "main breaks a case")
    _git(repo, "checkout", "-q", "-b", "unrelated")
    (repo / "cases" / "luwan-building-branch.yaml").unlink()
    _git(repo, "commit", "-qam", "delete another case")
    proc, written = _summary(repo, tmp_path)
    assert proc.returncode == 0, proc.stderr
    row = _rows(written)["cases/draft-case.yaml"]
    assert row[1] == "未改动" and row[2].startswith("❌")
    assert "全部通过检查" not in written


def test_tag_hints_name_the_nearest_tag_for_changed_cases_only(repo: Path) -> None:
    """The fixture's published cases each have a one-case tag: only the edited one gets the hint."""
    _git(repo, "checkout", "-q", "-b", "tags")
    luwan = repo / "cases" / "luwan-building-branch.yaml"
    luwan.write_text(
        luwan.read_text(encoding="utf-8").replace("tags: [联合党支部]", "tags: [联合党支部, 楼宇联合党支部]"),
        encoding="utf-8",
    )
    helmet = repo / "cases" / "riders-golden-helmet.yaml"
    helmet.write_text(
        helmet.read_text(encoding="utf-8").replace(
            "tags: [金色头盔, 亮身份]", "tags: [金色头盔, 亮身份, 联合党支部]"
        ),
        encoding="utf-8",
    )
    _git(repo, "commit", "-qam", "tags")
    rows = {r.path: r for r in collect(repo, changed_files(repo, "main"))}
    assert set(rows) == {"cases/luwan-building-branch.yaml", "cases/riders-golden-helmet.yaml"}
    [luwan_hint] = [w.message for w in rows["cases/luwan-building-branch.yaml"].warnings if w.field == "tags"]
    assert "「楼宇联合党支部」（可改用「联合党支部」，2 个案例在用）" in luwan_hint
    [helmet_hint] = [w.message for w in rows["cases/riders-golden-helmet.yaml"].warnings if w.field == "tags"]
    assert "「金色头盔」" in helmet_hint and "「联合党支部」" not in helmet_hint

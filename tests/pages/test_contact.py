"""Who publishes the site and how to reach them: set in mkdocs.yml extra, shown in every footer,
on 关于本站 and as 纠错 links on case pages; what is unset is left out and named in one build line."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import yaml

from site_builder.pages.contact import (
    MARKER,
    Publisher,
    about_markdown,
    fill_publisher,
    note_in_job_summary,
    publisher_notice,
    read_publisher,
    report_links,
)
from tests.support.project import FIXTURE_CASES, make_project, run_build

REPO = "https://github.com/example/site_builder"
FULL: dict[str, object] = {
    "host_org": "上海市某某党建研究会",
    "contact_email": "cases@example.org",
    "feedback_url": "repository",
}


def _build(tmp_path: Path, extra: dict[str, object] | None) -> tuple[Path, str]:
    config = make_project(tmp_path / "project", FIXTURE_CASES)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data.pop("extra", None)
    if extra is not None:
        data["extra"] = extra
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    proc = run_build(
        config, tmp_path / "site", env={"REPO_URL": REPO, "SITE_URL": "https://example.org/cases/"}
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return tmp_path / "site", proc.stdout + proc.stderr


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_all_set_shows_publisher_in_footer_about_and_case_report_links(tmp_path: Path) -> None:
    site, log = _build(tmp_path, FULL)
    assert "提醒：mkdocs.yml" not in log
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert "本站由<strong>上海市某某党建研究会</strong>主办" in about
    assert '<a href="mailto:cases@example.org">cases@example.org</a>' in about
    assert f'<a href="{REPO}/issues">{REPO}/issues</a>' in about
    assert MARKER not in about
    case = (site / "cases" / "riders-golden-helmet" / "index.html").read_text(encoding="utf-8")
    for html in (about, case):
        footer = _text(html[html.index('class="md-copyright"') :])
        assert "主办单位：上海市某某党建研究会" in footer and "联系邮箱：cases@example.org" in footer
        assert "意见反馈" in footer and "参与编辑" in footer
    mail = re.search(r'<a href="(mailto:[^"]+)" rel="nofollow">发邮件纠错</a>', case)
    issue = re.search(r'<a href="([^"]+)" rel="nofollow">在 GitHub 上纠错</a>', case)
    assert mail and issue
    subject = parse_qs(urlsplit(mail.group(1).replace("&amp;", "&")).query)["subject"][0]
    assert subject == "纠错：金色头盔：骑手先锋在街区"
    query = parse_qs(urlsplit(issue.group(1).replace("&amp;", "&")).query)
    assert issue.group(1).startswith(f"{REPO}/issues/new?")
    assert query["title"] == ["纠错：金色头盔：骑手先锋在街区"]
    assert "https://example.org/cases/cases/riders-golden-helmet/" in query["body"][0]


def test_none_set_leaves_everything_out_and_says_so_once(tmp_path: Path) -> None:
    site, log = _build(tmp_path, {"host_org": "", "contact_email": "not an address"})
    lines = [x for x in log.splitlines() if "提醒：mkdocs.yml" in x]
    assert len(lines) == 1
    assert "主办单位（host_org）" in lines[0] and "反馈途径（feedback_url）" in lines[0]
    assert "联系邮箱（contact_email）「not an address」" in lines[0]
    about = _text((site / "about" / "index.html").read_text(encoding="utf-8"))
    assert "主办" not in about.split("联系与纠错")[1].split("数据下载")[0]
    assert "发邮件" not in about and "暂未设置" not in about and "{{" not in about
    assert "提交 Pull Request" in about
    case = (site / "cases" / "riders-golden-helmet" / "index.html").read_text(encoding="utf-8")
    assert "sb-report" not in case and "sb-publisher" not in case
    assert "参与编辑" in case  # the repository is known: the drawer and footer link to it


def test_read_publisher_checks_each_setting() -> None:
    p = read_publisher(
        {"host_org": "  某单位 ", "contact_email": " a.b@example.org ", "feedback_url": "repository"}, REPO
    )
    assert p == Publisher("某单位", "a.b@example.org", f"{REPO}/issues", f"{REPO}/issues/new")
    assert read_publisher({"feedback_url": "repository"}, None).feedback_url is None
    assert read_publisher({"feedback_url": "repository"}, "https://gitlab.com/a/b").feedback_url is None
    form = read_publisher({"feedback_url": "https://example.org/form"})
    assert form.feedback_url == "https://example.org/form" and form.new_issue_url is None
    hostile = read_publisher(
        {
            "host_org": "<script>",
            "contact_email": "javascript:alert(1)",
            "feedback_url": "javascript:alert(1)",
        }
    )
    assert hostile == Publisher()
    assert read_publisher({"feedback_url": "https://github.com/o/r/issues"}).new_issue_url == (
        "https://github.com/o/r/issues/new"
    )
    assert read_publisher(None).as_extra() == {}


@pytest.mark.parametrize(
    ("extra", "repo", "expected"),
    [
        (FULL, REPO, None),
        ({}, REPO, ["主办单位（host_org）", "联系邮箱（contact_email）", "反馈途径（feedback_url）"]),
        (FULL, None, ["feedback_url: repository"]),
        ({**FULL, "contact_email": "x@"}, REPO, ["无法使用联系邮箱（contact_email）「x@」"]),
    ],
)
def test_notice_is_one_line_naming_what_is_missing(
    extra: dict[str, object], repo: str | None, expected: list[str] | None
) -> None:
    line = publisher_notice(extra, repo)
    if expected is None:
        assert line is None
        return
    assert line is not None and "\n" not in line
    assert all(part in line for part in expected)


def test_notice_goes_to_the_job_summary_only_in_the_publishing_build(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    note_in_job_summary("提醒：一行", {"GITHUB_STEP_SUMMARY": str(summary)})
    assert not summary.exists()
    note_in_job_summary("提醒：一行", {"GITHUB_STEP_SUMMARY": str(summary), "SITE_BUILDER_JOB_NOTES": "1"})
    assert "提醒：一行" in summary.read_text(encoding="utf-8")


def test_report_links_name_the_case_and_its_address() -> None:
    p = Publisher(email="a@example.org", new_issue_url=f"{REPO}/issues/new")
    (mail_label, mail), (issue_label, issue) = report_links(
        p, title="标题&符号", address="https://x.org/cases/a/"
    )
    assert (mail_label, issue_label) == ("发邮件纠错", "在 GitHub 上纠错")
    assert mail.startswith("mailto:a@example.org?subject=") and " " not in mail
    assert unquote(mail).count("标题&符号") == 2 and "https://x.org/cases/a/" in unquote(mail)
    assert parse_qs(urlsplit(issue).query)["title"] == ["纠错：标题&符号"]
    assert report_links(Publisher(feedback_url="https://example.org/form"), title="t", address="a") == []


def test_about_markdown_keeps_markup_as_text() -> None:
    text = about_markdown(Publisher(host="某*单位*_x_"))
    assert "某\\*单位\\*\\_x\\_" in text and "发邮件" not in text
    assert fill_publisher("没有标记", Publisher()) == "没有标记"

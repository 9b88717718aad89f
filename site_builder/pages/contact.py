"""Who publishes the site and how readers reach them, set once in mkdocs.yml ``extra``.

Three settings, each shown in every page's footer and on 关于本站:

- ``host_org``: the host organisation (主办单位);
- ``contact_email``: an address for readers who are not on GitHub;
- ``feedback_url``: the feedback route, an http(s) page (a form, or a GitHub repository's
  issues); ``repository`` means the issues of the repository the site is built from.

What is unset is left out of the pages (never half a sentence) and named in one build line, also
written to the GitHub Actions job summary. A case page's 纠错 links open a report prefilled with
the case's title and address: a mail when the address is set, a new GitHub issue when the
feedback route is a GitHub repository.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

HOST_KEY = "host_org"
EMAIL_KEY = "contact_email"
FEEDBACK_KEY = "feedback_url"
FROM_REPOSITORY = "repository"
EXTRA_KEY = "sb_publisher"
"""Where the checked settings reach the theme: ``config.extra.sb_publisher`` (a plain dict)."""
MARKER = "<!-- site_builder:publisher -->"
"""Where 关于本站 lists the publisher and the ways to report a mistake."""

LABELS = {HOST_KEY: "主办单位", EMAIL_KEY: "联系邮箱", FEEDBACK_KEY: "反馈途径"}
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_URL = re.compile(r"^https?://[^\s<>\"'`]+$")
_GITHUB_REPO = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?(?:/issues)?/?$")
_HOST_MAX = 60


@dataclass(frozen=True)
class Publisher:
    """The checked settings: each is ``None`` when unset or unusable."""

    host: str | None = None
    email: str | None = None
    feedback_url: str | None = None
    new_issue_url: str | None = None
    """``https://github.com/<owner>/<repo>/issues/new`` when the feedback route is a GitHub repository."""

    def as_extra(self) -> dict[str, str]:
        """Plain data for ``config.extra.sb_publisher``: only the keys that are set."""
        values = {"host": self.host, "email": self.email, "feedback_url": self.feedback_url}
        return {k: v for k, v in values.items() if v}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _host(value: Any) -> str | None:
    text = " ".join(_text(value).split())
    return text if text and len(text) <= _HOST_MAX and not re.search(r"[<>{}]", text) else None


def _email(value: Any) -> str | None:
    text = _text(value)
    return text if _EMAIL.match(text) else None


def _feedback(value: Any, repo_url: str | None) -> str | None:
    text = _text(value)
    if text == FROM_REPOSITORY:
        repo = _GITHUB_REPO.match(repo_url or "")
        return f"https://github.com/{repo.group(1)}/{repo.group(2)}/issues" if repo else None
    return text if _URL.match(text) else None


def read_publisher(extra: Mapping[str, Any] | None, repo_url: str | None = None) -> Publisher:
    """The publisher settings of mkdocs.yml's ``extra``, checked (``repo_url`` resolves ``repository``)."""
    extra = extra or {}
    feedback = _feedback(extra.get(FEEDBACK_KEY), repo_url)
    repo = _GITHUB_REPO.match(feedback or "")
    return Publisher(
        host=_host(extra.get(HOST_KEY)),
        email=_email(extra.get(EMAIL_KEY)),
        feedback_url=feedback,
        new_issue_url=f"https://github.com/{repo.group(1)}/{repo.group(2)}/issues/new" if repo else None,
    )


def publisher_notice(extra: Mapping[str, Any] | None, repo_url: str | None = None) -> str | None:
    """One Chinese line naming every setting that is unset or unusable; ``None`` when all are set."""
    extra = extra or {}
    publisher = read_publisher(extra, repo_url)
    shown = {HOST_KEY: publisher.host, EMAIL_KEY: publisher.email, FEEDBACK_KEY: publisher.feedback_url}
    missing, wrong = [], []
    for key, value in shown.items():
        if value:
            continue
        given = _text(extra.get(key))
        if not given:
            missing.append(f"{LABELS[key]}（{key}）")
        elif key == FEEDBACK_KEY and given == FROM_REPOSITORY:
            missing.append(f"{LABELS[key]}（{key}: repository，但本次构建不知道 GitHub 仓库地址）")
        else:
            wrong.append(f"{LABELS[key]}（{key}）「{given[:40]}」")
    if not missing and not wrong:
        return None
    parts = []
    if missing:
        parts.append("没有设置" + "、".join(missing))
    if wrong:
        parts.append("无法使用" + "、".join(wrong))
    return "提醒：mkdocs.yml 的 extra " + "，".join(parts) + "；页脚和“关于本站”暂不显示这些内容"


JOB_NOTES = "SITE_BUILDER_JOB_NOTES"
"""Set to 1 by CI's publishing build (not by the tests' builds) to put the notice in the job summary."""


def note_in_job_summary(line: str, environ: Mapping[str, str]) -> None:
    """Append the line to the GitHub Actions job summary in the build that CI publishes."""
    path = environ.get("GITHUB_STEP_SUMMARY")
    if path and environ.get(JOB_NOTES) == "1":
        with Path(path).open("a", encoding="utf-8") as f:
            f.write(f"> [!WARNING]\n> {line}\n\n")


def report_links(publisher: Publisher, *, title: str, address: str) -> list[tuple[str, str]]:
    """``(label, href)`` of a case's 纠错 links, prefilled with its title and address."""
    subject = f"纠错：{title}"
    body = (
        f"案例：{title}\n页面地址：{address}\n\n"
        "哪里有错：\n\n正确的内容是：\n\n可以核对的出处（标题、发布单位、日期或网址）：\n"
    )
    links = []
    if publisher.email:
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in (("subject", subject), ("body", body)))
        links.append(("发邮件纠错", f"mailto:{publisher.email}?{query}"))
    if publisher.new_issue_url:
        links.append(
            ("在 GitHub 上纠错", f"{publisher.new_issue_url}?{urlencode({'title': subject, 'body': body})}")
        )
    return links


def _md(text: str) -> str:
    """Text that stays text inside Markdown (HTML and Markdown markup escaped)."""
    return re.sub(r"([\\`*_\[\]#|~])", r"\\\1", html.escape(text))


def about_markdown(publisher: Publisher) -> str:
    """The 关于本站 part that names the publisher and the ways to report a mistake (set ones only)."""
    lines = []
    if publisher.host:
        lines += [f"本站由**{_md(publisher.host)}**主办。", ""]
    lines += ["如果您发现某个案例的事实、数字、出处或文字有误，欢迎告诉我们：", ""]
    items = []
    if publisher.email:
        email = _md(publisher.email)
        items.append(
            f'**发邮件**到 <a href="mailto:{html.escape(publisher.email)}">{email}</a>，写明案例名称（或页面地址）、'
            "哪里有错、正确的内容是什么，并尽量附上可以核对的出处。不需要注册任何账号。"
        )
    if publisher.feedback_url:
        where = "在本站代码仓库的 Issues 页面" if publisher.new_issue_url else "在本站的反馈页面"
        url = html.escape(publisher.feedback_url)
        items.append(f'**{where}留言**：<a href="{url}">{url}</a>，内容同上。')
    if publisher.email or publisher.new_issue_url:
        items.append("每个案例页面末尾都有“纠错”链接，点开后案例名称和页面地址已经填好。")
    also = "还" if items else ""
    items.append(
        f"如果您熟悉 GitHub，{also}可以直接**提交 Pull Request** 修改对应的 `cases/<案例编号>.yaml` 文件，"
        "具体步骤见[投稿指南](guide.md)。"
    )
    lines += [f"{n}. {item}" for n, item in enumerate(items, 1)]
    return "\n".join(lines)


def publisher_in_extra(extra: Mapping[str, Any] | None) -> Publisher:
    """The publisher a build put in ``config.extra`` (:data:`EXTRA_KEY`), else read from ``extra`` itself."""
    shown = (extra or {}).get(EXTRA_KEY)
    if not isinstance(shown, Mapping):
        return read_publisher(extra)
    feedback = shown.get("feedback_url") or None
    repo = _GITHUB_REPO.match(feedback or "")
    return Publisher(
        host=shown.get("host") or None,
        email=shown.get("email") or None,
        feedback_url=feedback,
        new_issue_url=f"https://github.com/{repo.group(1)}/{repo.group(2)}/issues/new" if repo else None,
    )


def fill_contact(markdown: str, extra: Mapping[str, Any] | None) -> str:
    """:func:`fill_publisher` with the publisher of ``config.extra`` (what the engines call)."""
    return fill_publisher(markdown, publisher_in_extra(extra))


def fill_publisher(markdown: str, publisher: Publisher) -> str:
    """Replace :data:`MARKER` in a hand-written page by the publisher and the ways to report a mistake."""
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, about_markdown(publisher))

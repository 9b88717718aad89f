"""The pull request's job summary: one Chinese table row per case the PR adds, changes or removes.

``site-builder summary`` diffs ``cases/`` against the PR's base (the first parent of GitHub's merge
commit, or ``main`` locally), checks every case as ``site-builder validate`` does, and writes a
Markdown table to ``$GITHUB_STEP_SUMMARY`` (and stdout): each case's errors and warnings with a link
to the line, its page in the preview artifact, and what to do next. It needs no token or permission.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.cache import cache_root
from site_builder.casefile.loader import CASE_SUFFIX, LoadResult, load_cases
from site_builder.errors import CaseError
from site_builder.media.photos import use_photo_cache
from site_builder.preview import raw_title_and_status

MAX_LINES = 8  # messages shown per case; the rest are counted
STATUS = {"A": "新增", "M": "修改", "D": "删除", "R": "改名"}


@dataclass
class ChangedCase:
    """One case file the pull request touches, and what the checks found in it."""

    path: str
    change: str
    title: str | None = None
    draft: bool = False
    errors: list[CaseError] = field(default_factory=list)
    warnings: list[CaseError] = field(default_factory=list)

    @property
    def case_id(self) -> str:
        """The case id (file name without ``.yaml``)."""
        name = self.path.rsplit("/", 1)[-1]
        return name[: -len(CASE_SUFFIX)] if name.endswith(CASE_SUFFIX) else name


def _git(*args: str, cwd: Path) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip() or f"git {' '.join(args)} failed")
    return proc.stdout


def find_base(root: Path) -> str:
    """The commit the PR is compared with: the base parent of a merge commit, else where HEAD left main."""
    parents = _git("rev-list", "--parents", "-n", "1", "HEAD", cwd=root).split()
    if len(parents) > 2:
        return parents[1]
    for ref in ("origin/main", "main"):
        try:
            return _git("merge-base", ref, "HEAD", cwd=root).strip()
        except RuntimeError:
            continue
    return parents[1] if len(parents) > 1 else parents[0]


def changed_case_files(root: Path, base: str, cases_dir: str = "cases") -> list[tuple[str, str]]:
    """``(status, path)`` of each file under ``cases_dir`` that differs from ``base`` (working tree, untracked too).

    Read NUL-separated (``-z``): git would otherwise quote a name with non-ASCII characters
    (``"cases/\\346\\265\\246.yaml"``), and such a case would vanish from the summary.
    """
    out = _git("diff", "--name-status", "-z", "-M", "--no-color", base, "--", cases_dir, cwd=root)
    changes: dict[str, str] = {}
    fields = out.split("\0")
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i][:1]
        count = 2 if status in ("R", "C") else 1  # a rename names the old path, then the new one
        changes[fields[i + count]] = status
        i += count + 1
    untracked = _git("ls-files", "-z", "--others", "--exclude-standard", "--", cases_dir, cwd=root)
    for path in untracked.split("\0"):
        if path:
            changes[path] = "A"
    return sorted((s, p) for p, s in changes.items())


def collect(root: Path, changes: list[tuple[str, str]], cases_dir: str = "cases") -> list[ChangedCase]:
    """Check every case (related ids need them all) and keep the findings of the changed files."""
    cwd = Path.cwd()
    os.chdir(root)  # messages name files relative to the repository, as in CI annotations
    use_photo_cache(cache_root(root) / "images")  # photos the run's validate already processed: no decode
    try:
        result = load_cases([Path(cases_dir)], cases_root=Path(cases_dir))
        findings = list(result.errors) + _lint(result)
    finally:
        os.chdir(cwd)
    by_file: dict[str, list[CaseError]] = defaultdict(list)
    for f in findings:
        by_file[f.location.path].append(f)
    by_path = {f"{cases_dir}/{c.id}{CASE_SUFFIX}": c for c in result.cases}
    rows = []
    for status, path in changes:
        if not path.endswith((CASE_SUFFIX, ".yml")) and path not in by_file:
            continue  # photos and other files beside the cases
        row = ChangedCase(path, STATUS.get(status, "修改"))
        if status != "D":
            found = sorted(by_file.get(path, []))
            row.errors = [e for e in found if e.severity == "error"]
            row.warnings = [e for e in found if e.severity != "error"]
            case = by_path.get(path)
            if case is not None:
                row.title, row.draft = case.title, case.is_draft
            elif (root / path).is_file():
                row.title, row.draft = raw_title_and_status(root / path)
        rows.append(row)
    return rows


def _lint(result: LoadResult) -> list[CaseError]:
    from site_builder.checks.lint import lint_cases

    return list(lint_cases(result.cases, result.positions))


_MARKDOWN_SIGNS = {ch: f"&#{ord(ch)};" for ch in "&`*_[]()~!:@\\#<>{}"}
"""Characters that start Markdown, HTML or an autolink, written as character references: they show
as typed (a title or a message quoting an editor's text never becomes a link or markup)."""


def _cell(text: str) -> str:
    """Editor text as the content of one table cell, inert."""
    inert = "".join(_MARKDOWN_SIGNS.get(ch, ch) for ch in text)
    return inert.replace("|", "\\|").replace("\r", " ").replace("\n", " ").replace("www.", "www&#46;")


def _code(path: str) -> str:
    """A file name as a code span in a table cell: never a link, whatever its characters."""
    text = path.replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def message_of(e: CaseError) -> str:
    """What ``site-builder validate`` prints after ``path:line:col:`` (field, warning mark, message)."""
    loc = e.location
    return e.format().removeprefix(f"{loc.path}:{loc.line}:{loc.col}: ")


def _line_link(e: CaseError, blob: str | None) -> str:
    label = f"第 {e.location.line} 行"
    return f"[{label}]({blob}/{e.location.path}#L{e.location.line})" if blob else label


def _messages(items: list[CaseError], blob: str | None) -> list[str]:
    lines = []
    for e in items[:MAX_LINES]:
        lines.append(f"{_line_link(e, blob)}：{_cell(message_of(e))}")
    if len(items) > MAX_LINES:
        lines.append(f"……另有 {len(items) - MAX_LINES} 条")
    return lines


def _next_step(row: ChangedCase) -> str:
    if row.change == "删除":
        return "案例将从网站上移除；如果不是有意删除，请恢复这个文件"
    if row.errors:
        return (
            "按左边的说明改正：在 GitHub 上打开这个文件，点铅笔图标（Edit this file）修改，"
            "再点 **Commit changes…** 提交到同一个分支，检查会自动重新运行"
        )
    if row.draft:
        return "草稿不会发布，也不在预览里；内容写好后删掉 `status: draft` 这一行"
    if row.warnings:
        return "可以合并，但请尽量改掉提醒（提醒不会让检查失败）"
    return "检查通过，等待维护者核对内容后合并"


def _preview_cell(row: ChangedCase, preview_url: str | None) -> str:
    if row.change == "删除":
        return "—"
    if row.errors:
        return "改正错误后才会生成"
    if row.draft:
        return "草稿不显示"
    page = f"`cases/{row.case_id}/index.html`"
    if preview_url:
        return f"[下载预览]({preview_url})，解压后双击打开 {page}"
    return f"预览压缩包里的 {page}"


def render_summary(rows: list[ChangedCase], *, preview_url: str | None, blob: str | None) -> str:
    """The Markdown of the job summary (Chinese, GitHub-flavoured table)."""
    out = ["## 案例检查结果", ""]
    if not rows:
        out.append("这个 Pull Request 没有新增、修改或删除 `cases/` 里的案例文件。")
        return "\n".join(out) + "\n"
    failing = sum(1 for r in rows if r.errors)
    out.append(
        f"这个 Pull Request 涉及 {len(rows)} 个案例文件："
        + (f"**{failing} 个有错误，需要修改**。" if failing else "全部通过检查。")
    )
    out += ["", "| 案例 | 改动 | 结果 | 错误与提醒 | 预览页面 | 下一步 |", "|---|---|---|---|---|---|"]
    for r in rows:
        name = f"{_cell(r.title)}<br>{_code(r.path)}" if r.title else _code(r.path)
        if r.change == "删除":
            result = "—"
        elif r.errors:
            result = f"❌ {len(r.errors)} 个错误" + (f"，{len(r.warnings)} 条提醒" if r.warnings else "")
        elif r.warnings:
            result = f"⚠️ {len(r.warnings)} 条提醒"
        else:
            result = "✅ 通过"
        details = _messages(r.errors, blob) + [f"提醒：{m}" for m in _messages(r.warnings, blob)]
        cells = [
            name,
            r.change,
            result,
            "<br>".join(details) or "—",
            _preview_cell(r, preview_url),
            _next_step(r),
        ]
        out.append("| " + " | ".join(cells) + " |")
    out += [
        "",
        "「错误」会让检查失败，必须改正；「提醒」不会让检查失败，但也请改掉。"
        "预览压缩包在本次运行页面底部的 **Artifacts** 里（名为 site-preview），只有全部检查通过才会生成。",
    ]
    return "\n".join(out) + "\n"


def blob_base_from_env(env: dict[str, str]) -> str | None:
    """``https://github.com/<repo>/blob/<sha>`` from the variables every Actions run has."""
    server, repo, sha = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_SHA")
    return f"{server}/{repo}/blob/{sha}" if server and repo and sha else None


def write_summary(root: Path, base: str | None, env: dict[str, str]) -> str:
    """Build the summary for the repository at ``root``; append it to ``$GITHUB_STEP_SUMMARY`` if set."""
    rows = collect(root, changed_case_files(root, base or find_base(root)))
    text = render_summary(rows, preview_url=env.get("PREVIEW_URL") or None, blob=blob_base_from_env(env))
    target = env.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)
    return text

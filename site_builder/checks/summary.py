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

CHANGED_PAGE = "changed.html"
"""The page of the offline preview that links each page this PR changed (written by ``summary --preview-dir``)."""
MAX_LINES = 8  # messages shown per case; the rest are counted
STATUS = {"A": "新增", "M": "修改", "D": "删除", "R": "改名"}


@dataclass
class ChangedCase:
    """One case file the pull request touches, and what the checks found in it."""

    path: str
    change: str
    title: str | None = None
    draft: bool = False
    former: str | None = None
    """The file's old path, for a renamed case."""
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
    """``(status, path)`` of each file under ``cases_dir`` that differs from ``base`` (working tree, untracked too)."""
    return [(s, p) for s, p, _ in changed_files(root, base, cases_dir)]


def changed_files(root: Path, base: str, cases_dir: str = "cases") -> list[tuple[str, str, str | None]]:
    """``(status, path, old path of a rename)`` of each file under ``cases_dir`` that differs from ``base``.

    Read NUL-separated (``-z``): git would otherwise quote a name with non-ASCII characters
    (``"cases/\\346\\265\\246.yaml"``), and such a case would vanish from the summary.
    """
    out = _git("diff", "--name-status", "-z", "-M", "--no-color", base, "--", cases_dir, cwd=root)
    changes: dict[str, tuple[str, str | None]] = {}
    fields = out.split("\0")
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i][:1]
        count = 2 if status in ("R", "C") else 1  # a rename names the old path, then the new one
        changes[fields[i + count]] = (status, fields[i + 1] if status == "R" else None)
        i += count + 1
    untracked = _git("ls-files", "-z", "--others", "--exclude-standard", "--", cases_dir, cwd=root)
    for path in untracked.split("\0"):
        if path:
            changes[path] = ("A", None)
    return sorted((s, p, old) for p, (s, old) in changes.items())


def collect(
    root: Path, changes: list[tuple[str, str]] | list[tuple[str, str, str | None]], cases_dir: str = "cases"
) -> list[ChangedCase]:
    """Check every case (related ids need them all) and keep the findings of the changed files.

    Findings in files the PR did not touch (a link to a case it deleted) get a row of their own, so
    the table never looks clean while ``validate`` fails; links to a renamed or deleted case are one
    finding, shown on that case's row.
    """
    from site_builder.checks.strays import find_stray_cases, loose_photo_problems
    from site_builder.history import explain_references

    cwd = Path.cwd()
    os.chdir(root)  # messages name files relative to the repository, as in CI annotations
    use_photo_cache(cache_root(root) / "images")  # photos the run's validate already processed: no decode
    try:
        result = load_cases([Path(cases_dir)], cases_root=Path(cases_dir))
        about: dict[str, CaseError] = {}
        findings = explain_references(list(result.errors) + _lint(result), root, cases_dir, about=about)
        findings += find_stray_cases(root, cases_dir)
        broken = {Path(f.path) for f in findings if f.severity == "error" and f.path.endswith(CASE_SUFFIX)}
        findings += loose_photo_problems(Path(cases_dir), result.cases, sorted(broken))
    finally:
        os.chdir(cwd)
    by_file: dict[str, list[CaseError]] = defaultdict(list)
    for f in findings:
        if f not in about.values():
            by_file[f.location.path].append(f)
    by_path = {f"{cases_dir}/{c.id}{CASE_SUFFIX}": c for c in result.cases}
    rows = []
    shown: set[str] = set()
    for change in changes:
        status, path = change[0], change[1]
        former = change[2] if len(change) > 2 else None
        if not path.endswith((CASE_SUFFIX, ".yml")) and path not in by_file:
            continue  # photos and other files beside the cases
        row = ChangedCase(path, STATUS.get(status, "修改"), former=former)
        shown.add(path)
        gone = _id_of(former if status == "R" else path if status == "D" else None)
        if gone in about:
            row.errors.append(about.pop(gone))
        if status == "D":
            row.title = _title_of(root, path)
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
    for path in sorted(set(by_file) - shown):  # errors in files this PR did not change
        errors = [e for e in sorted(by_file[path]) if e.severity == "error"]
        if errors:
            row = ChangedCase(path, "未改动" if path.startswith(f"{cases_dir}/") else "放错位置")
            row.errors = errors
            rows.append(row)
    for finding in about.values():  # a case deleted before this PR: its links are still errors
        row = ChangedCase(finding.location.path, "未改动")
        row.errors = [finding]
        rows.append(row)
    return rows


def _id_of(path: str | None) -> str | None:
    if not path:
        return None
    name = path.rsplit("/", 1)[-1]
    return name[: -len(CASE_SUFFIX)] if name.endswith(CASE_SUFFIX) else None


def _title_of(root: Path, path: str) -> str | None:
    """A deleted case's title, from the base commit (None when it cannot be read)."""
    try:
        text = _git("show", f"{find_base(root)}:{path}", cwd=root)
    except RuntimeError:
        return None
    match = re.search(r"^title:\s*(.+?)\s*$", text, re.MULTILINE)
    return match.group(1).strip("\"'") if match else None


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
        gone = "，原地址显示“已撤下”" if not row.errors else ""
        fix = "先按左边的说明处理还链接到它的案例；" if row.errors else ""
        return f"{fix}案例将从网站上移除{gone}；如果不是有意删除，请恢复这个文件"
    if row.change == "放错位置":
        return "把这个文件移到 `cases/` 文件夹（见左边的说明），否则这个案例不会出现在网站上"
    if row.change == "未改动" and row.errors:
        return "这个文件本次没有改动，但检查会因为它失败：按左边的说明修改，提交到同一个分支"
    if row.errors and all("请把照片上传" in e.message for e in row.errors):
        return (
            "上传照片：在 GitHub 上打开左边说明里的文件夹，点 **Add file → Upload files**，把照片拖进去，"
            "选择提交到同一个分支（上传前先去掉拍摄地点、缩小，见投稿指南“照片”一节）"
        )
    if row.errors and all("photos fix" in e.message for e in row.errors):
        return (
            "按投稿指南“照片”一节处理照片（去掉拍摄地点、缩小）后重新上传，覆盖原来的文件，提交到同一个分支"
        )
    if row.errors:
        return (
            "按左边的说明改正：在 GitHub 上打开这个文件，点铅笔图标（Edit this file）修改，"
            "再点 **Commit changes…** 提交到同一个分支，检查会自动重新运行"
        )
    if row.draft:
        return "草稿不会发布，只在预览里显示（带“草稿”横幅）；内容写好后删掉 `status: draft` 这一行"
    if row.warnings:
        return "可以合并，但请尽量改掉提醒（提醒不会让检查失败）"
    return "检查通过，等待维护者核对内容后合并"


def _preview_cell(row: ChangedCase, preview_url: str | None) -> str:
    if row.change in ("删除", "未改动", "放错位置"):
        return "—"
    if row.errors:
        return "改正错误后才会生成"
    page = f"`cases/{row.case_id}/index.html`" + ("（草稿）" if row.draft else "")
    if preview_url:
        return f"[下载预览]({preview_url})，解压后双击打开 {page}"
    return f"预览压缩包里的 {page}"


CHECKS = {
    "validate": "校验案例",
    "lint": "代码检查",
    "test": "测试",
    "build": "构建站点",
    "links": "站内链接检查",
    "preview": "离线预览",
}
"""The CI steps whose outcome the summary reports (``CHECK_OUTCOMES="validate=success build=failure"``)."""


def failed_checks(outcomes: str | None) -> list[str]:
    """The Chinese names of the CI steps that failed, from ``CHECK_OUTCOMES`` (``name=outcome ...``)."""
    failed = []
    for item in (outcomes or "").split():
        name, _, outcome = item.partition("=")
        if outcome in ("failure", "cancelled"):
            failed.append(CHECKS.get(name, name))
    return failed


def render_summary(
    rows: list[ChangedCase],
    *,
    preview_url: str | None,
    blob: str | None,
    failed: list[str] | None = None,
) -> str:
    """The Markdown of the job summary (Chinese, GitHub-flavoured table).

    ``failed`` names the CI steps that failed: the summary never says all passed while one did.
    """
    out = ["## 案例检查结果", ""]
    failed = failed or []
    if failed:
        out += [f"❌ **检查没有全部通过**：{'、'.join(failed)}失败，详见本次运行的日志。", ""]
    changed = [r for r in rows if r.change not in ("未改动", "放错位置")]
    if not rows:
        out.append("这个 Pull Request 没有新增、修改或删除 `cases/` 里的案例文件。")
        return "\n".join(out) + "\n"
    failing = sum(1 for r in rows if r.errors)
    if failing:
        verdict = f"**{failing} 个有错误，需要修改**。"
    elif failed:
        verdict = "案例文件本身没有错误，但上面列出的检查失败了。"
    else:
        verdict = "全部通过检查。"
    others = len(rows) - len(changed)
    if not changed:
        out.append(
            f"这个 Pull Request 没有新增、修改或删除 `cases/` 里的案例文件，但下面 {others} 个文件有错误，检查会失败。"
        )
    else:
        out.append(
            f"这个 Pull Request 涉及 {len(changed)} 个案例文件"
            + (f"，另有 {others} 个文件有错误（本次没有改动它们，或放错了位置）" if others else "")
            + f"：{verdict}"
        )
    out += ["", "| 案例 | 改动 | 结果 | 错误与提醒 | 预览页面 | 下一步 |", "|---|---|---|---|---|---|"]
    for r in rows:
        name = f"{_cell(r.title)}<br>{_code(r.path)}" if r.title else _code(r.path)
        if r.former:
            name += f"<br>原 {_code(r.former)}（旧地址自动跳转）"
        if r.change == "删除" and not r.errors:
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
        "预览压缩包在本次运行页面底部的 **Artifacts** 里（名为 site-preview），只有全部检查通过才会生成；"
        f"解压后双击 `{CHANGED_PAGE}` 可以直接打开本次改动的页面（草稿也在里面，带“草稿”横幅）。",
    ]
    return "\n".join(out) + "\n"


def blob_base_from_env(env: dict[str, str]) -> str | None:
    """``https://github.com/<repo>/blob/<sha>`` from the variables every Actions run has."""
    server, repo, sha = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_SHA")
    return f"{server}/{repo}/blob/{sha}" if server and repo and sha else None


def write_summary(root: Path, base: str | None, env: dict[str, str]) -> str:
    """Build the summary for the repository at ``root``; append it to ``$GITHUB_STEP_SUMMARY`` if set."""
    rows = collect(root, changed_files(root, base or find_base(root)))
    text = render_summary(
        rows,
        preview_url=env.get("PREVIEW_URL") or None,
        blob=blob_base_from_env(env),
        failed=failed_checks(env.get("CHECK_OUTCOMES")),
    )
    target = env.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)
    return text


def changed_page(rows: list[ChangedCase], site_dir: Path) -> str:
    """An HTML page linking straight to the preview's page of every case the PR touches."""
    import html as _html

    items = []
    for r in rows:
        if r.change in ("未改动", "放错位置"):
            continue
        page = f"cases/{r.case_id}/index.html"
        title = _html.escape(r.title or r.case_id)
        if r.change == "删除":
            note = "已删除：原地址显示“已撤下”"
        elif r.errors:
            note = "有错误，改正后才会生成页面"
        else:
            note = r.change + ("（草稿，带“草稿”横幅）" if r.draft else "")
        if r.former:
            note += f"；旧地址 cases/{_id_of(r.former)}/ 自动跳转到这里"
        exists = (site_dir / page).is_file()
        link = f'<a href="{_html.escape(page)}">{title}</a>' if exists else title
        items.append(f"<li>{link}：{_html.escape(note)}</li>")
    body = "\n".join(items) or "<li>这个 Pull Request 没有改动案例文件。</li>"
    return (
        '<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n<title>本次改动的页面（预览）</title>\n'
        "<style>body{font:16px/1.7 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}"
        "a{color:#a8071a}</style>\n</head>\n<body>\n<main>\n<h1>本次改动的页面（预览）</h1>\n"
        "<p>这是 Pull Request 的离线预览，不是正式网站。点下面的链接直接打开改动过的案例页面；"
        '也可以从<a href="index.html">首页</a>开始浏览和搜索。</p>\n'
        f"<ul>\n{body}\n</ul>\n</main>\n</body>\n</html>\n"
    )


def write_changed_page(root: Path, base: str | None, site_dir: Path) -> Path:
    """Write :data:`CHANGED_PAGE` into the preview folder ``site_dir``."""
    rows = collect(root, changed_files(root, base or find_base(root)))
    target = site_dir / CHANGED_PAGE
    target.write_text(changed_page(rows, site_dir), encoding="utf-8")
    return target

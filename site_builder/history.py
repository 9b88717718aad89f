"""Addresses that last: what became of every case id the site ever published.

A case's address is ``cases/<id>/``, and ids change: an editor renames ``cases/a.yaml`` to
``cases/b.yaml`` (in GitHub's web editor that is a plain rename) or deletes a case. Printed QR
codes and shared links must keep working, so the build publishes, for every former id,

- a redirect page to the case's new address (renamed), or
- a short "已撤下" page (deleted), unless ``addresses.yaml`` says the id leaves no page.

The former ids come from git history (``git log --name-status -M`` over ``cases/``), from the
working tree's uncommitted renames and deletions, and from ``addresses.yaml`` beside ``mkdocs.yml``
(written by ``site-builder rename``; it keeps renames that git cannot see, e.g. in a shallow clone).
The committed part is cached by the HEAD commit. Without git (a tarball, a fresh test project) or
with a shallow clone the book is incomplete and says so; CI checks out the full history.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from site_builder.browse import urls
from site_builder.cache import Store, cache_key, cache_root
from site_builder.casefile.models import ID_PATTERN
from site_builder.errors import CaseError
from site_builder.termhistory import FormerTerms, docs_addresses, read_term_history

ADDRESSES_FILE = "addresses.yaml"
"""Renames git cannot see and deleted ids that leave no page (beside mkdocs.yml)."""

ADDRESSES_HEADER = """\
# 案例的旧地址（通常不用手写）。
# 案例改名或删除后，旧地址 cases/<编号>/ 仍然有效：改名的跳转到新地址，删除的显示“已撤下”。
# 这些信息平时从 git 历史自动得出；这里只记两种例外：
#   moved:   旧编号: 新编号 —— git 历史里看不出的改名（site-builder rename 会自动写入）
#   removed: 删除后连“已撤下”页面也不留的编号（例如应要求彻底撤下的案例）
"""

_ID = re.compile(ID_PATTERN)
_GIT_TIMEOUT = 60


@dataclass(frozen=True)
class Former:
    """One id that is no longer a case file: where its address now leads."""

    id: str
    target: str | None
    """The current id it was renamed to (through any chain of renames), or None if deleted."""
    title: str = ""
    """The case's last known title (for the "已撤下" page), when history has it."""


@dataclass(frozen=True)
class Addresses:
    """Every former case id and what its address shows, plus how complete the record is."""

    formers: tuple[Former, ...] = ()
    removed: tuple[str, ...] = ()
    """Ids that leave no page at all (``removed:`` in addresses.yaml)."""
    complete: bool = True
    note: str = ""
    """Why the record may be incomplete (no git, a shallow clone), in Chinese; empty when complete."""
    terms: FormerTerms = field(default_factory=FormerTerms)
    """Facet terms (tags, districts, …) the cases carried in history (:mod:`site_builder.termhistory`)."""

    def moved(self) -> dict[str, str]:
        """Former id -> current id, for every renamed case."""
        return {f.id: f.target for f in self.formers if f.target is not None}

    def withdrawn(self) -> list[Former]:
        """Former ids whose case is gone."""
        return [f for f in self.formers if f.target is None]


@dataclass
class _Events:
    """What git history says happened to each id, in order."""

    moved: dict[str, str] = field(default_factory=dict)
    deleted: dict[str, str] = field(default_factory=dict)
    """id -> the commit that deleted it (its parent still has the file)."""
    complete: bool = True
    note: str = ""

    def add(self, case_id: str) -> None:
        self.deleted.pop(case_id, None)
        self.moved.pop(case_id, None)

    def delete(self, case_id: str, commit: str) -> None:
        self.deleted[case_id] = commit

    def rename(self, old: str, new: str) -> None:
        self.moved[old] = new
        self.deleted.pop(old, None)
        self.add(new)


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=_GIT_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def _case_id(path: str, cases_dir: str) -> str | None:
    """The id of ``cases/<id>.yaml`` (top level only), else None."""
    prefix = cases_dir.strip("/") + "/"
    if not path.startswith(prefix) or not path.endswith(".yaml"):
        return None
    name = path[len(prefix) : -len(".yaml")]
    return name if "/" not in name and _ID.fullmatch(name) else None


def _apply(events: _Events, lines: Iterable[str], cases_dir: str, commit: str = "") -> None:
    """Apply ``--name-status`` lines (``A\\tpath``, ``D\\tpath``, ``R087\\told\\tnew``)."""
    for line in lines:
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 2 or not parts[0]:
            continue
        kind = parts[0][0]
        if kind == "R" and len(parts) >= 3:
            old, new = _case_id(parts[1], cases_dir), _case_id(parts[2], cases_dir)
            if old and new:
                events.rename(old, new)
            elif old:
                events.delete(old, commit)
            elif new:
                events.add(new)
        elif kind in "AC":
            new = _case_id(parts[-1], cases_dir)
            if new:
                events.add(new)
        elif kind == "D":
            old = _case_id(parts[1], cases_dir)
            if old:
                events.delete(old, commit)


def _committed(root: Path, cases_dir: str, head: str) -> _Events:
    """Renames and deletions in the history of HEAD, oldest first (cached by HEAD)."""
    store = Store(cache_root(root), "history")
    name = cache_key("history", head, cases_dir) + ".json"
    raw = store.get(name)
    if raw is not None:
        try:
            data = json.loads(raw)
            return _Events(data["moved"], data["deleted"], data["complete"], data["note"])
        except (ValueError, KeyError, TypeError):
            pass
    events = _Events()
    out = _git(
        root,
        "log",
        "--reverse",
        "--topo-order",
        "--no-color",
        "--format=%x1e%H",
        "-M",
        "--name-status",
        "--relative",
        "--diff-filter=ACDR",
        "--",
        cases_dir,
    )
    if out is None:
        events.complete, events.note = False, "无法读取 git 历史"
    else:
        for chunk in out.split("\x1e")[1:]:
            commit, _, body = chunk.partition("\n")
            _apply(events, body.splitlines(), cases_dir, commit.strip())
        if (_git(root, "rev-parse", "--is-shallow-repository") or "").strip() == "true":
            events.complete = False
            events.note = "这是浅克隆（git clone --depth），更早的改名和删除看不到；CI 需要 fetch-depth: 0"
    store.put(
        name,
        json.dumps(
            {
                "moved": events.moved,
                "deleted": events.deleted,
                "complete": events.complete,
                "note": events.note,
            },
            sort_keys=True,
        ).encode("utf-8"),
    )
    store.prune([name], older_than=7 * 24 * 3600)
    return events


def read_events(root: Path, cases_dir: str = "cases") -> _Events:
    """What git says happened to the case ids: committed history, then the uncommitted changes."""
    head = (_git(root, "rev-parse", "--verify", "-q", "HEAD") or "").strip()
    if not head:
        return _Events(complete=False, note="不是 git 仓库（或还没有提交），看不到案例的改名和删除记录")
    events = _committed(root, cases_dir, head)
    events = _Events(dict(events.moved), dict(events.deleted), events.complete, events.note)
    diff = _git(root, "diff", "-M", "--name-status", "--relative", "--no-color", "HEAD", "--", cases_dir)
    if diff:
        _apply(events, diff.splitlines(), cases_dir, head + ":")
    return events


def read_addresses_file(root: Path) -> tuple[dict[str, str], list[str]]:
    """``moved`` and ``removed`` from ``addresses.yaml`` (empty when absent or unreadable)."""
    path = root / ADDRESSES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}, []
    if not isinstance(data, dict):
        return {}, []
    moved_raw = data.get("moved") or {}
    removed_raw = data.get("removed") or []
    moved = {
        str(k): str(v)
        for k, v in (moved_raw.items() if isinstance(moved_raw, dict) else [])
        if _ID.fullmatch(str(k)) and _ID.fullmatch(str(v))
    }
    removed = [
        str(x) for x in (removed_raw if isinstance(removed_raw, list) else []) if _ID.fullmatch(str(x))
    ]
    return moved, removed


def write_addresses_file(root: Path, moved: Mapping[str, str], removed: Iterable[str]) -> Path:
    """Write ``addresses.yaml`` (sorted, with its explanatory header)."""
    body: dict[str, object] = {}
    if moved:
        body["moved"] = dict(sorted(moved.items()))
    removed_list = sorted(set(removed))
    if removed_list:
        body["removed"] = removed_list
    text = ADDRESSES_HEADER + (yaml.safe_dump(body, allow_unicode=True, sort_keys=False) if body else "")
    path = root / ADDRESSES_FILE
    path.write_text(text, encoding="utf-8")
    return path


def _title_at(root: Path, commit: str, path: str) -> str:
    """The ``title:`` of a case file as it was just before ``commit`` deleted it."""
    if not commit:
        return ""
    # an uncommitted deletion is recorded against "<HEAD>:", which still has the file
    text = _git(root, "show", f"{commit}{path}" if commit.endswith(":") else f"{commit}^:{path}")
    if not text:
        return ""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return ""
    title = data.get("title") if isinstance(data, dict) else None
    return title.strip()[:80] if isinstance(title, str) else ""


def resolve(
    moved: Mapping[str, str], deleted: Iterable[str], current: Iterable[str]
) -> dict[str, str | None]:
    """Former id -> current id it leads to (following chains of renames), or None when gone."""
    live = set(current)
    out: dict[str, str | None] = {}
    for old in sorted(set(moved) | set(deleted)):
        if old in live:
            continue
        seen = {old}
        target: str | None = moved.get(old)
        while target is not None and target not in live and target in moved and target not in seen:
            seen.add(target)
            target = moved[target]
        out[old] = target if target in live else None
    return out


def address_book(
    root: Path,
    cases_dir: str = "cases",
    current: Iterable[str] | None = None,
    *,
    terms: bool = False,
    docs_dir: Path | None = None,
) -> Addresses:
    """Every former case id of the project at ``root`` and where its address leads now; with
    ``terms``, also every facet term its cases carried (whose pages stay as redirects).

    ``current`` are the ids of the case files present now (default: ``cases_dir/*.yaml``);
    ``docs_dir`` holds the hand-written pages, whose addresses a former term never takes.
    """
    cases = root / cases_dir
    current_ids = (
        set(current)
        if current is not None
        else {p.stem for p in cases.glob("*.yaml") if _ID.fullmatch(p.stem)}
    )
    events = read_events(root, cases_dir)
    kept_moved, removed = read_addresses_file(root)
    moved = {**events.moved, **kept_moved}
    targets = resolve(moved, events.deleted, current_ids)
    formers = []
    for old, target in targets.items():
        title = ""
        if target is None and old in events.deleted:
            title = _title_at(root, events.deleted[old], f"{cases_dir.strip('/')}/{old}.yaml")
        formers.append(Former(old, target, title))
    former_terms = (
        FormerTerms(read_term_history(root, cases_dir), docs_addresses(docs_dir)) if terms else FormerTerms()
    )
    complete = events.complete and former_terms.history.complete
    note = events.note or former_terms.history.note
    return Addresses(tuple(formers), tuple(sorted(set(removed))), complete, note, former_terms)


_STYLE = (
    "body{font:16px/1.7 system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',"
    "sans-serif;margin:0;color:#1f1f1f;background:#fff}"
    "main{max-width:36rem;margin:12vh auto;padding:0 1.25rem}"
    "h1{font-size:1.5rem;margin:0 0 1rem}"
    "a{color:#a8071a}"
    "nav a{margin-right:1.25rem}"
)


def _document(title: str, head: str, body: str) -> bytes:
    return (
        "<!doctype html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{html.escape(title)}</title>\n{head}<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    ).encode()


def redirect_page(old: str, new: str, title: str, *, site_name: str, site_url: str | None) -> bytes:
    """The page left at ``cases/<old>/``: sends the reader on to ``cases/<new>/`` (meta refresh,
    canonical link, and a visible link for browsers that do not follow it)."""
    here = urls.case_url(old)
    target = urls.base_for(here) + urls.case_url(new)
    canonical = urls.absolute(site_url, urls.case_url(new)) or target
    head = (
        f'<link rel="canonical" href="{html.escape(canonical)}">\n'
        f'<meta http-equiv="refresh" content="0; url={html.escape(target)}">\n'
    )
    name = f"「{html.escape(title)}」" if title else "这个案例"
    body = (
        "<h1>案例地址已更改</h1>\n"
        f'<p>{name}已移到新地址：<a href="{html.escape(target)}">{html.escape(urls.public(site_url, urls.case_url(new)))}</a>。'
        "如果页面没有自动打开，请点这个链接；收藏过本页的读者请更新书签。</p>\n"
    )
    return _document(f"案例地址已更改 - {site_name}" if site_name else "案例地址已更改", head, body)


def withdrawn_page(old: str, title: str, *, site_name: str) -> bytes:
    """The short "已撤下" page left at the address of a deleted case."""
    base = urls.base_for(urls.case_url(old))
    name = f"「{html.escape(title)}」" if title else "这个案例"
    body = (
        "<h1>案例已撤下</h1>\n"
        f"<p>{name}已从{html.escape(site_name or '本站')}撤下，这个地址不再提供内容。</p>\n"
        "<nav>"
        f'<a href="{base}">首页</a>'
        f'<a href="{base}{urls.ALL_CASES}">全部案例</a>'
        f'<a href="{base}{urls.SEARCH}">搜索</a>'
        "</nav>\n"
    )
    return _document(f"案例已撤下 - {site_name}" if site_name else "案例已撤下", "", body)


def address_files(
    addresses: Addresses,
    published: Mapping[str, str],
    *,
    site_name: str,
    site_url: str | None,
) -> dict[str, bytes]:
    """``{site path: bytes}`` of the pages at former addresses.

    ``published`` maps each case id on this site to its title. A rename whose case is not published
    (a draft) leaves a "已撤下" page until it is; an id that is a case again gets nothing.
    """
    files: dict[str, bytes] = {}
    removed = set(addresses.removed)
    for former in addresses.formers:
        if former.id in published or former.id in removed:
            continue
        path = urls.case_url(former.id) + "index.html"
        if former.target is not None and former.target in published:
            files[path] = redirect_page(
                former.id, former.target, published[former.target], site_name=site_name, site_url=site_url
            )
        else:
            files[path] = withdrawn_page(former.id, former.title, site_name=site_name)
    return files


_RELATED_ITEM = re.compile(r"^related\[(\d+)\]$")


def _base_ids(root: Path, cases_dir: str) -> set[str] | None:
    """The case ids the pull request's base had (None without git)."""
    from site_builder.checks.summary import find_base

    try:
        base = find_base(root)
    except (RuntimeError, OSError, subprocess.SubprocessError):
        return None
    out = _git(root, "ls-tree", "--name-only", f"{base}:{cases_dir.strip('/')}")
    if out is None:
        return None
    return {name[: -len(".yaml")] for name in out.splitlines() if name.endswith(".yaml")}


def _related_value(path: Path, index: int) -> str | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    related = data.get("related") if isinstance(data, dict) else None
    value = related[index] if isinstance(related, list) and index < len(related) else None
    return value.strip() if isinstance(value, str) else None


def explain_references(
    errors: list[CaseError],
    root: Path,
    cases_dir: str = "cases",
    *,
    addresses: Addresses | None = None,
    about: dict[str, CaseError] | None = None,
) -> list[CaseError]:
    """Replace the "related case not found" errors that name a renamed or deleted case by one error
    per such case, in the pull request's own terms ("这个 PR 删除了 X，下面 N 个案例还链接到它：…").

    Deleting one case otherwise gives an error in every file that links to it, files the editor
    never touched, each guessing at some other id. The one error sits on the first linking line;
    ``about`` receives it under the former id (for the job summary's row of that case).
    """
    book = addresses if addresses is not None else address_book(root, cases_dir)
    gone = {f.id: f for f in book.formers}
    if not gone:
        return errors
    kept: list[CaseError] = []
    links: dict[str, list[CaseError]] = {}
    for e in errors:
        match = _RELATED_ITEM.match(e.field)
        value = _related_value(root / e.location.path, int(match.group(1))) if match else None
        if value is not None and value in gone and e.severity == "error":
            links.setdefault(value, []).append(e)
        else:
            kept.append(e)
    if not links:
        return errors
    base = _base_ids(root, cases_dir)
    who = "这个 PR " if os.environ.get("GITHUB_EVENT_NAME", "").startswith("pull_request") else "这次改动"
    for old, found in sorted(links.items()):
        found.sort()
        former = gone[old]
        here = "、".join(f"{e.location.path}（第 {e.location.line} 行）" for e in found)
        in_change = base is None or old in base
        if former.target is not None:
            lead = (
                f"{who}把案例「{old}」改名为「{former.target}」"
                if in_change
                else f"案例「{old}」已改名为「{former.target}」"
            )
            fix = (
                f"请在这些文件的 related 里把「{old}」改成「{former.target}」"
                f"（在自己电脑上运行 site-builder rename {old} {former.target} 会一并改好）；旧地址会自动跳转到新地址"
            )
            tail = f"下面 {len(found)} 个案例还写着旧编号：{here}"
        else:
            lead = f"{who}删除了案例「{old}」" if in_change else f"案例「{old}」已经删除"
            fix = "请从这些案例的 related 里删掉这一项；如果不是有意删除，请恢复这个案例文件"
            tail = f"下面 {len(found)} 个案例还链接到它：{here}"
        first = found[0]
        grouped = CaseError(first.location, first.field, f"{lead}，{tail}。{fix}")
        kept.append(grouped)
        if about is not None:
            about[old] = grouped
    return sorted(kept)


def _rewrite_related(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new`` inside the top-level ``related:`` entry only."""
    lines = text.splitlines(keepends=True)
    token = re.compile(rf"(?<![a-z0-9-]){re.escape(old)}(?![a-z0-9-])")
    inside = False
    for i, line in enumerate(lines):
        if re.match(r"^related\s*:", line):
            inside = True
            head, colon, rest = line.partition(":")
            lines[i] = head + colon + token.sub(new, rest)
            continue
        if inside and re.match(r"^[^\s#\-]", line):
            inside = False
        if inside:
            lines[i] = token.sub(new, line)
    return "".join(lines)


@dataclass
class Renamed:
    """What :func:`rename_case` did."""

    moved_with_git: bool
    updated: list[Path]
    addresses: Path


def rename_case(root: Path, old: str, new: str, cases_dir: str = "cases") -> Renamed:
    """Rename ``cases/<old>.yaml`` to ``cases/<new>.yaml``, update every ``related`` link to it, and
    record the rename in ``addresses.yaml`` so the old address keeps working whatever git shows.

    Raises ``ValueError`` with a Chinese message when the rename cannot be done.
    """
    folder = root / cases_dir
    source, target = folder / f"{old}.yaml", folder / f"{new}.yaml"
    if not _ID.fullmatch(new):
        raise ValueError(
            f"新编号「{new}」不符合要求：只能由小写英文字母、数字和连字符组成，例如 pudong-golden-helmet-riders"
        )
    if not source.is_file():
        raise ValueError(f"找不到 {cases_dir}/{old}.yaml")
    if target.exists():
        raise ValueError(f"{cases_dir}/{new}.yaml 已经存在，没有改名")
    tracked = _git(root, "ls-files", "--error-unmatch", str(source.relative_to(root))) is not None
    moved_with_git = (
        tracked and _git(root, "mv", str(source.relative_to(root)), str(target.relative_to(root))) is not None
    )
    if not moved_with_git:
        source.rename(target)
    updated = []
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if old not in text:
            continue
        changed = _rewrite_related(text, old, new)
        if changed != text:
            path.write_text(changed, encoding="utf-8")
            updated.append(path)
    moved, removed = read_addresses_file(root)
    moved = {k: (new if v == old else v) for k, v in moved.items() if k != new}
    moved[old] = new
    return Renamed(moved_with_git, updated, write_addresses_file(root, moved, removed))

"""The live preview (``make serve``) keeps serving while case files have errors.

MkDocs stops answering requests when a build raises, so the preview never raises for an editor's
mistake. Instead each build uses the cases that are valid now, falls back to the last good version
of a case whose file is broken, gives a case that never validated (a fresh ``site-builder new``
template) a page listing what is still missing, and every page shows the located errors in a banner,
like the error overlays of other dev servers. Saving a fixed file rebuilds, and live reload drops
the banner. Plain Python: :mod:`site_builder.plugin` only wires it to MkDocs events.
"""

from __future__ import annotations

import html
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from site_builder.browse.urls import base_for, case_src, case_url
from site_builder.casefile.loader import CASE_SUFFIX, FileMemo, load_cases
from site_builder.casefile.models import ID_MAX, ID_PATTERN, Case
from site_builder.casefile.yamlio import read_yaml
from site_builder.checks.lint import lint_errors
from site_builder.errors import CaseError, display_path
from site_builder.pages.render import GeneratedPage

if TYPE_CHECKING:
    from site_builder.build import BuildSettings, Project
    from site_builder.media.plan import MediaPlan

OVERLAY_ID = "sb-preview-errors"
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


@dataclass
class BrokenFile:
    """One case file with errors: what the preview shows instead, and why."""

    shown: str
    case_id: str | None
    errors: list[CaseError]
    title: str | None = None
    draft: bool = False
    stale: bool = False  # the site shows the last good version of this case

    @property
    def page_url(self) -> str | None:
        """Where the case's page (last good version or list of gaps) is, if it has one."""
        return case_url(self.case_id) if self.case_id else None


@dataclass
class PreviewState:
    """Survives rebuilds of one preview session (``site-builder serve`` or ``mkdocs serve``: MkDocs keeps
    the plugin instance)."""

    last_good: dict[str, Case] = field(default_factory=dict)
    broken: list[BrokenFile] = field(default_factory=list)
    memo: FileMemo = field(default_factory=FileMemo)
    """Each case file's validation, reused on the next save while the file is unchanged."""
    linted: dict[int, tuple[Case, list[CaseError]]] = field(default_factory=dict)
    """The lint errors of each case object (unchanged files keep their objects)."""
    shown_paths: dict[tuple[Path, str], str] = field(default_factory=dict)
    cwd: str = ""
    builds: int = 0
    """How many builds this session has started (the first is the server's start)."""
    admin: tuple[object, ...] | None = None
    """The inputs of the ``/admin/`` files this session wrote (they do not depend on the cases)."""
    built: tuple[Project, BuildSettings, MediaPlan] | None = None
    """The last full build's project, settings and media plan (the quick path renders with them)."""

    @property
    def starting(self) -> bool:
        """True during the session's first build, before the server has threads of its own."""
        return self.builds <= 1

    def admin_written(self, site_dir: Path, inputs: tuple[object, ...]) -> bool:
        """True when ``site_dir`` already holds the ``/admin/`` files of ``inputs`` (then skip them)."""
        if self.admin == inputs and (site_dir / "admin" / "index.html").is_file():
            return True
        self.admin = inputs
        return False

    @property
    def error_count(self) -> int:
        """How many errors the banner lists."""
        return sum(len(b.errors) for b in self.broken)

    def load(self, cases_dir: Path) -> list[Case]:
        """Cases to preview now: valid ones, plus the last good version of each broken one.

        Never raises for an editor's mistake; the problems are kept in :attr:`broken`.
        """
        self.builds += 1
        self.cwd = os.getcwd()
        result = load_cases([cases_dir], cases_root=cases_dir, parallel=self.starting, memo=self.memo)
        errors = [e for e in result.errors if e.severity == "error"] + self._lint(
            result.cases, result.positions, result.findings
        )
        by_file: dict[str, list[CaseError]] = defaultdict(list)
        for e in errors:
            by_file[e.location.path].append(e)
        by_path = {self._shown(c.source_path): c for c in result.cases if c.source_path is not None}
        cases: dict[str, Case] = {}
        for shown, case in by_path.items():
            if shown not in by_file:
                cases[case.id] = case
                self.last_good[case.id] = case
        self.broken = []
        for shown, file_errors in sorted(by_file.items()):
            case_id = _case_id(shown)
            entry = BrokenFile(shown, case_id, sorted(file_errors))
            if case_id is not None and case_id in self.last_good and case_id not in cases:
                cases[case_id] = self.last_good[case_id]
                entry.stale = True
                entry.title = self.last_good[case_id].title
            elif case_id is not None and case_id not in cases:
                entry.title, entry.draft = raw_title_and_status(cases_dir / Path(shown).name)
            elif case_id is not None:  # a valid case of that id exists elsewhere (duplicate id)
                entry.case_id = None
            self.broken.append(entry)
        present = {_case_id(p.name) for p in cases_dir.glob(f"*{CASE_SUFFIX}")}
        for gone in set(self.last_good) - present:
            del self.last_good[gone]
            cases.pop(gone, None)
        return sorted(cases.values(), key=lambda c: c.id)

    def _shown(self, path: Path) -> str:
        """:func:`display_path`, remembered (a save of a large site looks up every case's)."""
        key = (path, self.cwd)
        shown = self.shown_paths.get(key)
        if shown is None:
            shown = self.shown_paths[key] = display_path(path)
        return shown

    def _lint(
        self, cases: list[Case], positions: dict[str, Any], known: dict[str, list[CaseError]]
    ) -> list[CaseError]:
        """:func:`lint_errors` of ``cases``, computed only for case objects not linted before and
        not remembered with their file (``known``: the loader's findings)."""
        linted = {}
        for case in cases:
            seen = self.linted.get(id(case))
            if seen is None or seen[0] is not case:
                seen = (case, lint_errors([case], positions, known))
            linted[id(case)] = seen
        self.linted = linted
        return sorted(e for _, found in linted.values() for e in found)

    def gap_pages(self) -> list[GeneratedPage]:
        """A page at ``cases/<id>/`` for each broken case that never validated (e.g. a new draft)."""
        pages = []
        for b in self.broken:
            if b.stale or b.case_id is None:
                continue
            pages.append(
                GeneratedPage(
                    case_src(b.case_id),
                    case_url(b.case_id),
                    b.title or b.case_id,
                    "本地预览：这个案例还有内容需要补全。",
                    _gap_body(b),
                )
            )
        return pages

    def overlay(self, page_url: str) -> str:
        """The error banner for a page at ``page_url`` ('' when every case file is fine)."""
        if not self.broken:
            return ""
        base = base_for(page_url)
        items = []
        for b in self.broken:
            if b.stale:
                note = "网站上显示的是这个案例上次正确的版本"
            elif b.draft:
                note = "草稿，还需补全以下内容"
            elif b.page_url:
                note = "这个案例还不能显示，请先改正以下错误"
            else:
                note = "这个文件不会被读取"
            link = (
                f'<a href="{html.escape(base + b.page_url)}">打开页面</a>'
                if b.page_url and page_url != b.page_url
                else ""
            )
            lines = "".join(f"<li>{_error_html(e)}</li>" for e in b.errors)
            items.append(
                f'<li><p class="sb-overlay__file"><code>{html.escape(b.shown)}</code>：'
                f"{note}{'，' + link if link else ''}</p><ul>{lines}</ul></li>"
            )
        count = self.error_count
        files = len(self.broken)
        return (
            f'<aside id="{OVERLAY_ID}" class="sb-overlay" role="alert" aria-label="案例文件错误">'
            f"<style>{_OVERLAY_CSS}</style>"
            "<details open><summary>"
            f"预览提示：{files} 个案例文件共有 {count} 处需要修改（改正并保存后，页面会自动刷新）"
            f"</summary><ol>{''.join(items)}</ol></details></aside>"
        )

    def inject(self, output: str, page_url: str) -> str:
        """Put the banner into a rendered page, just before ``</body>``."""
        banner = self.overlay(page_url)
        if not banner:
            return output
        matches = list(_BODY_END.finditer(output))
        if not matches:
            return output + banner
        at = matches[-1].start()
        return output[:at] + banner + output[at:]

    def log_text(self) -> str:
        """The same errors for the terminal, one located line each."""
        lines = [e.format() for b in self.broken for e in b.errors]
        return "案例文件有错误，预览页面上已标出（网站继续可用）：\n" + "\n".join(lines)


def _case_id(shown: str) -> str | None:
    name = shown.rsplit("/", 1)[-1]
    if not name.endswith(CASE_SUFFIX):
        return None
    case_id = name[: -len(CASE_SUFFIX)]
    return case_id if re.match(ID_PATTERN, case_id) and len(case_id) <= ID_MAX else None


def raw_title_and_status(path: Path) -> tuple[str | None, bool]:
    """The title and draft flag as typed, when the file parses at all (a template's ``……`` is no title)."""
    doc, _ = read_yaml(path, display_path(path))
    data: Any = doc.data if doc is not None else None
    if not isinstance(data, dict):
        return None, False
    title = data.get("title")
    shown = title.strip()[:40] if isinstance(title, str) and title.strip(" .…·") else None
    return shown, data.get("status") == "draft"


def _error_html(e: CaseError) -> str:
    loc = e.location
    at = f"{loc.path}:{loc.line}:{loc.col}"
    return f'<code class="sb-overlay__at">{html.escape(at)}</code> {html.escape(e.format().removeprefix(at + ": "))}'


def _gap_body(b: BrokenFile) -> str:
    heading = html.escape(b.title or b.case_id or b.shown)
    lead = (
        "草稿：此案例尚未填完，只在本地预览中显示。下面列出还需要补全或改正的地方："
        if b.draft
        else "这个案例文件有错误，改正之前不会出现在网站上。下面列出需要改正的地方："
    )
    lines = "".join(f"<li>{_error_html(e)}</li>" for e in b.errors)
    return (
        f'<article class="sb-case sb-case--gaps"><h1 class="sb-case__title">{heading}</h1>'
        f'<p class="sb-draft" role="note">{lead}</p><ul class="sb-gaps">{lines}</ul>'
        f"<p>文件：<code>{html.escape(b.shown)}</code>。改好并保存后，这个页面会自动刷新。</p></article>"
    )


_OVERLAY_CSS = (
    "#sb-preview-errors{position:fixed;left:0;right:0;bottom:0;z-index:1000;max-height:50vh;overflow:auto;"
    "background:#fff8f6;color:#1a1a1a;border-top:4px solid #b71c1c;box-shadow:0 -2px 12px rgba(0,0,0,.25);"
    "font-size:.8rem;line-height:1.6;padding:.4rem 1rem}"
    "#sb-preview-errors summary{cursor:pointer;font-weight:700;color:#8e0000}"
    "#sb-preview-errors ol,#sb-preview-errors ul{margin:.2rem 0 .2rem 1.2rem;padding:0}"
    "#sb-preview-errors p{margin:.3rem 0 0}"
    "#sb-preview-errors a{color:#8e0000;text-decoration:underline}"
    "#sb-preview-errors code{font-size:.75rem;background:#fde0dc;padding:0 .2em}"
)

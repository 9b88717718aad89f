"""Case files saved in the wrong place: a case-like YAML outside ``cases/`` is an error.

A case saved as ``docs/x.yaml`` or at the repository's top level is never read as a case, CI would
stay green, the case would be missing from the site, and MkDocs would publish the raw file (a
draft's text included) at ``/x.yaml``. The build never publishes YAML from ``docs/``
(``exclude_docs`` in mkdocs.yml); this check tells the editor where the file belongs.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from site_builder.casefile.models import ID_MAX, ID_PATTERN, Case
from site_builder.errors import CaseError, Location, display_path

CASE_KEYS = ("title", "summary", "district", "fields", "year", "practice", "sources", "background", "results")
"""Top-level keys of a case file; a YAML file with two of them is taken for a case."""

_KEY = re.compile(rf"^({'|'.join(CASE_KEYS)})[ \t]*:", re.MULTILINE)
_SUFFIX = re.compile(r"\.ya?ml(\.txt)?~?$", re.IGNORECASE)
_SKIP_DIRS = {"node_modules", "site", "site-preview", "tests", "benchmarks", "site_builder", "__pycache__"}
"""Folders that hold code, test inputs or build output, never an editor's case."""


def _candidates(root: Path, cases_dir: str) -> list[str]:
    """Repository-relative paths of the YAML files outside ``cases_dir`` (tracked or new, not ignored)."""
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"],
            cwd=root,
            capture_output=True,
            timeout=60,
        )
        listed = proc.stdout.decode("utf-8", "replace").split("\0") if proc.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        listed = None
    if listed is None:
        listed = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
            rel = Path(folder).relative_to(root)
            listed += [(rel / f).as_posix() for f in files]
    prefix = cases_dir.strip("/") + "/"
    out = []
    for path in listed:
        if not path or not _SUFFIX.search(path) or path.startswith(prefix):
            continue
        if path.split("/", 1)[0] in _SKIP_DIRS or path.startswith("."):
            continue
        out.append(path)
    return sorted(out)


def looks_like_case(text: str) -> bool:
    """True when the text has at least two of a case's top-level keys."""
    return len(set(_KEY.findall(text))) >= 2


def _where(path: str, cases_dir: str) -> str:
    from site_builder.browse.model import slugify_tag

    stem = re.split(r"\.ya?ml", path.rsplit("/", 1)[-1], maxsplit=1, flags=re.IGNORECASE)[0]
    slug = re.sub(r"[^a-z0-9-]+", "-", slugify_tag(stem.strip()).lower()).strip("-")
    if len(slug) > ID_MAX:
        slug = slug[:ID_MAX].rsplit("-", 1)[0]
    if re.fullmatch(ID_PATTERN, slug) and len(slug) <= ID_MAX:
        return f"{cases_dir}/{slug}.yaml"
    return (
        f"{cases_dir}/<案例编号>.yaml（编号只用小写英文字母、数字和连字符，例如 pudong-golden-helmet-riders）"
    )


def find_stray_cases(root: Path, cases_dir: str = "cases") -> list[CaseError]:
    """An error for every case-like YAML file outside ``cases_dir``, naming where it belongs."""
    errors = []
    for rel in _candidates(root, cases_dir):
        try:
            with (root / rel).open("rb") as fh:
                text = fh.read(64 * 1024).decode("utf-8", "replace")
        except OSError:
            continue
        if not looks_like_case(text):
            continue
        folder = f" {rel.rsplit('/', 1)[0]}/ 文件夹" if "/" in rel else "仓库的最外层"
        errors.append(
            CaseError(
                Location(rel),
                "",
                f"这个文件看起来是案例，但放在{folder}里，不会被当作案例读取，网站上也不会有它："
                f"案例文件必须放在 {cases_dir}/ 文件夹里。请把它移到 {_where(rel, cases_dir)}"
                "（在 GitHub 网页上：打开文件，点铅笔图标，在文件名框里把路径改成上面的样子，再提交）",
            )
        )
    return errors


PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")


def loose_photo_problems(
    cases_dir: Path, cases: Iterable[Case], broken_files: Iterable[Path]
) -> list[CaseError]:
    """Photos under ``cases_dir`` that no case uses but that the public repository must not hold
    either (a location, far too large): the commit publishes them even if no page shows them.

    Photos a case uses are checked on that case's ``images`` line by the loader; ``broken_files``
    are case files that did not validate, whose references are read from their raw text.
    """
    listed = sorted(p for p in cases_dir.rglob("*") if p.suffix.lower() in PHOTO_SUFFIXES)  # sort photos only
    photos = {p.resolve(): p for p in listed if p.is_file() and not p.is_symlink()}
    for case in cases:
        base = (case.source_path or cases_dir / "x").parent
        for image in case.images:
            photos.pop((base / image.file.strip()).resolve(), None)
    if photos:
        for path in broken_files:
            for rel in re.findall(r"^\s*-?\s*\{?\s*file:\s*['\"]?([^'\",}\s]+)", _text(path), re.MULTILINE):
                photos.pop((path.parent / rel).resolve(), None)
    if not photos:
        return []
    from site_builder.media.photos import commit_problems  # Pillow: only when there are photos

    errors = []
    for photo in photos.values():
        shown = display_path(photo)
        problem = commit_problems(photo, shown)
        if problem:
            errors.append(
                CaseError(
                    Location(shown), "", f"这张照片还没有案例用到，但放在 cases/ 里就会随提交公开：{problem}"
                )
            )
    return errors


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""

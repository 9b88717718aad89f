"""Replacing the built site folder safely: guard, atomic swap, recovery, clean-up.

``site-builder build`` builds into a scratch folder beside the target and swaps it in, so a failed
build keeps the previous site. Because MkDocs only ever sees the scratch folder, its own guard
against building over the sources does not apply; :func:`refuse_reason` is that guard here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

SCRATCH_PREFIX = "-build-"
OLD_SUFFIX = "-old"
SITE_SIGNATURE = ("index.html", "sitemap.xml")
"""Files every site this tool builds has: a folder without them is not replaced."""


def refuse_reason(target: Path, project: Path, sources: Iterable[Path]) -> str | None:
    """Why ``target`` must not be replaced by a built site (in Chinese), or None when it may.

    Refused: the project folder or any folder containing it; a source folder (cases, docs, theme),
    a folder containing one or a folder inside one; an existing folder that holds files but is not
    a site built by this tool.
    """
    target = target.resolve()
    project = project.resolve()
    if project.is_relative_to(target):
        return f"输出文件夹「{target}」是项目文件夹或它的上级文件夹，替换它会删除全部案例和代码"
    for src in sources:
        src = src.resolve()
        if src.is_relative_to(target):
            return f"输出文件夹「{target}」包含源文件夹「{src}」，替换它会删除其中的文件"
        if target.is_relative_to(src):
            return f"输出文件夹「{target}」在源文件夹「{src}」里面，请换一个位置（例如 site）"
    if target.is_file() or target.is_symlink():
        return f"「{target}」不是文件夹"
    if target.is_dir() and any(target.iterdir()) and not all((target / f).is_file() for f in SITE_SIGNATURE):
        return f"文件夹「{target}」里已有其他文件，看起来不是本工具生成的网站，为避免误删，不会替换它"
    return None


def scratch_name(target: Path) -> str:
    """Prefix of the scratch folders a build of ``target`` creates beside it."""
    return f".{target.name}{SCRATCH_PREFIX}"


def old_path(target: Path) -> Path:
    """Where the previous site waits while the new one is moved in."""
    return target.with_name(f".{target.name}{OLD_SUFFIX}")


def recover(target: Path) -> bool:
    """Put the previous site back if a swap was interrupted between its two renames."""
    old = old_path(target)
    if not target.exists() and old.is_dir():
        old.rename(target)
        return True
    return False


def clean_leftovers(target: Path, *, older_than: float = 3600.0) -> int:
    """Remove scratch folders of interrupted builds (older than ``older_than`` seconds: not running)."""
    removed = 0
    now = time.time()
    if not target.parent.is_dir():
        return 0
    for child in target.parent.iterdir():
        if not child.name.startswith(scratch_name(target)) or not child.is_dir():
            continue
        try:
            if now - child.stat().st_mtime < older_than:
                continue
        except OSError:
            continue
        shutil.rmtree(child, ignore_errors=True)
        removed += 1
    old = old_path(target)
    if target.exists() and old.exists():
        shutil.rmtree(old, ignore_errors=True)
    return removed


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def swap_in(scratch: Path, target: Path) -> None:
    """Make ``scratch`` the new ``target``; at no moment is there no site at ``target``.

    With an atomic exchange the old site is swapped out in one step; elsewhere the two renames
    leave the old site at :func:`old_path`, which :func:`recover` puts back after a kill.
    """
    if target.exists():
        if _exchange(scratch, target):
            shutil.rmtree(scratch, ignore_errors=True)
            return
        old = old_path(target)
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        scratch.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        scratch.rename(target)

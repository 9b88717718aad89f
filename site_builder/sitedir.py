"""Replacing the built site folder safely: guard, atomic swap, recovery, clean-up.

``site-builder build`` builds into a scratch folder beside the target and swaps it in, so a failed
build keeps the previous site. Because MkDocs only ever sees the scratch folder, its own guard
against building over the sources does not apply; :func:`refuse_reason` is that guard here.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: leftovers are judged by age alone
    fcntl = None  # type: ignore[assignment]

from site_builder.browse import urls

SCRATCH_PREFIX = "-build-"
OLD_SUFFIX = "-old"
SPARE_SUFFIX = "-spare"
SITE_SIGNATURE = ("index.html", "sitemap.xml")
"""Files every site this tool builds has: a folder without them is not replaced."""
LOCK_SUFFIX = ".lock"
KEPT_NAMES = ("CNAME",)
"""Entries of the old site folder carried into the new one, besides every dot entry (``.git``,
``.nojekyll``): what a gh-pages checkout holds that no build makes."""
DIR_MODE = 0o755
FILE_MODE = 0o644
"""GitHub Pages refuses an artifact whose folders are not world-readable and searchable."""


class ScratchLost(RuntimeError):
    """The scratch folder was replaced while the build wrote into it: the site there is not whole."""


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


def spare_path(target: Path) -> Path:
    """Where the site a swap replaced waits to be built over by the next build (:func:`scratch_folder`)."""
    return target.with_name(f".{target.name}{SPARE_SUFFIX}")


def _keep_spare(old: Path, target: Path) -> None:
    """Keep the replaced site ``old`` as the next build's starting point, or delete it."""
    spare = spare_path(target)
    if not spare.exists():
        try:
            old.rename(spare)
            return
        except OSError:
            pass
    shutil.rmtree(old, ignore_errors=True)


def recover(target: Path) -> bool:
    """Put the previous site back if a swap was interrupted between its two renames."""
    old = old_path(target)
    if not target.exists() and old.is_dir():
        old.rename(target)
        return True
    return False


def _lock_path(scratch: Path) -> Path:
    return scratch.with_name(scratch.name + LOCK_SUFFIX)


def _owned(scratch: Path) -> bool | None:
    """True while a running build holds the scratch folder's lock, False when none does, None when
    the folder has no lock file (an older version's folder, or a build between creating it and
    locking it)."""
    lock = _lock_path(scratch)
    if fcntl is None:
        return None
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases a lock taken here
    return False


@contextlib.contextmanager
def scratch_folder(target: Path, *, reuse: bool = False) -> Iterator[Path]:
    """A new scratch folder beside ``target``, locked for as long as the build runs, then removed.

    Other builds tell a running build's folder from an interrupted one's by this lock (held by the
    process, released by the kernel when it dies), never by a clock: a second build whose clock
    runs ahead once deleted a running build's folder, which then published half a site.

    With ``reuse`` the folder starts as the site the last swap replaced (:func:`spare_path`), for an
    engine that builds over a site in place (:class:`InPlace`): unchanged files are then neither
    deleted nor written again. Its dot entries and ``CNAME`` go: :func:`swap_in` carries the
    current site's over.
    """
    scratch = Path(tempfile.mkdtemp(prefix=scratch_name(target), dir=target.parent))
    lock = _lock_path(scratch)
    # Locked under another name, then renamed: no other build ever sees the lock file unlocked.
    pending = scratch.with_name(f"{scratch.name}.locking")
    fd = os.open(pending, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.replace(pending, lock)
        if reuse:
            _take_spare(target, scratch)
        scratch.chmod(DIR_MODE)
        (scratch / MARKER).write_text(os.urandom(16).hex(), encoding="ascii")
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        lock.unlink(missing_ok=True)
        pending.unlink(missing_ok=True)
        os.close(fd)


def _take_spare(target: Path, scratch: Path) -> None:
    try:
        os.rename(spare_path(target), scratch)  # onto the empty folder: one step, or nothing
    except OSError:
        return
    for entry in os.listdir(scratch):
        if entry.startswith(".") or entry in KEPT_NAMES:
            path = scratch / entry
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


MARKER = ".site-builder-scratch"
"""A dot file (``mkdocs build --clean`` keeps dot entries) naming the scratch folder's build."""


def identity(folder: Path) -> str:
    """The token :func:`scratch_folder` left in ``folder`` ("" if none): a folder deleted and made
    again under the same name has none (an inode number would be reused at once)."""
    try:
        return (folder / MARKER).read_text(encoding="ascii")
    except (OSError, ValueError):
        return ""


def clean_leftovers(target: Path, *, older_than: float = 3600.0) -> int:
    """Remove scratch folders of interrupted builds: those whose lock no process holds.

    A folder without a lock file (an older version's) is judged by age (``older_than`` seconds).
    """
    removed = 0
    now = time.time()
    if not target.parent.is_dir():
        return 0
    prefix = scratch_name(target)
    for child in target.parent.iterdir():
        if not child.name.startswith(prefix):
            continue
        if child.name.endswith(LOCK_SUFFIX) and not child.is_dir():
            folder = child.with_name(child.name.removesuffix(LOCK_SUFFIX))
            if not folder.exists() and _owned(folder) is False:
                child.unlink(missing_ok=True)  # its folder is gone and nobody holds it
            continue
        if not child.is_dir():
            continue
        owned = _owned(child)
        if owned:
            continue
        if owned is None:
            try:
                if now - child.stat().st_mtime < older_than:
                    continue
            except OSError:
                continue
        shutil.rmtree(child, ignore_errors=True)
        _lock_path(child).unlink(missing_ok=True)
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


def publishable(folder: Path) -> int:
    """Give every folder mode 0755 and every file 0644 (as GitHub Pages requires); return how many
    entries changed. Links are left alone (the site has none: sources with links are refused)."""
    changed = 0
    for parent, dirs, files in os.walk(folder):
        for name, mode in [(d, DIR_MODE) for d in dirs] + [(f, FILE_MODE) for f in files] + [("", DIR_MODE)]:
            path = os.path.join(parent, name) if name else parent
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode) or stat.S_IMODE(st.st_mode) == mode:
                continue
            os.chmod(path, mode)
            changed += 1
    return changed


def carry_over(old: Path, new: Path) -> list[str]:
    """Copy the old site folder's dot entries and ``CNAME`` into the new one (hard links where possible).

    ``--site-dir`` may point at a gh-pages checkout: its ``.git``, ``.nojekyll`` and ``CNAME`` are
    not the build's to delete (plain ``mkdocs build`` keeps dot entries too). The old folder keeps
    its own until the swap, so a kill at any moment loses nothing.
    """
    if not old.is_dir():
        return []
    carried = []
    for entry in sorted(os.listdir(old)):
        if not (entry.startswith(".") or entry in KEPT_NAMES) or os.path.lexists(new / entry):
            continue
        source, dest = old / entry, new / entry
        if source.is_symlink():
            os.symlink(os.readlink(source), dest)
        elif source.is_dir():
            shutil.copytree(source, dest, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(source), str(dest))
        carried.append(entry)
    return carried


def _link_or_copy(source: str, dest: str) -> str:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)
    return dest


def swap_in(scratch: Path, target: Path, *, expected: str | None = None) -> None:
    """Make ``scratch`` the new ``target``; at no moment is there no site at ``target``.

    With an atomic exchange the old site is swapped out in one step; elsewhere the two renames
    leave the old site at :func:`old_path`, which :func:`recover` puts back after a kill.
    ``expected`` is the scratch folder's :func:`identity` when it was made: a folder deleted and
    made again since (by another process) holds part of a site and is refused (:class:`ScratchLost`).
    Folders become 0755 and files 0644, and the old site's dot entries and ``CNAME`` are kept.
    The old site is kept as :func:`spare_path` for the next build to start from.
    """
    if expected is not None:
        if not expected or identity(scratch) != expected:
            raise ScratchLost(str(scratch))
        (scratch / MARKER).unlink()
    publishable(scratch)
    carry_over(target, scratch)
    if target.exists():
        if _exchange(scratch, target):
            _keep_spare(scratch, target)
            return
        old = old_path(target)
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        scratch.rename(target)
        _keep_spare(old, target)
    else:
        scratch.rename(target)


# --- what may be published -----------------------------------------------------------------------

GENERATED_FILES = frozenset({urls.FEED_ATOM, urls.FEED_JSON})
GENERATED_FOLDERS = (urls.DATA, urls.SEARCH_DATA, urls.PHOTOS, urls.COVERS, urls.SOCIAL, urls.ADMIN)
"""Site paths the build writes itself: a hand-written file there would be silently dropped or,
copied by MkDocs over a hard-linked cache entry, write into the cache."""


def symlinks_under(folder: Path) -> list[Path]:
    """Every symbolic link at or under ``folder``, without following any (sorted)."""
    if folder.is_symlink():
        return [folder]
    found: list[Path] = []
    for parent, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = Path(parent) / name
            if path.is_symlink():
                found.append(path)
    return sorted(found)


def symlink_problems(folders: Iterable[Path], project: Path) -> list[str]:
    """A Chinese error for each symbolic link in the published source folders (docs/, theme/).

    Git stores links, so a pull request can add ``docs/x -> /etc/passwd`` and MkDocs would copy
    what it points to into the site. Links are refused wherever they point, as in ``cases/``.
    """
    problems = []
    for folder in folders:
        for link in symlinks_under(folder):
            try:
                points_to = os.readlink(link)
            except OSError:
                points_to = "?"
            problems.append(
                f"{shown_path(link, project)}: 是符号链接（指向「{points_to}」），网站不发布符号链接，"
                "以免把仓库之外的文件公开：请换成真正的文件（复制进来），或者删除它"
            )
    return problems


def shadowing_problems(files: Iterable[tuple[str, str]]) -> list[str]:
    """A Chinese error for each hand-written file (``(source shown, site path)``) on a generated path."""
    problems = []
    for shown, dest in files:
        if dest in GENERATED_FILES or dest.startswith(GENERATED_FOLDERS):
            problems.append(
                f"{shown}: 与自动生成的文件「{dest}」同名，发布时二者只能留一个：请给「{shown}」改名，"
                "或放到别的文件夹"
            )
    return problems


def shown_path(path: Path, project: Path) -> str:
    """``path`` relative to the project when inside it (as editors see it), else as given."""
    try:
        return str(path.absolute().relative_to(project.absolute()))
    except ValueError:
        return str(path)


# --- the disk refuses ----------------------------------------------------------------------------

_DISK_ERRORS = {
    errno.EROFS: "所在的磁盘或文件夹是只读的：请让它可写（缓存文件夹 .cache 可以整个删除，下次构建会重新生成）",
    errno.ENOSPC: "磁盘空间不足：请清理磁盘后重新构建（缓存文件夹 .cache 可以整个删除）",
    errno.EDQUOT: "超出了磁盘配额：请清理磁盘后重新构建（缓存文件夹 .cache 可以整个删除）",
    errno.EFBIG: "文件超过了系统允许的大小（例如 ulimit -f 的限制）：请放宽限制后重新构建",
    errno.EACCES: "没有写入权限：请检查这个文件夹的权限（或删除缓存文件夹 .cache 后重试）",
    errno.EPERM: "操作不被允许：请检查这个文件夹的权限（或删除缓存文件夹 .cache 后重试）",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹：请删除或改名这个文件",
    errno.EEXIST: "这里已有同名的文件，无法建立文件夹：请删除或改名这个文件",
    errno.EMFILE: "同时打开的文件太多：请放宽系统限制（ulimit -n）后重新构建",
}


def disk_problem(error: BaseException) -> str | None:
    """A Chinese sentence for a build stopped by the file system (read-only, full, quota, limits),
    naming the file; None when ``error`` (or what caused it) is not such a failure."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _DISK_ERRORS:
            where = f"「{current.filename}」" if current.filename else "文件"
            return f"无法写入{where}：{_DISK_ERRORS[current.errno]}。之前生成的网站保持不变"
        current = current.__cause__ or current.__context__
    return None


# --- no third-party request from the theme -------------------------------------------------------

THIRD_PARTY_SCRIPT = re.compile(r"https://(?:unpkg\.com|cdn\.jsdelivr\.net)/[^\s\"'`)]*")
"""Scripts the theme bundles (Material's, Zensical's) fetch from CDNs when a browser lacks
ResizeObserver or a page has a diagram, a code editor, a lightbox or Pyodide. No page here needs
them, but the site makes no third-party request even then: the CDNs are slow or blocked in
mainland China."""
EMPTY_SCRIPT = "data:text/javascript,"


def localize_theme_scripts(site_dir: Path) -> list[str]:
    """Point the theme bundle's CDN scripts at an empty script; return the files changed.

    The bundle is copied by MkDocs (not linked from a cache), so it is rewritten in place, atomically.
    """
    changed = []
    for bundle in sorted((site_dir / "assets" / "javascripts").glob("bundle.*.js")):
        text = bundle.read_text(encoding="utf-8")
        new = THIRD_PARTY_SCRIPT.sub(EMPTY_SCRIPT, text)
        if new != text:
            tmp = bundle.with_name(bundle.name + ".tmp")
            tmp.write_text(new, encoding="utf-8")
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, bundle)
            changed.append(bundle.relative_to(site_dir).as_posix())
    return changed


def source_problems(folder: Path, root: Path) -> list[tuple[str, str]]:
    """``(file, message)`` for each symlink in a published source folder and each file of it on a
    generated path: the checks every engine runs before it renders (the MkDocs adapter also checks
    the theme folder, which it alone knows)."""
    found = [tuple(p.split(": ", 1)) for p in symlink_problems([folder], root)]
    if folder.is_dir():
        files = sorted(
            (shown_path(path, root), path.relative_to(folder).as_posix())
            for path in folder.rglob("*")
            if path.is_file() and not path.is_symlink()
        )
        found += [tuple(p.split(": ", 1)) for p in shadowing_problems(files)]
    return [(shown, message) for shown, message in found]


# --- building over the last site ----------------------------------------------------------------

STASH = ".site-builder-previous"
"""A dot entry of the site folder holding the last site while the engine cleans the folder: the
engine deletes every visible entry (``mkdocs build --clean``) and keeps dot entries."""


class InPlace:
    """Build over the last site in ``site_dir`` instead of deleting it and writing every file again.

    A warm build changes a few files of thousands; deleting the folder and writing it whole costs
    more than the engine's rendering of the changed pages. So the last site is hidden from the
    engine's clean-up (:meth:`hide`, a handful of renames) and put back before anything is written
    (:meth:`reveal`); the engine and the core then write what they make (:meth:`clear_for_write`
    first, so a write never goes through a hard link into a cache entry), the adapter leaves
    unchanged files where they are, and :meth:`remove_stale` deletes every file no one made or kept
    this build. The folder then holds exactly what a build into an empty folder writes.
    """

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self.stash = site_dir / STASH
        self.since: int | None = None
        """The clock at :meth:`hide` (ns): a file written later is this build's."""

    def hide(self) -> None:
        """Move the last site's visible entries into :data:`STASH`, out of the engine's clean-up."""
        if self.stash.exists():  # an interrupted build's: its files are not trusted
            shutil.rmtree(self.stash, ignore_errors=True)
        if not self.site_dir.is_dir():
            return
        entries = [e for e in os.listdir(self.site_dir) if not e.startswith(".")]
        if not entries:
            return
        self.stash.mkdir()
        self.since = os.stat(self.stash).st_mtime_ns
        for entry in entries:
            os.rename(self.site_dir / entry, self.stash / entry)

    def reveal(self) -> None:
        """Put the hidden entries back (the engine has cleaned the folder by now)."""
        if not self.stash.is_dir():
            return
        for entry in os.listdir(self.stash):
            target = self.site_dir / entry
            if os.path.lexists(target):  # made by someone in between: theirs stays
                continue
            os.rename(self.stash / entry, target)
        shutil.rmtree(self.stash, ignore_errors=True)

    def clear_for_write(self, paths: Iterable[str]) -> None:
        """Unlink each of ``paths`` that a write could not simply replace: a hard link (a cache
        entry's other name), a link, a folder."""
        if self.since is None:
            return
        for path in paths:
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                shutil.rmtree(path)
            elif st.st_nlink > 1 or not stat.S_ISREG(st.st_mode):
                os.unlink(path)

    def remove_stale(self, known: Iterable[str]) -> int:
        """Delete every file this build neither made nor kept, and every folder left empty.

        A file is this build's when its path is in ``known`` (what the engine and the core made
        or left in place) or it was written after :meth:`hide` (by any other plugin). The top
        level's dot entries are never touched (a gh-pages checkout's ``.git``). Returns how many
        files went.
        """
        if self.since is None:
            return 0
        keep = {os.path.normpath(p) for p in known}
        since = self.since
        removed = 0

        def sweep(folder: str, top: bool) -> bool:
            nonlocal removed
            empty = True
            with os.scandir(folder) as it:
                entries = list(it)
            for entry in entries:
                if top and entry.name.startswith("."):
                    empty = False
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if sweep(entry.path, False):
                        os.rmdir(entry.path)
                    else:
                        empty = False
                elif entry.path in keep or entry.stat(follow_symlinks=False).st_mtime_ns >= since:
                    empty = False
                else:
                    os.unlink(entry.path)
                    removed += 1
            return empty

        sweep(os.path.normpath(self.site_dir), True)
        return removed

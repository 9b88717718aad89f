"""The one cache helper: a content-addressed store under ``.cache/site_builder``.

Expensive outputs (page bodies, photos, covers, social cards) are stored under a key that hashes
everything they depend on, including the code that makes them, so an unchanged rebuild does no
work and a code change invalidates exactly what it affects. Entries are written atomically and
carry a digest of their content: a truncated or edited entry is treated as missing and made
again, never served.

Every namespace is a row of :data:`CACHES` (what its entries hold, the code they depend on, how
long an unused entry is kept). Every key comes from :func:`cache_key`, which always mixes in the
environment (Python's version and every installed distribution's version, so an upgraded
sanitizer or image library can never serve pages made by the old one) and the namespace's code.
:func:`prune_caches` is the one pruner, run once at the end of a build.

Checking a digest means reading the whole entry and its digest file. A warm build at 1,000 cases
checks ~4,000 entries (100 MB of covers and cards), so an entry verified once is recorded in the
namespace's ``.stamps.json`` with its size, modification and change times and inode: while those are unchanged
(nothing rewrote or replaced the file, as with git's index), it is served without rereading.
An edit, a truncation or a restore from another machine's cache changes the stamp and sends the
entry through the full check again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: stamps are saved without a lock
    fcntl = None  # type: ignore[assignment]

CACHE_DIR = Path(".cache") / "site_builder"
PACKAGE = Path(__file__).resolve().parent


def cache_root(project: Path) -> Path:
    """Where a project's caches live."""
    return project / CACHE_DIR


SHARED_ENV = "SITE_BUILDER_SHARED_CACHE"
"""A folder whose shareable namespaces (:data:`SHAREABLE`) every project uses instead of its own:
throwaway test projects then draw each cover and card once per session, not once per project."""

SHAREABLE = frozenset({"art"})
"""Namespaces whose keys hold every input (no project path, no per-build table), so projects can share
them; the project's pruner never touches a shared folder."""


def namespace_root(project_cache: Path, namespace: str) -> Path:
    """The root holding ``namespace`` for a project whose cache root is ``project_cache``: the shared
    root of :data:`SHARED_ENV` for a shareable namespace when it is set, else the project's own."""
    shared = os.environ.get(SHARED_ENV, "").strip()
    if shared and namespace in SHAREABLE:
        return Path(shared).resolve()
    return project_cache


@cache
def code_fingerprint(*paths: str) -> str:
    """Hash of source files or folders (relative to the package), so code changes invalidate entries."""
    h = hashlib.sha256()
    for rel in paths:
        target = PACKAGE / rel
        files = sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]
        for f in files:
            if f.suffix in {".pyc"}:
                continue
            h.update(str(f.relative_to(PACKAGE)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def fingerprint(*parts: Any) -> str:
    """A stable key for JSON-serialisable inputs (sorted keys, no whitespace differences)."""
    payload = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


HOUR = 3600.0
DAY = 24 * HOUR


@dataclass(frozen=True)
class Namespace:
    """One named cache: what it holds, the package code its entries are computed by, how long an
    entry no build used is kept, and what it buys (measured; see benchmarks/README.md)."""

    name: str
    holds: str
    code: tuple[str, ...]
    max_age: float
    buys: str


CACHES: tuple[Namespace, ...] = (
    Namespace(
        "parsed",
        "each case file's YAML document with positions",
        ("casefile",),
        DAY,
        "no YAML parse of an unchanged file",
    ),
    Namespace(
        "checked",
        "each clean case file's positions, validated case and own lint findings, by its bytes, one pack a project",
        ("casefile", "checks/lint.py", "textnorm.py", "errors.py", "media/fonts.py"),
        DAY,
        "no YAML parse, per-field checks or per-file lints of an unchanged file",
    ),
    Namespace(
        "findings",
        "validate's cross-case lint and search-table findings, by every case file's bytes and path",
        ("casefile", "checks", "textnorm.py", "errors.py", "media/fonts.py", "outputs/search", "data"),
        DAY,
        "no cross-case lints when no case file changed",
    ),
    Namespace(
        "pages",
        "each case page's body HTML, keyed by the template context it rendered",
        ("pages", "browse"),
        7 * DAY,
        "no Markdown, sanitizer or Jinja work for an unchanged case page",
    ),
    Namespace(
        "site-pages",
        "each browse, stats, home and search page's body, keyed by what it shows of the cases it lists",
        ("pages", "browse", "outputs/search"),
        DAY,
        "no browse/home/stats rendering for a page whose listed cards and counts did not change",
    ),
    Namespace(
        "outputs",
        "search index, open data and feeds (content-addressed files and per-site manifests)",
        (".",),
        600.0,
        "no search index or data export computation when no case changed; files linked, not written",
    ),
    Namespace(
        "search-docs",
        "each case's search document and tokens (postings, numbers, pinyin), by case and word tables",
        ("outputs/search", "textnorm.py", "casefile", "browse/facets.py", "data"),
        7 * DAY,
        "no tokenizing or pinyin of an unchanged case: an edit's search index is assembled from parts",
    ),
    Namespace(
        "data-rows",
        "the last build's record in data/cases.json and row of data/cases.csv of each case (one table)",
        ("outputs/export.py", "pages/markup.py", "pages/citation.py", "browse/urls.py", "casefile"),
        7 * DAY,
        "no record, citation or Markdown rendering of an unchanged case for the open data",
    ),
    Namespace(
        "builds",
        "a whole build's page list and media plan, named by its inputs",
        (".",),
        600.0,
        "no per-case lookups at all when nothing changed",
    ),
    Namespace(
        "media-plan",
        "the last build's cover and card of each case without photos, by what they draw",
        ("media", "browse/urls.py"),
        DAY,
        "no art keys for an unchanged case: an edit looks up the covers and cards of the edited case only",
    ),
    Namespace(
        "related",
        "every case's related cases",
        ("browse/model.py",),
        600.0,
        "no quadratic related-case scoring when no case's facets changed",
    ),
    Namespace(
        "rendered",
        "each generated page as the engine finished it, keyed by its data and the site-wide chrome",
        ("rendered.py", "plugin.py", "engines/zensical.py", "pages/render.py"),
        HOUR,
        "an unchanged page never reaches the engine (no Markdown, template or write): it is linked into the site",
    ),
    Namespace(
        "admin",
        "the form editor's files (/admin/) by content, and their list by the build's settings, the date and the installed npm files",
        (".",),
        DAY,
        "no reading, sha256 check and rewriting of the editor's 3.5 MB each build: its files are linked",
    ),
    Namespace(
        "pinyin",
        "the form editor's pinyin table (admin/pinyin.js)",
        ("cms/admin.py",),
        DAY,
        "no import of pypinyin's dictionary (~0.5 s of CPU a build)",
    ),
    Namespace("slugs", "tag -> URL slug", ("browse/model.py",), DAY, "no pypinyin import (its segmenter)"),
    Namespace("qr", "page address -> QR code image", ("pages/qr.py",), DAY, "no QR encoding (~3 ms a page)"),
    Namespace(
        "jinja",
        "compiled Jinja templates (Material's and the site's)",
        ("pages/jinjacache.py",),
        DAY,
        "no template compilation (~1 s of CPU a build)",
    ),
    Namespace(
        "history",
        "renamed and deleted cases in git history, by HEAD commit",
        ("history.py",),
        DAY,
        "no `git log` of the cases folder when HEAD did not move",
    ),
    Namespace(
        "terms",
        "facet values of each case file version in git history (by blob sha), and their summary by HEAD",
        ("termhistory.py", "browse/facets.py", "casefile"),
        7 * DAY,
        "no `git log --raw` or `git cat-file` of old case versions when HEAD did not move",
    ),
    Namespace(
        "images",
        "contributed photos as WebP variants and a JPEG fallback",
        ("media/photos.py",),
        0.0,
        "no photo decode or encode for an unchanged photo",
    ),
    Namespace(
        "art",
        "covers and social cards",
        ("media/art.py", "media/fonts.py"),
        0.0,
        "no drawing of covers (~10 ms) and cards (~40 ms)",
    ),
)
"""The table of every cache namespace; :class:`Store` refuses a name not listed here."""

NAMESPACES = {ns.name: ns for ns in CACHES}

DISABLED_ENV = "SITE_BUILDER_CACHE_OFF"
"""Comma-separated namespaces that always miss and never write (the benchmark measures each
namespace's worth this way)."""


@cache
def environment_fingerprint() -> str:
    """Python's version and the name and version of every installed distribution.

    Read from the ``*.dist-info`` folder names on ``sys.path`` (a directory listing, ~1 ms, where
    reading every distribution's metadata costs ~50 ms). The project's own distribution is left
    out: its code enters keys through :func:`code_fingerprint`.
    """
    found: set[str] = set()
    for entry in sys.path:
        if not entry or not os.path.isabs(entry):
            continue
        try:
            with os.scandir(entry) as listing:
                for item in listing:
                    name = item.name
                    if name.endswith((".dist-info", ".egg-info")) and not name.lower().startswith(
                        ("site_builder-", "site-builder-")
                    ):
                        found.add(name.lower())
        except OSError:
            continue
    return fingerprint(sys.version, sorted(found))


def cache_key(namespace: str, *inputs: Any) -> str:
    """The key of an entry of ``namespace`` made from ``inputs``: they, the namespace's declared
    code and the environment (:func:`environment_fingerprint`) are all in it."""
    ns = NAMESPACES[namespace]
    return fingerprint(namespace, environment_fingerprint(), code_fingerprint(*ns.code), inputs)


def disabled_namespaces() -> frozenset[str]:
    """The namespaces switched off for this process (see :data:`DISABLED_ENV`)."""
    return frozenset(x.strip() for x in os.environ.get(DISABLED_ENV, "").split(",") if x.strip())


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` so that readers see the old file or the whole new one, never a part."""
    import tempfile  # here: ``validate`` on unchanged cases never writes, nor imports it

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


STAMPS_FILE = ".stamps.json"
SETTLE_NS = 2_000_000_000
"""A file written less than this long ago is not stamped: an in-place edit within the file system's
timestamp granularity could keep its modification time (git's "racily clean" entries)."""

Stamp = tuple[int, int, int, int]
_CONTENT_NAME = re.compile(r"c-([0-9a-f]{64})")


def _stamp(st: os.stat_result) -> Stamp:
    """Size, mtime, inode and ctime: ctime cannot be set from user space, so an in-place edit that
    puts the mtime back (``cp -p``, ``rsync --inplace -t``, a restore tool) still changes the stamp.

    An entry hard-linked into a site (outputs, covers, cards, photos) has its ctime changed by
    every build that links or unlinks it, so for those the link count stands in for it: stable
    from one warm build to the next, and changed by any new link an editor of the file makes.
    """
    changed = st.st_ctime_ns if st.st_nlink == 1 else -st.st_nlink
    return (st.st_size, st.st_mtime_ns, st.st_ino, changed)


class Stamps:
    """The entries of one cache folder already verified, by name: ``(size, mtime_ns, inode, ctime_ns)``.

    Loaded once per process and folder; :func:`save_stamps` merges what this process verified
    into the file. A lost or damaged stamps file only costs a full check of every entry.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.known: dict[str, Stamp] = {}
        self.added: dict[str, Stamp] = {}
        self.dropped: set[str] = set()
        self.known.update(self._read())

    def _read(self) -> dict[str, Stamp]:
        try:
            raw = json.loads((self.folder / STAMPS_FILE).read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(raw, dict):
            return {}
        return {
            k: (v[0], v[1], v[2], v[3])
            for k, v in raw.items()
            if isinstance(k, str) and isinstance(v, list) and len(v) == 4 and all(type(x) is int for x in v)
        }

    def matches(self, name: str, st: os.stat_result) -> bool:
        """True when ``name`` was verified before and its file is unchanged since."""
        return self.known.get(name) == _stamp(st)

    def record(self, name: str, st: os.stat_result) -> None:
        """Remember that ``name`` passed its digest check (unless it was written too recently)."""
        if time.time_ns() - st.st_mtime_ns < SETTLE_NS:
            return
        stamp = _stamp(st)
        with _LOCK:
            if self.known.get(name) != stamp:
                self.known[name] = self.added[name] = stamp

    def forget(self, name: str) -> None:
        """The entry was deleted or replaced."""
        with _LOCK:
            if self.known.pop(name, None) is not None or name in self.added:
                self.added.pop(name, None)
                self.dropped.add(name)

    def save(self) -> None:
        """Merge this process's changes into the stamps file (under a file lock where there is one).

        The preview server saves on its writer thread while the next build reads the cache.
        """
        with _LOCK:
            added, dropped = dict(self.added), set(self.dropped)
            self.added.clear()
            self.dropped.clear()
        if not (added or dropped) or not self.folder.is_dir():
            return
        with open(self.folder / ".stamps.lock", "a+b") as lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            merged = self._read()
            for name in dropped:
                merged.pop(name, None)
            merged.update(added)
            data = json.dumps(merged, sort_keys=True, separators=(",", ":")).encode("ascii")
            atomic_write(self.folder / STAMPS_FILE, data)


_STAMPS: dict[Path, Stamps] = {}
_LOCK = threading.RLock()


def stamps_of(folder: Path) -> Stamps:
    """The (process-wide) stamps of one cache folder."""
    found = _STAMPS.get(folder)
    if found is None:
        with _LOCK:
            found = _STAMPS.setdefault(folder, Stamps(folder))
    return found


def save_stamps() -> None:
    """Keep every entry this process verified for the next build (call once at the end of a build,
    and in forked workers before they exit)."""
    with _LOCK:
        every = list(_STAMPS.values())
    for stamps in every:
        try:
            stamps.save()
        except OSError:
            continue  # a read-only or vanished cache: the next build checks digests again


def forget_stamps() -> None:
    """Drop what this process knows (tests that rebuild caches under the same paths)."""
    with _LOCK:
        _STAMPS.clear()


_USED: dict[Path, set[str]] = {}
"""Cache folder -> the entries this process (and the workers it joined) read or wrote."""


def used_entries() -> dict[str, list[str]]:
    """What this process used, to hand from a worker to its parent (:func:`note_used`)."""
    with _LOCK:
        return {str(folder): sorted(names) for folder, names in _USED.items()}


def note_used(entries: dict[str, list[str]]) -> None:
    """Add a worker's :func:`used_entries`, so the pruner keeps what the worker made."""
    with _LOCK:
        for folder, names in entries.items():
            _USED.setdefault(Path(folder), set()).update(names)


def forget_used() -> None:
    """Start a new record of used entries (a new build in the same process: the preview)."""
    with _LOCK:
        _USED.clear()


class Store:
    """One namespace of the cache: files named by key, each with a digest.

    In a project's cache the namespace is a row of :data:`CACHES` (a test checks every store the
    package opens); other folders (tests' scratch caches) are stores all the same.
    """

    def __init__(self, root: Path, namespace: str):
        self.namespace = namespace
        self.dir = root / namespace
        self._dir = str(self.dir)  # entries are looked up thousands of times a build: no Path per lookup
        self.off = namespace in disabled_namespaces()

    def keep(self, names: Iterable[str]) -> None:
        """Mark entries as used by this build (made elsewhere, e.g. named by a remembered build)."""
        with _LOCK:
            _USED.setdefault(self.dir, set()).update(names)

    def path(self, name: str) -> Path:
        """Where the entry ``name`` lives (it may not exist)."""
        return self.dir / name

    def _verified(self, name: str, data: bytes, st: os.stat_result) -> bool:
        stamps = stamps_of(self.dir)
        if stamps.matches(name, st):
            return True
        named = _CONTENT_NAME.fullmatch(name)
        try:
            expected = (
                named[1] if named else (self.dir / f".{name}.sha256").read_text(encoding="ascii").strip()
            )
        except OSError:
            return False
        if _digest(data) != expected:
            return False
        stamps.record(name, st)
        return True

    def get(self, name: str) -> bytes | None:
        """The entry's bytes if present and intact; None otherwise (the caller makes it again)."""
        try:
            with open(os.path.join(self._dir, name), "rb") as fh:
                st = os.fstat(fh.fileno())
                data = fh.read()
        except OSError:
            return None
        if self.off or not self._verified(name, data, st):
            return None
        self.keep((name,))
        return data

    def has(self, name: str) -> bool:
        """True when the entry is present and intact (without reading it when its stamp still holds)."""
        if self.off:
            return False
        try:
            st = os.stat(os.path.join(self._dir, name))
        except OSError:
            return False
        if stamps_of(self.dir).matches(name, st):
            self.keep((name,))
            return True
        return self.get(name) is not None

    def put(self, name: str, data: bytes) -> Path:
        """Store an entry (data first, then its digest: a kill in between leaves a miss, not a lie)."""
        path = self.dir / name
        stamps_of(self.dir).forget(name)
        atomic_write(path, data)
        atomic_write(self.dir / f".{name}.sha256", _digest(data).encode("ascii"))
        self.keep((name,))
        return path

    def put_content(self, data: bytes) -> str:
        """Store ``data`` under its own digest and return that name (no digest file: the name is one).

        Content already stored is not written again, so files that did not change between builds
        are never recreated (creating a file costs far more than linking one).
        """
        name = "c-" + _digest(data)
        if not self.has(name):
            stamps_of(self.dir).forget(name)
            atomic_write(self.dir / name, data)
        self.keep((name,))
        return name

    def prune(self, keep: Iterable[str], *, older_than: float = 0.0) -> int:
        """Delete entries not in ``keep`` (and stale temporary files); return how many were removed.

        ``older_than`` (seconds) spares entries used recently, e.g. by the preview's other pages.
        """
        if not self.dir.is_dir():
            return 0
        wanted = set(keep)
        wanted |= {f".{n}.sha256" for n in wanted} | {STAMPS_FILE, ".stamps.lock", PRUNED_FILE}
        stamps = stamps_of(self.dir)
        now = time.time()
        removed = 0
        with os.scandir(self.dir) as listing:  # names and types from the listing: no stat of a kept entry
            children = [(e.name, e.path) for e in listing if e.name not in wanted and e.is_file()]
        for name, path in children:
            try:
                if older_than and now - os.stat(path).st_mtime < older_than:
                    continue
                os.unlink(path)
            except OSError:
                continue
            stamps.forget(name)
            removed += not name.endswith(".sha256")
        return removed


PRUNED_FILE = ".pruned"
"""Touched in a namespace's folder when a build pruned it (see :func:`prune_caches`'s ``spaced``)."""
PRUNE_GAP = 0.25
"""With ``spaced``, a namespace is pruned again once this share of its ``max_age`` has passed."""


def prune_caches(root: Path, *, spaced: bool = False) -> int:
    """The one pruner: in every namespace this process used under ``root``, delete the entries it
    did not use that are older than the namespace's ``max_age``; return how many were removed.

    Run once at the end of a build. A namespace this build never opened is left alone (a build
    without photos does not empty the photo cache of another branch's build). ``spaced`` (builds)
    skips a namespace pruned less than :data:`PRUNE_GAP` of its ``max_age`` ago: listing some
    ten thousand entries on every build cost a tenth of a one-case edit, and an unused entry only
    stays that much longer (a namespace whose entries age at once is pruned every time).
    """
    with _LOCK:
        used = {folder: set(names) for folder, names in _USED.items() if folder.parent == root}
    removed = 0
    now = time.time()
    for folder, names in sorted(used.items()):
        ns = NAMESPACES.get(folder.name)
        if ns is None or ns.name in disabled_namespaces():
            continue
        marker = folder / PRUNED_FILE
        if spaced and ns.max_age > 0:
            try:
                if now - marker.stat().st_mtime < ns.max_age * PRUNE_GAP:
                    continue
            except OSError:
                pass
        removed += Store(root, ns.name).prune(names, older_than=ns.max_age)
        if spaced and folder.is_dir():
            with contextlib.suppress(OSError):
                marker.touch()
    return removed


class Memo:
    """A remembered ``str -> str`` table: values slow to compute, cheap to keep (tag slugs, QR codes).

    :meth:`load` reads the table a previous build saved under ``version`` (a fingerprint of the code
    and library versions that compute the values, so a change of either starts afresh); :meth:`save`
    keeps only the values this build used, and writes only when they changed. Like every entry of
    the store, a damaged table is ignored, never trusted.
    """

    def __init__(self, namespace: str, compute: Callable[[str], str]):
        self.namespace = namespace
        self.compute = compute
        self.values: dict[str, str] = {}
        self.used: set[str] = set()

    def __call__(self, key: str) -> str:
        value = self.values.get(key)
        if value is None:
            value = self.values[key] = self.compute(key)
        self.used.add(key)
        return value

    def _entry(self, root: Path, version: str) -> tuple[Store, str]:
        return Store(root, self.namespace), f"{self.namespace}-{cache_key(self.namespace, version)}.json"

    def load(self, root: Path, version: str = "") -> None:
        """Take the values a previous build saved (nothing if absent, damaged or of other code)."""
        store, name = self._entry(root, version)
        data = store.get(name)
        try:
            loaded = json.loads(data) if data is not None else {}
        except ValueError:
            return
        if isinstance(loaded, dict):
            self.values.update({k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, str)})

    def save(self, root: Path, version: str = "") -> None:
        """Keep the values this process used for the next build."""
        store, name = self._entry(root, version)
        data = json.dumps({k: self.values[k] for k in sorted(self.used)}, ensure_ascii=False, sort_keys=True)
        if store.get(name) != data.encode("utf-8"):
            store.put(name, data.encode("utf-8"))

    def reset(self) -> None:
        """Forget every value (tests)."""
        self.values.clear()
        self.used.clear()

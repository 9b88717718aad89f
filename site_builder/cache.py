"""The one cache helper: a content-addressed store under ``.cache/site_builder``.

Expensive outputs (page bodies, photos, covers, social cards) are stored under a key that hashes
everything they depend on, including the code that makes them, so an unchanged rebuild does no
work and a code change invalidates exactly what it affects. Entries are written atomically and
carry a digest of their content: a truncated or edited entry is treated as missing and made
again, never served.

Checking a digest means reading the whole entry and its digest file. A warm build at 1,000 cases
checks ~4,000 entries (100 MB of covers and cards), so an entry verified once is recorded in the
namespace's ``.stamps.json`` with its size, modification and change times and inode: while those are unchanged
(nothing rewrote or replaced the file, as with git's index), it is served without rereading.
An edit, a truncation or a restore from another machine's cache changes the stamp and sends the
entry through the full check again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
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


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` so that readers see the old file or the whole new one, never a part."""
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
    puts the mtime back (``cp -p``, ``rsync --inplace -t``, a restore tool) still changes the stamp."""
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


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


class Store:
    """One namespace of the cache (``pages``, ``art`` …): files named by key, each with a digest."""

    def __init__(self, root: Path, namespace: str):
        self.dir = root / namespace

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
            with open(self.dir / name, "rb") as fh:
                st = os.fstat(fh.fileno())
                data = fh.read()
        except OSError:
            return None
        return data if self._verified(name, data, st) else None

    def has(self, name: str) -> bool:
        """True when the entry is present and intact (without reading it when its stamp still holds)."""
        path = self.dir / name
        try:
            st = os.stat(path)
        except OSError:
            return False
        if stamps_of(self.dir).matches(name, st):
            return True
        return self.get(name) is not None

    def put(self, name: str, data: bytes) -> Path:
        """Store an entry (data first, then its digest: a kill in between leaves a miss, not a lie)."""
        path = self.dir / name
        stamps_of(self.dir).forget(name)
        atomic_write(path, data)
        atomic_write(self.dir / f".{name}.sha256", _digest(data).encode("ascii"))
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
        return name

    def prune(self, keep: Iterable[str], *, older_than: float = 0.0) -> int:
        """Delete entries not in ``keep`` (and stale temporary files); return how many were removed.

        ``older_than`` (seconds) spares entries used recently, e.g. by the preview's other pages.
        """
        if not self.dir.is_dir():
            return 0
        wanted = set(keep)
        wanted |= {f".{n}.sha256" for n in wanted} | {STAMPS_FILE, ".stamps.lock"}
        stamps = stamps_of(self.dir)
        now = time.time()
        removed = 0
        for child in self.dir.iterdir():
            if not child.is_file() or child.name in wanted:
                continue
            try:
                if older_than and now - child.stat().st_mtime < older_than:
                    continue
                child.unlink()
            except OSError:
                continue
            stamps.forget(child.name)
            removed += not child.name.endswith(".sha256")
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
        return Store(root, self.namespace), f"{self.namespace}-{version}.json"

    def load(self, root: Path, version: str) -> None:
        """Take the values a previous build saved (nothing if absent, damaged or of other code)."""
        store, name = self._entry(root, version)
        data = store.get(name)
        try:
            loaded = json.loads(data) if data is not None else {}
        except ValueError:
            return
        if isinstance(loaded, dict):
            self.values.update({k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, str)})

    def save(self, root: Path, version: str) -> None:
        """Keep the values this process used for the next build."""
        store, name = self._entry(root, version)
        data = json.dumps({k: self.values[k] for k in sorted(self.used)}, ensure_ascii=False, sort_keys=True)
        if store.get(name) != data.encode("utf-8"):
            store.put(name, data.encode("utf-8"))
            store.prune([name])

    def reset(self) -> None:
        """Forget every value (tests)."""
        self.values.clear()
        self.used.clear()

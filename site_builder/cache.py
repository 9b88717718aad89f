"""The one cache helper: a content-addressed store under ``.cache/site_builder``.

Expensive outputs (page bodies, photos, covers, social cards) are stored under a key that hashes
everything they depend on, including the code that makes them, so an unchanged rebuild does no
work and a code change invalidates exactly what it affects. Entries are written atomically and
carry a digest of their content: a truncated or edited entry is treated as missing and made
again, never served.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

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


class Store:
    """One namespace of the cache (``pages``, ``art`` …): files named by key, each with a digest."""

    def __init__(self, root: Path, namespace: str):
        self.dir = root / namespace

    def path(self, name: str) -> Path:
        """Where the entry ``name`` lives (it may not exist)."""
        return self.dir / name

    def get(self, name: str) -> bytes | None:
        """The entry's bytes if present and intact; None otherwise (the caller makes it again)."""
        path = self.dir / name
        try:
            data = path.read_bytes()
            expected = (self.dir / f".{name}.sha256").read_text(encoding="ascii").strip()
        except OSError:
            return None
        return data if _digest(data) == expected else None

    def has(self, name: str) -> bool:
        """True when the entry is present and intact."""
        return self.get(name) is not None

    def put(self, name: str, data: bytes) -> Path:
        """Store an entry (data first, then its digest: a kill in between leaves a miss, not a lie)."""
        path = self.dir / name
        atomic_write(path, data)
        atomic_write(self.dir / f".{name}.sha256", _digest(data).encode("ascii"))
        return path

    def prune(self, keep: Iterable[str], *, older_than: float = 0.0) -> int:
        """Delete entries not in ``keep`` (and stale temporary files); return how many were removed.

        ``older_than`` (seconds) spares entries used recently, e.g. by the preview's other pages.
        """
        if not self.dir.is_dir():
            return 0
        wanted = set(keep)
        wanted |= {f".{n}.sha256" for n in wanted}
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

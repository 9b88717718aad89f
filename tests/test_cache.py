"""The one cache helper: atomic entries with digests; damaged entries are misses, never served."""

from __future__ import annotations

import os
import time
from pathlib import Path

from site_builder.cache import (
    Memo,
    Store,
    atomic_write,
    code_fingerprint,
    fingerprint,
    forget_stamps,
    save_stamps,
)


def test_put_get_and_damage(tmp_path: Path) -> None:
    store = Store(tmp_path, "ns")
    store.put("a.bin", b"hello")
    assert store.get("a.bin") == b"hello"
    store.path("a.bin").write_bytes(b"hell")  # truncated
    assert store.get("a.bin") is None
    store.path("a.bin").write_bytes(b"HELLO")  # edited
    assert store.get("a.bin") is None
    (tmp_path / "ns" / ".a.bin.sha256").unlink()  # killed between data and digest
    store.path("a.bin").write_bytes(b"hello")
    assert store.get("a.bin") is None
    assert store.get("missing") is None


def test_prune_keeps_wanted_and_recent(tmp_path: Path) -> None:
    store = Store(tmp_path, "ns")
    for name in ("keep", "old", "new"):
        store.put(name, name.encode())
    past = time.time() - 3600
    for name in ("old", ".old.sha256"):
        os.utime(store.dir / name, (past, past))
    (store.dir / ".tmp-stale").write_bytes(b"x")
    os.utime(store.dir / ".tmp-stale", (past, past))
    assert store.prune({"keep"}, older_than=60) == 2  # "old" and the stale temp file
    assert store.get("keep") == b"keep" and store.get("new") == b"new" and store.get("old") is None


def test_fingerprints_are_stable() -> None:
    assert fingerprint({"b": 1, "a": [1, 2]}) == fingerprint({"a": [1, 2], "b": 1})
    assert fingerprint("x") != fingerprint("y")
    assert code_fingerprint("pages") == code_fingerprint("pages") != code_fingerprint("browse")


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "d" / "f.txt"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["f.txt"]


def test_memo_keeps_used_values_for_the_same_code_only(tmp_path: Path) -> None:
    calls: list[str] = []

    def compute(key: str) -> str:
        calls.append(key)
        return key.upper()

    memo = Memo("m", compute)
    assert memo("a") == "A" and memo("b") == "B" and memo("a") == "A"
    assert calls == ["a", "b"]
    memo.save(tmp_path, "v1")
    fresh = Memo("m", compute)
    fresh.load(tmp_path, "v1")
    assert fresh.values == {"a": "A", "b": "B"}
    other = Memo("m", compute)
    other.load(tmp_path, "v2")  # other code or library version: start afresh
    assert other.values == {}
    fresh.used.clear()
    fresh("a")
    fresh.save(tmp_path, "v1")  # only what this build used is kept
    again = Memo("m", compute)
    again.load(tmp_path, "v1")
    assert again.values == {"a": "A"}


def test_an_entry_verified_once_is_served_by_its_stamp(tmp_path: Path) -> None:
    """A settled, intact entry is stamped; later reads skip the digest file until the file changes."""
    store = Store(tmp_path, "ns")
    store.put("a.bin", b"hello")
    settled = time.time() - 60
    os.utime(store.path("a.bin"), (settled, settled))
    assert store.get("a.bin") == b"hello"  # full check, then stamped
    save_stamps()
    forget_stamps()  # a new build: stamps come from the file
    (tmp_path / "ns" / ".a.bin.sha256").unlink()
    assert store.has("a.bin") and store.get("a.bin") == b"hello"  # served by its stamp alone


def test_a_stamp_never_hides_a_change(tmp_path: Path) -> None:
    """Edited in place, truncated, or replaced by a file with the same size and time: checked again."""
    store = Store(tmp_path, "ns")
    settled = time.time() - 60
    for name in ("edited", "truncated", "replaced"):
        store.put(name, b"hello")
        os.utime(store.path(name), (settled, settled))
        assert store.has(name)
    save_stamps()
    forget_stamps()
    store.path("edited").write_bytes(b"HELLO")
    os.utime(store.path("edited"), (settled + 1, settled + 1))
    store.path("truncated").write_bytes(b"hell")
    replacement = tmp_path / "other"
    replacement.write_bytes(b"HELLO")
    os.utime(replacement, (settled, settled))
    os.replace(replacement, store.path("replaced"))  # same size and time, another inode
    for name in ("edited", "truncated", "replaced"):
        assert not store.has(name) and store.get(name) is None, name


def test_a_damaged_stamps_file_only_costs_a_full_check(tmp_path: Path) -> None:
    store = Store(tmp_path, "ns")
    store.put("a.bin", b"hello")
    (tmp_path / "ns" / ".stamps.json").write_text('{"a.bin": [1, 2', encoding="ascii")
    forget_stamps()
    assert store.get("a.bin") == b"hello"
    store.path("a.bin").write_bytes(b"HELLO")
    assert store.get("a.bin") is None


def test_a_same_size_edit_with_its_time_put_back_is_checked_again(tmp_path: Path) -> None:
    """``cp -p`` or ``rsync --inplace -t`` over an entry keeps size, mtime and inode; ctime still moves."""
    store = Store(tmp_path, "ns")
    store.put("body.html", b"<p>safe</p>")
    settled = time.time() - 60
    os.utime(store.path("body.html"), (settled, settled))
    assert store.has("body.html")
    save_stamps()
    forget_stamps()
    before = os.stat(store.path("body.html"))
    time.sleep(0.01)  # let the clock move past the stamp's change time
    with open(store.path("body.html"), "r+b") as fh:  # same inode, same size
        fh.write(b"<script>x")
    os.utime(store.path("body.html"), ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(store.path("body.html"))
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    assert store.get("body.html") is None and not store.has("body.html")

"""The one cache helper: atomic entries with digests; damaged entries are misses, never served."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from site_builder.cache import (
    CACHES,
    DISABLED_ENV,
    NAMESPACES,
    Memo,
    Store,
    atomic_write,
    cache_key,
    code_fingerprint,
    disabled_namespaces,
    environment_fingerprint,
    fingerprint,
    forget_stamps,
    forget_used,
    prune_caches,
    save_stamps,
)
from site_builder.parallel import can_fork, fork_call
from tests.support.project import ROOT


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

    memo = Memo("qr", compute)
    assert memo("a") == "A" and memo("b") == "B" and memo("a") == "A"
    assert calls == ["a", "b"]
    memo.save(tmp_path, "v1")
    fresh = Memo("qr", compute)
    fresh.load(tmp_path, "v1")
    assert fresh.values == {"a": "A", "b": "B"}
    other = Memo("qr", compute)
    other.load(tmp_path, "v2")  # other code or library version: start afresh
    assert other.values == {}
    fresh.used.clear()
    fresh("a")
    fresh.save(tmp_path, "v1")  # only what this build used is kept
    again = Memo("qr", compute)
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


def test_every_namespace_the_package_opens_is_a_row_of_the_table() -> None:
    """One table of caches: a store or memo opened by name in the package is declared in CACHES."""
    opened: set[str] = set()
    for source in (ROOT / "site_builder").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        opened |= set(
            re.findall(r"""(?:Store\((?:[^,()]|\([^()]*\))+,|Memo\(|cache_key\()\s*["']([\w-]+)["']""", text)
        )
        opened |= {m.group(1) for m in re.finditer(r"""cache(?:_dir)?\s*/\s*["']([\w-]+)["']""", text)}
    opened -= {"stubs"}  # the preview's stub pages: files MkDocs reads, not cache entries
    assert opened, "the scan found no cache use: update this test's patterns"
    undeclared = opened - set(NAMESPACES)
    assert not undeclared, f"add a row to site_builder.cache.CACHES for {sorted(undeclared)}"
    for ns in CACHES:
        assert ns.holds and ns.buys and ns.max_age >= 0, ns.name
        assert code_fingerprint(*ns.code), ns.name


def test_keys_hold_namespace_inputs_code_and_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    base = cache_key("pages", "x")
    assert cache_key("pages", "x") == base
    assert cache_key("pages", "y") != base
    assert cache_key("outputs", "x") != base
    # An upgraded library shows as another *.dist-info folder on sys.path: every key changes.
    (tmp_path / "nh3-99.0.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    environment_fingerprint.cache_clear()
    try:
        assert cache_key("pages", "x") != base
    finally:
        monkeypatch.undo()
        environment_fingerprint.cache_clear()
    assert cache_key("pages", "x") == base
    with pytest.raises(KeyError):
        cache_key("undeclared", "x")


def test_the_environment_names_python_and_installed_libraries() -> None:
    import nh3

    assert environment_fingerprint() == environment_fingerprint()
    site_packages = Path(nh3.__file__).resolve().parent.parent
    names = {p.name.lower() for p in site_packages.glob("*.dist-info")}
    assert any(n.startswith("nh3-") for n in names) and any(n.startswith("jinja2-") for n in names)


def test_a_switched_off_namespace_always_misses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(DISABLED_ENV, "pages, art")
    assert disabled_namespaces() == {"pages", "art"}
    store = Store(tmp_path, "pages")
    store.put("a", b"x")  # still written: the build links what it makes
    assert store.path("a").read_bytes() == b"x"
    assert store.get("a") is None and not store.has("a")
    assert Store(tmp_path, "outputs").put("b", b"y") and Store(tmp_path, "outputs").get("b") == b"y"


def test_the_one_pruner_keeps_what_the_build_used_and_what_is_young(tmp_path: Path) -> None:
    forget_used()
    old = time.time() - 30 * 24 * 3600
    pages, art, other = Store(tmp_path, "pages"), Store(tmp_path, "art"), Store(tmp_path, "related")
    for store in (pages, art, other):
        for name in ("used", "unused-old", "unused-new"):
            store.put(name, b"x")
        for name in ("unused-old", ".unused-old.sha256"):
            os.utime(store.path(name), (old, old))
    forget_used()
    pages.get("used")
    art.get("used")
    removed = prune_caches(tmp_path)
    # pages: unused entries older than 7 days go; art (max age 0): every unused entry goes;
    # related: not opened by this build, so left alone.
    assert removed == 1 + 2
    assert {p.name for p in pages.dir.iterdir() if not p.name.startswith(".")} == {"used", "unused-new"}
    assert {p.name for p in art.dir.iterdir() if not p.name.startswith(".")} == {"used"}
    assert len([p for p in other.dir.iterdir() if not p.name.startswith(".")]) == 3
    forget_used()


def test_a_builds_pruning_is_spaced_by_each_namespaces_age(tmp_path: Path) -> None:
    forget_used()
    old = time.time() - 30 * 24 * 3600
    pages, art = Store(tmp_path, "pages"), Store(tmp_path, "art")

    def stale() -> None:
        for store in (pages, art):
            store.put("unused-old", b"x")
            for name in ("unused-old", ".unused-old.sha256"):
                os.utime(store.path(name), (old, old))
        forget_used()  # a new build: it uses "kept" only
        pages.get("kept")
        art.get("kept")

    pages.put("kept", b"k")
    art.put("kept", b"k")
    stale()
    assert prune_caches(tmp_path, spaced=True) == 2, "never pruned before: both namespaces"
    stale()
    assert prune_caches(tmp_path, spaced=True) == 1, "art entries age at once; pages was pruned just now"
    assert pages.get("unused-old") == b"x" and art.get("unused-old") is None
    stale()
    os.utime(pages.dir / ".pruned", (old, old))
    assert prune_caches(tmp_path, spaced=True) == 2, "a day after: pages again"
    assert pages.get("kept") == b"k" and pages.get("unused-old") is None
    forget_used()


def test_entries_a_worker_made_are_kept_by_the_parent(tmp_path: Path) -> None:
    if not can_fork():
        pytest.skip("no fork here")
    forget_used()
    Store(tmp_path, "art").put("stale", b"s")
    forget_used()
    made = fork_call(lambda: Store(tmp_path, "art").put("fresh", b"f").name).result()
    assert made == "fresh"
    assert prune_caches(tmp_path) == 1
    assert Store(tmp_path, "art").get("fresh") == b"f" and Store(tmp_path, "art").get("stale") is None
    forget_used()


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


def test_a_linked_entry_keeps_its_stamp_across_builds_that_link_it(tmp_path: Path) -> None:
    """Linking an entry into a site changes its ctime; a warm build still serves it by its stamp."""
    store = Store(tmp_path, "art")
    store.put("a.png", b"png")
    settled = time.time() - 60
    os.utime(store.path("a.png"), (settled, settled))
    os.link(store.path("a.png"), tmp_path / "site-old.png")  # the last build's site
    assert store.get("a.png") == b"png"
    save_stamps()
    os.link(store.path("a.png"), tmp_path / "site-new.png")  # this build links it again ...
    (tmp_path / "site-old.png").unlink()  # ... and the old site goes
    forget_stamps()
    (tmp_path / "art" / ".a.png.sha256").unlink()  # only the stamp can vouch for it now
    assert store.has("a.png")

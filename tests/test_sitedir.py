"""Replacing the built site never deletes sources, and no interruption leaves the project without a site."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from site_builder import sitedir
from tests.support.project import FIXTURE_CASES, ROOT, build_in_process, cli_in_process, make_project


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for d in ("cases", "docs", "theme", ".git"):
        (root / d).mkdir(parents=True)
    (root / "cases" / "a.yaml").write_text("title: x\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text("docs_dir: docs\ntheme:\n  custom_dir: theme\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("name", ["cases", "docs", "theme", ".", "..", ".git", "cases/site", "docs/out"])
def test_targets_holding_or_inside_sources_are_refused(tmp_path: Path, name: str) -> None:
    root = _project(tmp_path)
    sources = [root / "cases", root / "docs", root / "theme", root / ".git"]
    assert sitedir.refuse_reason(root / name, root, sources) is not None


def test_a_foreign_folder_is_not_replaced_but_a_previous_site_is(tmp_path: Path) -> None:
    root = _project(tmp_path)
    other = tmp_path / "documents"
    other.mkdir()
    (other / "thesis.docx").write_bytes(b"x")
    assert sitedir.refuse_reason(other, root, []) is not None
    site = root / "site"
    site.mkdir()
    for f in sitedir.SITE_SIGNATURE:
        (site / f).write_text("ok")
    assert sitedir.refuse_reason(site, root, [root / "cases"]) is None
    assert sitedir.refuse_reason(root / "new-site", root, [root / "cases"]) is None


def test_cli_refuses_and_deletes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    for target in ("cases", ".", ".."):
        proc = cli_in_process(["build", "--site-dir", target, "--config", "mkdocs.yml"], root)
        assert proc.returncode == 2, proc.stderr
        assert "没有构建" in proc.stderr and "Traceback" not in proc.stderr
    assert (root / "cases" / "a.yaml").read_text(encoding="utf-8") == "title: x\n"
    assert sorted(p.name for p in root.iterdir()) == [".git", "cases", "docs", "mkdocs.yml", "theme"]


def test_swap_replaces_the_site_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("old")
    scratch = tmp_path / ".site-build-1"
    scratch.mkdir()
    (scratch / "index.html").write_text("new")
    sitedir.swap_in(scratch, target)
    assert (target / "index.html").read_text() == "new"
    assert not scratch.exists() and not sitedir.old_path(target).exists()


def test_swap_without_exchange_and_a_kill_between_renames_is_recovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("old")
    monkeypatch.setattr(sitedir, "_exchange", lambda a, b: False)
    # the state a SIGKILL right after the first rename leaves behind
    target.rename(sitedir.old_path(target))
    assert not target.exists()
    assert sitedir.recover(target)
    assert (target / "index.html").read_text() == "old"
    scratch = tmp_path / ".site-build-2"
    scratch.mkdir()
    (scratch / "index.html").write_text("new")
    sitedir.swap_in(scratch, target)
    assert (target / "index.html").read_text() == "new"


def test_leftover_scratch_folders_are_cleaned(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    stale = tmp_path / ".site-build-abc"
    fresh = tmp_path / ".site-build-def"
    for d in (stale, fresh):
        d.mkdir()
    past = time.time() - 7200
    os.utime(stale, (past, past))
    assert sitedir.clean_leftovers(target) == 1
    assert not stale.exists() and fresh.exists()  # a build running right now keeps its folder


# --- scratch folders are owned by a lock, not judged by a clock ----------------------------------


def test_a_running_builds_folder_survives_a_second_build_whose_clock_runs_ahead(tmp_path: Path) -> None:
    target = tmp_path / "site"
    with sitedir.scratch_folder(target) as running:
        (running / "index.html").write_text("half written")
        past = time.time() - 7200  # as seen by a second build whose clock runs two hours ahead
        os.utime(running, (past, past))
        assert sitedir.clean_leftovers(target) == 0
        assert (running / "index.html").is_file()
    assert not running.exists() and not running.with_name(running.name + sitedir.LOCK_SUFFIX).exists()


def test_an_interrupted_builds_folder_is_removed_at_once(tmp_path: Path) -> None:
    target = tmp_path / "site"
    killed = tmp_path / f"{sitedir.scratch_name(target)}x1"
    killed.mkdir()
    (killed.with_name(killed.name + sitedir.LOCK_SUFFIX)).write_text("")  # nobody holds it: the build died
    orphan_lock = tmp_path / f"{sitedir.scratch_name(target)}x2{sitedir.LOCK_SUFFIX}"
    orphan_lock.write_text("")
    assert sitedir.clean_leftovers(target) == 1
    assert not killed.exists() and not orphan_lock.exists()


def test_a_lock_held_by_another_process_is_respected(tmp_path: Path) -> None:
    target = tmp_path / "site"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pathlib; from site_builder import sitedir\n"
            "with sitedir.scratch_folder(pathlib.Path(sys.argv[1])) as s:\n"
            "    print(s, flush=True); sys.stdin.readline()",
            str(target),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        scratch = Path(holder.stdout.readline().strip())
        past = time.time() - 86400
        os.utime(scratch, (past, past))
        assert sitedir.clean_leftovers(target) == 0 and scratch.is_dir()
    finally:
        holder.communicate("\n", timeout=30)
    assert not scratch.exists()


def test_a_scratch_folder_made_again_is_never_swapped_in(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("old")
    with sitedir.scratch_folder(target) as scratch:
        made = sitedir.identity(scratch)
        shutil.rmtree(scratch)  # deleted under the running build, and recreated by its writer
        scratch.mkdir()
        (scratch / "index.html").write_text("part of a site")
        with pytest.raises(sitedir.ScratchLost):
            sitedir.swap_in(scratch, target, expected=made)
    assert (target / "index.html").read_text() == "old"


def test_swapped_in_site_is_world_readable_and_keeps_the_checkouts_dot_entries(tmp_path: Path) -> None:
    target = tmp_path / "ghp"
    (target / ".git" / "refs").mkdir(parents=True)
    (target / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (target / ".nojekyll").write_text("")
    (target / "CNAME").write_text("cases.example.org\n")
    (target / "index.html").write_text("old")
    with sitedir.scratch_folder(target) as scratch:
        (scratch / "assets").mkdir(mode=0o700)
        (scratch / "assets" / "a.css").write_text("x")
        (scratch / "assets" / "a.css").chmod(0o600)
        (scratch / "index.html").write_text("new")
        sitedir.swap_in(scratch, target, expected=sitedir.identity(scratch))
    assert (target / "index.html").read_text() == "new"
    assert (target / ".git" / "HEAD").read_text().startswith("ref:")
    assert (target / "CNAME").read_text() == "cases.example.org\n" and (target / ".nojekyll").is_file()
    for path in [target, target / "assets"]:
        assert path.stat().st_mode & 0o777 == 0o755, path
    assert (target / "assets" / "a.css").stat().st_mode & 0o777 == 0o644


# --- nothing from outside the repository is published; generated files are never shadowed -------


def test_symlinks_in_docs_and_theme_are_named(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "docs" / "leak.txt").symlink_to("/etc/passwd")
    (root / "theme" / "sub").mkdir()
    (root / "theme" / "sub" / "outside").symlink_to(tmp_path, target_is_directory=True)
    (root / "docs" / "ok.md").write_text("# ok")
    problems = sitedir.symlink_problems([root / "docs", root / "theme"], root)
    assert [p.split(":")[0] for p in problems] == ["docs/leak.txt", "theme/sub/outside"]
    assert "/etc/passwd" in problems[0] and "符号链接" in problems[0]


def test_docs_files_on_generated_paths_are_named() -> None:
    problems = sitedir.shadowing_problems(
        [
            ("docs/atom.xml", "atom.xml"),
            ("docs/data/cases.csv", "data/cases.csv"),
            ("docs/search/meta.json", "search/meta.json"),
            ("docs/about/index.html", "about/index.html"),
            ("theme/assets/search/search.css", "assets/search/search.css"),
        ]
    )
    assert [p.split(":")[0] for p in problems] == [
        "docs/atom.xml",
        "docs/data/cases.csv",
        "docs/search/meta.json",
    ]
    assert "「data/cases.csv」" in problems[1]


def test_the_build_refuses_links_and_shadowing_files_and_publishes_nothing(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p", FIXTURE_CASES)
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    docs = tmp_path / "p" / "docs"
    shutil.copytree(ROOT / "docs", docs)
    settings["docs_dir"] = "docs"
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("PRIVATE KEY")
    (docs / "leak.txt").symlink_to(secret)
    linked = build_in_process(config, tmp_path / "out1")
    assert linked.returncode != 0
    assert "docs/leak.txt: 是符号链接" in linked.stderr and "Traceback" not in linked.stderr
    assert not any(
        "PRIVATE" in p.read_text(errors="ignore") for p in (tmp_path / "out1").rglob("*") if p.is_file()
    )
    (docs / "leak.txt").unlink()
    (docs / "data").mkdir()
    (docs / "data" / "cases.csv").write_text("EVIL-CSV")
    (docs / "atom.xml").write_text("EVIL-ATOM")
    shadowed = build_in_process(config, tmp_path / "out2")
    assert shadowed.returncode != 0 and "Traceback" not in shadowed.stderr
    assert re.search(r"docs/atom.xml(:1:1)?: 与自动生成的文件「atom.xml」同名", shadowed.stderr), (
        shadowed.stderr
    )
    assert re.search(r"docs/data/cases.csv(:1:1)?: 与自动生成的文件「data/cases.csv」同名", shadowed.stderr)
    cache = tmp_path / "p" / ".cache"
    assert not any(b"EVIL" in p.read_bytes() for p in cache.rglob("*") if p.is_file())


# --- a disk that refuses writes: a sentence naming the file, never a traceback -------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.EROFS, "只读"), (errno.ENOSPC, "磁盘空间不足"), (errno.EFBIG, "ulimit"), (errno.EACCES, "权限")],
)
def test_disk_failures_are_explained(code: int, words: str) -> None:
    inner = OSError(code, os.strerror(code), "/p/.cache/site_builder/pages/.tmp-x")
    try:
        try:
            raise inner
        except OSError as exc:
            raise RuntimeError("a worker failed") from exc
    except RuntimeError as outer:
        problem = sitedir.disk_problem(outer)
    assert problem is not None and words in problem and "「/p/.cache/site_builder/pages/.tmp-x」" in problem
    assert sitedir.disk_problem(ValueError("a bug")) is None


def test_a_blocked_cache_ends_the_build_with_a_sentence(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p", FIXTURE_CASES)
    (tmp_path / "p" / ".cache").write_text("a file where the cache folder goes")
    result = build_in_process(config, tmp_path / "out")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "无法写入「" in result.stderr and ".cache" in result.stderr


def test_validate_names_the_links_the_build_would_refuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from site_builder import cli

    root = _project(tmp_path)
    (root / "docs" / "leak.txt").symlink_to("/etc/passwd")
    monkeypatch.chdir(root)
    assert cli.main(["validate"]) == 1
    err = capsys.readouterr().err
    assert "docs/leak.txt:1:1: 是符号链接（指向「/etc/passwd」）" in err

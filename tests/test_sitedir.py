"""Replacing the built site never deletes sources, and no interruption leaves the project without a site."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from site_builder import sitedir


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
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "site_builder.cli",
                "build",
                "--site-dir",
                target,
                "--config",
                "mkdocs.yml",
            ],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
        )
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

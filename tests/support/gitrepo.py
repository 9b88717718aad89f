"""Throwaway git repositories for tests: a fixed author and no user or system git config."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "编辑",
    "GIT_AUTHOR_EMAIL": "editor@example.org",
    "GIT_COMMITTER_NAME": "编辑",
    "GIT_COMMITTER_EMAIL": "editor@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
"""The environment every test's git command runs with, so the machine's own config never leaks in."""


def git(repo: Path, *args: str) -> str:
    """Run ``git *args`` in ``repo`` (failing the test on an error); its standard output."""
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout


def committed_cases(repo: Path, cases: Path) -> Path:
    """A fresh repository at ``repo`` whose main branch has one commit: ``cases`` copied to ``cases/``."""
    shutil.copytree(cases, repo / "cases")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return repo

"""Session fixtures: the fixture cases rendered by Zensical once (MkDocs' build is ``small_site``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.project import FIXTURE_CASES, make_project, serve

REPO_URL = "https://github.com/example/site_builder"
"""The same repository ``small_site`` is built with, so both engines get the same pages."""


def site_builder_build(config: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``site-builder build`` as an editor runs it (the guard is part of the command)."""
    cmd = [sys.executable, "-m", "site_builder.cli", "build", "--config", str(config), "--site-dir", str(out)]
    env = {**os.environ, "REPO_URL": REPO_URL}
    return subprocess.run(
        [*cmd, *extra], capture_output=True, text=True, cwd=config.parent, env=env, timeout=600
    )


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture cases built with ``site-builder build --engine zensical``, once per session."""
    base = tmp_path_factory.mktemp("zensical")
    config = make_project(base / "project", FIXTURE_CASES)
    out = base / "site"
    proc = site_builder_build(config, out, "--engine", "zensical")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="session")
def zensical_site_url(zensical_site: Path) -> Iterator[str]:
    """The Zensical site served over HTTP on loopback."""
    url, server = serve(zensical_site)
    yield url
    server.shutdown()

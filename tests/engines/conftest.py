"""Session fixtures: the fixture cases rendered by Zensical once (MkDocs' build is ``small_site``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.project import FIXTURE_CASES, BuildResult, cli_in_process, environment, make_project, serve
from tests.support.shared import made_once

REPO_URL = "https://github.com/example/site_builder"
"""The same repository ``small_site`` is built with, so both engines get the same pages."""


def site_builder_build(config: Path, out: Path, *extra: str) -> BuildResult:
    """``site-builder build`` as an editor runs it (the guard is part of the command), in this process."""
    with environment({"REPO_URL": REPO_URL}):
        return cli_in_process(
            ["build", "--config", str(config), "--site-dir", str(out), *extra], config.parent
        )


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture cases built with ``site-builder build --engine zensical``, once per run."""

    def make(base: Path) -> None:
        config = make_project(base / "project", FIXTURE_CASES)
        proc = site_builder_build(config, base / "site", "--engine", "zensical")
        assert proc.returncode == 0, proc.stdout + proc.stderr

    return made_once(tmp_path_factory, "zensical", make) / "site"


@pytest.fixture(scope="session")
def zensical_site_url(zensical_site: Path) -> Iterator[str]:
    """The Zensical site served over HTTP on loopback."""
    url, server = serve(zensical_site)
    yield url
    server.shutdown()

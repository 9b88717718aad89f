"""A rehearsal of the first deploy: the Pages artifact, made as the workflow makes it, passes GitHub's rules."""

from __future__ import annotations

import importlib.util
import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from tests.support.project import FIXTURE_CASES, ROOT, make_project
from tests.support.shared import made_once


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pages_artifact", ROOT / "scripts" / "pages_artifact.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _workflow_tar_command() -> tuple[str, dict[str, str]]:
    """The check job's archive step, as written in the workflow (command and env)."""
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    (step,) = [s for s in ci["jobs"]["check"]["steps"] if s.get("id") == "pages-artifact"]
    return str(step["run"]).strip(), {k: str(v) for k, v in step["env"].items()}


def _pack(site: Path, temp: Path) -> Path:
    command, env = _workflow_tar_command()
    subprocess.run(
        ["sh", "-c", command],
        cwd=site.parent,
        env={**os.environ, **env, "INPUT_PATH": site.name, "RUNNER_TEMP": str(temp)},
        check=True,
        capture_output=True,
    )
    return temp / "artifact.tar"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built by ``site-builder build`` under a strict umask onto a gh-pages checkout (once per run)."""

    def make(root: Path) -> None:
        config = make_project(root / "p", FIXTURE_CASES)
        site = root / "p" / "site"
        (site / ".git").mkdir(parents=True)
        (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
        (site / "CNAME").write_text("cases.example.org\n")
        (site / "index.html").write_text("old")
        (site / "sitemap.xml").write_text("<urlset/>")
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "site-builder"),
                "build",
                "--config",
                str(config),
                "--site-dir",
                str(site),
            ],
            cwd=config.parent,
            capture_output=True,
            text=True,
            timeout=600,
            preexec_fn=lambda: os.umask(0o077),  # an editor's machine with a private umask
        )
        assert result.returncode == 0, result.stderr[-3000:]

    return made_once(tmp_path_factory, "deploy", make) / "p" / "site"


def test_the_artifact_passes_pages_rules(built: Path, tmp_path: Path) -> None:
    artifact = _pack(built, tmp_path)
    assert _checker().artifact_problems(artifact) == []
    with tarfile.open(artifact) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert stat.S_IMODE(members["."].mode) == 0o755  # mkdtemp made it 0700
    assert all(stat.S_IMODE(m.mode) == 0o755 for m in members.values() if m.isdir())
    assert all(stat.S_IMODE(m.mode) == 0o644 for m in members.values() if m.isfile())
    assert "./CNAME" in members and not any(n.startswith("./.git") for n in members)
    assert not any(Path(n).name.startswith(".") for n in members if n != ".")  # no lock or marker left
    assert sum(m.size for m in members.values()) < 200 * 1024**2
    assert (built / ".git" / "HEAD").is_file()  # the checkout's history survived the swap


def test_the_checker_names_what_pages_would_refuse(built: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "index.html").write_text("x")
    (bad / "private").mkdir(mode=0o700)
    (bad / "private" / "a.html").write_text("x")
    (bad / "private" / "a.html").chmod(0o600)
    (bad / ".site-builder-scratch").write_text("token")
    problems = _checker().artifact_problems(_pack(bad, tmp_path))
    text = "\n".join(problems)
    assert "private: 文件夹权限是 0700" in text and "private/a.html: 文件权限是 0600" in text
    assert ".site-builder-scratch" in text and "404.html: 缺少" in text and "sitemap.xml: 缺少" in text
    cli = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pages_artifact.py"), str(tmp_path / "artifact.tar")],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 1 and "0700" in cli.stderr

"""Where the site is published and where its sources live, derived instead of hand-edited.

A fork publishes with no edits: in GitHub Actions the run's context names the repository
(``GITHUB_REPOSITORY``, ``GITHUB_SERVER_URL``) and the branch, and ``configure-pages`` gives the
Pages address (a custom domain included) as ``PAGES_BASE_URL``. Locally the preview stays at
127.0.0.1 and the repository comes from ``git remote get-url origin`` when it is on GitHub.
An explicit ``SITE_URL`` / ``REPO_URL`` always wins.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

LOCAL_SITE_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class Publishing:
    """The addresses a build writes into canonical links, og:image, the sitemap and edit links."""

    site_url: str
    repo_url: str | None
    repo_name: str | None
    edit_branch: str


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml as plain data: ``!ENV [NAME, default]`` gives its default, other tags nothing."""


_ConfigLoader.add_constructor(
    "!ENV",
    lambda loader, node: loader.construct_sequence(node)[-1] if isinstance(node, yaml.SequenceNode) else None,
)
_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def read_mkdocs_yml(path: Path) -> dict[str, Any]:
    """The project's mkdocs.yml without MkDocs (for the command line and the form editor's config)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_ConfigLoader)
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def pages_url(repository: str) -> str:
    """GitHub Pages' default address of ``owner/repo`` (a user site for ``owner.github.io``)."""
    owner, _, repo = repository.partition("/")
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if repo.lower() == host else f"https://{host}/{repo}/"


def _origin_repository(root: Path) -> tuple[str, str] | None:
    """(server, owner/repo) of the local checkout's ``origin`` when it is a GitHub remote."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.match(r"^(?:https://|git@)(github\.com)[/:]([\w.-]+/[\w.-]+?)(?:\.git)?/?$", out)
    return (f"https://{m.group(1)}", m.group(2)) if m else None


def derive_publishing(
    env: Mapping[str, str],
    *,
    root: Path,
    site_url: str | None = None,
    repo_url: str | None = None,
    edit_branch: str = "main",
) -> Publishing:
    """Work out the published address, the repository link and the branch edit links point to.

    ``site_url`` / ``repo_url`` are what mkdocs.yml says, if anything: a choice made there (a
    custom domain, say) is kept; the environment's ``SITE_URL`` / ``REPO_URL`` override both.
    """
    on_github = env.get("GITHUB_ACTIONS") == "true" and "/" in env.get("GITHUB_REPOSITORY", "")
    repository: tuple[str, str] | None = None
    if on_github:
        repository = (env.get("GITHUB_SERVER_URL") or "https://github.com", env["GITHUB_REPOSITORY"])
    else:
        repository = _origin_repository(root)

    if env.get("SITE_URL"):
        site = _slash(env["SITE_URL"])
    elif site_url:
        site = _slash(site_url)
    elif on_github and env.get("PAGES_BASE_URL"):
        site = _slash(env["PAGES_BASE_URL"])
    elif on_github:
        site = pages_url(env["GITHUB_REPOSITORY"])
    else:
        site = LOCAL_SITE_URL

    repo: str | None
    if env.get("REPO_URL"):
        repo = env["REPO_URL"].rstrip("/")
    elif repo_url:
        repo = repo_url.rstrip("/")
    elif repository is not None:
        repo = f"{repository[0].rstrip('/')}/{repository[1]}"
    else:
        repo = None
    repo_name = repo.rsplit("/", 1)[-1] if repo else None

    branch = edit_branch
    if on_github:
        if env.get("GITHUB_BASE_REF"):
            branch = env["GITHUB_BASE_REF"]  # a pull request: edits go to the branch it targets
        elif env.get("GITHUB_REF_TYPE") == "branch" and env.get("GITHUB_REF_NAME"):
            branch = env["GITHUB_REF_NAME"]
    return Publishing(site, repo, repo_name, branch)


def edit_base(publishing: Publishing, cases_dir: str) -> str | None:
    """Prefix of the "在 GitHub 上修改此案例" links (``<repo>/edit/<branch>/cases/``)."""
    if not publishing.repo_url:
        return None
    return f"{publishing.repo_url}/edit/{publishing.edit_branch}/{cases_dir.strip('/')}/"


def repo_from_url(url: str | None) -> str:
    """``owner/name`` of a GitHub repository address (empty when it is not one)."""
    m = re.match(r"^https://github\.com/([^/\s]+/[^/\s]+?)(?:\.git)?/?$", url or "")
    return m.group(1) if m else ""

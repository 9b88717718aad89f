"""Fork-and-publish with no edits: addresses come from the run's context, never from placeholders."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from site_builder.publish import LOCAL_SITE_URL, derive_publishing, edit_base, pages_url
from tests.support.project import FIXTURE_CASES, build_in_process, make_project

FORK = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_REPOSITORY": "Octo-Org/casebook",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REF_NAME": "main",
    "GITHUB_REF_TYPE": "branch",
}


def test_pages_url() -> None:
    assert pages_url("Octo-Org/casebook") == "https://octo-org.github.io/casebook/"
    assert pages_url("octo/Octo.github.io") == "https://octo.github.io/"


def test_derived_on_github(tmp_path: Path) -> None:
    pub = derive_publishing(FORK, root=tmp_path)
    assert pub.site_url == "https://octo-org.github.io/casebook/"
    assert pub.repo_url == "https://github.com/Octo-Org/casebook" and pub.repo_name == "casebook"
    assert edit_base(pub, "cases") == "https://github.com/Octo-Org/casebook/edit/main/cases/"
    custom = derive_publishing({**FORK, "PAGES_BASE_URL": "https://cases.example.cn"}, root=tmp_path)
    assert custom.site_url == "https://cases.example.cn/"
    pr = derive_publishing(
        {**FORK, "GITHUB_BASE_REF": "develop", "GITHUB_REF_NAME": "42/merge"}, root=tmp_path
    )
    assert pr.edit_branch == "develop"


def test_local_preview_and_explicit_choices(tmp_path: Path) -> None:
    pub = derive_publishing({}, root=tmp_path)
    assert pub.site_url == LOCAL_SITE_URL and pub.repo_url is None and edit_base(pub, "cases") is None
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(
        ["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:me/cases.git"], check=True
    )
    assert derive_publishing({}, root=tmp_path).repo_url == "https://github.com/me/cases"
    chosen = derive_publishing(FORK, root=tmp_path, site_url="https://mine.example/")
    assert chosen.site_url == "https://mine.example/"
    assert derive_publishing({**FORK, "SITE_URL": "https://env.example"}, root=tmp_path).site_url == (
        "https://env.example/"
    )


def test_fork_like_build_has_its_own_addresses(tmp_path: Path, small_project: Path, small_site: Path) -> None:
    config = make_project(tmp_path / "project", FIXTURE_CASES, cache_from=small_project)
    out = tmp_path / "site"
    proc = build_in_process(config, out, env={**FORK, "SITE_URL": "", "REPO_URL": ""})
    assert proc.returncode == 0, proc.stderr
    base = "https://octo-org.github.io/casebook/"
    case = (out / "cases/riders-golden-helmet/index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base}cases/riders-golden-helmet/">' in case
    og = re.search(r'<meta property="og:image" content="([^"]+)"', case)
    assert og and og.group(1).startswith(base + "assets/social/")
    card = out / og.group(1).removeprefix(base)
    assert card.suffix == ".png" and card.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert '<meta property="og:image:type" content="image/png">' in case
    assert "https://github.com/Octo-Org/casebook/edit/main/cases/riders-golden-helmet.yaml" in case
    assert 'href="https://github.com/Octo-Org/casebook"' in case
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs and all(u.startswith(base) for u in locs)
    everything = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in out.rglob("*.html"))
    assert "example.github.io" not in everything and "github.com/example/" not in everything
    shutil.rmtree(out)

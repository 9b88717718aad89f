"""The guard: a build whose site lacks a published case fails, and the last good site stays."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from site_builder.engines.guard import check_site, failure_message
from site_builder.sitedir import SITE_SIGNATURE
from tests.engines.conftest import site_builder_build
from tests.engines.test_engines import PUBLISHED
from tests.support.project import FIXTURE_CASES, make_project


def test_complete_site_passes(small_site: Path) -> None:
    assert check_site(small_site, PUBLISHED) == []


def test_empty_site_names_every_missing_part(tmp_path: Path) -> None:
    problems = check_site(tmp_path, PUBLISHED)
    text = failure_message(problems)
    assert f"{len(PUBLISHED)} 个案例没有页面" in text
    assert "没有搜索索引" in text
    assert "data/cases.json" in text and "data/cases.csv" in text
    assert "plugins 里缺少 site_builder" in text


def test_each_missing_case_is_named(small_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(small_site, site)
    gone = PUBLISHED[0]
    shutil.rmtree(site / "cases" / gone)
    data = json.loads((site / "data/cases.json").read_text(encoding="utf-8"))
    data["cases"] = [c for c in data["cases"] if c["id"] != gone]
    (site / "data/cases.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    meta = json.loads((site / "search/meta.json").read_text(encoding="utf-8"))
    for shard in range(0, meta["docs"], meta["docShard"]):
        path = site / f"search/m/{shard // meta['docShard']}.json"
        path.write_text(json.dumps([d for d in json.loads(path.read_text()) if d["id"] != gone]))
    problems = check_site(site, PUBLISHED)
    assert len(problems) == 3
    assert all(gone in p for p in problems)
    assert problems[0].startswith("1 个案例没有页面")


def test_a_case_that_is_not_a_draft_must_be_published(small_site: Path) -> None:
    assert check_site(small_site, [*PUBLISHED, "draft-case"]) != []


def test_build_without_the_plugin_fails_and_keeps_the_last_site(tmp_path: Path) -> None:
    """mkdocs.yml lost its plugin (and its nav, so MkDocs itself finds nothing amiss): exit 1."""
    config = make_project(tmp_path / "p", FIXTURE_CASES)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["plugins"] = []
    del data["nav"]
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    target = tmp_path / "p" / "site"
    target.mkdir()
    last = {name: f"上一次的网站：{name}" for name in SITE_SIGNATURE}
    for name, text in last.items():
        (target / name).write_text(text, encoding="utf-8")
    proc = site_builder_build(config, target)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "构建出的网站不完整，没有发布" in proc.stderr
    assert f"{len(PUBLISHED)} 个案例没有页面" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert {p.name: p.read_text(encoding="utf-8") for p in target.iterdir()} == last


def test_build_without_the_plugin_says_so(tmp_path: Path) -> None:
    """With its nav kept, MkDocs itself stops (pages in the nav are missing); the message says why."""
    config = make_project(tmp_path / "p", FIXTURE_CASES)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["plugins"] = ["search"]
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    proc = site_builder_build(config, tmp_path / "p" / "site")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "plugins 里没有 site_builder" in proc.stderr
    assert not (tmp_path / "p" / "site").exists()

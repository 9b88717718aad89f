"""A case saved outside cases/ is an error naming where it belongs, and YAML from docs/ is never published."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from site_builder.checks.strays import find_stray_cases, looks_like_case
from tests.support.project import FIXTURE_CASES, ROOT, build_in_process, make_project

CASE = (FIXTURE_CASES / "couriers-joint-meeting.yaml").read_text(encoding="utf-8")


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE_CASES, root / "cases")
    (root / "docs").mkdir()
    (root / "docs" / "about.md").write_text("# 关于\n", encoding="utf-8")
    return root


def test_case_like_yaml_outside_cases_is_an_error_naming_its_place(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "docs" / "new-riders.yaml").write_text(CASE, encoding="utf-8")
    (root / "骑手驿站.yml").write_text(CASE, encoding="utf-8")
    (root / "addresses.yaml").write_text("moved:\n  a: b\n", encoding="utf-8")  # not a case
    (root / "tests").mkdir()
    (root / "tests" / "input.yaml").write_text(CASE, encoding="utf-8")  # test inputs are not editors' cases
    errors = {e.path: e.message for e in find_stray_cases(root)}
    assert set(errors) == {"docs/new-riders.yaml", "骑手驿站.yml"}
    assert "docs/ 文件夹" in errors["docs/new-riders.yaml"]
    assert "请把它移到 cases/new-riders.yaml" in errors["docs/new-riders.yaml"]
    assert "仓库的最外层" in errors["骑手驿站.yml"] and "cases/qi-shou-yi-zhan.yaml" in errors["骑手驿站.yml"]


def test_validate_reports_strays_in_a_git_repository(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "docs" / "x.yaml").write_text(CASE, encoding="utf-8")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=env)
    code = "import sys; from site_builder.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, "validate", "cases"], cwd=root, capture_output=True, text=True, env=env
    )
    assert proc.returncode == 1
    assert "docs/x.yaml:1:1: 这个文件看起来是案例" in proc.stderr


def test_only_files_with_case_keys_look_like_cases() -> None:
    assert looks_like_case(CASE)
    assert not looks_like_case((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert not looks_like_case((ROOT / "schema" / "cms-config.yml").read_text(encoding="utf-8"))
    assert not looks_like_case("title: 只有标题\n")


def test_yaml_in_docs_is_never_published(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    (docs / "draft-case.yaml").write_text(CASE, encoding="utf-8")
    (docs / "notes.YML").write_text(CASE, encoding="utf-8")
    config = make_project(tmp_path / "project", FIXTURE_CASES)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["docs_dir"] = str(docs)
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "site"
    proc = build_in_process(config, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "cases" / "couriers-joint-meeting" / "index.html").is_file()
    published = [
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.suffix.lower() in (".yaml", ".yml")
    ]
    assert published == ["admin/config.yml"]  # the form editor's own configuration, nothing from docs/

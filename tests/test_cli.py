"""The site-builder command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from site_builder import cli
from tests.support.synthetic import write_cases

ROOT = Path(__file__).resolve().parents[1]


def test_cli_new_writes_a_skeleton_that_validates_once_filled(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert (
        cli.main(
            [
                "new",
                "songjiang-test-case",
                "--title",
                "松江测试案例",
                "--district",
                "松江",
                "--field",
                "楼宇",
                "--year",
                "2022",
                "--no-input",
            ]
        )
        == 0
    )
    path = tmp_path / "cases" / "songjiang-test-case.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/case.schema.json\n")
    assert cli.main(["validate", "cases"]) == 1  # placeholders are still there
    err = capsys.readouterr().err
    assert "cases/songjiang-test-case.yaml:" in err and "summary" in err
    filled = (
        text.replace(
            "summary: ……",
            "summary: " + "松江区在商务楼宇里建立党群服务站，为楼宇白领和小微企业提供学习交流与办事服务。",
        )
        .replace("locality: ……", "locality: 岳阳街道")
        .replace("  - label: ……", "  - label: 服务站")
        .replace("    value: 0", "    value: 12")
        .replace("  ……", "  在商务楼宇里建立党群服务站。")
        .replace("  - title: ……\n    publisher: ……", "  - title: 报道\n    publisher: 松江报")
    )
    path.write_text(filled, encoding="utf-8")
    assert cli.main(["validate", "cases"]) == 0, capsys.readouterr().err
    assert cli.main(["new", "songjiang-test-case", "--no-input"]) == 2
    assert cli.main(["new", "Bad_Id", "--no-input"]) == 2


def test_cli_validate_prints_github_annotations(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "a-case.yaml").write_text("title: 标题很好\nyear: 二〇二一\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert cli.main(["validate"]) == 1
    out = capsys.readouterr()
    assert "::error file=cases/a-case.yaml,line=2,col=7::年份 (year): 应为整数年份" in out.out
    assert "cases/a-case.yaml:2:7: 年份 (year): 应为整数年份" in out.err
    assert "Traceback" not in out.err


_RUN_VALIDATE = """
import sys
from site_builder.cli import main
code = main(["validate", "cases"])
print("MODULES", " ".join(sorted(sys.modules)))
sys.exit(code)
"""
_NOT_ON_UNCHANGED_CASES = (
    "mkdocs",
    "jinja2",
    "PIL",
    "rapidfuzz",
    "site_builder.outputs.search.vocabulary",
    "site_builder.parallel",
    "site_builder.casefile.slips",
)


def test_validate_of_unchanged_cases_reads_its_caches_and_says_the_same(tmp_path: Path) -> None:
    """A second run finds the same problems without checking anything again: no YAML parsing,
    engine, Pillow, fuzzy matching or search code is even imported."""
    write_cases(tmp_path / "cases", 12)
    runs = [
        subprocess.run(
            [sys.executable, "-c", _RUN_VALIDATE], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        for _ in range(2)
    ]
    outputs = [(r.returncode, r.stdout.rpartition("MODULES")[0], r.stderr) for r in runs]
    assert outputs[0] == outputs[1]
    assert runs[0].returncode == 0 and "检查通过：12 个案例" in runs[0].stdout
    assert "提醒" in runs[0].stdout
    first, second = ({*r.stdout.rpartition("MODULES ")[2].split()} for r in runs)
    assert "site_builder.casefile.slips" in first
    assert not {
        m for m in second if m.split(".")[0] in _NOT_ON_UNCHANGED_CASES or m in _NOT_ON_UNCHANGED_CASES
    }
    assert (tmp_path / ".cache" / "site_builder" / "checked").is_dir()

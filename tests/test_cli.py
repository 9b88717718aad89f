"""The site-builder command line."""

from __future__ import annotations

from pathlib import Path

from site_builder import cli

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

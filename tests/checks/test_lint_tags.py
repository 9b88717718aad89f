"""A tag no other case uses gets one hint per case (never an error): its tag page would list one case.

The hint names the nearest tag other cases use; ``validate`` over the whole folder counts such tags in
one line instead of a hint per case (the pull request summary shows them for the changed cases)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder import cli
from site_builder.casefile.loader import load_cases
from site_builder.checks.lint import lint_cases, lint_tags, nearest_tag, one_case_tags


def _write(folder: Path, name: str, tags: list[str]) -> None:
    folder.joinpath(f"{name}.yaml").write_text(
        "title: 骑手驿站的做法\nsummary: 为外卖骑手提供休息服务的驿站，骑手在这里可以喝水、给手机充电和歇脚。\n"
        "district: 浦东新区\nfields: [新就业群体]\nyear: 2021\n"
        f"tags: [{', '.join(tags)}]\npractice: 设立驿站。\n"
        "sources:\n  - title: 骑手驿站报道\n    publisher: 文汇报\n",
        encoding="utf-8",
    )


def test_one_hint_per_case_at_its_tags_line(tmp_path: Path) -> None:
    _write(tmp_path, "a", ["骑手", "驿站"])
    _write(tmp_path, "b", ["骑手", "暖心", "冬日"])
    loaded = load_cases([tmp_path], cases_root=tmp_path)
    assert not loaded.errors
    found = [f for f in lint_cases(loaded.cases, loaded.positions, strict=True) if f.field == "tags"]
    assert [(Path(f.path).name, f.location.line) for f in found] == [("a.yaml", 6), ("b.yaml", 6)]
    assert all(f.severity == "warning" for f in found), "a hint, even with --strict"
    assert "「驿站」" in found[0].message and "骑手" not in found[0].message
    assert "「暖心」、「冬日」" in found[1].message


def test_no_hint_for_a_single_case_or_shared_tags(tmp_path: Path) -> None:
    _write(tmp_path, "a", ["骑手"])
    loaded = load_cases([tmp_path], cases_root=tmp_path)
    assert lint_tags(loaded.cases, loaded.positions) == []
    _write(tmp_path, "b", ["骑手"])
    loaded = load_cases([tmp_path], cases_root=tmp_path)
    assert lint_tags(loaded.cases, loaded.positions) == []


def test_the_hint_names_the_nearest_tag_other_cases_use(tmp_path: Path) -> None:
    _write(tmp_path, "a", ["骑手", "党群服务阵地"])
    _write(tmp_path, "b", ["骑手", "党群服务阵地"])
    _write(tmp_path, "c", ["骑手", "党群服务中心", "金头盔"])
    loaded = load_cases([tmp_path], cases_root=tmp_path)
    [hint] = lint_tags(loaded.cases, loaded.positions)
    assert Path(hint.path).name == "c.yaml"
    assert "「党群服务中心」（可改用「党群服务阵地」，2 个案例在用）" in hint.message
    assert "、「金头盔」没有" in hint.message, "no suggestion when nothing is close"


def test_nearest_tag_reads_chinese_word_order_and_longer_wordings() -> None:
    used = {"全覆盖": 9, "支部建在楼上": 7, "基层治理": 4, "党课与思政课": 3, "走访联系": 5}
    assert nearest_tag("楼宇全覆盖", used) == "全覆盖"
    assert nearest_tag("楼宇党支部", used) == "支部建在楼上"
    assert nearest_tag("街区治理", used) == "基层治理"
    assert nearest_tag("直播思政课", used) == "党课与思政课"
    assert nearest_tag("金头盔", used) is None


def test_hints_only_for_the_cases_asked_about(tmp_path: Path) -> None:
    _write(tmp_path, "a", ["骑手", "驿站"])
    _write(tmp_path, "b", ["骑手", "暖心"])
    loaded = load_cases([tmp_path], cases_root=tmp_path)
    assert [Path(f.path).name for f in lint_tags(loaded.cases, loaded.positions, only={"b"})] == ["b.yaml"]
    assert [f for f in lint_cases(loaded.cases, loaded.positions, tag_hints=()) if f.field == "tags"] == []
    assert one_case_tags(loaded.cases) == ["暖心", "驿站"]
    # a case checked on its own: tags shared with the rest of the folder are not "used once"
    [b] = [c for c in loaded.cases if c.id == "b"]
    assert (
        lint_tags([b], loaded.positions, used={"骑手": 2, "暖心": 1, "驿站": 1})[0].message.count("「") == 1
    )


def test_validate_over_the_folder_counts_one_case_tags_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in "abc":
        _write(cases, name, ["骑手", f"独有{name}"])
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate", "cases"]) == 0
    out = capsys.readouterr()
    assert "没有别的案例使用" not in out.err + out.out, "no wall of per-case hints"
    assert "另有 3 个标签只有一个案例使用" in out.out
    assert cli.main(["validate", "cases/b.yaml"]) == 0
    out = capsys.readouterr()
    assert (
        out.err.count("没有别的案例使用") == 1
        and "「独有b」" in out.err
        and "骑手" not in out.err.split("标签")[1]
    )

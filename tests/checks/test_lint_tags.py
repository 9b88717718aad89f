"""A tag no other case uses gets one hint per case (never an error): its tag page would list one case."""

from __future__ import annotations

from pathlib import Path

from site_builder.casefile.loader import load_cases
from site_builder.checks.lint import lint_cases, lint_tags


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

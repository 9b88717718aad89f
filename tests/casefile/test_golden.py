"""Golden tests: each file in tests/golden/{good,bad} sits beside the exact messages it must produce.

Regenerate after an intended message change with ``UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

from site_builder.casefile.loader import load_cases

GOLDEN = Path(__file__).parent / "golden"
TODAY = dt.date(2026, 11, 30)
"""Goldens are read as of a fixed day, so year-range messages never age."""
CASES = sorted(GOLDEN.glob("good/*.yaml")) + sorted(GOLDEN.glob("bad/*.yaml"))


def _messages(path: Path) -> str:
    result = load_cases([path.relative_to(GOLDEN)], cases_root=path.parent.relative_to(GOLDEN), today=TODAY)
    return "".join(e.format() + "\n" for e in result.errors)


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN)
    actual = _messages(path)
    expected_file = path.with_suffix(".expected")
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text(actual, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    assert actual == expected
    if path.parent.name == "good":
        assert actual == "", "good examples must load without any message"
    else:
        assert actual, "every bad example must produce at least one message"
        for line in actual.splitlines():
            head = line.split(": ", 1)[0]
            assert head.startswith(f"bad/{path.name}:"), line
            _, lineno, col = head.rsplit(":", 2)
            assert int(lineno) >= 1 and int(col) >= 1


def test_every_error_of_a_file_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN)
    lines = _messages(GOLDEN / "bad" / "sources.yaml").splitlines()
    assert len(lines) >= 4


def test_every_file_is_reported_in_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN)
    result = load_cases([Path("bad"), Path("good")], cases_root=Path("."))
    files = {e.location.path for e in result.errors}
    assert len(files) >= len(list(GOLDEN.glob("bad/*.yaml"))) - 1
    assert {c.id for c in result.cases} >= {"minimal", "aliases-and-former-district"}


def test_too_large_and_symlinked_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    big = Path("big-case.yaml")
    big.write_text("title: " + "长" * 100_000 + "\n", encoding="utf-8")
    Path("linked-case.yaml").symlink_to(big.resolve())
    result = load_cases([Path(".")])
    messages = {e.location.path: e.format() for e in result.errors}
    assert "文件太大" in messages["big-case.yaml"]
    assert "符号链接" in messages["linked-case.yaml"]


def test_yml_extension_is_flagged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a-case.yml").write_text("title: x\n", encoding="utf-8")
    result = load_cases([Path(".")])
    assert [e.format() for e in result.errors] == [
        "a-case.yml:1:1: 文件名「a-case.yml」不会被当作案例读取：案例文件必须以小写的 .yaml 结尾，请改名为「a-case.yaml」"
    ]


def test_duplicate_ids_across_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for folder in ("a", "b"):
        Path(folder).mkdir()
        (Path(folder) / "same-case.yaml").write_text(
            (GOLDEN / "good" / "minimal.yaml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    result = load_cases([Path("a"), Path("b")])
    assert [e.format() for e in result.errors] == [
        "b/same-case.yaml:1:1: 案例编号「same-case」与 a/same-case.yaml 重复"
    ]
    assert [c.id for c in result.cases] == ["same-case"]


def test_single_file_may_relate_to_cases_beside_it(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    one = Path("cases/baoshan-truck-driver-stations.yaml")
    result = load_cases([one], cases_root=Path("cases"))
    assert result.errors == []


@pytest.mark.parametrize(
    "name",
    ["a-case.yml", "b-case.YAML", "c-case.yaml.txt", "d-case.yaml~", "e-case.yaml ", ".f-case.yaml"],
)
def test_files_that_look_like_cases_but_are_not_read_are_errors(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_text((GOLDEN / "good" / "minimal.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = load_cases([Path(".")])
    assert [e.location.path for e in result.errors] == [name]
    assert "不会被当作案例读取" in result.errors[0].message
    assert result.cases == []


def test_case_without_extension_and_cases_in_subfolders_are_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (GOLDEN / "good" / "minimal.yaml").read_text(encoding="utf-8")
    Path("cases/pudong").mkdir(parents=True)
    Path("cases/images").mkdir()
    Path("cases/forgot-ext").write_text(text, encoding="utf-8")
    Path("cases/pudong/nested-case.yaml").write_text(text, encoding="utf-8")
    Path("cases/images/photo.jpg").write_bytes((GOLDEN / "good" / "images" / "photo.jpg").read_bytes())
    Path("cases/README.md").write_text("说明", encoding="utf-8")
    result = load_cases([Path("cases")])
    messages = {e.location.path: e.message for e in result.errors}
    assert set(messages) == {"cases/forgot-ext", "cases/pudong/nested-case.yaml"}
    assert "没有扩展名" in messages["cases/forgot-ext"]
    assert "子文件夹" in messages["cases/pudong/nested-case.yaml"]


def test_a_value_never_breaks_an_error_onto_a_second_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (GOLDEN / "good" / "minimal.yaml").read_text(encoding="utf-8")
    Path("x-case.yaml").write_text(
        text.replace("district: 浦东新区", 'district: "x\\n::error file=README.md,line=1::forged"'),
        encoding="utf-8",
    )
    result = load_cases([Path(".")])
    assert result.errors
    for e in result.errors:
        assert "\n" not in e.format() and "\n" not in e.github_annotation()
        assert not e.format().split(": ", 1)[1].startswith("::")


def test_title_the_cover_font_cannot_draw_is_refused_like_the_build_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from site_builder.media.fonts import CJKFontNotFoundError, find_cjk_font

    try:
        find_cjk_font("bold")
    except CJKFontNotFoundError:
        pytest.skip("no CJK font on this machine: the build could not draw covers either")
    monkeypatch.chdir(tmp_path)
    text = (GOLDEN / "good" / "minimal.yaml").read_text(encoding="utf-8")
    Path("rare-case.yaml").write_text(
        text.replace("金色头盔党员骑手", "金色头盔\U00020000党员骑手"), encoding="utf-8"
    )
    result = load_cases([Path(".")])
    assert [e.field for e in result.errors] == ["title"]
    assert "无法画到封面和分享图片上" in result.errors[0].message


def test_explicit_file_without_yaml_suffix_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x-case.yml").write_text("title: x\n", encoding="utf-8")
    result = load_cases([Path("x-case.yml")])
    assert [e.message for e in result.errors] == [
        "文件名「x-case.yml」不会被当作案例读取：案例文件必须以小写的 .yaml 结尾，请改名为「x-case.yaml」"
    ]


def test_read_yaml_gives_no_document_for_a_file_with_slips_unless_asked() -> None:
    from site_builder.casefile.yamlio import read_yaml

    path = GOLDEN / "bad" / "slip-fullwidth-colon.yaml"
    doc, errors = read_yaml(path, "x.yaml")
    assert doc is None and [e.location.line for e in errors] == [3]
    repaired, again = read_yaml(path, "x.yaml", repaired=True)
    assert repaired is not None and repaired.repaired_lines == {3} and again == errors
    assert repaired.data["district"] == "浦东新区"


HINTS = sorted(p for p in GOLDEN.glob("hints/hint-*.yaml") if p.name != "hint-reference.yaml")
"""One everyday mistake per file, each read as CI reads it: beside one other case (hint-reference.yaml),
validated and linted like ``site-builder validate cases``; the expected messages say where and how to fix."""


def _validate_beside_reference(path: Path, root: Path) -> str:
    from site_builder.checks.lint import lint_cases, lint_tags

    folder = root / "hints"
    folder.mkdir()
    shutil.copytree(GOLDEN / "hints" / "images", folder / "images")
    shutil.copy(GOLDEN / "hints" / "hint-reference.yaml", folder)
    if path.name != "hint-reference.yaml":
        shutil.copy(path, folder)
    result = load_cases([Path("hints")], cases_root=Path("hints"), today=TODAY)
    # Two cases share few tags by design: the tag lint (its own tests) would speak on every file here.
    tags = set(lint_tags(result.cases, result.positions))
    found = sorted(
        [*result.errors, *(f for f in lint_cases(result.cases, result.positions) if f not in tags)]
    )
    return "".join(e.format() + "\n" for e in found if e.location.path == f"hints/{path.name}")


def test_the_hint_reference_case_is_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _validate_beside_reference(GOLDEN / "hints" / "hint-reference.yaml", tmp_path) == ""


@pytest.mark.parametrize("path", HINTS, ids=lambda p: p.stem)
def test_hint(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    actual = _validate_beside_reference(path, tmp_path)
    expected_file = path.with_suffix(".expected")
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")
    assert actual, "every hint example must produce a message"
    first = actual.splitlines()[0].split(": ", 1)
    assert re.match(rf"hints/{re.escape(path.name)}:\d+:\d+$", first[0]), first

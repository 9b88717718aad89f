"""Tests for the content lint (site_builder.checks.lint)."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from site_builder.casefile.loader import load_cases
from site_builder.checks.lint import (
    find_halfwidth_punctuation,
    lint_case,
    lint_cases,
    lint_titles,
)
from site_builder.errors import CaseError, Location

ROOT = Path(__file__).resolve().parents[2]

# A complete, valid case; each test changes one thing.
BASE = """\
title: 金头盔先锋骑手的街区流动示范
summary: 浦东新区的先锋骑手在街区中穿行，头盔本身就是醒目标识，骑手们以流动示范和微笑服务带动身边同行。
district: 浦东新区
fields: [新就业群体]
groups: [外卖骑手]
year: 2023
practice: |
  - 为先锋骑手配发醒目的金色头盔，让他们在送餐路上自带标识。
  - 依托区级联席会议整合资源，为骑手提供组织归属。
sources:
  - title: 新业态、新就业群体党建工作“上海案例”发布
    publisher: 文汇报
    date: "2023-04-13"
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    cases = tmp_path / "cases"
    cases.mkdir(exist_ok=True)
    path = cases / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _lint_files(*names: str, strict: bool = False) -> list[CaseError]:
    result = load_cases([Path("cases") / f"{n}.yaml" for n in names], check_images=False)
    assert result.ok, [e.format() for e in result.errors]
    return lint_cases(result.cases, result.positions, strict=strict)


def _find_line(text: str, needle: str) -> tuple[int, int]:
    for lineno, line in enumerate(text.splitlines(), 1):
        col = line.find(needle)
        if col != -1:
            return lineno, col + 1
    raise AssertionError(needle)


# --- half-width punctuation -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("党建引领,服务骑手", [(4, ",", "，")]),
        ("党建引领 , 服务骑手", [(5, ",", "，")]),
        ("做法有三:一是建组织", [(4, ":", "：")]),
        ("建组织;强服务", [(3, ";", "；")]),
        ("为什么要建?", [(5, "?", "？")]),
        ("太好了!大家都说", [(3, "!", "！")]),
        ("联合党委(试点)成立", [(4, "(", "（"), (7, ")", "）")]),
        ("“金头盔”,骑手", [(5, ",", "，")]),
    ],
)
def test_halfwidth_punctuation_found(text: str, expected: list[tuple[int, str, str]]) -> None:
    assert find_halfwidth_punctuation(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "覆盖 1,000 名骑手",
        "时间:2023年",  # colon before a digit: not between Chinese characters
        "Bilibili (哔哩哔哩) 党支部",
        "详见 https://example.com/a?b=1,2 页面",
        "使用 `a,b` 格式",
        "[浦东案例](pudong.md)介绍",
        "![照片](images/a.jpg)",
        "Hello, world!",
        "党建引领，服务骑手。",
    ],
)
def test_halfwidth_punctuation_ignored(text: str) -> None:
    assert find_halfwidth_punctuation(text) == []


# --- one case ----------------------------------------------------------------


def test_clean_case_has_no_findings(in_tmp: Path) -> None:
    _write(in_tmp, "clean-case", BASE)
    assert _lint_files("clean-case") == []


def test_traditional_character_located_in_block_scalar(in_tmp: Path) -> None:
    text = BASE.replace("整合资源", "整合資源")
    _write(in_tmp, "trad-case", text)
    findings = _lint_files("trad-case")
    assert len(findings) == 1
    f = findings[0]
    assert (f.path, f.field, f.severity) == ("cases/trad-case.yaml", "practice", "warning")
    assert (f.line, f.col) == _find_line(text, "資")
    assert "資" in f.message and "资" in f.message


def test_halfwidth_punctuation_position_is_the_comma(in_tmp: Path) -> None:
    text = BASE.replace("头盔本身就是醒目标识，", "头盔本身就是醒目标识,")
    _write(in_tmp, "punct-case", text)
    (f,) = _lint_files("punct-case")
    assert (f.field, f.line, f.col) == ("summary", *_find_line(text, ","))
    assert "「,」" in f.message and "「，」" in f.message


def test_source_title_punctuation_is_verbatim(in_tmp: Path) -> None:
    text = BASE.replace("新业态、新就业群体党建工作", "新业态,新就业群体党建工作")
    _write(in_tmp, "verbatim-case", text)
    assert _lint_files("verbatim-case") == []


def test_summary_shorter_than_title(in_tmp: Path) -> None:
    title = "金头盔先锋骑手在浦东新区街区中穿行并以流动示范和微笑服务带动身边同行的做法"
    summary = "浦东新区的先锋骑手在街区中穿行，以流动示范和微笑服务带动同行。"
    assert len(summary) < len(title) <= 40 and len(summary) >= 30
    text = BASE.replace("金头盔先锋骑手的街区流动示范", title).replace(
        BASE.splitlines()[1].split(": ", 1)[1], summary
    )
    _write(in_tmp, "short-summary", text)
    (f,) = _lint_files("short-summary")
    assert f.field == "summary"
    assert f.line == 2
    assert "摘要" in f.message and "标题" in f.message


def test_source_without_date_is_not_pushed(in_tmp: Path) -> None:
    """A source's date is what the article says; when it gives none, nothing asks to guess one."""
    _write(in_tmp, "no-date", BASE.replace('    date: "2023-04-13"\n', ""))
    assert _lint_files("no-date") == []


def test_strict_turns_warnings_into_errors(in_tmp: Path) -> None:
    _write(in_tmp, "comma", BASE.replace("头盔本身就是醒目标识，", "头盔本身就是醒目标识,"))
    findings = _lint_files("comma", strict=True)
    assert findings and all(f.severity == "error" for f in findings)


# --- across cases --------------------------------------------------------------


def test_duplicate_and_near_duplicate_titles(in_tmp: Path) -> None:
    _write(in_tmp, "first-case", BASE)
    _write(in_tmp, "same-title", BASE)
    _write(
        in_tmp, "near-title", BASE.replace("金头盔先锋骑手的街区流动示范", "金头盔先锋骑手的街区流动示范点")
    )
    _write(in_tmp, "other-title", BASE.replace("金头盔先锋骑手的街区流动示范", "楼宇党建全覆盖的探索"))
    findings = [
        f
        for f in _lint_files("first-case", "same-title", "near-title", "other-title")
        if f.field == "title" and "标题与" in f.message
    ]
    pairs = {(f.path, f.message.split(" 的标题")[0].split("标题与 ")[1]) for f in findings}
    assert ("cases/first-case.yaml", "cases/same-title.yaml") in pairs
    assert ("cases/same-title.yaml", "cases/first-case.yaml") in pairs
    assert ("cases/near-title.yaml", "cases/first-case.yaml") in pairs
    assert not any("other-title" in f.path or "other-title" in f.message for f in findings)
    assert all(f.line == 1 and f.col == 8 for f in findings)
    assert any("重复" in f.message for f in findings)
    assert any("相似度" in f.message for f in findings)


def test_titles_fold_punctuation_and_traditional() -> None:
    a = SimpleNamespace(id="a", title="楼宇党建：全覆盖探索", source_path=None)
    b = SimpleNamespace(id="b", title="樓宇黨建全覆蓋探索", source_path=None)
    findings = lint_titles([a, b])
    assert len(findings) == 2
    assert all("重复" in f.message for f in findings)


# --- protocol and output ------------------------------------------------------------


class _FakePositions:
    path = "cases/fake.yaml"

    def locate(self, key: tuple[str | int, ...], *, prefer_key: bool = False) -> Location:
        return Location(self.path, 7, 3)


def test_works_on_plain_objects() -> None:
    case = SimpleNamespace(
        id="fake",
        title="一个足够长的案例标题用于测试",
        summary="短摘要",
        sources=[{"title": "来源", "publisher": "报社", "date": None, "url": None}],
        source_path=None,
    )
    findings = lint_case(case, _FakePositions())
    assert {f.field for f in findings} == {"summary"}
    assert all((f.path, f.line, f.col) == ("cases/fake.yaml", 7, 3) for f in findings)


def test_finding_prints_like_validation_errors() -> None:
    f = CaseError(Location("cases/x.yaml", 3, 5), "summary", "中文消息", "warning")
    assert f.format() == "cases/x.yaml:3:5: 摘要 (summary): 警告：中文消息"
    assert f.github_annotation() == "::warning file=cases/x.yaml,line=3,col=5::摘要 (summary): 中文消息"
    e = f.as_error()
    assert e.format() == "cases/x.yaml:3:5: 摘要 (summary): 中文消息"
    assert e.github_annotation().startswith("::error file=cases/x.yaml,line=3,col=5::")


def test_repository_cases_have_no_lint_errors() -> None:
    """The committed cases pass the lint in default mode (warnings only, never errors)."""
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        result = load_cases([Path("cases")], check_images=False)
        findings = lint_cases(result.cases, result.positions)
    finally:
        os.chdir(cwd)
    assert all(f.severity == "warning" for f in findings)
    assert not [f.format() for f in findings if "繁体" in f.message or "半角" in f.message]


def test_title_prefix_filter_misses_no_pair() -> None:
    """The fast candidate search finds exactly the pairs that comparing every pair finds."""
    import difflib
    import random

    from rapidfuzz import fuzz

    from site_builder.checks.lint import _similar_candidates

    rng = random.Random(7)
    alphabet = "楼宇党建骑手驿站浦东静安快递服务中心街区商圈联盟互联网企业支部"
    base = ["".join(rng.choice(alphabet) for _ in range(rng.randint(4, 20))) for _ in range(60)]
    keys = base + [b[:-1] + rng.choice(alphabet) for b in base[:30]] + [b + "点" for b in base[:20]]
    found = set(_similar_candidates(keys, 0.85))
    hits = 0
    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            similar = difflib.SequenceMatcher(None, keys[i], keys[j], autojunk=False).ratio() >= 0.85
            similar = similar or fuzz.ratio(keys[i], keys[j]) >= 85
            if similar:
                hits += 1
                assert (i, j) in found, (keys[i], keys[j])
    assert hits >= 40


OTHER_BODY = (
    BASE.replace("金头盔先锋骑手的街区流动示范", "楼宇党群服务站的午间课堂")
    .replace(
        "浦东新区的先锋骑手在街区中穿行，头盔本身就是醒目标识，骑手们以流动示范和微笑服务带动身边同行。",
        "徐汇区在商务楼宇的大堂里开设党群服务站，白领午休时可以来读书、听党课，楼宇党组织也借此联系党员。",
    )
    .replace(
        "  - 为先锋骑手配发醒目的金色头盔，让他们在送餐路上自带标识。\n  - 依托区级联席会议整合资源，为骑手提供组织归属。",
        "  - 在楼宇大堂开设党群服务站，每天中午开放。\n  - 每月请企业负责人和党员讲一次微党课。",
    )
)


def test_a_case_copied_under_a_new_title_is_a_near_duplicate(in_tmp: Path) -> None:
    _write(in_tmp, "first-case", BASE)
    _write(
        in_tmp,
        "copied-case",
        BASE.replace("金头盔先锋骑手的街区流动示范", "街区里的金色头盔").replace("醒目的", "显眼的"),
    )
    _write(in_tmp, "other-case", OTHER_BODY)
    findings = [f for f in _lint_files("first-case", "copied-case", "other-case") if "正文与" in f.message]
    assert {(f.path, f.line) for f in findings} == {
        ("cases/first-case.yaml", 1),
        ("cases/copied-case.yaml", 1),
    }
    assert all(f.severity == "warning" and "相同" in f.message for f in findings)
    assert "cases/first-case.yaml" in next(f.message for f in findings if f.path == "cases/copied-case.yaml")


def test_full_width_digits_in_prose_are_pointed_at(in_tmp: Path) -> None:
    _write(in_tmp, "wide-digits", BASE.replace("配发醒目的金色头盔", "配发１２０顶金色头盔"))
    (hit,) = [f for f in _lint_files("wide-digits") if "全角" in f.message]
    assert (hit.line, hit.field) == (8, "practice") and "「120」" in hit.message


# --- a key swallowed into a block; one rule set for validate, build and preview ------------------

SWALLOWED = BASE.replace(
    "sources:\n",
    "results: |\n  到报道时已有18家会员单位。\n  quotes:\n    - text: 为老人服务的这些年很有成就感\n      speaker: 蔡先浩\n"
    "sources:\n",
)


def test_a_key_indented_into_the_block_above_is_an_error_on_its_line(in_tmp: Path) -> None:
    path = _write(in_tmp, "swallowed", SWALLOWED)
    findings = _lint_files("swallowed")
    (finding,) = [f for f in findings if "quotes:" in f.message]
    assert finding.severity == "error" and finding.field == "results"
    assert (finding.location.line, finding.location.col) == _find_line(
        path.read_text(encoding="utf-8"), "quotes:"
    )
    assert "左边对齐" in finding.message


@pytest.mark.parametrize(
    "block",
    [
        "  报道提到三点：\n  一、建立联席会；\n  二、设立驿站。\n",
        "  note: 只有一行的正文\n",  # one line: nothing was swallowed into it
    ],
)
def test_ordinary_prose_is_not_taken_for_a_key(block: str, in_tmp: Path) -> None:
    text = BASE.replace("sources:\n", f"results: |\n{block}sources:\n")
    _write(in_tmp, "prose", text)
    assert not [f for f in _lint_files("prose") if "正文的一部分" in f.message]


def test_build_and_preview_enforce_the_lint_errors_validate_reports(tmp_path: Path) -> None:
    from site_builder.preview import PreviewState
    from tests.support.project import FIXTURE_CASES, build_in_process, make_project

    config = make_project(tmp_path / "p", FIXTURE_CASES)
    case = tmp_path / "p" / "cases" / "riders-golden-helmet.yaml"
    text = case.read_text(encoding="utf-8")
    case.write_text(
        text.replace(
            "  骑手参与社区治理的积极性明显提高。\n",
            "  骑手参与社区治理的积极性明显提高，[详情](https://evil.example/x)。\n",
        ),
        encoding="utf-8",
    )
    build = build_in_process(config, tmp_path / "out")
    assert build.returncode != 0 and "Traceback" not in build.stderr
    assert "riders-golden-helmet.yaml:" in build.stderr and "这里不能有网址或链接" in build.stderr
    assert not (tmp_path / "out" / "cases" / "riders-golden-helmet" / "index.html").exists()
    preview = PreviewState()
    preview.load(tmp_path / "p" / "cases")
    assert any("这里不能有网址或链接" in e.message for b in preview.broken for e in b.errors)

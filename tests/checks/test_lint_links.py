"""Cross-case content lint: one figure on one case's cards, and related lists that match the text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.casefile.loader import load_cases
from site_builder.checks.lint import lint_cases, lint_metric_figures, lint_related_mentions
from site_builder.errors import CaseError

ROOT = Path(__file__).resolve().parents[2]

Writer = Callable[[str, str], str]


def _case(
    title: str,
    *,
    practice: str = "- 组建联席会议，统筹推进。",
    metrics: str = "",
    related: str = "[]",
    source: str = "新业态、新就业群体党建工作“上海案例”发布",
) -> str:
    return (
        f"title: {title}\n"
        f"summary: 这是为检查案例之间的关系而写的一段摘要，长度足够，内容与{title}有关。\n"
        "district: 浦东新区\n"
        "fields: [新就业群体]\n"
        "year: 2023\n"
        f"{metrics}"
        "practice: |\n" + "".join(f"  {line}\n" for line in practice.splitlines()) + "sources:\n"
        f"  - title: {source}\n"
        "    publisher: 文汇报\n"
        '    date: "2023-04-13"\n'
        f"related: {related}\n"
    )


def _metric(label: str, value: str, unit: str) -> str:
    return f"metrics:\n  - label: {label}\n    value: {value}\n    unit: {unit}\n"


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Writer:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases").mkdir()

    def _write(name: str, text: str) -> str:
        (tmp_path / "cases" / f"{name}.yaml").write_text(text, encoding="utf-8")
        return text

    return _write


def _lint(*names: str, strict: bool = False) -> list[CaseError]:
    result = load_cases([Path("cases") / f"{n}.yaml" for n in names], check_images=False)
    assert result.ok, [e.format() for e in result.errors]
    return lint_cases(result.cases, result.positions, strict=strict)


def _line_col(text: str, needle: str, after: str = "") -> tuple[int, int]:
    start = text.index(after) if after else 0
    offset = text.index(needle, start)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --- the same figure on two cases' cards ---------------------------------------------------


def test_same_figure_with_similar_labels_is_reported_on_both_cards(write: Writer) -> None:
    a = write(
        "alliance", _case("普陀区党建联盟的首批成员", metrics=_metric("党建联盟首批成员单位", "50", "家"))
    )
    b = write(
        "fosun",
        _case("复星集团党委的党建体系", metrics=_metric("复星代表的党建联盟首批成员单位", "50", "家")),
    )
    findings = _lint("alliance", "fosun")
    assert [(f.path, f.field, f.line, f.col, f.severity) for f in findings] == [
        ("cases/alliance.yaml", "metrics[0].value", *_line_col(a, "50"), "warning"),
        ("cases/fosun.yaml", "metrics[0].value", *_line_col(b, "50"), "warning"),
    ]
    assert "cases/fosun.yaml" in findings[0].message and "50家" in findings[0].message
    assert "related" in findings[0].message


def test_specific_figure_is_reported_even_with_other_labels(write: Writer) -> None:
    write("one", _case("楼宇党建覆盖的总体情况", metrics=_metric("楼宇党组织", "1135", "个")))
    write("two", _case("另一篇文章里的楼宇数字", metrics=_metric("全市建立的支部和服务点", "1135", "个")))
    assert {f.path for f in _lint("one", "two")} == {"cases/one.yaml", "cases/two.yaml"}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("片区", "3", "个"), ("物业企业独立党组织", "3", "个")),  # a small number that recurs by chance
        (("党建联盟首批成员单位", "50", "家"), ("党建联盟首批成员单位", "50", "个")),  # another unit
        (("党建联盟首批成员单位", "50", "家"), ("党建联盟首批成员单位", "51", "家")),  # another value
    ],
)
def test_different_figures_are_not_reported(
    write: Writer, first: tuple[str, str, str], second: tuple[str, str, str]
) -> None:
    write("one", _case("第一个案例的标题文字", metrics=_metric(*first)))
    write("two", _case("第二个案例的标题内容", metrics=_metric(*second)))
    assert _lint("one", "two") == []


def test_a_figure_twice_on_one_case_is_not_a_duplicate(write: Writer) -> None:
    metrics = "metrics:\n" + "".join(
        f"  - label: {label}\n    value: 10\n    unit: 个\n" for label in ("发布的优秀案例", "发布的创新案例")
    )
    write("release", _case("优秀案例的征集与发布", metrics=metrics))
    assert _lint("release") == []


def test_same_figure_is_an_error_when_strict(write: Writer) -> None:
    write(
        "a", _case("社会招聘党建工作者的做法", metrics=_metric("社会招聘上岗的专职党建工作者", "1200", "名"))
    )
    write("b", _case("楼宇党建全覆盖的情况", metrics=_metric("社会招聘到岗的专职党建工作者", "1200", "名")))
    assert {f.severity for f in _lint("a", "b", strict=True)} == {"error"}


def test_metric_lint_names_one_other_case_per_card() -> None:
    class Metric:
        def __init__(self, label: str) -> None:
            self.label, self.value, self.unit = label, 120, "名"

    class Case:
        def __init__(self, i: int) -> None:
            self.id, self.title, self.metrics, self.source_path = (
                f"c{i}",
                f"案例{i}",
                [Metric("党员骑手")],
                None,
            )

    findings = lint_metric_figures([Case(i) for i in range(300)])
    assert len(findings) == 300
    assert all("党员骑手：120名" in f.message for f in findings)


# --- text that points to a case missing from related -------------------------------------


def test_title_named_in_the_text_needs_a_related_entry(write: Writer) -> None:
    write("joint-meeting", _case("浦东快递外卖群体党建工作联席会议"))
    text = write(
        "riders",
        _case("浦东的金头盔先锋骑手", practice="- 区一级的协调机制，见浦东快递外卖群体党建工作联席会议。"),
    )
    (finding,) = _lint("joint-meeting", "riders")
    assert (finding.path, finding.field) == ("cases/riders.yaml", "practice")
    assert (finding.line, finding.col) == _line_col(text, "区一级", after="practice:")
    assert "joint-meeting" in finding.message and "浦东快递外卖群体党建工作联席会议" in finding.message


def test_named_case_in_related_is_fine(write: Writer) -> None:
    write("joint-meeting", _case("浦东快递外卖群体党建工作联席会议", related="[riders]"))
    write(
        "riders",
        _case(
            "浦东的金头盔先锋骑手",
            practice="- 区一级的协调机制，见浦东快递外卖群体党建工作联席会议。",
            related="[joint-meeting]",
        ),
    )
    assert _lint("joint-meeting", "riders") == []


def test_title_part_before_the_colon_names_the_case(write: Writer) -> None:
    write("platypus", _case("鸭嘴兽公司：在货运平台上建党组织"))
    write("stations", _case("宝山区为货车司机建驿站", practice="- 平台企业一头的做法由鸭嘴兽公司试点。"))
    (finding,) = _lint("platypus", "stations")
    assert finding.path == "cases/stations.yaml" and "platypus" in finding.message


def test_quoted_phrase_of_a_title_counts_only_after_a_pointer(write: Writer) -> None:
    write("stations", _case("宝山区为货车司机建“畅享驿站”"))
    write("pointer", _case("平台企业的试点做法", practice="- 加油站里的做法见相关案例“畅享驿站”。"))
    write("plain", _case("另一个平台企业的做法", practice="- 司机也会去“畅享驿站”歇脚。"))
    findings = _lint("stations", "pointer", "plain")
    assert [(f.path, "stations" in f.message) for f in findings] == [("cases/pointer.yaml", True)]


def test_loosely_written_name_after_a_pointer(write: Writer) -> None:
    write("gumei", _case("古美路街道与物业企业党建联建"))
    write("yangpu", _case("杨浦互联网企业党组织覆盖"))
    write(
        "overview",
        _case(
            "重点楼宇和园区的党组织覆盖",
            practice="- 具体例子，本站分别整理为古美路街道物业企业联建和杨浦区互联网企业党建等案例。",
            related="[gumei]",
        ),
    )
    findings = _lint("gumei", "yangpu", "overview")
    assert [(f.path, f.field) for f in findings] == [("cases/overview.yaml", "practice")]
    assert "（yangpu）" in findings[0].message


def test_pointer_with_an_empty_related_list(write: Writer) -> None:
    text = write("lonely", _case("一个独立介绍的做法", practice="- 平台上的做法与宝山区的总体安排相衔接。"))
    (finding,) = _lint("lonely")
    assert (finding.line, finding.col) == _line_col(text, "平台上的做法")
    assert "related" in finding.message and "空" in finding.message


def test_same_article_sentence_needs_every_case_of_that_article(write: Writer) -> None:
    write("a", _case("浦东快递外卖群体党建工作联席会议"))
    write("b", _case("宝山区为货车司机建驿站"))
    write("c", _case("另一篇文章里的做法", source="上海楼宇党建工作五年回眸"))
    write(
        "release",
        _case(
            "优秀案例的征集与发布",
            practice="- 本站据这篇报道整理的其他案例列在本页的相关案例中。",
            related="[a]",
        ),
    )
    findings = _lint("a", "b", "c", "release")
    assert [f.path for f in findings] == ["cases/release.yaml"]
    assert "（b）" in findings[0].message and "同一篇报道" in findings[0].message


def test_own_title_and_quotes_are_not_pointers(write: Writer) -> None:
    write("joint-meeting", _case("浦东快递外卖群体党建工作联席会议"))
    text = _case("浦东的金头盔先锋骑手") + (
        "quotes:\n  - text: 浦东快递外卖群体党建工作联席会议管用\n    speaker: 某人\n"
    )
    write("riders", text)
    assert lint_related_mentions(load_cases([Path("cases/riders.yaml")], check_images=False).cases) == []
    assert _lint("joint-meeting", "riders") == []


# --- the real cases --------------------------------------------------------------------


def test_real_cases_have_one_figure_per_card_and_complete_related_lists() -> None:
    result = load_cases(sorted((ROOT / "cases").glob("*.yaml")), check_images=False)
    assert result.ok
    findings = lint_metric_figures(result.cases, result.positions) + lint_related_mentions(
        result.cases, result.positions
    )
    assert [f.format() for f in findings] == []


def test_a_title_part_shared_by_two_cases_names_neither(write: Writer) -> None:
    write("one", _case("案例一：设立楼宇联合党支部"))
    write("two", _case("案例二：设立楼宇联合党支部"))
    write("text", _case("第三个案例的标题", practice="- 街道设立楼宇联合党支部，服务楼里的党员。"))
    result = load_cases([Path("cases") / f"{n}.yaml" for n in ("one", "two", "text")], check_images=False)
    assert lint_related_mentions(result.cases, result.positions) == []


def test_many_missing_cases_are_reported_three_times_at_most(write: Writer) -> None:
    names = [
        "甲乙丙丁街道的联建做法",
        "戊己庚辛街道的联建做法",
        "壬癸子丑街道的联建做法",
        "寅卯辰巳街道的联建做法",
    ]
    for i, title in enumerate(names):
        write(f"c{i}", _case(title))
    write("list", _case("四个街道的做法汇总", practice="- " + "；".join(f"见{t}" for t in names) + "。"))
    findings = [f for f in _lint(*(f"c{i}" for i in range(4)), "list") if f.path == "cases/list.yaml"]
    assert len(findings) == 3
    assert "另有 1 处类似情况" in findings[-1].message

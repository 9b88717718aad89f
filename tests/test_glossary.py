"""Every piece of jargon a case uses is explained in the glossary (术语表 in ``docs/about.md``).

"Used" means: a term from :data:`JARGON`, the hand-kept list of party-building words a lay reader
may not know, appears in the text of a case file (any string value: title, summary, prose,
highlights, metric labels and notes, tags, organisations). When a case brings in a new such word,
add it to :data:`JARGON` and explain it in the glossary; the test then holds both to account.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ABOUT = ROOT / "docs" / "about.md"
CASE_FILES = sorted((ROOT / "cases").glob("*.yaml"))

#: Words of the trade that need a plain explanation for the public (longest forms first is not
#: required: each is checked on its own).
JARGON: tuple[str, ...] = (
    "两新",
    "非公企业",
    "规模以上非公企业",
    "小个专",
    "新业态",
    "新就业群体",
    "集卡",
    "平台党组织",
    "双达标",
    "全覆盖",
    "应建尽建",
    "支部建在楼上",
    "联合党支部",
    "党员服务点",
    "党工委",
    "综合党委",
    "综合经济党委",
    "社会工作党委",
    "社工委",
    "党建指导员",
    "挂职锻炼",
    "楼长制",
    "园长制",
    "急难愁盼",
    "联建",
    "区域化党建",
    "区域化单位",
    "联席会",
    "联席会议",
    "党建联盟",
    "流动党员",
    "组织关系",
    "入党积极分子",
    "双向进入",
    "交叉任职",
    "党建带工建",
    "网格街区党支部",
    "片区",
    "街委会",
    "街事会",
    "党群服务中心",
    "驿站",
)

_ENTRY = re.compile(r"^- \*\*(?P<terms>[^*]+)\*\*：(?P<definition>.+)$")
_ALTERNATIVE = re.compile(r"^(?P<head>[^（]+)（(?P<alt>[^）]+)）$")


def glossary_terms(markdown: str) -> dict[str, str]:
    """Terms defined under the ``## 术语表`` heading, each mapped to its definition.

    An entry reads ``- **甲、乙（丙）**：释义``: the names are split on 、, and a bracketed
    alternative is a name of its own (``联建（党建联建）`` → 联建, 党建联建) or, when it is one
    character, an ending (``党群服务站（点）`` → 党群服务站, 党群服务站点).
    """
    _, found, rest = markdown.partition("\n## 术语表")
    if not found:
        return {}
    section = rest.split("\n## ", 1)[0]
    terms: dict[str, str] = {}
    for line in section.splitlines():
        m = _ENTRY.match(line.strip())
        if not m:
            continue
        for name in m.group("terms").split("、"):
            name = name.strip()
            alt = _ALTERNATIVE.match(name)
            names = [name]
            if alt:
                head, other = alt.group("head"), alt.group("alt")
                names = [head, other if len(other) > 1 else head + other]
            for n in names:
                terms[n] = m.group("definition").strip()
    return terms


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, child in value.items():
            if key not in {"related", "status", "updated", "url", "file"}:
                yield from _strings(child)
    elif isinstance(value, list):
        for child in value:
            yield from _strings(child)


def jargon_used(text: str, jargon: tuple[str, ...] = JARGON) -> set[str]:
    """The jargon terms that occur in ``text``."""
    return {term for term in jargon if term in text}


def test_glossary_parser_reads_names_alternatives_and_endings() -> None:
    sample = (
        "# 关于\n\n## 术语表\n\n说明文字。\n\n"
        "- **联建（党建联建）**：结对共建。\n"
        "- **党群服务中心、党群服务站（点）**：服务场所。\n"
        "- **集卡**：集装箱卡车。\n"
        "\n## 另一节\n\n- **不算**：这一节不是术语表。\n"
    )
    assert glossary_terms(sample) == {
        "联建": "结对共建。",
        "党建联建": "结对共建。",
        "党群服务中心": "服务场所。",
        "党群服务站": "服务场所。",
        "党群服务站点": "服务场所。",
        "集卡": "集装箱卡车。",
    }
    assert glossary_terms("# 关于\n\n没有术语表。\n") == {}


def test_jargon_used_finds_terms_inside_longer_text() -> None:
    text = "宝山区把货运平台当作联系集卡司机的入口，平台党组织已经建成。"
    assert jargon_used(text, ("集卡", "平台党组织", "小个专")) == {"集卡", "平台党组织"}


@pytest.fixture(scope="module")
def glossary() -> dict[str, str]:
    terms = glossary_terms(ABOUT.read_text(encoding="utf-8"))
    assert terms, f"{ABOUT} 里没有找到“## 术语表”一节或其中的词条"
    return terms


def test_every_jargon_term_used_in_a_case_is_in_the_glossary(glossary: dict[str, str]) -> None:
    missing: dict[str, list[str]] = {}
    for path in CASE_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = "\n".join(_strings(data))
        for term in sorted(jargon_used(text)):
            if term not in glossary:
                missing.setdefault(term, []).append(path.stem)
    assert not missing, "以下术语在案例中用到，但术语表（docs/about.md）里没有解释：" + "；".join(
        f"{term}（{'、'.join(ids)}）" for term, ids in sorted(missing.items())
    )


def test_glossary_definitions_are_written_out(glossary: dict[str, str]) -> None:
    short = {term: text for term, text in glossary.items() if len(text) < 8}
    assert not short, f"释义太短：{short}"


def test_jargon_list_has_no_duplicates() -> None:
    assert len(JARGON) == len(set(JARGON))

"""The skeleton ``site-builder new`` writes, and the values it pre-fills that an editor may forget.

A file still carrying the skeleton's comments was made from it; a value there that is still the
skeleton's pre-filled example (the first field, the default year, a metric of 0) is pointed out
on its line, so a case is not published with the template's guesses.
"""

from __future__ import annotations

from typing import Any

from site_builder.casefile.messages import describe
from site_builder.casefile.yamlio import Positions, dotted_path
from site_builder.errors import CaseError

DEFAULT_YEAR = "2024"
"""The year ``site-builder new`` writes when none is given."""

SKELETON = """\
# yaml-language-server: $schema=../schema/case.schema.json
# 新案例模板：把「……」换成真实内容，删掉用不到的可选字段。写法见 docs/guide.md（投稿指南）。
# 必填：title、summary、district、fields、year、practice、sources。

# 标题，4–40 个字
title: {title}
# 摘要，30–200 个字，用于案例卡片、搜索结果和分享
summary: ……
# 所在区：上海 16 个区之一，全市性的案例写「全市」
district: {district}
# 街道或镇（可选）
locality: ……
# 领域，1–3 个：{fields}
fields: [{field}]
# 服务群体（可选）：{groups}
groups: []
# 标签（可选），每个 1–12 个字
tags: []
# 做法开始或首次报道的年份
year: {year}
# 数据（可选）：value 只写数字
metrics:
  - label: ……
    value: 0
    unit: 个
# 以下四段可以使用 Markdown；「主要做法」必填
background: |
  ……
practice: |
  ……
results: |
  ……
# 来源：至少一篇，title 与 publisher 必填。date 照文章上写的填：2023-04-13、2023-04、2023，
# 或只有月日时写 12-13；不知道就不写。年份是推断的，写在 date_note 里说明
sources:
  - title: ……
    publisher: ……
# 相关案例（可选）：写其他案例的编号（文件名去掉 .yaml）
related: []
# 草稿只在预览中显示（本地预览和 Pull Request 的预览），不会发布；准备发布时删掉这一行
status: draft
"""


_COMMENTS = frozenset(
    line.strip()
    for line in SKELETON.splitlines()
    if line.startswith("#") and "{" not in line and "$schema" not in line
)
_MIN_COMMENTS = 2


def made_from_skeleton(text: str) -> bool:
    """True when ``text`` still holds at least two of the skeleton's own comment lines."""
    found = sum(1 for line in text.splitlines() if line.strip() in _COMMENTS)
    return found >= _MIN_COMMENTS


def prefilled(first_field: str) -> dict[tuple[Any, ...], Any]:
    """The concrete example values the skeleton writes, by path (placeholders «……» are checked elsewhere)."""
    return {
        ("year",): int(DEFAULT_YEAR),
        ("fields",): [first_field],
        ("metrics", 0, "value"): 0,
        ("metrics", 0, "unit"): "个",
    }


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def prefilled_left(data: Any, first_field: str) -> list[tuple[tuple[Any, ...], Any]]:
    """The paths whose value is still the skeleton's example (whether or not the file came from it)."""
    if not isinstance(data, dict):
        return []
    out = []
    for path, value in prefilled(first_field).items():
        found = _at(data, path)
        if found is not None and found == value and type(found) is type(value):
            out.append((path, value))
    return out


def template_leftovers(text: str, data: Any, positions: Positions, first_field: str) -> list[CaseError]:
    """Warnings for values still as ``site-builder new`` pre-filled them, in a file made from the skeleton."""
    left = prefilled_left(data, first_field)
    if not left or not made_from_skeleton(text):
        return []
    out = []
    for path, value in left:
        shown = "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
        out.append(
            CaseError(
                positions.locate(path),
                dotted_path(path),
                f"{describe(path)}还是模板预填的示例值「{shown}」：请改成这个案例的真实内容（用不到的可选项整项删掉）；"
                "确实如此的话，删掉文件里「# 」开头的模板说明，这条提醒就不再出现",
                "warning",
            )
        )
    return out

"""How messages name fields: the words an editor sees in the file, not code paths.

Every table here is read from the models' field metadata (:func:`site_builder.casefile.models.meta`):
a new field names itself. Messages lead with the field's Chinese name, the English path follows in
brackets (``cases/x.yaml:3:8: 标题 (title): …``); the text says "第 1 条引语的「speaker」（说话人）"
instead of ``quotes[0].speaker``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel

from site_builder.casefile.fields import submodels
from site_builder.casefile.models import Case, field_meta

_SUBMODELS: dict[str, type[BaseModel]] = submodels()


def model_for(path: Sequence[str | int]) -> type[BaseModel]:
    """The model whose keys sit at ``path`` (a path to a mapping: () is the case itself)."""
    head = path[0] if path else None
    return _SUBMODELS[head] if isinstance(head, str) and len(path) > 0 and head in _SUBMODELS else Case


def field_title(key: str, model: type[BaseModel] = Case) -> str | None:
    """The Chinese name of ``key`` as the models declare it (one source for the form, schema and messages)."""
    info = model.model_fields.get(key)
    if info is None:
        others: list[type[BaseModel]] = [Case, *_SUBMODELS.values()]
        for other in others:
            info = other.model_fields.get(key)
            if info is not None:
                break
    return info.title if info is not None else None


def _declared(key: str) -> dict[str, str]:
    return {
        k: str(v) for k, info in Case.model_fields.items() if (v := field_meta(info).get(key)) is not None
    }


#: What one item of each list is called: "第 2 条引语", "第 1 个来源" (``x-item`` of each list field).
ITEM_NOUNS: dict[str, str] = _declared("x-item")


def example(key: str, model: type[BaseModel] = Case) -> str | None:
    """How to write the key ``key`` of ``model`` (its ``x-example``), shown when a required key is missing."""
    info = model.model_fields.get(key)
    value = field_meta(info).get("x-example") if info is not None else None
    return str(value) if value is not None else None


def format_help(path: Sequence[str | int]) -> str | None:
    """The format a patterned field stands for (``x-format-help`` of the field at ``path``)."""
    keys = [p for p in path if isinstance(p, str)]
    if not keys:
        return None
    model = model_for(keys[:-1]) if len(keys) > 1 else Case
    info = model.model_fields.get(keys[-1])
    value = field_meta(info).get("x-format-help") if info is not None else None
    return str(value) if value is not None else None


_PATH_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def field_name(dotted: str) -> str | None:
    """The Chinese name of the field at a dotted path: ``sources[0].date`` -> 发布日期, ``tags[2]`` -> 标签."""
    keys = [m.group(1) for m in _PATH_PART.finditer(dotted) if m.group(1)]
    if not keys:
        return None
    model = model_for(keys[:-1]) if len(keys) > 1 else Case
    return field_title(keys[-1], model)


def label(key: str, model: type[BaseModel] = Case) -> str:
    """``「speaker」（说话人）`` for a known key, ``「speaker」`` otherwise."""
    name = field_title(key, model)
    return f"「{key}」（{name}）" if name else f"「{key}」"


def describe(path: Sequence[str | int], *, with_label: bool = True) -> str:
    """Say where a value is as an editor reads the file.

    ``("quotes", 0, "speaker")`` -> ``第 1 条引语的「speaker」（说话人）``;
    ``("tags", 2)`` -> ``第 3 个标签``; ``("title",)`` -> ``「title」（标题）``.
    """
    parts: list[str] = []
    i = 0
    items = list(path)
    while i < len(items):
        part = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        if isinstance(part, str) and isinstance(nxt, int):
            noun = ITEM_NOUNS.get(part, "项")
            parts.append(f"「{part}」的第 {nxt + 1} 项" if part not in ITEM_NOUNS else f"第 {nxt + 1} {noun}")
            i += 2
            continue
        if isinstance(part, str):
            model = model_for(items[:i]) if i else Case
            parts.append(label(part, model) if with_label else f"「{part}」")
        else:
            parts.append(f"第 {part + 1} 项")
        i += 1
    return "的".join(parts) if parts else "文件"

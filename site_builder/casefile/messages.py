"""How messages name fields: the words an editor sees in the file, not code paths.

The ``path:line:col: field.path:`` prefix stays machine-readable (CI annotations and tools parse
it); the Chinese text after it says "第 1 条引语的「speaker」（说话人）" instead of
``quotes[0].speaker``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from site_builder.casefile.models import Case, CaseImage, GeoPoint, Metric, Quote, Source

_SUBMODELS: dict[str, type[BaseModel]] = {
    "metrics": Metric,
    "quotes": Quote,
    "images": CaseImage,
    "sources": Source,
    "location": GeoPoint,
}


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


#: What one item of each list is called: "第 2 条引语", "第 1 个来源".
ITEM_NOUNS: dict[str, str] = {
    "fields": "个领域",
    "groups": "个服务群体",
    "tags": "个标签",
    "organizations": "个参与单位",
    "awards": "项荣誉",
    "highlights": "条亮点",
    "metrics": "项数据指标",
    "quotes": "条引语",
    "images": "张图片",
    "sources": "个来源",
    "related": "个相关案例",
}

#: How to write each key, shown when a required key is missing.
EXAMPLES: dict[str, str] = {
    "title": "例如「title: 浦东新区金色头盔党员骑手」",
    "summary": "例如「summary: 」后面用 30–200 个字概括这个案例做了什么、有什么效果",
    "district": "例如「district: 浦东新区」",
    "fields": "例如「fields: [新就业群体]」",
    "year": "例如「year: 2023」",
    "practice": "写成「practice: |」，下一行起每行缩进两个空格写主要做法",
    "sources": "写成「sources:」，下一行写「  - title: 文章标题」，再下一行写「    publisher: 发布媒体」",
    "label": "例如「label: 党员骑手」",
    "value": "例如「value: 120」",
    "text": "例如「text: 」后面写原话",
    "speaker": "例如「speaker: 张三」",
    "file": "例如「file: images/photo.jpg」",
    "alt": "例如「alt: 」后面用一句话描述图片内容",
    "lat": "例如「lat: 31.23」",
    "lon": "例如「lon: 121.47」",
    "title_source": "例如「title: 文章标题」",
    "publisher": "例如「publisher: 文汇报」",
}


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

"""How messages name fields: the words an editor sees in the file, not code paths.

The ``path:line:col: field.path:`` prefix stays machine-readable (CI annotations and tools parse
it); the Chinese text after it says "第 1 条引语的「speaker」（说话人）" instead of
``quotes[0].speaker``.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Chinese names of every key, as the guide and the template call them.
FIELD_LABELS: dict[str, str] = {
    "title": "标题",
    "summary": "摘要",
    "district": "所在区",
    "locality": "街道或镇",
    "fields": "领域",
    "groups": "服务群体",
    "tags": "标签",
    "year": "年份",
    "organizations": "参与单位",
    "awards": "荣誉",
    "highlights": "亮点",
    "metrics": "数据指标",
    "background": "背景",
    "practice": "主要做法",
    "results": "成效",
    "insights": "经验启示",
    "quotes": "引语",
    "images": "图片",
    "location": "地图位置",
    "sources": "来源",
    "related": "相关案例",
    "status": "发布状态",
    "updated": "审核日期",
    "label": "指标名称",
    "value": "数值",
    "unit": "单位",
    "note": "说明",
    "text": "原话",
    "speaker": "说话人",
    "role": "身份",
    "file": "图片文件",
    "alt": "替代文字",
    "caption": "图片说明",
    "credit": "图片来源",
    "lat": "纬度",
    "lon": "经度",
    "publisher": "发布媒体",
    "date": "日期",
    "date_note": "日期说明",
    "url": "网址",
}

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


def label(key: str) -> str:
    """``「speaker」（说话人）`` for a known key, ``「speaker」`` otherwise."""
    name = FIELD_LABELS.get(key)
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
            parts.append(label(part) if with_label else f"「{part}」")
        else:
            parts.append(f"第 {part + 1} 项")
        i += 1
    return "的".join(parts) if parts else "文件"


def shorten(text: str, limit: int = 30) -> str:
    """Cut a quoted value so a message stays one readable line (no line breaks, at most ``limit``)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"

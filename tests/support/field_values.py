"""Valid values for every case field, made from the field's kind and limits alone.

Tests that need "a case with every field filled" build it here, so a new field needs no hand-kept
fixture: its ``x-kind`` says what to put in it.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from site_builder.casefile.fields import submodels
from site_builder.casefile.models import Case, field_meta, kind_of
from site_builder.casefile.vocab import load_vocabularies

MODELS: dict[str, type[BaseModel]] = {"": Case, **submodels()}
"""Where each model's keys sit: "" is the case, "sources" a source, and so on."""


def field_info(where: str, key: str) -> FieldInfo:
    """The pydantic field ``key`` of the model at ``where``."""
    return MODELS[where].model_fields[key]


def _limits(info: FieldInfo) -> tuple[int, int]:
    low, high = 1, 60
    for m in info.metadata:
        low = getattr(m, "min_length", None) or low
        high = getattr(m, "max_length", None) or high
    return low, high


def _example_value(where: str, key: str) -> str | None:
    written = field_meta(field_info(where, key)).get("x-example")
    m = re.search(rf"「{key}: ([^」]+)」", str(written or ""))
    return m.group(1) if m else None


def _item_limits(info: FieldInfo) -> tuple[int, int]:
    args = getattr(info.annotation, "__args__", ())
    for arg in args:
        for m in getattr(arg, "__metadata__", ()):
            low, high = getattr(m, "min_length", None), getattr(m, "max_length", None)
            if low or high:
                return low or 1, high or 60
    return 1, 60


def _text(label: str, low: int, high: int) -> str:
    text = f"哨兵{label}"
    while len(text) < low:
        text += "内容"
    return text[:high]


def sentinel(where: str, key: str) -> Any:
    """A valid value for any field, made from its kind and limits alone (so a new field needs no fixture)."""
    info = field_info(where, key)
    meta = field_meta(info)
    kind, fmt = kind_of(info), meta.get("x-format")
    vocab = load_vocabularies()
    label = str(info.title)
    if kind == "line" and fmt == "url":
        return f"https://example.org/sentinel-{key}"
    if kind == "line" and fmt == "path":
        return "images/photo.jpg"
    if kind == "line":
        return _text(label, *_limits(info))
    if kind == "markdown":
        return f"哨兵{label}的段落。\n"
    if kind == "int":
        return int(_example_value(where, key) or 2021)
    if kind == "number":
        return float(_example_value(where, key) or 4321)
    if kind == "date":
        return "12-13" if fmt == "source-date" else "2026-11-30"
    if kind == "choice":
        choices = {"district": vocab.districts.names()}.get(key)
        return choices[0] if choices else "published"
    if kind == "lines" and fmt == "id":
        return ["other-case"]
    if kind == "lines":
        return [_text(label, *_item_limits(info))]
    if kind == "choices":
        return [getattr(vocab, key).names()[0]]
    sub = submodels(MODELS[where])[key]
    where_sub = next(w for w, m in MODELS.items() if m is sub)
    item = {k: sentinel(where_sub, k) for k in sub.model_fields}
    return [item] if kind == "objects" else item


def full_case_data(skip: tuple[str, ...] = ("images", "status")) -> dict[str, Any]:
    """A valid case file's data with every field (but ``skip``) set to its sentinel."""
    return {k: sentinel("", k) for k in Case.model_fields if k not in skip}

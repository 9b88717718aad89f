"""The field registry: one description of every case field, read by every consumer.

The models in :mod:`site_builder.casefile.models` are the single source: each ``Field`` carries
a Chinese ``title`` (the label editors and readers see), a ``description`` (the hint) and, on
top-level fields, ``x-search`` (which search tier indexes it) and ``x-format``. This module turns
them into plain :class:`FieldSpec` records so that the case page, the search index, the open-data
export and the form editor's configuration all iterate the same list: a new optional field is the
model plus the template, and a test fails when a field is shown nowhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from site_builder.casefile.models import Case, Kind, field_meta, kind_of
from site_builder.casefile.vocab import Vocabularies, load_vocabularies

__all__ = [
    "FieldSpec",
    "Kind",
    "case_fields",
    "field_spec",
    "field_texts",
    "fill_guide_table",
    "guide_field_table",
    "keys_of_kind",
    "submodels",
]

SearchTier = Literal["title", "meta", "summary", "body"]

_VOCAB_FIELDS = {"district": "districts", "fields": "fields", "groups": "groups"}


@dataclass(frozen=True)
class FieldSpec:
    """One field of a case file (or of a list item / object inside it)."""

    key: str
    label: str
    help: str
    kind: Kind
    required: bool
    search: SearchTier | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    pattern: str | None = None
    choices: tuple[str, ...] | None = None
    children: tuple[FieldSpec, ...] = ()

    def child(self, key: str) -> FieldSpec:
        """The sub-field ``key`` of an object or list-of-objects field."""
        for c in self.children:
            if c.key == key:
                return c
        raise KeyError(key)


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` and unwrap ``anyOf: [X, null]`` (optional fields)."""
    if "$ref" in schema:
        return _resolve(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(options) == 1:
        merged = {k: v for k, v in schema.items() if k != "anyOf"}
        return {**_resolve(options[0], defs), **merged}
    return schema


def _specs(model: type[BaseModel], vocab: Vocabularies) -> tuple[FieldSpec, ...]:
    schema = model.model_json_schema(mode="validation")
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    out = []
    for key, raw in schema["properties"].items():
        prop = _resolve(raw, defs)
        out.append(_spec(model, key, prop, defs, key in required, vocab))
    return tuple(out)


def _spec(
    model: type[BaseModel],
    key: str,
    prop: dict[str, Any],
    defs: dict[str, Any],
    required: bool,
    vocab: Vocabularies,
) -> FieldSpec:
    label = str(prop.get("title") or key)
    help_ = str(prop.get("description") or "")
    search = prop.get("x-search")
    choices: tuple[str, ...] | None = None
    children: tuple[FieldSpec, ...] = ()
    items = _resolve(prop.get("items", {}), defs) if prop.get("type") == "array" else {}
    kind = kind_of(model.model_fields[key])
    if key in _VOCAB_FIELDS and model is Case:
        choices = tuple(getattr(vocab, _VOCAB_FIELDS[key]).names())
    elif "enum" in prop:
        choices = tuple(str(v) for v in prop["enum"])
    if kind in ("objects", "object"):
        children = _children(model, key, defs, vocab)
    item_limits = items if kind == "lines" else {}
    return FieldSpec(
        key=key,
        label=label,
        help=help_,
        kind=kind,
        required=required,
        search=search,
        min_length=prop.get("minLength", item_limits.get("minLength")),
        max_length=prop.get("maxLength", item_limits.get("maxLength")),
        min_items=prop.get("minItems"),
        max_items=prop.get("maxItems"),
        pattern=prop.get("pattern", item_limits.get("pattern")),
        choices=choices,
        children=children,
    )


def submodels(model: type[BaseModel] = Case) -> dict[str, type[BaseModel]]:
    """The fields of ``model`` that hold a model (``objects``/``object`` kinds): key -> that model."""
    out = {}
    for key, info in model.model_fields.items():
        if kind_of(info) in ("objects", "object"):
            sub = next(_submodels(info.annotation), None)
            if sub is not None:
                out[key] = sub
    return out


def keys_of_kind(*kinds: Kind, model: type[BaseModel] = Case) -> frozenset[str]:
    """The keys of ``model`` whose ``x-kind`` is one of ``kinds``."""
    return frozenset(k for k, info in model.model_fields.items() if kind_of(info) in kinds)


def _children(
    model: type[BaseModel], key: str, defs: dict[str, Any], vocab: Vocabularies
) -> tuple[FieldSpec, ...]:
    annotation = model.model_fields[key].annotation
    for sub in _submodels(annotation):
        return _specs(sub, vocab)
    return ()


def _submodels(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()):
        yield from _submodels(arg)


@cache
def _default_fields() -> tuple[FieldSpec, ...]:
    return _specs(Case, load_vocabularies())


def case_fields(vocab: Vocabularies | None = None) -> tuple[FieldSpec, ...]:
    """Every top-level field of a case file, in the models' order, with its sub-fields."""
    return _default_fields() if vocab is None else _specs(Case, vocab)


def field_spec(key: str) -> FieldSpec:
    """The registry entry of one top-level field."""
    for spec in case_fields():
        if spec.key == key:
            return spec
    raise KeyError(key)


def field_texts(value: Any) -> list[str]:
    """Every piece of text inside a field value (strings, numbers, list items, sub-model fields).

    Search and export use this so that a new field, or a new sub-field of metrics, quotes or
    sources, is indexed without naming it anywhere else.
    """
    if value is None:
        return []
    if isinstance(value, BaseModel):
        return [t for k in type(value).model_fields for t in field_texts(getattr(value, k))]
    if isinstance(value, list | tuple):
        return [t for v in value for t in field_texts(v)]
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)]
    text = str(value).strip()
    return [text] if text else []


GUIDE_TABLE_START = "<!-- site_builder:field-table -->"
GUIDE_TABLE_END = "<!-- /site_builder:field-table -->"
"""The field table of docs/guide.md sits between these markers, generated from the models."""


def _guide_text(model: type[BaseModel], key: str, spec: FieldSpec) -> str:
    meta = field_meta(model.model_fields[key])
    return str(meta.get("x-guide") or spec.help).replace("|", "｜").replace("\n", " ")


def _limits_text(spec: FieldSpec) -> str:
    if spec.min_length and spec.max_length and spec.min_length > 1:
        return f"{spec.min_length} 到 {spec.max_length} 个字"
    if spec.max_length and spec.kind == "line":
        return f"不超过 {spec.max_length} 个字"
    return ""


def guide_field_table(vocab: Vocabularies | None = None) -> str:
    """The editors' guide's table of case fields (key, required, how to fill it), from the models.

    ``site-builder schema`` writes it into docs/guide.md between :data:`GUIDE_TABLE_START` and
    :data:`GUIDE_TABLE_END`; a test fails when the committed table is stale.
    """
    subs = submodels()
    rows = ["| 字段 | 是否必填 | 怎么填 |", "|---|---|---|"]
    for spec in case_fields(vocab):
        text = _guide_text(Case, spec.key, spec)
        if spec.choices and spec.kind in ("choices",) and spec.key != "status":
            text += f"；从 {'、'.join(spec.choices)} 中选"
        if spec.kind in ("objects", "object") and spec.key in subs:
            parts = []
            for child in spec.children:
                bits = [_guide_text(subs[spec.key], child.key, child), "必填" if child.required else "选填"]
                bits += [b for b in [_limits_text(child)] if b]
                parts.append(f"`{child.key}`（{'，'.join(bits)}）")
            text += "：" + "、".join(parts)
        rows.append(f"| `{spec.key}` | {'必填' if spec.required else '选填'} | {text} |")
    return "\n".join(rows)


def fill_guide_table(markdown: str, vocab: Vocabularies | None = None) -> str:
    """``markdown`` with the text between the field-table markers replaced by :func:`guide_field_table`."""
    start = markdown.index(GUIDE_TABLE_START) + len(GUIDE_TABLE_START)
    end = markdown.index(GUIDE_TABLE_END, start)
    return f"{markdown[:start]}\n{guide_field_table(vocab)}\n{markdown[end:]}"

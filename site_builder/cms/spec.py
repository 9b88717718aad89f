"""The case fields the form shows, read from the case models.

Interim reader: it derives each field's kind, limits and Chinese label from the pydantic JSON
schema of :class:`~site_builder.casefile.models.Case`. It returns objects of the same shape as the
field registry (``site_builder.casefile.fields.case_fields``) so the config generator can switch
to the registry without change.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

from site_builder.casefile.models import DATE_PATTERN, SOURCE_DATE_PATTERN, Case

VOCAB_FIELDS = {"district": "districts", "fields": "fields", "groups": "groups"}
"""Case keys whose values come from a vocabulary in ``site_builder/data/vocabularies.yaml``."""

_LABELS = {"status": "发布状态", "location": "地图位置", "related": "相关案例", "updated": "审核日期"}


@dataclass(frozen=True)
class FieldSpec:
    """One field of a case file as a form shows it (same attributes as the lead's registry)."""

    key: str
    label: str
    help: str
    kind: str
    required: bool
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    pattern: str | None = None
    choices: tuple[str, ...] | str | None = None
    children: tuple[FieldSpec, ...] | None = None


def _label(key: str, description: str) -> str:
    if key in _LABELS:
        return _LABELS[key]
    return re.split(r"[，：（(；]", description, maxsplit=1)[0].strip() or key


def _unwrap(prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    options = prop.get("anyOf")
    if options and any(o.get("type") == "null" for o in options):
        rest = [o for o in options if o.get("type") != "null"]
        if len(rest) == 1:
            return {**prop, **rest[0], "anyOf": None}, True
    return prop, False


def _spec(key: str, prop: dict[str, Any], required: bool, defs: dict[str, Any]) -> FieldSpec:
    prop, nullable = _unwrap(prop)
    description = str(prop.get("description", ""))
    base: dict[str, Any] = {
        "key": key,
        "label": _label(key, description),
        "help": description,
        "required": required and not nullable,
    }
    ref = prop.get("$ref")
    if ref:
        return FieldSpec(**base, kind="object", children=_children(defs[ref.rsplit("/", 1)[-1]], defs))
    kind_of = prop.get("type")
    if kind_of == "array":
        items = prop.get("items", {})
        counts: dict[str, Any] = {"min_items": prop.get("minItems"), "max_items": prop.get("maxItems")}
        if "$ref" in items:
            model = defs[items["$ref"].rsplit("/", 1)[-1]]
            return FieldSpec(**base, **counts, kind="objects", children=_children(model, defs))
        if key in VOCAB_FIELDS:
            return FieldSpec(**base, **counts, kind="choice", choices=VOCAB_FIELDS[key])
        return FieldSpec(
            **base,
            **counts,
            kind="lines",
            min_length=items.get("minLength"),
            max_length=items.get("maxLength"),
            pattern=items.get("pattern"),
        )
    if kind_of == "integer":
        return FieldSpec(**base, kind="int")
    if kind_of == "number" or (
        prop.get("anyOf") and {o.get("type") for o in prop["anyOf"]} <= {"integer", "number"}
    ):
        return FieldSpec(**base, kind="number")
    lengths: dict[str, Any] = {"min_length": prop.get("minLength"), "max_length": prop.get("maxLength")}
    if "enum" in prop:
        return FieldSpec(**base, kind="choice", choices=tuple(prop["enum"]))
    if key in VOCAB_FIELDS:
        return FieldSpec(**base, kind="choice", choices=VOCAB_FIELDS[key])
    if prop.get("pattern") in (DATE_PATTERN, SOURCE_DATE_PATTERN):
        return FieldSpec(**base, kind="date", pattern=prop["pattern"])
    if "Markdown" in description:
        return FieldSpec(**base, **lengths, kind="markdown")
    return FieldSpec(**base, **lengths, kind="line", pattern=prop.get("pattern"))


def _children(model: dict[str, Any], defs: dict[str, Any]) -> tuple[FieldSpec, ...]:
    required = set(model.get("required", []))
    return tuple(_spec(k, p, k in required, defs) for k, p in model["properties"].items())


def case_field_specs() -> tuple[FieldSpec, ...]:
    """Every top-level field of a case, in the order of the model (= the template's key order)."""
    try:
        registry = importlib.import_module("site_builder.casefile.fields")  # the lead's registry
    except ModuleNotFoundError:
        schema = Case.model_json_schema(mode="validation")
        return _children(schema, schema.get("$defs", {}))
    return tuple(registry.case_fields())
